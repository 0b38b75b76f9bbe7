"""``esup-saas periodic``: the embedded default's stand-in for celery beat."""

from __future__ import annotations

import io

import time_machine
from django.core import mail
from django.core.management import call_command

from esup_saas.servicedesk.management.commands import periodic
from esup_saas.servicedesk.services import ticket_transition
from esup_saas.servicedesk.workflow import Status
from tests.conftest import make_ticket
from tests.servicedesk.sla_helpers import office_sla, target, utc


def test_periodic_once_runs_every_job(world, monkeypatch, mailoutbox):
    monkeypatch.setattr(periodic, "close_old_connections", lambda: None)
    office_sla(world, targets=[target(3, "tto", 1)])
    agent = world.agent.user
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        late = make_ticket(world)
        resolved = make_ticket(world)
        ticket_transition(
            ticket=resolved, code="assign", actor=agent, team=world.team, agent=world.agent
        )
        ticket_transition(
            ticket=resolved, code="resolve", actor=agent, resolution_code="other", solution="Ok"
        )
        traveller.move_to(utc(2026, 1, 20, 8, 0))
        out = io.StringIO()
        call_command("periodic", "--once", stdout=out)
    every = sorted(out.getvalue().splitlines())
    # The offers' own jobs (SMS-U: outbox and sweeper) run too; nothing waits for them here.
    offers = [line for line in every if line.startswith("sms-")]
    assert [line.split(":")[0] for line in offers] == ["sms-deliver-pending", "sms-sweep"]
    lines = [line for line in every if not line.startswith("sms-")]
    # Inside the test's transaction no on-commit dispatch ran: the safety net
    # (notify-pending) found the 4 new events (75 %, 100 %, escalated, closed) and queued
    # the caller's mail (closed; an escalation is not told to customers), which
    # mail-send-due sent.
    assert lines == [
        "auto-close: 1",
        "imap-poll: 0",
        "mail-send-due: 1",
        "notify-pending: 4",
        "sla-thresholds: {'warnings': 1, 'breaches': 1}",
    ]
    assert sorted(m.subject for m in mail.outbox) == ["[I-000002] Ticket fermé : Un problème"]
    late.refresh_from_db()
    resolved.refresh_from_db()
    assert late.status == Status.ESCALATED_TTO
    assert resolved.status == Status.CLOSED
