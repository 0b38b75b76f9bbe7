"""Mail in with real-shaped messages from ``eml/`` (items 7 and 11 of issue 3)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from esup_saas import cli
from esup_saas.notifications.models import OutgoingMail
from esup_saas.servicedesk.mail_in import mail_ingest
from esup_saas.servicedesk.models import (
    Attachment,
    InboundMail,
    LogEntry,
    MailInbox,
    Origin,
    Ticket,
)
from esup_saas.servicedesk.services import ticket_create, ticket_transition

EML = Path(__file__).parent / "eml"


def eml(name: str) -> bytes:
    return (EML / name).read_bytes()


@pytest.fixture
def inbox(world):
    return MailInbox.objects.create(
        address="support-a@esup.example.org", service=world.service, subcategory=world.incident_sub
    )


@pytest.fixture
def ticket(world):
    """I-000001 by Olivia Owner, Marc Member as a contact."""
    return ticket_create(
        caller=world.owner,
        subcategory=world.incident_sub,
        title="Envoi SMS bloqué",
        description="Les SMS ne partent plus.",
        impact=3,
        urgency=3,
        contacts=[world.member],
    )


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def public_log(ticket):
    return list(ticket.log_entries.filter(visibility=LogEntry.Visibility.PUBLIC))


def test_reply_with_subject_tag_quoted_printable_is_trimmed(world, ticket):
    result = mail_ingest(raw=eml("reply_tag_quoted_printable.eml"))
    assert (result.status, result.ticket_ref) == ("threaded", "I-000001")
    [entry] = public_log(ticket)
    assert entry.author == world.owner
    assert entry.body == (
        "<p>Bonjour,</p><p>Le problème persiste après la mise à jour : les SMS restent à "
        "l'état « en attente ».</p>"
    )
    record = InboundMail.objects.get()
    assert record.message_id == "<a1b2c3d4-5e6f-4a1b-9c8d-7e6f5a4b3c2d@c1.example.org>"
    assert record.ticket == ticket
    assert record.subject == "Re: [I-000001] Demande enregistrée : Envoi SMS bloqué"


def test_outlook_reply_threads_by_in_reply_to(world, ticket):
    OutgoingMail.objects.create(
        trigger="ticket_created",
        to_email="member@example.org",
        language="fr",
        subject="[I-000001] Demande enregistrée : Envoi SMS bloqué",
        body="…",
        message_id="<177000000000.4242.1234567890123456789@esup.example.org>",
        thread_ref="I-000001",
    )
    result = mail_ingest(raw=eml("reply_in_reply_to_outlook.eml"))
    assert (result.status, result.ticket_ref) == ("threaded", "I-000001")
    [entry] = public_log(ticket)
    assert entry.author == world.member
    # iso-8859-1 quoted-printable decoded; the Outlook header block and what follows cut.
    assert entry.body == (
        "<p>Je confirme, même chose de mon côté depuis ce matin.</p><p>Cordialement,<br>Marc</p>"
    )


def test_html_only_mail_to_a_service_address_opens_a_ticket(world, inbox):
    result = mail_ingest(raw=eml("new_html_only.eml"))
    assert result.status == "created"
    ticket = Ticket.objects.get()
    assert result.ticket_ref == ticket.ref == "I-000001"
    assert ticket.title == "Export des statistiques impossible"
    assert ticket.caller == world.owner
    assert ticket.organisation == world.customer
    assert ticket.service == world.service
    assert ticket.origin == Origin.MAIL
    assert ticket.description == (
        "<p>Bonjour,</p><p>L'export CSV des statistiques renvoie une erreur 500 depuis hier.<br>"
        "Merci de regarder.</p>"
    )


def test_rfc2231_attachment_name_and_refused_executable(world, inbox):
    result = mail_ingest(raw=eml("new_with_rfc2231_attachment.eml"))
    assert result.status == "created"
    ticket = Ticket.objects.get()
    assert ticket.title == "Bordereau illisible"
    assert ticket.caller == world.member
    [attachment] = Attachment.objects.filter(ticket=ticket)
    assert attachment.filename == "résultat été 2026.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.file.read().startswith(b"%PDF-1.4")
    [note] = ticket.log_entries.filter(visibility=LogEntry.Visibility.PRIVATE)
    assert "outil.exe" in note.body
    assert "Marc Member" not in ticket.description  # signature trimmed


def test_unknown_sender_gets_a_polite_refusal(world, inbox, smtp_server, commit):
    with commit():
        result = mail_ingest(raw=eml("unknown_sender.eml"))
    assert result.status == "refused"
    assert not Ticket.objects.exists()
    [reply] = smtp_server.messages
    assert reply["To"] == "curious.visitor@mail.example.net"
    assert reply["Subject"] == "Re: Demande d'information"
    assert reply["In-Reply-To"] == "<5f2e1d0c-9b8a-4765-8432-1a0b9c8d7e6f@mail.example.net>"
    assert reply["Auto-Submitted"] == "auto-generated"
    assert "Nous n'avons pas pu enregistrer votre message" in reply.get_content()


def test_reply_from_another_tenant_never_reaches_the_ticket(world, ticket, smtp_server, commit):
    with commit():
        result = mail_ingest(raw=eml("other_tenant_reply.eml"))
    assert result.status == "refused"
    assert public_log(ticket) == []
    [reply] = smtp_server.to("outsider@example.org")
    assert "n'est pas autorisée" in reply.get_content()
    assert "Les SMS ne partent plus" not in reply.get_content()


def test_automatic_replies_are_ignored_without_answer(world, ticket, smtp_server, commit):
    with commit():
        result = mail_ingest(raw=eml("auto_reply.eml"))
    assert result.status == "ignored"
    assert public_log(ticket) == []
    assert smtp_server.messages == []


def test_the_same_message_twice_is_ingested_once(world, ticket):
    assert mail_ingest(raw=eml("reply_tag_quoted_printable.eml")).status == "threaded"
    assert mail_ingest(raw=eml("reply_tag_quoted_printable.eml")).status == "duplicate"
    assert len(public_log(ticket)) == 1


def test_reply_to_a_closed_ticket_is_refused(world, ticket):
    agent = world.agent.user
    ticket_transition(ticket=ticket, code="assign", actor=agent, team=world.team, agent=world.agent)
    ticket_transition(
        ticket=ticket, code="resolve", actor=agent, resolution_code="other", solution="Ok"
    )
    ticket_transition(ticket=ticket, code="auto_close", actor=None)
    result = mail_ingest(raw=eml("reply_tag_quoted_printable.eml"))
    assert result.status == "refused"
    assert "fermé" in result.reason
    assert public_log(ticket) == []


@pytest.fixture
def keep_connection(monkeypatch):
    """``run_from_argv`` closes every connection when a command ends: keep the test's."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_ingest_mail_command_reads_standard_input(
    world, ticket, monkeypatch, capsys, keep_connection
):
    raw = eml("reply_tag_quoted_printable.eml")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    cli.main(["esup-saas", "ingest-mail"])
    assert capsys.readouterr().out.strip() == "threaded I-000001"
    assert len(public_log(ticket)) == 1


def test_ingest_mail_command_with_empty_input_asks_the_mta_to_retry(
    world, monkeypatch, keep_connection
):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["esup-saas", "ingest-mail"])
    assert exit_info.value.code == 75


def test_imap_poll_ingests_unseen_messages_once(world, ticket, inbox, settings):
    from esup_saas.servicedesk.mail_in import imap_poll
    from tests.imap import ImapServer

    assert imap_poll() == 0  # no IMAP_HOST: nothing to do
    raws = [eml("reply_tag_quoted_printable.eml"), eml("new_html_only.eml")]
    with ImapServer("support", "s3cret", raws) as server:
        settings.IMAP_HOST, settings.IMAP_PORT, settings.IMAP_SSL = "127.0.0.1", server.port, False
        settings.IMAP_USER, settings.IMAP_PASSWORD = "support", "s3cret"
        assert imap_poll() == 2
        assert [seen for _raw, seen in server.messages.values()] == [True, True]
        assert imap_poll() == 0  # nothing unseen left
    assert len(public_log(ticket)) == 1
    assert Ticket.objects.get(number=2).title == "Export des statistiques impossible"
    assert set(InboundMail.objects.values_list("status", flat=True)) == {"threaded", "created"}
