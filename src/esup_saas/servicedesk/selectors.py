"""Reads of the service desk: which tickets a user may see, priorities, counts.

Two scopes (DESIGN.md section 3):

- *console*: a provider's agents, service managers and coordinators see the tickets of the
  services their organisations (and those below) provide, for every customer; a coordinator
  also sees the tickets of the customer organisations below them.
- *portal*: a customer's PCU sees the tickets of their organisation (and those below); an
  end user sees the tickets they called or are a contact of.

Each ``get_…_for_user`` filters inside the query: a missing ticket and another tenant's ticket
give the same ``Http404``.
"""

from __future__ import annotations

import re
from typing import Literal

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from esup_saas.catalog.models import SupportModelLine
from esup_saas.tenancy.models import CONSOLE_ROLES, Person, Role, Team, User
from esup_saas.tenancy.selectors import (
    organisation_descendant_ids,
    organisation_ids_for,
    person_for_user,
)

from .models import Kind, PriorityMatrixCell, SavedSearch, Ticket
from .workflow import OPEN_STATES, Status

Scope = Literal["console", "portal"]

#: iTop's default priority matrix, ``(impact, urgency) -> priority`` (specs item 12).
DEFAULT_PRIORITY_MATRIX: dict[tuple[int, int], int] = {
    (1, 1): 1,
    (1, 2): 1,
    (1, 3): 2,
    (1, 4): 4,
    (2, 1): 1,
    (2, 2): 2,
    (2, 3): 3,
    (2, 4): 4,
    (3, 1): 2,
    (3, 2): 3,
    (3, 3): 3,
    (3, 4): 4,
}

_REF_RE = re.compile(r"^(?P<prefix>[IR])-(?P<number>\d{6})$")


def priority_for(*, provider_id: int | None, impact: int, urgency: int) -> int:
    """Priority (1 critical … 4 low) for ``impact`` (1-3) × ``urgency`` (1-4).

    Uses the provider's matrix, else the platform's default matrix, else iTop's default
    (:data:`DEFAULT_PRIORITY_MATRIX`). Raises ``ValueError`` for an impact or urgency out of
    range.
    """
    if (impact, urgency) not in DEFAULT_PRIORITY_MATRIX:
        raise ValueError(f"impact {impact!r} × urgency {urgency!r} is outside the matrix")
    cells = PriorityMatrixCell.objects.filter(impact=impact, urgency=urgency)
    if provider_id is not None:
        cell = cells.filter(matrix__provider_id=provider_id).first()
        if cell is not None:
            return cell.priority
    cell = cells.filter(matrix__provider__isnull=True).first()
    if cell is not None:
        return cell.priority
    return DEFAULT_PRIORITY_MATRIX[(impact, urgency)]


def priority_matrix_for(provider_id: int | None) -> dict[tuple[int, int], int]:
    """The whole matrix in force for a provider (12 cells)."""
    return {
        key: priority_for(provider_id=provider_id, impact=key[0], urgency=key[1])
        for key in DEFAULT_PRIORITY_MATRIX
    }


def console_tickets_q(user: object) -> Q:
    """A ``Q`` over tickets for the console scope of ``user`` (see module docstring)."""
    provider_ids = organisation_ids_for(user, CONSOLE_ROLES)
    coordinator_ids = organisation_ids_for(user, [Role.COORDINATOR])
    return Q(service__provider_id__in=provider_ids) | Q(organisation_id__in=coordinator_ids)


def portal_tickets_q(user: object) -> Q:
    """A ``Q`` over tickets for the portal scope of ``user`` (see module docstring)."""
    pcu_ids = organisation_ids_for(user, [Role.PCU])
    person = person_for_user(user)
    q = Q(organisation_id__in=pcu_ids)
    if person is not None and organisation_ids_for(user, [Role.END_USER, Role.PCU]):
        q |= Q(caller=person) | Q(contact_links__person=person)
    return q


def tickets_for_user(user: object, scope: Scope) -> QuerySet[Ticket]:
    """The tickets ``user`` may see in ``scope`` (a queryset with the usual joins)."""
    q = console_tickets_q(user) if scope == "console" else portal_tickets_q(user)
    return Ticket.objects.filter(pk__in=Ticket.objects.filter(q).values("pk")).select_related(
        "caller", "organisation", "service", "service__provider", "subcategory", "team", "agent"
    )


def parse_ref(ref: str) -> tuple[str, int] | None:
    """``("incident", 7)`` from ``"I-000007"``; ``None`` when ``ref`` is not a ticket ref."""
    match = _REF_RE.match(ref or "")
    if not match:
        return None
    kind = Kind.INCIDENT if match["prefix"] == "I" else Kind.USER_REQUEST
    return kind, int(match["number"])


def get_ticket_for_user(user: object, ref: str, scope: Scope) -> Ticket:
    """The ticket ``ref`` (e.g. ``R-000001``) if ``user`` may see it in ``scope``; else 404."""
    parsed = parse_ref(ref)
    if parsed is None:
        raise Http404("ticket")
    kind, number = parsed
    try:
        return tickets_for_user(user, scope).get(kind=kind, number=number)
    except Ticket.DoesNotExist:
        raise Http404("ticket") from None


def user_can_see_ticket(user: object, ticket: Ticket, scope: Scope) -> bool:
    """True when ``ticket`` is in ``user``'s ``scope`` (one query)."""
    return tickets_for_user(user, scope).filter(pk=ticket.pk).exists()


def status_counts(tickets: QuerySet[Ticket]) -> dict[str, int]:
    """``{"open": n, "resolved": n}`` for the portal's "Ouvertes N / Résolues N"."""
    agg = tickets.aggregate(
        open=Count("pk", filter=Q(status__in=list(OPEN_STATES))),
        resolved=Count("pk", filter=Q(status=Status.RESOLVED)),
    )
    return {"open": agg["open"] or 0, "resolved": agg["resolved"] or 0}


def agents_of_team(team_id: int) -> QuerySet[Person]:
    """Active members of a team, by name."""
    return Person.objects.filter(teams__id=team_id, status=Person.Status.ACTIVE).order_by(
        "last_name", "first_name"
    )


def saved_searches_for_user(user: object) -> QuerySet[SavedSearch]:
    """The console searches ``user`` saved, by name (none for an anonymous user)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(owner=user)


def get_saved_search_for_user(user: object, pk: int) -> SavedSearch:
    """The saved search ``pk`` if ``user`` owns it; another user's search gives ``Http404``."""
    try:
        return saved_searches_for_user(user).get(pk=pk)
    except SavedSearch.DoesNotExist:
        raise Http404("saved search") from None


def team_can_handle(*, team: Team, ticket: Ticket) -> bool:
    """True when ``team`` may be given ``ticket``.

    A team handles the tickets of the services its organisation's subtree provides (the
    provider's own teams), and those that a support model (*modèle de support*) of the
    ticket's customer assigns to it for that service (specs/platform.md item 8).
    """
    if team.organisation_id in organisation_descendant_ids([ticket.service.provider_id]):
        return True
    return SupportModelLine.objects.filter(
        support_model__customer_id=ticket.organisation_id, service_id=ticket.service_id, team=team
    ).exists()
