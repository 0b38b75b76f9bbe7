"""Notifications sent for real to an SMTP server on 127.0.0.1 (items 6, 11 of issue 3)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from esup_saas.notifications.models import OutgoingMail
from esup_saas.notifications.services import (
    mail_send_due,
    preference_set,
    trigger_configure,
)
from esup_saas.servicedesk.services import log_entry_add, ticket_transition
from esup_saas.servicedesk.sla import sla_threshold_sweep
from tests.conftest import make_ticket
from tests.servicedesk.sla_helpers import office_sla, target, utc
from tests.smtp import free_port


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (mail dispatch) of the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_ticket_created_mail_reaches_the_caller(world, smtp_server, commit):
    with commit():
        ticket = make_ticket(world, title="Envoi SMS bloqué")
    [msg] = smtp_server.to("owner@example.org")
    assert msg["Subject"] == "[I-000001] Demande enregistrée : Envoi SMS bloqué"
    assert msg["From"] == "support@esup.example.org"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert "référence I-000001" in msg.get_content()
    mail = OutgoingMail.objects.get(to_email="owner@example.org")
    assert mail.status == OutgoingMail.Status.SENT
    assert mail.attempts == 1
    assert mail.message_id == msg["Message-ID"]
    assert mail.thread_ref == ticket.ref
    assert mail.organisation == world.customer and mail.provider == world.provider


def test_english_preference_gives_an_english_mail(world, smtp_server, commit):
    preference_set(person=world.owner, language="en", opt_out=False)
    with commit():
        make_ticket(world, title="SMS stuck")
    [msg] = smtp_server.to("owner@example.org")
    assert msg["Subject"] == "[I-000001] Request received: SMS stuck"


def test_opt_out_skips_non_essential_mail_only(world, smtp_server, commit):
    preference_set(person=world.owner, language="fr", opt_out=True)
    agent = world.agent.user
    with commit():
        ticket = make_ticket(world)
    with commit():
        ticket_transition(
            ticket=ticket, code="assign", actor=agent, team=world.team, agent=world.agent
        )
    with commit():
        ticket_transition(
            ticket=ticket,
            code="resolve",
            actor=agent,
            resolution_code="other",
            solution="<p>Ok</p>",
        )
    subjects = [m["Subject"] for m in smtp_server.to("owner@example.org")]
    # created and solution given are essential; "assigned" is not and was skipped.
    assert subjects == [
        "[I-000001] Demande enregistrée : Un problème",
        "[I-000001] Solution proposée : Un problème",
    ]
    skipped = OutgoingMail.objects.get(to_email="owner@example.org", trigger="ticket_assigned")
    assert skipped.status == OutgoingMail.Status.SKIPPED
    # The agent who assigned was not mailed about their own action.
    assert not OutgoingMail.objects.filter(trigger="ticket_assigned", to_email="agent1@example.org")


def test_public_log_mail_goes_to_the_others(world, smtp_server, commit):
    agent = world.agent.user
    with commit():
        ticket = make_ticket(world)
        ticket_transition(
            ticket=ticket, code="assign", actor=agent, team=world.team, agent=world.agent
        )
    smtp_server.messages.clear()
    with commit():
        log_entry_add(ticket=ticket, actor=world.owner.user, body="<p>Toujours bloqué.</p>")
    assert [m["To"] for m in smtp_server.messages] == ["agent1@example.org"]
    assert "Toujours bloqué." in smtp_server.messages[0].get_content()


def test_failed_send_is_retried_with_backoff(world, settings, commit):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_TIMEOUT = 2
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller, commit():
        make_ticket(world)
    mail = OutgoingMail.objects.get(to_email="owner@example.org")
    assert mail.status == OutgoingMail.Status.RETRY
    assert mail.attempts == 1
    assert "ConnectionRefusedError" in mail.last_error
    assert mail.next_attempt_at == utc(2026, 1, 12, 8, 1)  # 60 s
    with time_machine.travel(utc(2026, 1, 12, 8, 0, 59), tick=False):
        assert mail_send_due() == 0  # not due yet
    with time_machine.travel(utc(2026, 1, 12, 8, 1), tick=False):
        assert mail_send_due() == 1
    mail.refresh_from_db()
    assert mail.attempts == 2
    assert mail.next_attempt_at == utc(2026, 1, 12, 8, 3)  # 120 s after the second try
    for minute in (3, 7, 15):
        with time_machine.travel(utc(2026, 1, 12, 8, minute), tick=False):
            mail_send_due()
    mail.refresh_from_db()
    assert mail.attempts == 5
    assert mail.status == OutgoingMail.Status.FAILED
    del traveller


def test_retry_succeeds_once_the_server_is_back(world, smtp_server, settings, commit):
    port = smtp_server.port
    settings.EMAIL_PORT = free_port()
    with commit():
        make_ticket(world)
    mail = OutgoingMail.objects.get(to_email="owner@example.org")
    assert mail.status == OutgoingMail.Status.RETRY
    settings.EMAIL_PORT = port
    with time_machine.travel(mail.next_attempt_at + dt.timedelta(seconds=1), tick=False):
        mail_send_due()
    mail.refresh_from_db()
    assert mail.status == OutgoingMail.Status.SENT
    assert mail.attempts == 2
    assert [m["Message-ID"] for m in smtp_server.messages] == [mail.message_id]


def test_edited_template_is_used(world, smtp_server, commit):
    trigger_configure(
        actor=world.coordinator.user,
        trigger="ticket_created",
        recipients=["caller"],
        essential=True,
        active=True,
        templates={
            "fr": ("Ticket {{ ref }} reçu", "Merci {{ caller }}, service {{ service }}."),
        },
    )
    with commit():
        make_ticket(world)
    [msg] = smtp_server.messages
    assert msg["Subject"] == "[I-000001] Ticket {{ ref }} reçu".replace("{{ ref }}", "I-000001")
    assert msg.get_content().strip() == "Merci Olivia Owner, service Service A."


def test_template_errors_and_permissions(world):
    with pytest.raises(ValidationError) as err:
        trigger_configure(
            actor=None,
            trigger="ticket_created",
            recipients=["caller"],
            essential=True,
            active=True,
            templates={"fr": ("{% if %}", "x")},
        )
    assert "subject_fr" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        trigger_configure(
            actor=None,
            trigger="ticket_created",
            recipients=["nobody"],
            essential=True,
            active=True,
            templates={},
        )
    assert "recipients" in err.value.message_dict
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        trigger_configure(
            actor=world.agent.user,
            trigger="ticket_created",
            recipients=["caller"],
            essential=True,
            active=True,
            templates={},
        )


def test_sla_breach_mail_shows_the_overrun(world, smtp_server, commit):
    office_sla(world, targets=[target(3, "tto", 1)])
    from esup_saas.tenancy.models import Role
    from esup_saas.tenancy.services import membership_grant, person_create

    manager = person_create(
        first_name="Mona", last_name="Manager", organisation=world.provider, email="mgr@p1.org"
    )
    membership_grant(person=manager, organisation=world.provider, role=Role.SERVICE_MANAGER)
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        with commit():
            make_ticket(world)
        traveller.move_to(utc(2026, 1, 12, 9, 0, 7))
        with commit():
            sla_threshold_sweep()
    subjects = sorted(m["Subject"] for m in smtp_server.to("mgr@p1.org"))
    assert subjects == [
        "[I-000001] Nouvelle demande : Un problème",
        "[I-000001] SLA TTO dépassé : Un problème",
        "[I-000001] SLA TTO à 75 % : Un problème",
    ]
    breach = next(m for m in smtp_server.to("mgr@p1.org") if "dépassé" in m["Subject"])
    body = breach.get_content()
    assert "SLA TTO dépassé ? oui" in body
    assert "Dépassement SLA TTO 7s" in body
    assert "Échéance : 12/01/2026 10:00" in body
    # The escalation is internal to the provider: the caller hears nothing of it.
    caller_subjects = [m["Subject"] for m in smtp_server.to("owner@example.org")]
    assert caller_subjects == ["[I-000001] Demande enregistrée : Un problème"]
