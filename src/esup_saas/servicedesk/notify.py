"""Notifications of the service desk: triggers, recipients by role, dispatch of events.

Triggers (specs/platform.md item 21) are read from :class:`TicketEvent`: ticket created,
state entered, assigned, public log added, SLA threshold reached (warning, breach), solution
given, closed; plus the refusal sent to an unknown sender of an incoming mail (item 22).
Recipients are resolved from roles: the caller, the contacts marked "notify", the team, the
agent, the customer's PCUs and the provider's service managers; the author of the event is
not mailed about what they did themselves.

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
from .workflow import Status

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


def _trigger(code, label, recipients, fr, en, *, essential=False) -> Trigger:
    return Trigger(
        code=code,
        label=label,
        roles=ROLES,
        default_recipients=tuple(recipients),
        templates={"fr": (fr[0], fr[1] + _FOOT_FR), "en": (en[0], en[1] + _FOOT_EN)},
        essential=essential,
        variables=VARIABLES,
    )


TRIGGERS = (
    _trigger(
        "ticket_created",
        _("Ticket créé"),
        ("caller", "contacts", "provider_managers"),
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


def trigger_of(event: TicketEvent) -> str | None:
    """The trigger code an event fires, or ``None`` (private log, attachment, update)."""
    if event.kind == "created":
        return "ticket_created"
    if event.kind == "log_public":
        return "ticket_log_public"
    if event.kind == "sla_threshold":
        return "sla_breach" if event.data.get("threshold") == 100 else "sla_warning"
    if event.kind == "transition":
        if event.transition in ("assign", "reassign"):
            return "ticket_assigned"
        if event.transition == "resolve":
            return "ticket_resolved"
        if event.transition in ("close", "auto_close"):
            return "ticket_closed"
        return "ticket_state_entered"
    return None


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
    are those of the ticket's organisation or of an organisation above it.
    """
    people: list[Person] = []
    out: list[Recipient] = []
    for role in roles:
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


def ticket_context(ticket: Ticket, event: TicketEvent | None = None) -> dict[str, Any]:
    """The template context of a ticket mail (see :data:`VARIABLES`)."""
    base = settings.BASE_URL.rstrip("/")
    ctx: dict[str, Any] = {
        "ref": ticket.ref,
        "title": ticket.title,
        "status": str(Status(ticket.status).label),
        "service": ticket.service.name,
        "organisation": ticket.organisation.name,
        "caller": ticket.caller.full_name,
        "agent": ticket.agent.full_name if ticket.agent else "",
        "team": ticket.team.name if ticket.team else "",
        "priority": ticket.get_priority_display(),
        "url": f"{base}{reverse('home')}",
        "solution": _text(ticket.solution),
        "comment": "",
    }
    if event is not None:
        if event.kind == "log_public":
            entry = LogEntry.objects.filter(pk=event.data.get("entry")).first()
            ctx["comment"] = _text(entry.body) if entry else ""
        if event.kind == "transition" and event.to_status:
            ctx["status"] = str(Status(event.to_status).label)
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
        code = trigger_of(event)
        if code is None or event.at < timezone.now() - MAX_EVENT_AGE:
            return 0
        spec = get_trigger(code)
        if spec is None:
            return 0
        ticket = event.ticket
        # The author is not told what they just did, except the acknowledgement of creation.
        exclude = None if code == "ticket_created" else event.actor
        recipients = recipients_for(ticket, trigger_config(spec).recipients, exclude=exclude)
        mails = mail_queue(
            trigger=code,
            recipients=recipients,
            context=ticket_context(ticket, event),
            dedup_prefix=f"event:{event.pk}",
            thread_ref=ticket.ref,
            organisation=ticket.organisation,
            provider=ticket.service.provider,
        )
        return len(mails)


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
