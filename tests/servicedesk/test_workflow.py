"""The ticket lifecycle (specs/platform.md item 13) applied by ``services.ticket_transition``.

Every legal transition is fired on a ticket brought into its source state through the
services; a sample of illegal ones, missing required fields and wrong sides must raise and
leave the database row exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from esup_saas.servicedesk import workflow
from esup_saas.servicedesk.models import Kind, LogEntry, ResolutionCode, Ticket, TicketEvent
from esup_saas.servicedesk.services import TransitionNotAllowed, ticket_create, ticket_transition
from esup_saas.servicedesk.workflow import Side, Status
from esup_saas.tenancy.models import Person, Role, Team, User
from esup_saas.tenancy.services import membership_grant, person_create, team_create
from tests.conftest import World, make_ticket

# --- helpers --------------------------------------------------------------------------------

#: How to bring a fresh ticket (in ``new``) into each state, through the services.
PATHS: dict[str, list[str]] = {
    Status.NEW: [],
    Status.WAITING_FOR_APPROVAL: ["wait_for_approval"],
    Status.APPROVED: ["wait_for_approval", "approve"],
    Status.REJECTED: ["wait_for_approval", "reject"],
    Status.ASSIGNED: ["assign"],
    Status.PENDING: ["assign", "pending"],
    Status.ESCALATED_TTO: ["escalate_tto"],
    Status.ESCALATED_TTR: ["assign", "escalate_ttr"],
    Status.RESOLVED: ["assign", "resolve"],
    Status.CLOSED: ["assign", "resolve", "close"],
}

#: Where each stimulus lands, written out from the spec (``None``: stays where it is).
EXPECTED_TARGET: dict[str, str | None] = {
    "assign": Status.ASSIGNED,
    "reassign": None,
    "wait_for_approval": Status.WAITING_FOR_APPROVAL,
    "approve": Status.APPROVED,
    "reject": Status.REJECTED,
    "pending": Status.PENDING,
    "resume": Status.ASSIGNED,
    "resolve": Status.RESOLVED,
    "reopen": Status.ASSIGNED,
    "reopen_rejected": Status.NEW,
    "close": Status.CLOSED,
    "escalate_tto": Status.ESCALATED_TTO,
    "escalate_ttr": Status.ESCALATED_TTR,
    "auto_close": Status.CLOSED,
}

DATES = ("assignment_date", "resolution_date", "close_date")
#: Which date each stimulus sets ("now"), clears ("none"); the others stay as they were.
EXPECTED_DATES: dict[str, dict[str, str]] = {
    "assign": {"assignment_date": "now"},
    "reassign": {"assignment_date": "now"},
    "resolve": {"resolution_date": "now"},
    "close": {"close_date": "now"},
    "auto_close": {"close_date": "now"},
    "reopen": {"resolution_date": "none"},
    "reopen_rejected": {"resolution_date": "none"},
}


def actor_for(world: World, side: str) -> User | None:
    """The account that fires a transition of ``side`` in these tests."""
    if side == Side.AGENT:
        return world.agent.user
    if side == Side.CUSTOMER:
        return world.owner.user
    return None


def fields_for(world: World, code: str) -> dict[str, Any]:
    """The fields a transition needs, filled with good values."""
    return {
        "assign": {"team": world.team, "agent": world.agent},
        "reject": {"rejection_reason": "Hors du périmètre de la convention."},
        "pending": {"pending_reason": "En attente d'une réponse du client."},
        "resolve": {
            "resolution_code": ResolutionCode.CONFIGURATION,
            "solution": "Paramétrage corrigé.",
        },
        "close": {"satisfaction": 2, "customer_comment": "Merci."},
        "reopen": {"comment": "Le problème est revenu."},
        "reopen_rejected": {"comment": "La demande entre dans la convention."},
    }.get(code, {})


def fire(world: World, ticket: Ticket, code: str, **extra: Any) -> Ticket:
    """Fire ``code`` with the usual actor and fields (``extra`` overrides the fields)."""
    transition = workflow.get_transition(code)
    assert transition is not None
    fields = {**fields_for(world, code), **extra}
    return ticket_transition(
        ticket=ticket, code=code, actor=actor_for(world, transition.side), **fields
    )


def bring(world: World, ticket: Ticket, state: str) -> Ticket:
    """Bring ``ticket`` from ``new`` into ``state`` through the services."""
    for code in PATHS[state]:
        ticket = fire(world, ticket, code)
    assert ticket.status == state
    return ticket


def new_ticket(world: World, kind: str) -> Ticket:
    """A fresh incident or user request on Service A, called by the owner."""
    sub = world.incident_sub if kind == Kind.INCIDENT else world.request_sub
    ticket = make_ticket(world, sub=sub)
    assert ticket.kind == kind
    return ticket


def row(ticket: Ticket) -> dict[str, Any]:
    """Every concrete field of the ticket as stored, plus its events, logs and history."""
    ticket.refresh_from_db()
    values: dict[str, Any] = {
        f.attname: getattr(ticket, f.attname) for f in Ticket._meta.concrete_fields
    }
    values["_events"] = list(TicketEvent.objects.filter(ticket=ticket).values_list("pk", flat=True))
    values["_logs"] = LogEntry.objects.filter(ticket=ticket).count()
    values["_history"] = ticket.history.count()
    return values


@pytest.fixture
def second(world: World) -> tuple[Team, Person]:
    """A second team of Provider One with a second agent (for reassignments)."""
    agent2 = person_create(
        first_name="Damien",
        last_name="Second",
        organisation=world.provider,
        email="agent3@example.org",
        username="agent3",
        password="pw",
    )
    membership_grant(person=agent2, organisation=world.provider, role=Role.AGENT)
    team2 = team_create(name="Team P1 bis", organisation=world.provider, members=[agent2])
    return team2, agent2


# --- opening a ticket -----------------------------------------------------------------------


def _open(world: World, *, actor: User | None, caller: Person, sub: Any = None) -> Ticket:
    return ticket_create(
        caller=caller,
        subcategory=sub or world.incident_sub,
        title="Ouvert pour un autre",
        description="x",
        impact=3,
        urgency=3,
        actor=actor,
    )


def test_a_new_ticket_starts_new_with_a_created_event(world):
    t0 = timezone.now()
    ticket = _open(world, actor=world.owner.user, caller=world.owner)
    assert ticket.status == Status.NEW
    assert t0 <= ticket.start_date == ticket.last_update <= timezone.now()
    assert (ticket.assignment_date, ticket.resolution_date, ticket.close_date) == (None,) * 3
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.kind, event.to_status, event.actor) == ("created", Status.NEW, world.owner)
    assert ticket.history.count() == 1


@pytest.mark.parametrize(
    ("actor", "caller"),
    [
        ("owner", "owner"),  # the caller themselves
        ("member", "member"),
        ("owner", "member"),  # their organisation's PCU
        ("agent", "owner"),  # an agent of the service's provider (a phone call)
        ("coordinator", "outsider"),
    ],
)
def test_who_may_open_a_ticket_for_whom(world, actor, caller):
    ticket = _open(world, actor=getattr(world, actor).user, caller=getattr(world, caller))
    assert ticket.caller == getattr(world, caller)
    assert TicketEvent.objects.get(ticket=ticket).actor == getattr(world, actor)


@pytest.mark.parametrize(
    ("actor", "caller"),
    [
        ("outsider", "owner"),  # another tenant
        ("member", "owner"),  # an end user opens only for themselves
        ("other_agent", "owner"),  # an agent of another provider than Service A's
    ],
)
def test_opening_a_ticket_for_someone_else_is_refused(world, actor, caller):
    with pytest.raises(PermissionDenied):
        _open(world, actor=getattr(world, actor).user, caller=getattr(world, caller))
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


# --- every legal transition -----------------------------------------------------------------


def _legal_cases() -> list[Any]:
    cases = []
    for t in workflow.TRANSITIONS:
        for kind, exists in ((Kind.INCIDENT, t.incident), (Kind.USER_REQUEST, t.request)):
            if not exists:
                continue
            for source in sorted(t.sources):
                if kind == Kind.INCIDENT and source in workflow.APPROVAL_STATES:
                    continue  # an incident never gets there
                cases.append(pytest.param(kind, t.code, source, id=f"{kind}-{t.code}-{source}"))
    return cases


LEGAL = _legal_cases()


def test_cases_cover_every_transition_and_state():
    codes = {p.values[1] for p in LEGAL}
    assert codes == {t.code for t in workflow.TRANSITIONS}
    assert set(EXPECTED_TARGET) == codes
    assert set(PATHS) == set(Status.values)
    # 14 stimuli: 20 (transition, source) pairs for requests, 15 for incidents.
    assert sum(1 for p in LEGAL if p.values[0] == Kind.USER_REQUEST) == 20
    assert sum(1 for p in LEGAL if p.values[0] == Kind.INCIDENT) == 15


@pytest.mark.parametrize(("kind", "code", "source"), LEGAL)
def test_legal_transition(world, second, kind, code, source):
    ticket = bring(world, new_ticket(world, kind), source)
    before = row(ticket)
    transition = workflow.get_transition(code)
    assert transition is not None
    assert code in {
        t.code for t in workflow.transitions_from(source, is_incident=kind == Kind.INCIDENT)
    }
    actor = actor_for(world, transition.side)
    fields = fields_for(world, code)
    if code == "reassign":
        fields = {"team": second[0], "agent": second[1]}
    comment = fields.pop("comment", "")  # a reopening's reason: a public log entry
    t0 = timezone.now()
    result = ticket_transition(ticket=ticket, code=code, actor=actor, comment=comment, **fields)
    t1 = timezone.now()

    expected = EXPECTED_TARGET[code] or source
    ticket.refresh_from_db()
    assert result.status == ticket.status == expected
    for name in DATES:
        rule = EXPECTED_DATES.get(code, {}).get(name)
        value = getattr(ticket, name)
        if rule == "now":
            assert value is not None and t0 <= value <= t1, name
        elif rule == "none":
            assert value is None, name
        else:
            assert value == before[name], name
    assert t0 <= ticket.last_update <= t1
    for name, value in fields.items():
        assert getattr(ticket, name) == value
    if code == "reassign":
        assert (ticket.team, ticket.agent) == second

    event = TicketEvent.objects.filter(ticket=ticket, kind="transition").latest("at", "pk")
    assert event.pk not in before["_events"]
    assert (event.kind, event.transition) == ("transition", code)
    assert (event.from_status, event.to_status) == (source, expected)
    expected_actor = None if actor is None else actor.person
    assert event.actor == expected_actor
    new_events = TicketEvent.objects.filter(ticket=ticket).exclude(pk__in=before["_events"])
    if comment:
        assert sorted(new_events.values_list("kind", flat=True)) == ["log_public", "transition"]
    else:
        assert new_events.count() == 1

    assert ticket.history.count() == before["_history"] + 1
    latest = ticket.history.first()
    assert latest.status == expected
    assert latest.history_user == actor


def test_full_request_path_records_one_event_per_transition(world):
    ticket = new_ticket(world, Kind.USER_REQUEST)
    codes = ["wait_for_approval", "approve", "assign", "pending", "resume", "resolve", "close"]
    for code in codes:
        ticket = fire(world, ticket, code)
    assert ticket.status == Status.CLOSED
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("at", "pk"))
    assert [e.kind for e in events] == ["created"] + ["transition"] * len(codes)
    assert [e.transition for e in events[1:]] == codes
    assert [e.to_status for e in events] == [
        Status.NEW,
        Status.WAITING_FOR_APPROVAL,
        Status.APPROVED,
        Status.ASSIGNED,
        Status.PENDING,
        Status.ASSIGNED,
        Status.RESOLVED,
        Status.CLOSED,
    ]
    assert events[2].data == {}
    assert events[3].data == {"team": world.team.pk, "agent": world.agent.pk}


def test_history_records_the_changed_fields(world):
    ticket = make_ticket(world)
    ticket = fire(world, ticket, "assign")
    latest, previous = list(ticket.history.all()[:2])
    assert latest.history_type == "~"
    assert latest.history_user == world.agent.user
    changed = set(latest.diff_against(previous).changed_fields)
    assert changed == {"status", "team", "agent", "assignment_date"}
    assert (previous.status, latest.status) == (Status.NEW, Status.ASSIGNED)

    ticket = fire(world, ticket, "resolve")
    latest, previous = list(ticket.history.all()[:2])
    changed = set(latest.diff_against(previous).changed_fields)
    assert changed == {"status", "resolution_code", "solution", "resolution_date"}
    assert latest.solution == "Paramétrage corrigé."


def test_comment_adds_a_public_log_entry(world):
    ticket = make_ticket(world)
    ticket = fire(world, ticket, "assign")
    ticket = ticket_transition(
        ticket=ticket,
        code="pending",
        actor=world.agent.user,
        pending_reason="Attente du client",
        comment="Pouvez-vous nous envoyer <b>la capture</b> ?",
    )
    entry = LogEntry.objects.get(ticket=ticket)
    assert entry.visibility == LogEntry.Visibility.PUBLIC
    assert entry.author == world.agent
    assert entry.body == "Pouvez-vous nous envoyer <b>la capture</b> ?"


def test_solution_is_sanitised_and_fields_stripped(world):
    ticket = bring(world, make_ticket(world), Status.ASSIGNED)
    ticket = fire(
        world,
        ticket,
        "resolve",
        solution='<p onclick="x()">Fait</p><script>alert(1)</script>',
        resolution_code=ResolutionCode.OTHER,
    )
    assert ticket.solution == "<p>Fait</p>"
    ticket = ticket_transition(
        ticket=ticket, code="reopen", actor=world.owner.user, comment="Toujours en panne."
    )
    ticket = ticket_transition(
        ticket=ticket, code="pending", actor=world.agent.user, pending_reason="  Attente  "
    )
    ticket.refresh_from_db()
    assert ticket.pending_reason == "Attente"


def test_reopen_goes_back_to_assigned_and_clears_satisfaction(world):
    ticket = bring(world, make_ticket(world), Status.RESOLVED)
    assert ticket.resolution_date is not None
    ticket = ticket_transition(
        ticket=ticket,
        code="reopen",
        actor=world.owner.user,
        satisfaction=4,
        customer_comment="Toujours en panne.",
        comment="Toujours en panne.",
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    assert ticket.satisfaction is None
    assert ticket.resolution_date is None
    assert ticket.customer_comment == "Toujours en panne."
    assert (ticket.team, ticket.agent) == (world.team, world.agent)


@pytest.mark.parametrize(
    ("kind", "state", "code"),
    [
        (Kind.INCIDENT, Status.RESOLVED, "reopen"),
        (Kind.USER_REQUEST, Status.REJECTED, "reopen_rejected"),
    ],
)
@pytest.mark.parametrize("reason", ["", "  ", "<p> </p>", "<script>x</script>"])
def test_reopen_requires_a_reason(world, kind, state, code, reason):
    ticket = bring(world, new_ticket(world, kind), state)
    before = row(ticket)
    with pytest.raises(ValidationError) as err:
        ticket_transition(ticket=ticket, code=code, actor=world.owner.user, comment=reason)
    assert list(err.value.message_dict) == ["comment"]
    assert "Indiquez le motif" in err.value.message_dict["comment"][0]
    assert row(ticket) == before
    assert not LogEntry.objects.filter(ticket=ticket).exists()


def test_reopen_reason_goes_to_the_public_log_linked_to_its_event(world):
    ticket = bring(world, make_ticket(world), Status.RESOLVED)
    ticket_transition(
        ticket=ticket, code="reopen", actor=world.owner.user, comment="Toujours en panne."
    )
    entry = LogEntry.objects.get(ticket=ticket)
    assert (entry.visibility, entry.author, entry.body) == (
        LogEntry.Visibility.PUBLIC,
        world.owner,
        "Toujours en panne.",
    )
    event = TicketEvent.objects.get(ticket=ticket, kind="transition", transition="reopen")
    assert event.data == {"comment_entry": entry.pk}
    log_event = TicketEvent.objects.get(ticket=ticket, kind="log_public")
    assert log_event.data == {"entry": entry.pk, "transition": "reopen"}


def test_only_the_reopenings_require_a_comment():
    assert {t.code for t in workflow.TRANSITIONS if t.comment_required} == {
        "reopen",
        "reopen_rejected",
    }


def test_customers_see_the_state_an_escalated_ticket_came_from():
    shown = {status: workflow.customer_status(status) for status in Status.values}
    assert shown == {
        **{status: status for status in Status.values},
        Status.ESCALATED_TTO: Status.NEW,
        Status.ESCALATED_TTR: Status.ASSIGNED,
    }
    # Each escalation has a single source, the state the customer keeps seeing.
    escalations = {"escalate_tto": Status.ESCALATED_TTO, "escalate_ttr": Status.ESCALATED_TTR}
    for code, status in escalations.items():
        transition = workflow.get_transition(code)
        assert transition is not None and transition.internal
        assert transition.sources == {workflow.customer_status(status)}
    assert workflow.customer_status_label(Status.ESCALATED_TTR) == "Assigné"


def test_escalated_states_stay_workable(world):
    ticket = bring(world, make_ticket(world), Status.ESCALATED_TTO)
    ticket = fire(world, ticket, "assign")
    assert ticket.status == Status.ASSIGNED
    ticket = fire(world, ticket, "escalate_ttr")
    ticket = fire(world, ticket, "pending")
    ticket = fire(world, ticket, "resume")
    ticket = fire(world, ticket, "escalate_ttr")
    ticket = fire(world, ticket, "resolve")
    assert ticket.status == Status.RESOLVED


# --- illegal transitions --------------------------------------------------------------------


def _all_codes_from_closed() -> list[Any]:
    return [
        pytest.param(kind, t.code, id=f"{kind}-{t.code}")
        for kind in (Kind.INCIDENT, Kind.USER_REQUEST)
        for t in workflow.TRANSITIONS
    ]


ILLEGAL = [
    pytest.param(Kind.INCIDENT, Status.NEW, "resolve", "Nouveau", id="resolve-from-new"),
    pytest.param(Kind.USER_REQUEST, Status.NEW, "resolve", "Nouveau", id="request-resolve-new"),
    pytest.param(Kind.INCIDENT, Status.ASSIGNED, "close", "Assigné", id="close-from-assigned"),
    pytest.param(Kind.INCIDENT, Status.NEW, "approve", "Nouveau", id="approve-incident"),
    pytest.param(
        Kind.INCIDENT, Status.NEW, "wait_for_approval", "Nouveau", id="wait-approval-incident"
    ),
    pytest.param(Kind.INCIDENT, Status.NEW, "reopen_rejected", "Nouveau", id="reopen-rej-inc"),
    pytest.param(Kind.INCIDENT, Status.PENDING, "pending", "En attente", id="pending-twice"),
    pytest.param(Kind.USER_REQUEST, Status.RESOLVED, "assign", "Résolu", id="assign-resolved"),
    pytest.param(Kind.USER_REQUEST, Status.REJECTED, "reopen", "Rejeté", id="reopen-rejected"),
    pytest.param(Kind.INCIDENT, Status.ASSIGNED, "escalate_tto", "Assigné", id="tto-assigned"),
    pytest.param(Kind.INCIDENT, Status.NEW, "teleport", "Nouveau", id="unknown-code"),
]


@pytest.mark.parametrize(("kind", "state", "code", "label"), ILLEGAL)
def test_illegal_transition_raises_and_changes_nothing(world, kind, state, code, label):
    ticket = bring(world, new_ticket(world, kind), state)
    before = row(ticket)
    transition = workflow.get_transition(code)
    actor = actor_for(world, transition.side) if transition else world.agent.user
    with pytest.raises(TransitionNotAllowed) as exc:
        ticket_transition(ticket=ticket, code=code, actor=actor, **fields_for(world, code))
    message = exc.value.messages[0]
    assert "est impossible depuis l'état" in message
    assert f"« {label} »" in message
    assert f"« {transition.label if transition else code} »" in message
    assert row(ticket) == before


@pytest.mark.parametrize(("kind", "code"), _all_codes_from_closed())
def test_nothing_leaves_closed(world, kind, code):
    ticket = bring(world, new_ticket(world, kind), Status.CLOSED)
    before = row(ticket)
    transition = workflow.get_transition(code)
    assert transition is not None
    with pytest.raises(TransitionNotAllowed, match="Fermé"):
        ticket_transition(
            ticket=ticket,
            code=code,
            actor=actor_for(world, transition.side),
            **fields_for(world, code),
        )
    assert row(ticket) == before


def test_unexpected_field_is_a_programming_error(world):
    ticket = make_ticket(world)
    before = row(ticket)
    with pytest.raises(ValueError, match="priority"):
        ticket_transition(ticket=ticket, code="assign", actor=world.agent.user, priority=1)
    assert row(ticket) == before


# --- required fields ------------------------------------------------------------------------


def _required_cases() -> list[Any]:
    return [
        pytest.param(Status.NEW, "assign", lambda w: {"agent": w.agent}, "team", id="no-team"),
        pytest.param(Status.NEW, "assign", lambda w: {"team": w.team}, "agent", id="no-agent"),
        pytest.param(
            Status.NEW,
            "assign",
            lambda w: {"team": w.team, "agent": w.other_agent},
            "agent",
            id="agent-not-in-team",
        ),
        pytest.param(
            Status.NEW,
            "assign",
            lambda w: {"team": w.other_team, "agent": w.other_agent},
            "team",
            id="team-of-another-provider",
        ),
        pytest.param(
            Status.ASSIGNED,
            "reassign",
            lambda w: {"team": w.team, "agent": w.owner},
            "agent",
            id="reassign-to-a-customer",
        ),
        pytest.param(Status.ASSIGNED, "pending", lambda w: {}, "pending_reason", id="pending"),
        pytest.param(
            Status.ASSIGNED,
            "pending",
            lambda w: {"pending_reason": "   "},
            "pending_reason",
            id="pending-blank",
        ),
        pytest.param(
            Status.ASSIGNED,
            "resolve",
            lambda w: {"solution": "Fait."},
            "resolution_code",
            id="resolve-no-code",
        ),
        pytest.param(
            Status.ASSIGNED,
            "resolve",
            lambda w: {"resolution_code": ResolutionCode.OTHER},
            "solution",
            id="resolve-no-solution",
        ),
        pytest.param(
            Status.ASSIGNED,
            "resolve",
            lambda w: {"resolution_code": "magic", "solution": "Fait."},
            "resolution_code",
            id="resolve-bad-code",
        ),
        pytest.param(
            Status.WAITING_FOR_APPROVAL, "reject", lambda w: {}, "rejection_reason", id="reject"
        ),
        pytest.param(Status.RESOLVED, "close", lambda w: {}, "satisfaction", id="close-no-sat"),
        pytest.param(
            Status.RESOLVED,
            "close",
            lambda w: {"satisfaction": 7},
            "satisfaction",
            id="close-sat-7",
        ),
        pytest.param(
            Status.RESOLVED,
            "close",
            lambda w: {"satisfaction": 0},
            "satisfaction",
            id="close-sat-0",
        ),
    ]


@pytest.mark.parametrize(("state", "code", "make_fields", "field"), _required_cases())
def test_required_field_missing_or_wrong(world, state, code, make_fields, field):
    ticket = bring(world, new_ticket(world, Kind.USER_REQUEST), state)
    before = row(ticket)
    in_memory = {name: getattr(ticket, name) for name in ("status", "team_id", "agent_id")}
    transition = workflow.get_transition(code)
    assert transition is not None
    with pytest.raises(ValidationError) as exc:
        ticket_transition(
            ticket=ticket, code=code, actor=actor_for(world, transition.side), **make_fields(world)
        )
    assert not isinstance(exc.value, TransitionNotAllowed)
    assert set(exc.value.message_dict) == {field}
    assert exc.value.message_dict[field][0]  # a message, in French
    assert {name: getattr(ticket, name) for name in in_memory} == in_memory
    assert row(ticket) == before


def test_required_messages_are_french(world):
    ticket = make_ticket(world)
    with pytest.raises(ValidationError) as exc:
        ticket_transition(ticket=ticket, code="assign", actor=world.agent.user)
    assert exc.value.message_dict == {
        "team": ["Ce champ est obligatoire pour « Assigner »."],
        "agent": ["Ce champ est obligatoire pour « Assigner »."],
    }
    with pytest.raises(ValidationError) as exc:
        ticket_transition(
            ticket=ticket,
            code="assign",
            actor=world.agent.user,
            **{
                "team": world.team,
                "agent": world.other_agent,
            },
        )
    assert exc.value.message_dict == {
        "agent": ["L'agent doit être membre de l'équipe « Team P1 »."]
    }


# --- sides and permissions ------------------------------------------------------------------


def test_agent_cannot_close(world):
    ticket = bring(world, make_ticket(world), Status.RESOLVED)
    before = row(ticket)
    with pytest.raises(PermissionDenied):
        ticket_transition(ticket=ticket, code="close", actor=world.agent.user, satisfaction=1)
    assert row(ticket) == before


@pytest.mark.parametrize("code", ["assign", "wait_for_approval", "escalate_tto"])
def test_pcu_cannot_fire_agent_or_system_transitions(world, code):
    ticket = new_ticket(world, Kind.USER_REQUEST)
    before = row(ticket)
    with pytest.raises(PermissionDenied):
        ticket_transition(
            ticket=ticket, code=code, actor=world.owner.user, **fields_for(world, code)
        )
    assert row(ticket) == before


@pytest.mark.parametrize(
    ("state", "code"),
    [
        (Status.NEW, "assign"),
        (Status.NEW, "resolve"),  # illegal from new too: the ticket is not theirs to learn of
        (Status.ASSIGNED, "resolve"),
        (Status.ASSIGNED, "pending"),
        (Status.RESOLVED, "reopen"),
        (Status.RESOLVED, "close"),
        (Status.NEW, "teleport"),
    ],
)
def test_another_providers_agent_cannot_touch_it(world, state, code):
    ticket = bring(world, make_ticket(world), state)
    before = row(ticket)
    fields = fields_for(world, code)
    if code == "assign":
        fields = {"team": world.other_team, "agent": world.other_agent}
    with pytest.raises(PermissionDenied):
        ticket_transition(ticket=ticket, code=code, actor=world.other_agent.user, **fields)
    assert row(ticket) == before


@pytest.mark.parametrize("person", ["outsider", "member"])
def test_other_customers_cannot_close_or_reopen(world, person):
    ticket = bring(world, make_ticket(world), Status.RESOLVED)  # called by the owner
    before = row(ticket)
    user = getattr(world, person).user
    with pytest.raises(PermissionDenied):
        ticket_transition(ticket=ticket, code="close", actor=user, satisfaction=1)
    with pytest.raises(PermissionDenied):
        ticket_transition(ticket=ticket, code="reopen", actor=user)
    assert row(ticket) == before


def test_end_user_closes_their_own_ticket(world):
    ticket = bring(world, make_ticket(world, caller=world.member), Status.RESOLVED)
    ticket = ticket_transition(ticket=ticket, code="close", actor=world.member.user, satisfaction=1)
    assert ticket.status == Status.CLOSED
    assert TicketEvent.objects.filter(ticket=ticket).latest("at", "pk").actor == world.member


def test_coordinator_works_tickets_of_every_provider(world):
    ticket = make_ticket(world, sub=world.other_incident_sub)
    ticket = ticket_transition(
        ticket=ticket,
        code="assign",
        actor=world.coordinator.user,
        team=world.other_team,
        agent=world.other_agent,
    )
    assert ticket.status == Status.ASSIGNED


@pytest.mark.parametrize(
    ("state", "code"),
    [
        (Status.NEW, "escalate_tto"),
        (Status.ASSIGNED, "escalate_ttr"),
        (Status.RESOLVED, "auto_close"),
    ],
)
def test_system_transitions_refuse_a_user_and_work_without_one(world, state, code):
    ticket = bring(world, make_ticket(world), state)
    before = row(ticket)
    for user in (world.agent.user, world.coordinator.user, world.owner.user):
        with pytest.raises(PermissionDenied):
            ticket_transition(ticket=ticket, code=code, actor=user)
    superuser = User.objects.create_superuser("root", "root@example.org", "pw")
    with pytest.raises(PermissionDenied):
        ticket_transition(ticket=ticket, code=code, actor=superuser)
    assert row(ticket) == before
    ticket = ticket_transition(ticket=ticket, code=code, actor=None)
    assert ticket.status == EXPECTED_TARGET[code]
    event = TicketEvent.objects.filter(ticket=ticket).latest("at", "pk")
    assert event.actor is None
    assert ticket.history.first().history_user is None


@pytest.mark.parametrize(("state", "code"), [(Status.NEW, "assign"), (Status.RESOLVED, "close")])
def test_user_transitions_refuse_the_system(world, state, code):
    ticket = bring(world, make_ticket(world), state)
    before = row(ticket)
    with pytest.raises(PermissionDenied):
        ticket_transition(ticket=ticket, code=code, actor=None, **fields_for(world, code))
    assert row(ticket) == before


def test_auto_close_sets_close_date_without_satisfaction(world):
    ticket = bring(world, make_ticket(world), Status.RESOLVED)
    t0 = timezone.now()
    ticket = ticket_transition(ticket=ticket, code="auto_close")
    assert ticket.status == Status.CLOSED
    assert ticket.satisfaction is None
    assert ticket.close_date is not None and ticket.close_date >= t0
    assert ticket.close_date - t0 < dt.timedelta(minutes=1)
