"""Mail in takes odd real-world mail without failing: a message that raises is handed back
to the MTA (exit 75) or left unseen in the IMAP box, and comes back at every retry or poll
for ever. Unknown or wrong charsets (``unknown-8bit``, 8-bit bytes labelled us-ascii) are
read as well as they can be."""

from __future__ import annotations

import pytest

from esup_saas.servicedesk.mail_in import mail_ingest
from esup_saas.servicedesk.models import Attachment, LogEntry
from esup_saas.servicedesk.services import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(world):
    return ticket_create(
        caller=world.owner,
        subcategory=world.incident_sub,
        title="Envoi SMS bloqué",
        description="Les SMS ne partent plus.",
        impact=3,
        urgency=3,
    )


def reply(body_headers: str, body: bytes, attachment: tuple[str, bytes] | None = None) -> bytes:
    head = (
        "From: Olivia Owner <owner@example.org>\r\n"
        "To: support@esup.example.org\r\n"
        "Subject: Re: [I-000001] Envoi SMS bloqué\r\n"
        "Message-ID: <odd-1@c1.example.org>\r\n"
        "MIME-Version: 1.0\r\n"
    ).encode()
    if attachment is None:
        return head + body_headers.encode() + b"\r\n\r\n" + body + b"\r\n"
    att_headers, payload = attachment
    return (
        head
        + b'Content-Type: multipart/mixed; boundary="BB"\r\n\r\n--BB\r\n'
        + body_headers.encode()
        + b"\r\n\r\n"
        + body
        + b"\r\n--BB\r\n"
        + att_headers.encode()
        + b"\r\n\r\n"
        + payload
        + b"\r\n--BB--\r\n"
    )


def public_text(ticket) -> str:
    return " ".join(
        e.body for e in ticket.log_entries.filter(visibility=LogEntry.Visibility.PUBLIC)
    )


@pytest.mark.parametrize("charset", ["unknown-8bit", "x-no-such-charset"])
def test_body_in_an_unknown_charset_is_read_as_utf8(ticket, charset):
    raw = reply(
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit",
        "Toujours bloqué".encode(),
    )
    assert mail_ingest(raw=raw).status == "threaded"
    assert "Toujours bloqué" in public_text(ticket)


@pytest.mark.parametrize(
    "charset, payload",
    [
        ("us-ascii", "journal: café, déjà".encode("latin-1")),
        ("x-no-such-charset", b"journal"),
    ],
)
def test_text_attachment_is_stored_as_sent_whatever_its_charset(ticket, charset, payload):
    raw = reply(
        "Content-Type: text/plain; charset=utf-8",
        b"Voici le journal.",
        (
            f'Content-Type: text/plain; charset="{charset}"; name="journal.txt"\r\n'
            'Content-Disposition: attachment; filename="journal.txt"\r\n'
            "Content-Transfer-Encoding: 8bit",
            payload,
        ),
    )
    assert mail_ingest(raw=raw).status == "threaded"
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.filename == "journal.txt"
    with attachment.file.open("rb") as stored:
        assert stored.read() == payload
