"""The ticket lifecycle as data (specs/platform.md item 13, after iTop's ITIL lifecycle).

User request: new → (waiting_for_approval → approved | rejected) → assigned ⇄ pending →
resolved → closed; assigned → reassigned (stays assigned, new team or agent); resolved →
reopened (back to assigned); rejected → reopened (new). SLA breaches move new → escalated_tto
and assigned → escalated_ttr; both stay workable. Incidents follow the same graph without
the approval states.

Each :class:`Transition` names its stimulus (``code``), where it may start, where it ends,
who may fire it (console agents or the portal's caller side) and the fields it requires.
This module is pure data: the service layer (``services.ticket_transition``) applies it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """Ticket states (iTop's codes)."""

    NEW = "new", _("Nouveau")
    WAITING_FOR_APPROVAL = "waiting_for_approval", _("En attente d'approbation")
    APPROVED = "approved", _("Approuvé")
    REJECTED = "rejected", _("Rejeté")
    ASSIGNED = "assigned", _("Assigné")
    PENDING = "pending", _("En attente")
    ESCALATED_TTO = "escalated_tto", _("Escaladé TTO")
    ESCALATED_TTR = "escalated_ttr", _("Escaladé TTR")
    RESOLVED = "resolved", _("Résolu")
    CLOSED = "closed", _("Fermé")


#: States where the ticket is still open for the customer ("Ouvertes").
OPEN_STATES = frozenset(
    {
        Status.NEW,
        Status.WAITING_FOR_APPROVAL,
        Status.APPROVED,
        Status.ASSIGNED,
        Status.PENDING,
        Status.ESCALATED_TTO,
        Status.ESCALATED_TTR,
    }
)
#: States the portal lists under "Requêtes en cours" (open plus resolved, awaiting the caller).
ONGOING_STATES = OPEN_STATES | {Status.RESOLVED}
#: States listed under "Requêtes fermées".
FINISHED_STATES = frozenset({Status.CLOSED, Status.REJECTED})
#: States that do not exist for incidents.
APPROVAL_STATES = frozenset({Status.WAITING_FOR_APPROVAL, Status.APPROVED, Status.REJECTED})

#: The SLA's escalated states are internal to the provider: customers (portal, mails to the
#: caller, contacts and PCUs) see the state the ticket escalated from, the only one it can
#: come from (``escalate_tto`` starts from ``new``, ``escalate_ttr`` from ``assigned``).
CUSTOMER_STATUS: dict[str, str] = {
    Status.ESCALATED_TTO: Status.NEW,
    Status.ESCALATED_TTR: Status.ASSIGNED,
}


def customer_status(status: str) -> str:
    """The state code shown to customers for ``status`` (see :data:`CUSTOMER_STATUS`)."""
    return CUSTOMER_STATUS.get(status, status)


def customer_status_label(status: str) -> str:
    """The label customers read for ``status``: "Nouveau" for ``escalated_tto``, etc."""
    return str(Status(customer_status(status)).label)


class Side(models.TextChoices):
    """Who fires a transition: an agent in the console, the customer in the portal, the system."""

    AGENT = "agent", _("Agent")
    CUSTOMER = "customer", _("Client")
    SYSTEM = "system", _("Système")


@dataclass(frozen=True)
class Transition:
    """One stimulus of the lifecycle.

    ``sources`` are the states it may start from; ``target`` ``None`` means "stay in the
    current state" (reassign). ``requires`` names the ticket fields that must be set on entry;
    ``comment_required`` says that the stimulus needs a comment (the reason of a reopening,
    which goes to the public log). ``internal`` marks a stimulus customers are not told of
    (the SLA escalations: the agents get the SLA mails instead). ``incident`` / ``request``
    say for which kind of ticket it exists.
    """

    code: str
    label: str | Promise
    sources: frozenset[str]
    target: str | None
    side: str
    requires: tuple[str, ...] = ()
    comment_required: bool = False
    internal: bool = False
    incident: bool = True
    request: bool = True


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "assign",
        _("Assigner"),
        frozenset({Status.NEW, Status.APPROVED, Status.ESCALATED_TTO}),
        Status.ASSIGNED,
        Side.AGENT,
        requires=("team", "agent"),
    ),
    Transition(
        "reassign",
        _("Réassigner"),
        frozenset({Status.ASSIGNED, Status.ESCALATED_TTR}),
        None,
        Side.AGENT,
        requires=("team", "agent"),
    ),
    Transition(
        "wait_for_approval",
        _("Soumettre à approbation"),
        frozenset({Status.NEW}),
        Status.WAITING_FOR_APPROVAL,
        Side.AGENT,
        incident=False,
    ),
    Transition(
        "approve",
        _("Approuver"),
        frozenset({Status.WAITING_FOR_APPROVAL}),
        Status.APPROVED,
        Side.AGENT,
        incident=False,
    ),
    Transition(
        "reject",
        _("Rejeter"),
        frozenset({Status.WAITING_FOR_APPROVAL}),
        Status.REJECTED,
        Side.AGENT,
        requires=("rejection_reason",),
        incident=False,
    ),
    Transition(
        "pending",
        _("Mettre en attente"),
        frozenset({Status.ASSIGNED, Status.ESCALATED_TTR}),
        Status.PENDING,
        Side.AGENT,
        requires=("pending_reason",),
    ),
    Transition("resume", _("Reprendre"), frozenset({Status.PENDING}), Status.ASSIGNED, Side.AGENT),
    Transition(
        "resolve",
        _("Marquer comme résolu"),
        frozenset({Status.ASSIGNED, Status.ESCALATED_TTR, Status.PENDING}),
        Status.RESOLVED,
        Side.AGENT,
        requires=("service", "resolution_code", "solution"),
    ),
    # The customer says why the solution (or the rejection) does not suit them: the agent
    # cannot act on a reopening without its reason.
    Transition(
        "reopen",
        _("Ré-ouvrir"),
        frozenset({Status.RESOLVED}),
        Status.ASSIGNED,
        Side.CUSTOMER,
        comment_required=True,
    ),
    Transition(
        "reopen_rejected",
        _("Ré-ouvrir"),
        frozenset({Status.REJECTED}),
        Status.NEW,
        Side.CUSTOMER,
        comment_required=True,
        incident=False,
    ),
    Transition(
        "close",
        _("Accepter la solution et clore"),
        frozenset({Status.RESOLVED}),
        Status.CLOSED,
        Side.CUSTOMER,
        requires=("satisfaction",),
    ),
    # Fired by the SLA engine (a later module) and the automatic close of resolved tickets.
    Transition(
        "escalate_tto",
        _("Escalade TTO"),
        frozenset({Status.NEW}),
        Status.ESCALATED_TTO,
        Side.SYSTEM,
        internal=True,
    ),
    Transition(
        "escalate_ttr",
        _("Escalade TTR"),
        frozenset({Status.ASSIGNED}),
        Status.ESCALATED_TTR,
        Side.SYSTEM,
        internal=True,
    ),
    Transition(
        "auto_close",
        _("Clôture automatique"),
        frozenset({Status.RESOLVED}),
        Status.CLOSED,
        Side.SYSTEM,
    ),
)

_BY_CODE = {t.code: t for t in TRANSITIONS}


def get_transition(code: str) -> Transition | None:
    """The transition named ``code``, or ``None``."""
    return _BY_CODE.get(code)


def transitions_from(
    status: str, *, is_incident: bool, side: str | None = None
) -> list[Transition]:
    """The transitions a ticket of that kind may take from ``status`` (optionally one side)."""
    out = []
    for t in TRANSITIONS:
        if status not in t.sources:
            continue
        if (is_incident and not t.incident) or (not is_incident and not t.request):
            continue
        if side is not None and t.side != side:
            continue
        out.append(t)
    return out


def target_of(transition: Transition, current: str) -> str:
    """The state a ticket in ``current`` lands in after ``transition``."""
    return transition.target if transition.target is not None else current
