"""Writes of the service desk: tickets, their lifecycle, logs and attachments.

Every function is keyword-only and atomic: when it raises (``ValidationError`` naming the
field, ``TransitionNotAllowed``, ``PermissionDenied``) nothing has been written. Permissions
are checked here too, so an API or a future view cannot bypass them.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from esup_saas.catalog.models import RequestType, ServiceSubcategory
from esup_saas.catalog.selectors import service_is_open_to
from esup_saas.lib.html import sanitize_html
from esup_saas.lib.mailtext import html_to_text
from esup_saas.tenancy.models import CONSOLE_ROLES, Organisation, Person, Role, Team
from esup_saas.tenancy.selectors import organisation_ids_for, person_for_user, teams_for_user

from .models import (
    Attachment,
    Impact,
    Kind,
    LogEntry,
    Origin,
    PriorityMatrix,
    PriorityMatrixCell,
    RefCounter,
    Satisfaction,
    SavedSearch,
    Ticket,
    TicketContact,
    TicketEvent,
    Urgency,
)
from .selectors import (
    DEFAULT_PRIORITY_MATRIX,
    Scope,
    priority_for,
    team_can_handle,
    user_can_see_ticket,
)
from .sla import ticket_sla_sync  # SLA clocks (issue 3)
from .workflow import (
    Side,
    Status,
    Transition,
    customer_status_label,
    get_transition,
    target_of,
)

#: Longest description or log entry accepted, in characters (about 30 pages of text); larger
#: documents belong in attachments.
MAX_TEXT_CHARS = 50_000


def _too_long() -> str:
    return _("Ce texte dépasse %(n)s caractères ; joignez plutôt un fichier.") % {
        "n": f"{MAX_TEXT_CHARS:,}".replace(",", "\u202f")
    }


class TransitionNotAllowed(ValidationError):
    """A lifecycle stimulus that does not exist from the ticket's current state."""


# --- refs -----------------------------------------------------------------------------------


def ref_allocate(*, kind: str) -> int:
    """Allocate the next ticket number of ``kind`` (``incident`` or ``user_request``).

    One ``UPDATE … SET last = last + 1`` locks the counter row until the caller's transaction
    ends, so two tickets created at the same instant (on PostgreSQL, on several machines) get
    two numbers, and a number is never given twice even if its ticket is deleted. Must run
    inside a transaction.
    """
    if not RefCounter.objects.filter(kind=kind).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                RefCounter.objects.create(kind=kind, last=0)
        except IntegrityError:
            pass  # created by a concurrent transaction in the meantime
        RefCounter.objects.filter(kind=kind).update(last=F("last") + 1)
    return RefCounter.objects.values_list("last", flat=True).get(kind=kind)


# --- attachments ----------------------------------------------------------------------------

_MAGIC = {
    "application/pdf": [b"%PDF"],
    "image/png": [b"\x89PNG\r\n\x1a\n"],
    "image/jpeg": [b"\xff\xd8\xff"],
    "image/gif": [b"GIF87a", b"GIF89a"],
    "application/zip": [b"PK\x03\x04"],
}
for _office in (
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
):
    _MAGIC[_office] = [b"PK\x03\x04"]


def attachment_check(uploaded: UploadedFile) -> str:
    """Check an uploaded file against the size and type limits; return its content type.

    The type is taken from the file name's extension, must be in
    ``settings.ATTACHMENT_ALLOWED_TYPES``, and the first bytes must match it for binary
    formats (so a renamed executable is refused). Raises ``ValidationError`` on the
    ``attachments`` field naming the file.
    """
    name = uploaded.name or "fichier"
    if uploaded.size is not None and uploaded.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "attachments": _("« %(name)s » dépasse la taille maximale de %(max)s.")
                % {"name": name, "max": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
            }
        )
    if not uploaded.size:
        raise ValidationError({"attachments": _("« %(name)s » est vide.") % {"name": name}})
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type not in settings.ATTACHMENT_ALLOWED_TYPES:
        raise ValidationError(
            {
                "attachments": _("« %(name)s » : ce type de fichier n'est pas accepté.")
                % {"name": name}
            }
        )
    magic = _MAGIC.get(content_type)
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    # Text types have no magic number: a NUL byte in the first 8 KiB means a binary file.
    looks_wrong = (
        not any(head.startswith(m) for m in magic)
        if magic
        else content_type.startswith("text/") and b"\x00" in head
    )
    if looks_wrong:
        raise ValidationError(
            {
                "attachments": _("« %(name)s » : le contenu ne correspond pas à son extension.")
                % {"name": name}
            }
        )
    return content_type


def _attachments_store(
    *, ticket: Ticket, files: Sequence[UploadedFile], person: Person | None, private: bool = False
) -> list[Attachment]:
    types = [attachment_check(f) for f in files]  # check all before writing any
    out = []
    for uploaded, content_type in zip(files, types, strict=True):
        att = Attachment(
            ticket=ticket,
            filename=(uploaded.name or "fichier")[:255],
            content_type=content_type,
            size=uploaded.size or 0,
            uploaded_by=person,
            private=private,
        )
        att.file.save(uploaded.name or "fichier", uploaded, save=False)
        att.save()
        out.append(att)
    return out


@transaction.atomic
def attachment_add(
    *, ticket: Ticket, files: Sequence[UploadedFile], actor: Any, private: bool = False
) -> list[Attachment]:
    """Attach ``files`` to ``ticket`` for ``actor`` (a user who may see the ticket).

    Private attachments are for agents only. A closed ticket takes no more files from the
    portal (``ValidationError`` on ``attachments``). Either every file is stored or none.
    """
    scope: Scope = (
        "console" if private or user_can_see_ticket(actor, ticket, "console") else "portal"
    )
    if not user_can_see_ticket(actor, ticket, scope):
        raise PermissionDenied
    if scope == "portal" and ticket.status == Status.CLOSED:
        raise ValidationError({"attachments": _("Ce ticket est fermé.")})
    person = person_for_user(actor)
    now = timezone.now()
    atts = _attachments_store(ticket=ticket, files=files, person=person, private=private)
    Ticket.objects.filter(pk=ticket.pk).update(last_update=now)
    TicketEvent.objects.create(
        ticket=ticket,
        kind="attachment",
        actor=person,
        at=now,
        data={"files": [a.filename for a in atts], "private": private},
    )
    return atts


# --- tickets --------------------------------------------------------------------------------


def _impact_urgency_errors(impact: object, urgency: object) -> dict[str, str]:
    """French errors for an impact outside 1-3 or an urgency outside 1-4, by field name."""
    errors = {}
    if impact not in Impact.values:
        errors["impact"] = _("L'impact vaut de 1 (un établissement) à 3 (une personne).")
    if urgency not in Urgency.values:
        errors["urgency"] = _("L'urgence vaut de 1 (critique) à 4 (basse).")
    return errors


def _may_open_ticket(actor: Any, *, caller: Person, organisation_id: int, provider_id: int) -> bool:
    """Whether ``actor`` may open a ticket for ``caller`` of that organisation on that provider.

    The caller themselves, a PCU of the organisation (or above it), an agent or manager of
    the service's provider, or a coordinator above the organisation or the provider.
    """
    person = person_for_user(actor)
    if person is not None and person.pk == caller.pk:
        return True
    if organisation_id in organisation_ids_for(actor, [Role.PCU, Role.COORDINATOR]):
        return True
    return provider_id in organisation_ids_for(actor, CONSOLE_ROLES)


def _kind_for(subcategory: ServiceSubcategory) -> str:
    return Kind.INCIDENT if subcategory.request_type == RequestType.INCIDENT else Kind.USER_REQUEST


@transaction.atomic
def ticket_create(
    *,
    caller: Person,
    subcategory: ServiceSubcategory,
    title: str,
    description: str,
    impact: int,
    urgency: int,
    organisation: Organisation | None = None,
    origin: str = Origin.PORTAL,
    contacts: Iterable[Person] = (),
    attachments: Sequence[UploadedFile] = (),
    actor: Any = None,
    start_date: dt.datetime | None = None,
    number: int | None = None,
) -> Ticket:
    """Open an incident or a user request (the kind follows the subcategory's request type).

    ``organisation`` defaults to the caller's. The subcategory's service must be open to the
    organisation (a contract in production and within dates), else ``ValidationError`` on
    ``subcategory``. ``contacts`` must belong to the organisation. ``number`` forces a ref
    (imports and demo data only; the counter is moved past it). The priority is computed.
    With an ``actor``, they must be the caller, a PCU of the organisation or work for the
    service's provider, else ``PermissionDenied`` (``None``: the system, imports, mail in).
    """
    org = organisation or caller.organisation
    service = subcategory.service
    if actor is not None and not _may_open_ticket(
        actor, caller=caller, organisation_id=org.pk, provider_id=service.provider_id
    ):
        raise PermissionDenied(_("Vous ne pouvez pas ouvrir de requête pour ce demandeur."))
    errors: dict[str, list[str]] = {}
    if len(description) > MAX_TEXT_CHARS:
        errors["description"] = [_too_long()]
    if subcategory.status != "production" or not service_is_open_to(service, org.pk):
        errors.setdefault("subcategory", []).append(
            _("Le service « %(service)s » n'est pas ouvert à %(org)s.")
            % {"service": service.name, "org": org.name}
        )
    if caller.organisation_id != org.pk:
        errors.setdefault("caller", []).append(
            _("Le demandeur doit appartenir à l'organisation cliente.")
        )
    contact_list = list(contacts)
    if any(c.organisation_id != org.pk for c in contact_list):
        errors.setdefault("contacts", []).append(
            _("Les contacts doivent appartenir à l'organisation cliente.")
        )
    for name, message in _impact_urgency_errors(impact, urgency).items():
        errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)
    kind = _kind_for(subcategory)
    now = timezone.now()
    if number is None:
        number = ref_allocate(kind=kind)
    else:
        RefCounter.objects.get_or_create(kind=kind)
        RefCounter.objects.filter(kind=kind, last__lt=number).update(last=number)
    ticket = Ticket(
        kind=kind,
        number=number,
        title=title.strip(),
        description=sanitize_html(description),
        caller=caller,
        organisation=org,
        service=service,
        subcategory=subcategory,
        request_type=subcategory.request_type,
        origin=origin,
        impact=impact,
        urgency=urgency,
        priority=priority_for(provider_id=service.provider_id, impact=impact, urgency=urgency),
        start_date=start_date or now,
        last_update=start_date or now,
    )
    ticket.full_clean()
    ticket._history_user = actor if actor is not None else caller.user  # type: ignore[attr-defined]
    ticket.save()
    for person in contact_list:
        TicketContact.objects.create(ticket=ticket, person=person, notify=True)
    actor_person = person_for_user(actor) if actor is not None else caller
    if attachments:
        _attachments_store(ticket=ticket, files=attachments, person=actor_person)
    TicketEvent.objects.create(
        ticket=ticket,
        kind="created",
        to_status=ticket.status,
        actor=actor_person,
        at=ticket.start_date,
        data={"origin": origin},
    )
    ticket_sla_sync(ticket=ticket, at=ticket.start_date)  # SLA clocks (issue 3)
    return ticket


def _check_side(transition: Transition, ticket: Ticket, actor: Any) -> None:
    if actor is None:
        if transition.side != Side.SYSTEM:
            raise PermissionDenied
        return
    if transition.side == Side.SYSTEM:
        raise PermissionDenied(_("Cette transition est réservée au système."))
    scope: Scope = "console" if transition.side == Side.AGENT else "portal"
    if not user_can_see_ticket(actor, ticket, scope):
        raise PermissionDenied(_("Vous n'avez pas accès à ce ticket."))


_TRANSITION_FIELDS = {
    "team",
    "agent",
    "pending_reason",
    "rejection_reason",
    "resolution_code",
    "solution",
    "satisfaction",
    "customer_comment",
    "time_spent",
}


@transaction.atomic
def ticket_transition(
    *, ticket: Ticket, code: str, actor: Any = None, comment: str = "", **fields: Any
) -> Ticket:
    """Apply the lifecycle stimulus ``code`` to ``ticket`` for ``actor`` (``None``: system).

    ``fields`` sets the values the transition needs (``team``, ``agent``, ``pending_reason``,
    ``rejection_reason``, ``resolution_code``, ``solution``, ``satisfaction``,
    ``customer_comment``, ``time_spent``); ``comment`` adds a public log entry, linked to the
    transition's event (``data["comment_entry"]``) so its notification carries it. A
    transition with ``comment_required`` (the customer's reopenings) refuses an empty
    comment (``ValidationError`` on ``comment``).

    Raises ``TransitionNotAllowed`` when the stimulus does not exist from the current state
    (or for this kind of ticket), ``ValidationError`` naming the missing or wrong field, and
    ``PermissionDenied`` when ``actor`` may not fire it. Returns the ticket as saved; on any
    error the database and the ``ticket`` object are unchanged.
    """
    unknown = set(fields) - _TRANSITION_FIELDS
    if unknown:
        raise ValueError(f"unexpected fields: {sorted(unknown)}")
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if actor is not None and not (
        user_can_see_ticket(actor, locked, "console")
        or user_can_see_ticket(actor, locked, "portal")
    ):
        # Checked before the state, so the error tells nothing of another tenant's ticket.
        raise PermissionDenied(_("Vous n'avez pas accès à ce ticket."))
    transition = get_transition(code)
    if (
        transition is None
        or locked.status not in transition.sources
        or (locked.is_incident and not transition.incident)
        or (not locked.is_incident and not transition.request)
    ):
        label = transition.label if transition else code
        # A customer is not told of an internal SLA state (workflow.CUSTOMER_STATUS).
        status_label = (
            Status(locked.status).label
            if actor is None or user_can_see_ticket(actor, locked, "console")
            else customer_status_label(locked.status)
        )
        raise TransitionNotAllowed(
            _("« %(action)s » est impossible depuis l'état « %(status)s ».")
            % {"action": label, "status": status_label}
        )
    _check_side(transition, locked, actor)
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(locked, name, value)
    errors: dict[str, list[str]] = {}
    for name in transition.requires:
        if getattr(locked, name, None) in (None, ""):
            errors.setdefault(name, []).append(
                _("Ce champ est obligatoire pour « %(a)s ».") % {"a": transition.label}
            )
    if code in ("assign", "reassign") and not errors:
        # Both transitions require "team" and "agent": with no error so far, both are set.
        team, agent_id = locked.team, locked.agent_id
        assert team is not None and agent_id is not None
        if actor is not None and not teams_for_user(actor).filter(pk=team.pk).exists():
            errors.setdefault("team", []).append(_("Vous ne pouvez pas assigner à cette équipe."))
        elif not team_can_handle(team=team, ticket=locked):
            errors.setdefault("team", []).append(
                _("L'équipe « %(team)s » ne traite pas le service « %(service)s ».")
                % {"team": team.name, "service": locked.service.name}
            )
        elif not team.members.filter(pk=agent_id).exists():
            errors.setdefault("agent", []).append(
                _("L'agent doit être membre de l'équipe « %(team)s ».") % {"team": team.name}
            )
    if code == "close" and locked.satisfaction not in Satisfaction.values:
        errors.setdefault("satisfaction", []).append(_("Indiquez votre satisfaction."))
    if len(comment) > MAX_TEXT_CHARS:
        errors.setdefault("comment", []).append(_too_long())
    elif transition.comment_required and not html_to_text(
        sanitize_html(comment), drop_quotes=False
    ):
        errors.setdefault("comment", []).append(
            _("Indiquez le motif : un commentaire est obligatoire pour « %(a)s ».")
            % {"a": transition.label}
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    previous = locked.status
    locked.status = target_of(transition, previous)
    if code in ("assign", "reassign"):
        locked.assignment_date = now
    elif code == "resolve":
        locked.resolution_date = now
        locked.solution = sanitize_html(locked.solution)
    elif code in ("close", "auto_close"):
        locked.close_date = now
    elif code in ("reopen", "reopen_rejected"):
        locked.resolution_date = None
        locked.satisfaction = None
    if code != "pending" and previous == Status.PENDING:
        locked.pending_reason = locked.pending_reason  # kept for the record
    locked.last_update = now
    locked.full_clean()
    actor_person = person_for_user(actor) if actor is not None else None
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save()
    event = TicketEvent.objects.create(
        ticket=locked,
        kind="transition",
        transition=code,
        from_status=previous,
        to_status=locked.status,
        actor=actor_person,
        at=now,
        data={k: (v.pk if hasattr(v, "pk") else v) for k, v in fields.items()},
    )
    ticket_sla_sync(ticket=locked, at=now)  # SLA clocks (issue 3)
    if comment.strip():
        entry = _log_add(
            ticket=locked,
            author=actor_person,
            body=comment,
            visibility=LogEntry.Visibility.PUBLIC,
            at=now,
            with_transition=code,
        )
        # The transition's notification carries the comment (notify.ticket_context); the
        # update is not a new event, so nothing is dispatched twice.
        event.data = {**event.data, "comment_entry": entry.pk}
        event.save(update_fields=["data"])
    return locked


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: Any,
    impact: int | None = None,
    urgency: int | None = None,
    title: str | None = None,
    subcategory: ServiceSubcategory | None = None,
) -> Ticket:
    """Change an open ticket's qualification (agents only); the priority is recomputed.

    A new subcategory must belong to a service open to the ticket's organisation, keep the
    ticket's kind and, once the ticket has a team, be handled by that team (so a ticket never
    sits with another provider's team). Raises ``ValidationError`` naming the field.
    """
    if not user_can_see_ticket(actor, ticket, "console"):
        raise PermissionDenied
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status == Status.CLOSED:
        raise ValidationError(_("Un ticket fermé ne peut plus être modifié."))
    if title is not None:
        locked.title = title.strip()
    if impact is not None:
        locked.impact = impact
    if urgency is not None:
        locked.urgency = urgency
    if subcategory is not None and subcategory.pk != locked.subcategory_id:
        if _kind_for(subcategory) != locked.kind:
            raise ValidationError(
                {
                    "subcategory": _(
                        "La sous-catégorie doit rester du même type (incident ou demande)."
                    )
                }
            )
        if not service_is_open_to(subcategory.service, locked.organisation_id):
            raise ValidationError(
                {"subcategory": _("Ce service n'est pas ouvert à l'organisation du ticket.")}
            )
        locked.subcategory = subcategory
        locked.service = subcategory.service
        locked.request_type = subcategory.request_type
        team: Team | None = locked.team
        if team is not None and not team_can_handle(team=team, ticket=locked):
            raise ValidationError(
                {
                    "subcategory": _(
                        "L'équipe « %(team)s » ne traite pas le service « %(service)s » : "
                        "réassignez d'abord le ticket."
                    )
                    % {"team": team.name, "service": subcategory.service.name}
                }
            )
    bad_range = _impact_urgency_errors(locked.impact, locked.urgency)
    if bad_range:
        raise ValidationError(bad_range)
    locked.priority = priority_for(
        provider_id=locked.service.provider_id, impact=locked.impact, urgency=locked.urgency
    )
    locked.last_update = timezone.now()
    locked.full_clean()
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save()
    TicketEvent.objects.create(
        ticket=locked,
        kind="updated",
        actor=person_for_user(actor),
        at=locked.last_update,
        data={"priority": locked.priority},
    )
    ticket_sla_sync(ticket=locked, at=locked.last_update)  # SLA clocks (issue 3)
    return locked


def _log_add(
    *,
    ticket: Ticket,
    author: Person | None,
    body: str,
    visibility: str,
    at: dt.datetime | None = None,
    with_transition: str = "",
) -> LogEntry:
    """Write a log entry and its ``log_<visibility>`` event.

    ``with_transition`` names the transition the entry was written with (its comment): the
    event records it (``data["transition"]``) and the entry is then mailed with that
    transition's notification, not on its own (``notify.trigger_codes``).
    """
    if len(body) > MAX_TEXT_CHARS:
        raise ValidationError({"body": _too_long()})
    clean = sanitize_html(body).strip()
    if not clean:
        raise ValidationError({"body": _("Le message est vide.")})
    when = at or timezone.now()
    entry = LogEntry(
        ticket=ticket, visibility=visibility, author=author, created_at=when, body=clean
    )
    entry.full_clean()
    entry.save()
    Ticket.objects.filter(pk=ticket.pk).update(last_update=when)
    data: dict[str, Any] = {"entry": entry.pk}
    if with_transition:
        data["transition"] = with_transition
    TicketEvent.objects.create(
        ticket=ticket, kind=f"log_{visibility}", actor=author, at=when, data=data
    )
    return entry


@transaction.atomic
def log_entry_add(
    *,
    ticket: Ticket,
    actor: Any,
    body: str,
    visibility: str = LogEntry.Visibility.PUBLIC,
    files: Sequence[UploadedFile] = (),
) -> LogEntry:
    """Add a public or private log entry (private: agents only), with optional files.

    Raises ``ValidationError`` on ``body`` when empty, ``PermissionDenied`` when ``actor``
    may not write there. A closed ticket takes no more entries from the portal.
    """
    scope: Scope | None = "console" if visibility == LogEntry.Visibility.PRIVATE else None
    if scope is None:
        scope = "console" if user_can_see_ticket(actor, ticket, "console") else "portal"
    if not user_can_see_ticket(actor, ticket, scope):
        raise PermissionDenied
    if scope == "portal" and ticket.status == Status.CLOSED:
        raise ValidationError({"body": _("Ce ticket est fermé.")})
    person = person_for_user(actor)
    entry = _log_add(ticket=ticket, author=person, body=body, visibility=visibility)
    if files:
        _attachments_store(
            ticket=ticket,
            files=files,
            person=person,
            private=visibility == LogEntry.Visibility.PRIVATE,
        )
    return entry


@transaction.atomic
def priority_matrix_set(
    *, provider: Organisation | None, cells: dict[tuple[int, int], int]
) -> PriorityMatrix:
    """Set the priority matrix of ``provider`` (``None``: the platform default).

    ``cells`` maps ``(impact, urgency)`` to a priority 1-4; the 12 cells must all be given.
    """
    if set(cells) != set(DEFAULT_PRIORITY_MATRIX):
        raise ValidationError({"cells": _("La matrice doit comporter les 12 cellules.")})
    if any(p not in (1, 2, 3, 4) for p in cells.values()):
        raise ValidationError({"cells": _("Une priorité vaut de 1 à 4.")})
    matrix, _created = PriorityMatrix.objects.get_or_create(provider=provider)
    for (impact, urgency), priority in cells.items():
        PriorityMatrixCell.objects.update_or_create(
            matrix=matrix, impact=impact, urgency=urgency, defaults={"priority": priority}
        )
    return matrix


@transaction.atomic
def saved_search_save(*, owner: Any, name: str, query: str) -> SavedSearch:
    """Save (or replace) the console search ``name`` of ``owner``."""
    search, _created = SavedSearch.objects.update_or_create(
        owner=owner, name=name.strip()[:100], defaults={"query": query[:1000]}
    )
    search.full_clean()
    return search


@transaction.atomic
def saved_search_delete(*, search: SavedSearch, actor: Any) -> None:
    """Delete the console search ``search``; only its owner may (else ``PermissionDenied``)."""
    if getattr(actor, "pk", None) != search.owner_id:
        raise PermissionDenied(_("Cette recherche ne vous appartient pas."))
    search.delete()
