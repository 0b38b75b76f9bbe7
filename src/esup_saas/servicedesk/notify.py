"""Notifications of the service desk: triggers, recipients by role, dispatch of events.

Triggers (specs/platform.md item 21) are read from :class:`TicketEvent`: ticket created,
state entered, reopened by the customer (with its reason), assigned, public log added, SLA
threshold reached (warning, breach), solution given, closed; plus the refusal sent to an
unknown sender of an incoming mail (item 22).
Recipients are resolved from roles: the caller, the contacts marked "notify", the team, the
agent, the customer's PCUs and the provider's service managers; the author of the event is
not mailed about what they did themselves. The customer's side (caller, contacts, PCUs) and
the provider's side get their own context: customers never read an internal SLA state
(``workflow.CUSTOMER_STATUS``) and are not told of the escalations.

Each committed event is dispatched once (:func:`notify_event`, a row of
:class:`TicketEventNotified` is inserted first), from a background task enqueued after the
commit; :func:`notify_pending` is the periodic safety net for events whose task was lost.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from esup_saas.notifications.registry import Trigger, trigger_register
from esup_saas.notifications.selectors import trigger_config
from esup_saas.notifications.services import Recipient, mail_queue
from esup_saas.tenancy.models import Membership, Person, Role

from .models import LogEntry, Ticket, TicketEvent
from .models_sla import TicketEventNotified
from .workflow import Status, customer_status_label, get_transition

log = logging.getLogger(__name__)

#: Events older than this when first seen are not mailed (imports, demo data, a long outage).
MAX_EVENT_AGE = dt.timedelta(days=1)

ROLES: dict[str, Any] = {
    "caller": _("Demandeur"),
    "contacts": _("Contacts (notifier)"),
    "team": _("Équipe"),
    "agent": _("Agent"),
    "customer_pcus": _("PCU du client"),
    "provider_managers": _("Responsables de service du fournisseur"),
}
#: The roles on the customer's side: they read the portal's wording (no internal SLA state).
CUSTOMER_ROLES = frozenset({"caller", "contacts", "customer_pcus"})
#: The roles on the provider's side: they read the console's wording.
PROVIDER_ROLES = frozenset({"team", "agent", "provider_managers"})
VARIABLES = (
    "ref",
    "title",
    "status",
    "service",
    "organisation",
    "caller",
    "agent",
    "team",
    "priority",
    "url",
    "actor",
    "comment",
    "solution",
    "metric",
    "threshold",
    "overrun_seconds",
    "deadline",
)

_FOOT_FR = (
    "\n\n--\nESUP Offres Hébergées — {{ url }}\n"
    "Répondez à ce courriel pour compléter le ticket {{ ref }}."
)
_FOOT_EN = "\n\n--\nESUP hosted offers — {{ url }}\nReply to this mail to add to ticket {{ ref }}."


def _trigger(code, label, recipients, fr, en, *, essential=False, roles=None) -> Trigger:
    return Trigger(
        code=code,
        label=label,
        roles=ROLES if roles is None else {k: v for k, v in ROLES.items() if k in roles},
        default_recipients=tuple(recipients),
        templates={"fr": (fr[0], fr[1] + _FOOT_FR), "en": (en[0], en[1] + _FOOT_EN)},
        essential=essential,
        variables=VARIABLES,
    )


TRIGGERS = (
    _trigger(
        "ticket_created",
        _("Ticket créé (accusé de réception au client)"),
        ("caller", "contacts"),
        (
            "[{{ ref }}] Demande enregistrée : {{ title }}",
            "Bonjour,\n\nVotre demande « {{ title }} » sur {{ service }} est enregistrée sous la "
            "référence {{ ref }} (priorité {{ priority }}).",
        ),
        (
            "[{{ ref }}] Request received: {{ title }}",
            'Hello,\n\nYour request "{{ title }}" about {{ service }} is recorded as {{ ref }} '
            "(priority {{ priority }}).",
        ),
        essential=True,
        roles=CUSTOMER_ROLES,
    ),
    _trigger(
        "ticket_created_provider",
        _("Ticket créé (avis au fournisseur)"),
        ("provider_managers", "team"),
        (
            "[{{ ref }}] Nouvelle demande : {{ title }}",
            "Bonjour,\n\nNouvelle demande pour le service {{ service }}, de {{ organisation }} "
            "({{ caller }}) : « {{ title }} », enregistrée sous la référence {{ ref }} "
            "(priorité {{ priority }}).",
        ),
        (
            "[{{ ref }}] New request: {{ title }}",
            "Hello,\n\nNew request for the service {{ service }}, from {{ organisation }} "
            '({{ caller }}): "{{ title }}", recorded as {{ ref }} (priority {{ priority }}).',
        ),
        essential=True,
        roles=PROVIDER_ROLES,
    ),
    _trigger(
        "ticket_assigned",
        _("Ticket assigné"),
        ("agent", "caller"),
        (
            "[{{ ref }}] Pris en charge par {{ agent }} : {{ title }}",
            "Bonjour,\n\nLe ticket {{ ref }} « {{ title }} » est pris en charge par {{ agent }} "
            "({{ team }}).",
        ),
        (
            "[{{ ref }}] Assigned to {{ agent }}: {{ title }}",
            'Hello,\n\nTicket {{ ref }} "{{ title }}" is handled by {{ agent }} ({{ team }}).',
        ),
    ),
    _trigger(
        "ticket_state_entered",
        _("Changement d'état"),
        ("caller", "contacts"),
        (
            "[{{ ref }}] {{ status }} : {{ title }}",
            "Bonjour,\n\nLe ticket {{ ref }} « {{ title }} » est maintenant : {{ status }}."
            "{% if comment %}\n\n{{ comment }}{% endif %}",
        ),
        (
            "[{{ ref }}] {{ status }}: {{ title }}",
            'Hello,\n\nTicket {{ ref }} "{{ title }}" is now: {{ status }}.'
            "{% if comment %}\n\n{{ comment }}{% endif %}",
        ),
    ),
    _trigger(
        "ticket_reopened",
        _("Ticket ré-ouvert par le client"),
        ("agent", "team"),
        (
            "[{{ ref }}] Ticket ré-ouvert : {{ title }}",
            "Bonjour,\n\n{{ actor }} ({{ organisation }}) a ré-ouvert le ticket {{ ref }} "
            "« {{ title }} », maintenant : {{ status }}.\n\nMotif :\n{{ comment }}",
        ),
        (
            "[{{ ref }}] Ticket reopened: {{ title }}",
            "Hello,\n\n{{ actor }} ({{ organisation }}) reopened ticket {{ ref }} "
            '"{{ title }}", now: {{ status }}.\n\nReason:\n{{ comment }}',
        ),
        essential=True,
    ),
    _trigger(
        "ticket_log_public",
        _("Message ajouté au journal public"),
        ("caller", "contacts", "agent"),
        (
            "[{{ ref }}] Nouveau message : {{ title }}",
            "Bonjour,\n\nNouveau message sur le ticket {{ ref }} :\n\n{{ comment }}",
        ),
        (
            "[{{ ref }}] New message: {{ title }}",
            "Hello,\n\nNew message on ticket {{ ref }}:\n\n{{ comment }}",
        ),
    ),
    _trigger(
        "ticket_resolved",
        _("Solution apportée"),
        ("caller", "contacts"),
        (
            "[{{ ref }}] Solution proposée : {{ title }}",
            "Bonjour,\n\nUne solution est proposée pour le ticket {{ ref }} :\n\n{{ solution }}"
            "\n\nAcceptez-la ou ré-ouvrez le ticket depuis le portail.",
        ),
        (
            "[{{ ref }}] Solution given: {{ title }}",
            "Hello,\n\nA solution is given for ticket {{ ref }}:\n\n{{ solution }}"
            "\n\nAccept it or reopen the ticket from the portal.",
        ),
        essential=True,
    ),
    _trigger(
        "ticket_closed",
        _("Ticket fermé"),
        ("caller", "contacts"),
        (
            "[{{ ref }}] Ticket fermé : {{ title }}",
            "Bonjour,\n\nLe ticket {{ ref }} « {{ title }} » est fermé.",
        ),
        (
            "[{{ ref }}] Ticket closed: {{ title }}",
            'Hello,\n\nTicket {{ ref }} "{{ title }}" is closed.',
        ),
    ),
    _trigger(
        "sla_warning",
        # Translators: a notification trigger's name; "75 %" is a percentage, not a placeholder.
        # xgettext:no-python-format
        _("SLA : 75 % du délai atteint"),
        ("agent", "team", "provider_managers"),
        (
            "[{{ ref }}] SLA {{ metric }} à 75 % : {{ title }}",
            "Bonjour,\n\nLe ticket {{ ref }} a consommé 75 % de son délai {{ metric }}. "
            "Échéance : {{ deadline }}.",
        ),
        (
            "[{{ ref }}] SLA {{ metric }} at 75%: {{ title }}",
            "Hello,\n\nTicket {{ ref }} has used 75% of its {{ metric }} goal. "
            "Deadline: {{ deadline }}.",
        ),
        essential=True,
    ),
    _trigger(
        "sla_breach",
        _("SLA dépassé"),
        ("agent", "team", "provider_managers"),
        (
            "[{{ ref }}] SLA {{ metric }} dépassé : {{ title }}",
            "Bonjour,\n\nSLA {{ metric }} dépassé ? oui\nDépassement SLA {{ metric }} "
            "{{ overrun_seconds }}s\nÉchéance : {{ deadline }}.",
        ),
        (
            "[{{ ref }}] SLA {{ metric }} breached: {{ title }}",
            "Hello,\n\nSLA {{ metric }} breached? yes\nSLA {{ metric }} overrun "
            "{{ overrun_seconds }}s\nDeadline: {{ deadline }}.",
        ),
        essential=True,
    ),
    Trigger(
        code="mail_refused",
        label=_("Courriel entrant refusé"),
        roles={"sender": _("Expéditeur")},
        default_recipients=("sender",),
        templates={
            "fr": (
                "Re: {{ subject }}",
                "Bonjour,\n\nNous n'avons pas pu enregistrer votre message : {{ reason }}\n\n"
                "Si vous êtes le point de contact de votre établissement, utilisez le portail "
                "ESUP Offres Hébergées ou écrivez depuis l'adresse connue de nos services.\n\n"
                "Cordialement,\nESUP Offres Hébergées",
            ),
            "en": (
                "Re: {{ subject }}",
                "Hello,\n\nWe could not record your message: {{ reason }}\n\nPlease use the "
                "ESUP hosted offers portal, or write from the address we know you by.\n\n"
                "Kind regards,\nESUP hosted offers",
            ),
        },
        essential=True,
        variables=("subject", "reason"),
    ),
)


def register_triggers() -> None:
    """Declare the service desk's triggers with the notifications app (at start-up)."""
    for trigger in TRIGGERS:
        trigger_register(trigger)


def trigger_codes(event: TicketEvent) -> tuple[str, ...]:
    """The trigger codes an event fires, in order; none for a private log, a file, an update.

    A new ticket fires the customer's acknowledgement and the provider's notice. A
    customer's reopening fires "state entered" (for the customer side) and "reopened" (for
    the agent and the team). A public log entry written as a transition's comment (its event
    says ``data["transition"]``) fires nothing: the transition's mail carries it.
    """
    if event.kind == "created":
        return ("ticket_created", "ticket_created_provider")
    if event.kind == "log_public":
        return () if (event.data or {}).get("transition") else ("ticket_log_public",)
    if event.kind == "sla_threshold":
        return ("sla_breach",) if event.data.get("threshold") == 100 else ("sla_warning",)
    if event.kind == "transition":
        if event.transition in ("assign", "reassign"):
            return ("ticket_assigned",)
        if event.transition == "resolve":
            return ("ticket_resolved",)
        if event.transition in ("close", "auto_close"):
            return ("ticket_closed",)
        if event.transition in ("reopen", "reopen_rejected"):
            return ("ticket_state_entered", "ticket_reopened")
        return ("ticket_state_entered",)
    return ()


def _ancestor_ids(org) -> list[int]:
    ids, current = [], org
    while current is not None:
        ids.append(current.pk)
        current = current.parent
    return ids


def recipients_for(
    ticket: Ticket, roles: tuple[str, ...] | list[str], exclude: Person | None = None
) -> list[Recipient]:
    """The addresses of ``roles`` for ``ticket`` (active people with an e-mail, no duplicate).

    ``team`` is the team's address when it has one, else its active members; customer PCUs
    are those of the ticket's organisation or of an organisation above it. ``agent`` is the
    assigned agent; until one is assigned, the team stands in, else the provider's service
    managers (so a customer's message on a ticket nobody has taken reaches someone).
    ``exclude`` (the author of the change) is left out.
    """
    people: list[Person] = []
    out: list[Recipient] = []
    roles = list(roles)
    if "agent" in roles and ticket.agent is None:
        roles.append("team" if ticket.team is not None else "provider_managers")
    for role in dict.fromkeys(roles):  # each role once, in order
        if role == "caller":
            people.append(ticket.caller)
        elif role == "contacts":
            people.extend(
                link.person
                for link in ticket.contact_links.filter(notify=True).select_related("person")
            )
        elif role == "agent" and ticket.agent is not None:
            people.append(ticket.agent)
        elif role == "team" and ticket.team is not None:
            if ticket.team.email:
                out.append(Recipient(email=ticket.team.email))
            else:
                people.extend(ticket.team.members.all())
        elif role == "customer_pcus":
            people.extend(
                m.person
                for m in Membership.objects.filter(
                    role=Role.PCU, organisation_id__in=_ancestor_ids(ticket.organisation)
                ).select_related("person")
            )
        elif role == "provider_managers":
            people.extend(
                m.person
                for m in Membership.objects.filter(
                    role=Role.SERVICE_MANAGER, organisation_id=ticket.service.provider_id
                ).select_related("person")
            )
    for person in people:
        if person.status != Person.Status.ACTIVE or not person.email:
            continue
        if exclude is not None and person.pk == exclude.pk:
            continue
        out.append(Recipient(email=person.email, person=person))
    return out


def _text(value: str) -> str:
    """Plain text of a sanitised HTML fragment (log entries, solutions)."""
    value = re.sub(r"<br\s*/?>|</p>|</div>|</li>", "\n", value or "")
    return html.unescape(re.sub(r"<[^>]+>", "", value)).strip()


def _status_label(status: str, customer: bool) -> str:
    return customer_status_label(status) if customer else str(Status(status).label)


def ticket_context(
    ticket: Ticket, event: TicketEvent | None = None, *, customer: bool = False
) -> dict[str, Any]:
    """The template context of a ticket mail (see :data:`VARIABLES`).

    ``customer`` gives the customer side's wording: the status is the one the portal shows
    (``workflow.customer_status``: an escalated ticket reads as the state it came from).
    """
    base = settings.BASE_URL.rstrip("/")
    ctx: dict[str, Any] = {
        "ref": ticket.ref,
        "title": ticket.title,
        "status": _status_label(ticket.status, customer),
        "service": ticket.service.name,
        "organisation": ticket.organisation.name,
        "caller": ticket.caller.full_name,
        "agent": ticket.agent.full_name if ticket.agent else "",
        "team": ticket.team.name if ticket.team else "",
        "priority": ticket.get_priority_display(),
        "url": f"{base}{reverse('home')}",
        "solution": _text(ticket.solution),
        "actor": "",
        "comment": "",
    }
    if event is not None:
        ctx["actor"] = event.actor.full_name if event.actor else ""
        # A public log entry, or the comment given with a transition (a reopening's reason).
        entry_id = (event.data or {}).get(
            "entry" if event.kind == "log_public" else "comment_entry"
        )
        if entry_id:
            entry = LogEntry.objects.filter(pk=entry_id).first()
            ctx["comment"] = _text(entry.body) if entry else ""
        if event.kind == "transition" and event.to_status:
            ctx["status"] = _status_label(event.to_status, customer)
        if event.kind == "sla_threshold":
            ctx["metric"] = str(event.data.get("metric", "")).upper()
            ctx["threshold"] = event.data.get("threshold")
            ctx["overrun_seconds"] = event.data.get("overrun_seconds", 0)
            deadline = event.data.get("deadline")
            ctx["deadline"] = (
                timezone.localtime(dt.datetime.fromisoformat(deadline)).strftime("%d/%m/%Y %H:%M")
                if deadline
                else ""
            )
    return ctx


def notify_event(*, event_id: int) -> int:
    """Queue the mails of one ticket event, once; return how many rows were written."""
    from esup_saas.notifications.registry import get_trigger

    with transaction.atomic():
        event = (
            TicketEvent.objects.select_related(
                "ticket",
                "ticket__caller",
                "ticket__agent",
                "ticket__team",
                "ticket__service",
                "ticket__organisation",
                "actor",
            )
            .filter(pk=event_id)
            .first()
        )
        if event is None:
            return 0
        try:
            with transaction.atomic():
                TicketEventNotified.objects.create(event=event)
        except IntegrityError:
            return 0  # dispatched already (another worker, or the periodic safety net)
        if event.at < timezone.now() - MAX_EVENT_AGE:
            return 0
        ticket = event.ticket
        transition = get_transition(event.transition) if event.kind == "transition" else None
        written = 0
        for code in trigger_codes(event):
            spec = get_trigger(code)
            if spec is None:
                continue
            # Only the roles the trigger offers (a setting saved before a role moved to
            # another trigger, e.g. provider managers to "ticket_created_provider", is ignored).
            roles = [r for r in trigger_config(spec).recipients if r in spec.roles]
            # The author is not told what they did; the customer's acknowledgement of a new
            # ticket is the one exception (it is the receipt of what they filed).
            exclude = None if code == "ticket_created" else event.actor
            # The provider's side first: someone on both sides reads the provider's wording.
            for customer in (False, True):
                side_roles = [r for r in roles if (r in CUSTOMER_ROLES) == customer]
                if not side_roles or (customer and transition is not None and transition.internal):
                    continue  # customers are not told of an SLA escalation
                written += len(
                    mail_queue(
                        trigger=code,
                        recipients=recipients_for(ticket, side_roles, exclude=exclude),
                        context=ticket_context(ticket, event, customer=customer),
                        # One prefix for all the event's mails: nobody gets two of them.
                        dedup_prefix=f"event:{event.pk}",
                        thread_ref=ticket.ref,
                        organisation=ticket.organisation,
                        provider=ticket.service.provider,
                    )
                )
        return written


def notify_pending(*, now: dt.datetime | None = None) -> int:
    """Dispatch the recent events that were never dispatched (lost task); return how many."""
    now = now or timezone.now()
    ids = list(
        TicketEvent.objects.filter(at__gte=now - MAX_EVENT_AGE)
        .exclude(pk__in=TicketEventNotified.objects.values("event_id"))
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    for event_id in ids:
        notify_event(event_id=event_id)
    return len(ids)


def notify_events(*, event_ids: list[int]) -> int:
    """Dispatch several events in one transaction (one commit); return the rows written.

    An event that fails is logged and left for :func:`notify_pending`; the others go on.
    """
    written = 0
    with transaction.atomic():
        for event_id in event_ids:
            try:
                with transaction.atomic():
                    written += notify_event(event_id=event_id)
            except Exception:
                log.exception("notifications of ticket event %s failed", event_id)
    return written


_PENDING_ATTR = "_esup_pending_ticket_events"


def _flush_pending(conn: Any) -> None:
    ids = getattr(conn, _PENDING_ATTR, None)
    if not ids:
        return
    setattr(conn, _PENDING_ATTR, [])
    from .tasks import notify_events_task

    notify_events_task.delay(sorted(set(ids)))


def on_event_saved(sender: Any, instance: TicketEvent, created: bool, **kwargs: Any) -> None:
    """``post_save`` of :class:`TicketEvent`: enqueue its dispatch after the commit.

    Plumbing only (it decides nothing): the rules are in :func:`notify_event`. The events of
    one transaction go in one task: the first on-commit callback takes them all, the others
    find nothing left. Ids of a rolled-back transaction that linger are harmless (no such
    event: nothing is sent).
    """
    if not created or kwargs.get("raw"):
        return
    conn = transaction.get_connection()
    pending = getattr(conn, _PENDING_ATTR, None)
    if pending is None:
        pending = []
        setattr(conn, _PENDING_ATTR, pending)
    pending.append(instance.pk)
    transaction.on_commit(lambda: _flush_pending(conn))
