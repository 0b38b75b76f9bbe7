"""TTO and TTR clocks on real tickets, with every expected instant written out (item 9).

Provider P1's SLA: Mon-Fri 08:00-12:00 / 13:30-17:30 Europe/Paris, French public holidays
(see ``sla_helpers.DEFAULT_TARGETS``). Instants are UTC with the Paris time beside them.
"""

from __future__ import annotations

import time_machine

from esup_saas.catalog.models import CustomerContractService
from esup_saas.catalog.models_sla import SLA
from esup_saas.catalog.services_sla import coverage_sla_set, provider_sla_settings_set
from esup_saas.servicedesk.models import SlaClock, SlaThresholdEvent, TicketEvent
from esup_saas.servicedesk.services import ticket_transition, ticket_update
from esup_saas.servicedesk.sla import auto_close_sweep, sla_threshold_sweep, ticket_sla_states
from esup_saas.servicedesk.workflow import Status
from tests.conftest import make_ticket
from tests.servicedesk.sla_helpers import office_sla, target, utc


def _clock(ticket, metric):
    return SlaClock.objects.get(ticket=ticket, metric=metric)


def test_friday_1730_ticket_gets_monday_deadlines(world):
    office_sla(world)
    # Friday 9 January 2026 17:30 CET (16:30 UTC), a priority 3 incident: TTO 1 h, TTR 8 h.
    with time_machine.travel(utc(2026, 1, 9, 16, 30), tick=False):
        ticket = make_ticket(world)
    assert ticket.priority == 3
    # TTO: Monday 12 January 09:00 CET = 08:00 UTC.
    assert ticket.tto_deadline == utc(2026, 1, 12, 8, 0)
    # TTR 8 h: Monday 08:00-12:00 and 13:30-17:30 → Monday 17:30 CET = 16:30 UTC.
    assert ticket.ttr_deadline == utc(2026, 1, 12, 16, 30)
    ticket.refresh_from_db()
    assert ticket.ttr_deadline == utc(2026, 1, 12, 16, 30)


def test_friday_1730_with_a_4_hour_ttr(world):
    office_sla(world, targets=[target(3, "ttr", 4)])
    with time_machine.travel(utc(2026, 1, 9, 16, 30), tick=False):
        ticket = make_ticket(world)
    # Monday 12 January 08:00 + 4 h = 12:00 CET = 11:00 UTC; no TTO target, no TTO clock.
    assert ticket.ttr_deadline == utc(2026, 1, 12, 11, 0)
    assert ticket.tto_deadline is None
    assert not SlaClock.objects.filter(ticket=ticket, metric="tto").exists()


def test_a_pending_period_in_the_middle_pauses_both_clocks(world):
    office_sla(world, targets=[target(3, "tto", 1), target(3, "ttr", 4)])
    agent = world.agent.user
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        # Monday 12 January 09:00 CET: TTR 4 h → 09-12 (3 h) + 13:30-14:30 → 13:30 UTC.
        ticket = make_ticket(world)
        assert ticket.ttr_deadline == utc(2026, 1, 12, 13, 30)
        traveller.move_to(utc(2026, 1, 12, 8, 30))  # 09:30 CET: assigned, TTO stops.
        ticket = ticket_transition(
            ticket=ticket, code="assign", actor=agent, team=world.team, agent=world.agent
        )
        assert ticket.tto_deadline is None
        assert _clock(ticket, "tto").elapsed_seconds == 1800
        assert ticket.ttr_deadline == utc(2026, 1, 12, 13, 30)
        traveller.move_to(utc(2026, 1, 12, 9, 0))  # 10:00 CET: pending, TTR paused at 1 h.
        ticket = ticket_transition(
            ticket=ticket, code="pending", actor=agent, pending_reason="Attente du client"
        )
        assert ticket.ttr_deadline is None
        assert _clock(ticket, "ttr").elapsed_seconds == 3600
        assert _clock(ticket, "ttr").running_since is None
        traveller.move_to(utc(2026, 1, 12, 15, 0))  # 16:00 CET: resumed, 3 h left.
        ticket = ticket_transition(ticket=ticket, code="resume", actor=agent)
        # 16:00-17:30 (1 h 30) then Tuesday 08:00 + 1 h 30 = 09:30 CET = 08:30 UTC.
        assert ticket.ttr_deadline == utc(2026, 1, 13, 8, 30)
        ticket.refresh_from_db()
        assert ticket.ttr_deadline == utc(2026, 1, 13, 8, 30)
        assert ticket.tto_deadline is None
        # Resolved Tuesday 09:00 CET: 3 h 30 counted of 4 h; the TTR goal is met.
        traveller.move_to(utc(2026, 1, 13, 8, 0))
        ticket = ticket_transition(
            ticket=ticket,
            code="resolve",
            actor=agent,
            resolution_code="assistance",
            solution="Fait.",
        )
        states = ticket_sla_states(ticket)
    assert states["ttr"].elapsed_seconds == 3.5 * 3600
    assert states["ttr"].passed is False
    assert states["ttr"].overrun_seconds == 0
    assert states["tto"].elapsed_seconds == 1800


def test_a_priority_change_in_the_middle(world):
    office_sla(world)
    agent = world.agent.user
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        # Monday 12 January 09:00 CET, priority 3: TTR 8 h → Tuesday 09:00 CET = 08:00 UTC.
        ticket = make_ticket(world, impact=3, urgency=3)
        assert ticket.ttr_deadline == utc(2026, 1, 13, 8, 0)
        # 11:00 CET: urgency 1 → priority 2, TTR 4 h; 2 h counted, 2 h left:
        # 11:00-12:00 and 13:30-14:30 → 14:30 CET = 13:30 UTC.
        traveller.move_to(utc(2026, 1, 12, 10, 0))
        ticket = ticket_update(ticket=ticket, actor=agent, urgency=1)
        assert ticket.priority == 2
        assert ticket.ttr_deadline == utc(2026, 1, 12, 13, 30)
        # 14:00 CET: impact 1 → priority 1, TTR 2 h, but 3 h 30 are counted already: the
        # deadline is the instant 2 h were reached, 11:00 CET = 10:00 UTC.
        traveller.move_to(utc(2026, 1, 12, 13, 0))
        ticket = ticket_update(ticket=ticket, actor=agent, impact=1)
        assert ticket.priority == 1
        assert ticket.ttr_deadline == utc(2026, 1, 12, 10, 0)
        # The sweep flags the breach with 1 h 30 of overrun (5,400 s).
        counts = sla_threshold_sweep()
        states = ticket_sla_states(ticket)
    assert counts == {"warnings": 2, "breaches": 2}  # TTO (15 min) and TTR are both late
    breach = SlaThresholdEvent.objects.get(ticket=ticket, metric="ttr", threshold=100)
    assert breach.overrun_seconds == 5400
    assert states["ttr"].passed is True
    assert states["ttr"].overrun_seconds == 5400
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED_TTO  # the TTO breach moved new → escalated_tto


def test_thresholds_warning_then_breach_then_escalation(world):
    office_sla(world, targets=[target(3, "tto", 1), target(3, "ttr", 8)])
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        ticket = make_ticket(world)  # Monday 09:00 CET, TTO 1 h → 10:00 CET.
        assert _clock(ticket, "tto").warning_at == utc(2026, 1, 12, 8, 45)
        traveller.move_to(utc(2026, 1, 12, 8, 44, 59))
        assert sla_threshold_sweep() == {"warnings": 0, "breaches": 0}
        traveller.move_to(utc(2026, 1, 12, 8, 45))
        assert sla_threshold_sweep() == {"warnings": 1, "breaches": 0}
        assert sla_threshold_sweep() == {"warnings": 0, "breaches": 0}  # idempotent
        ticket.refresh_from_db()
        states = ticket_sla_states(ticket)
        assert states["tto"].passed is False  # "SLA TTO dépassé ? non"
        assert states["tto"].overrun_seconds == 0  # "Dépassement SLA TTO 0s"
        traveller.move_to(utc(2026, 1, 12, 9, 0, 7))  # 10:00:07 CET
        assert sla_threshold_sweep() == {"warnings": 0, "breaches": 1}
        assert sla_threshold_sweep() == {"warnings": 0, "breaches": 0}
        ticket.refresh_from_db()
        states = ticket_sla_states(ticket)
    assert ticket.status == Status.ESCALATED_TTO
    assert states["tto"].passed is True  # "SLA TTO dépassé ? oui"
    assert states["tto"].overrun_seconds == 7
    assert SlaThresholdEvent.objects.get(ticket=ticket, threshold=100).overrun_seconds == 7
    events = TicketEvent.objects.filter(ticket=ticket, kind="sla_threshold")
    assert [(e.data["metric"], e.data["threshold"]) for e in events] == [
        ("tto", 75),
        ("tto", 100),
    ]
    # TTO still runs in escalated_tto: the deadline is the instant the goal was reached.
    assert ticket.tto_deadline == utc(2026, 1, 12, 9, 0)
    assert TicketEvent.objects.filter(ticket=ticket, transition="escalate_tto").count() == 1


def test_ttr_breach_escalates_an_assigned_ticket(world):
    office_sla(world, targets=[target(3, "ttr", 1)])
    agent = world.agent.user
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        ticket = make_ticket(world)
        ticket_transition(
            ticket=ticket, code="assign", actor=agent, team=world.team, agent=world.agent
        )
        traveller.move_to(utc(2026, 1, 12, 9, 0))
        assert sla_threshold_sweep() == {"warnings": 1, "breaches": 1}
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED_TTR
    # TTR keeps running in escalated_ttr; the deadline stays the instant it was reached.
    assert ticket.ttr_deadline == utc(2026, 1, 12, 9, 0)


def test_changing_the_sla_of_the_contract_recomputes_open_tickets(
    world, django_capture_on_commit_callbacks
):
    office_sla(world, targets=[target(3, "ttr", 8)])
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        ticket = make_ticket(world)
        assert ticket.ttr_deadline == utc(2026, 1, 13, 8, 0)
        traveller.move_to(utc(2026, 1, 12, 9, 0))  # 10:00 CET, 1 h counted
        faster = SLA.objects.create(provider=world.provider, name="24/7")
        faster.targets.create(
            priority=3, request_type="incident", metric="ttr", value=2, unit="hours"
        )
        coverage = CustomerContractService.objects.get(
            contract__customer=world.customer, service=world.service
        )
        with django_capture_on_commit_callbacks(execute=True):
            coverage_sla_set(actor=None, coverage=coverage, sla=faster)
    ticket.refresh_from_db()
    # 1 h counted under office hours, 1 h left round the clock: 11:00 CET = 10:00 UTC.
    assert ticket.ttr_deadline == utc(2026, 1, 12, 10, 0)


def test_auto_close_after_the_providers_delay(world):
    office_sla(world)
    agent = world.agent.user
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        ticket = make_ticket(world)
        ticket_transition(
            ticket=ticket, code="assign", actor=agent, team=world.team, agent=world.agent
        )
        ticket_transition(
            ticket=ticket, code="resolve", actor=agent, resolution_code="other", solution="Ok"
        )
        traveller.move_to(utc(2026, 1, 19, 7, 59))  # 7 days minus a minute
        assert auto_close_sweep() == 0
        traveller.move_to(utc(2026, 1, 19, 8, 0))
        assert auto_close_sweep() == 1
        assert auto_close_sweep() == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.satisfaction is None
    assert ticket.close_date == utc(2026, 1, 19, 8, 0)


def test_auto_close_uses_the_providers_own_delay(world):
    provider_sla_settings_set(actor=None, provider=world.provider, auto_close_days=2)
    agent = world.agent.user
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        ticket = make_ticket(world)
        ticket_transition(
            ticket=ticket, code="assign", actor=agent, team=world.team, agent=world.agent
        )
        ticket_transition(
            ticket=ticket, code="resolve", actor=agent, resolution_code="other", solution="Ok"
        )
        traveller.move_to(utc(2026, 1, 14, 8, 0))
        assert auto_close_sweep() == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_ticket_without_sla_has_no_clock(world):
    ticket = make_ticket(world)
    assert ticket.tto_deadline is None and ticket.ttr_deadline is None
    assert not SlaClock.objects.filter(ticket=ticket).exists()


def test_the_seeds_sla_fields_render(world):
    from django.template.loader import render_to_string

    office_sla(world, targets=[target(3, "tto", 1)])
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        ticket = make_ticket(world)
        html = render_to_string(
            "servicedesk/sla/_clocks.html", {"states": ticket_sla_states(ticket)}
        )
        assert 'SLA TTO dépassé ?</dt>\n  <dd class="col-5">non' in html
        assert 'Dépassement SLA TTO</dt>\n  <dd class="col-5">0s' in html
        traveller.move_to(utc(2026, 1, 12, 9, 0, 7))
        sla_threshold_sweep()
        html = render_to_string(
            "servicedesk/sla/_clocks.html", {"states": ticket_sla_states(ticket)}
        )
    assert 'SLA TTO dépassé ?</dt>\n  <dd class="col-5">oui' in html
    assert 'Dépassement SLA TTO</dt>\n  <dd class="col-5">7s' in html
    assert "12/01/2026 10:00" in html  # the deadline, in Paris time
