"""Clocks of tickets that come with a past (imports, demo data), and deadlines that passed.

Provider P1's SLA (``sla_helpers.office_sla``): Mon-Fri 08:00-12:00 / 13:30-17:30 Paris,
French holidays. Instants are UTC with the Paris time beside them (January: UTC + 1).
"""

from __future__ import annotations

import time_machine

from esup_saas.notifications.models import OutgoingMail
from esup_saas.servicedesk.models import SlaClock, SlaThresholdEvent, TicketEvent
from esup_saas.servicedesk.services import ticket_transition
from esup_saas.servicedesk.sla import (
    sla_refresh_provider,
    sla_threshold_sweep,
    sla_thresholds_mark_passed,
    ticket_sla_replay,
)
from esup_saas.servicedesk.workflow import Status
from tests.conftest import make_ticket
from tests.servicedesk.sla_helpers import office_sla, target, utc

FIELDS = ("metric", "goal_seconds", "elapsed_seconds", "running_since", "warning_at", "deadline")


def _clocks(ticket) -> list[tuple]:
    return list(SlaClock.objects.filter(ticket=ticket).order_by("metric").values_list(*FIELDS))


def test_a_deadline_recomputed_after_it_passed_stays_the_instant_it_was_reached(world):
    office_sla(world, targets=[target(3, "ttr", 4)])
    # Monday 12 January 2026 12:30 Paris, in the lunch break: the TTR starts at 13:30 and
    # its 4 h end at 17:30 Paris = 16:30 UTC (not Tuesday 08:00, the same business time).
    with time_machine.travel(utc(2026, 1, 12, 11, 30), tick=False) as traveller:
        ticket = make_ticket(world)
        assert ticket.ttr_deadline == utc(2026, 1, 12, 16, 30)
        traveller.move_to(utc(2026, 1, 13, 9, 0))  # Tuesday 10:00 Paris, 2 h late
        sla_refresh_provider(world.provider.pk)
        ticket.refresh_from_db()
        assert ticket.ttr_deadline == utc(2026, 1, 12, 16, 30)
        # the same after an assignment (TTR runs on) at Tuesday 10:00
        ticket = ticket_transition(
            ticket=ticket,
            code="assign",
            actor=world.agent.user,
            team=world.team,
            agent=world.agent,
        )
    assert ticket.ttr_deadline == utc(2026, 1, 12, 16, 30)
    clock = SlaClock.objects.get(ticket=ticket, metric="ttr")
    assert clock.deadline == utc(2026, 1, 12, 16, 30)
    # 75 % (3 h) was reached Monday at 16:30 Paris = 15:30 UTC
    assert clock.warning_at == utc(2026, 1, 12, 15, 30)


def test_replay_gives_the_clocks_the_live_run_gave(world):
    office_sla(world, targets=[target(3, "tto", 1), target(3, "ttr", 4)])
    agent = world.agent.user
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        ticket = make_ticket(world)  # Monday 09:00 Paris
        traveller.move_to(utc(2026, 1, 12, 8, 30))
        ticket = ticket_transition(
            ticket=ticket, code="assign", actor=agent, team=world.team, agent=world.agent
        )
        traveller.move_to(utc(2026, 1, 12, 9, 0))
        ticket = ticket_transition(ticket=ticket, code="pending", actor=agent, pending_reason="X")
        traveller.move_to(utc(2026, 1, 12, 15, 0))
        ticket = ticket_transition(ticket=ticket, code="resume", actor=agent)
        live = _clocks(ticket)
        deadlines = (ticket.tto_deadline, ticket.ttr_deadline)
    # Replayed a month later from the history alone: the same clocks and deadlines.
    SlaClock.objects.filter(ticket=ticket).update(elapsed_seconds=0, deadline=None)
    with time_machine.travel(utc(2026, 2, 16, 10, 0), tick=False):
        clocks = ticket_sla_replay(ticket=ticket)
    assert set(clocks) == {"tto", "ttr"}
    assert _clocks(ticket) == live
    assert (ticket.tto_deadline, ticket.ttr_deadline) == deadlines
    ticket.refresh_from_db()
    assert (ticket.tto_deadline, ticket.ttr_deadline) == deadlines
    # TTO: 30 min; TTR: 09:00-10:00 then from 16:00, 3 h left → Tuesday 09:30 Paris
    assert deadlines == (None, utc(2026, 1, 13, 8, 30))


def test_replay_keeps_the_thresholds_already_recorded(world):
    office_sla(world, targets=[target(3, "tto", 1)])
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        ticket = make_ticket(world)
        traveller.move_to(utc(2026, 1, 12, 8, 50))  # 75 % of the TTO
        assert sla_threshold_sweep() == {"warnings": 1, "breaches": 0}
        ticket_sla_replay(ticket=ticket)
        clock = SlaClock.objects.get(ticket=ticket, metric="tto")
        assert clock.warned_at == utc(2026, 1, 12, 8, 50)
        traveller.move_to(utc(2026, 1, 12, 8, 55))
        # the warning is not met again; the breach comes in its time
        assert sla_threshold_sweep() == {"warnings": 0, "breaches": 0}
        traveller.move_to(utc(2026, 1, 12, 9, 1))
        assert sla_threshold_sweep() == {"warnings": 0, "breaches": 1}
    assert SlaThresholdEvent.objects.filter(ticket=ticket).count() == 2


def test_old_thresholds_are_recorded_quietly_once(world, django_capture_on_commit_callbacks):
    office_sla(world, targets=[target(3, "tto", 1), target(3, "ttr", 8)])
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False):
        ticket = make_ticket(world)  # TTO due 10:00 Paris, TTR Tuesday 09:00 Paris
    mails = OutgoingMail.objects.count()
    with (
        time_machine.travel(utc(2026, 3, 2, 9, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sla_thresholds_mark_passed(ticket=ticket) == 4
        assert sla_thresholds_mark_passed(ticket=ticket) == 0
        assert sla_threshold_sweep() == {"warnings": 0, "breaches": 0}
    assert set(
        SlaThresholdEvent.objects.filter(ticket=ticket).values_list("metric", "threshold", "at")
    ) == {
        ("tto", 75, utc(2026, 1, 12, 8, 45)),
        ("tto", 100, utc(2026, 1, 12, 9, 0)),
        # 6 h of 8: 09:00-12:00 and 13:30-16:30 Paris
        ("ttr", 75, utc(2026, 1, 12, 15, 30)),
        ("ttr", 100, utc(2026, 1, 13, 8, 0)),
    }
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW  # no escalation
    assert not TicketEvent.objects.filter(ticket=ticket, kind="sla_threshold").exists()
    assert OutgoingMail.objects.count() == mails  # no mail
