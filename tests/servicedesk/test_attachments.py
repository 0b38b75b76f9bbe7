"""Attachments: size and type limits, content sniffing, all-or-nothing (specs item 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from esup_saas.servicedesk.models import Attachment, Kind, RefCounter, Ticket, TicketEvent
from esup_saas.servicedesk.services import attachment_add, attachment_check, ticket_create
from tests.conftest import make_ticket

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def error_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    assert set(exc.value.message_dict) == {"attachments"}
    (message,) = exc.value.message_dict["attachments"]
    return message.replace("\xa0", " ")


# --- attachment_check -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("rapport.pdf", PDF, "application/pdf"),
        ("SCAN.PDF", PDF, "application/pdf"),
        ("capture.png", PNG, "image/png"),
        ("journal.txt", b"ligne 1\nligne 2\n", "text/plain"),
        ("export.csv", "nom;prénom\n".encode(), "text/csv"),
    ],
)
def test_good_files_pass_and_are_rewound(name, content, content_type):
    uploaded = upload(name, content)
    assert attachment_check(uploaded) == content_type
    assert uploaded.read() == content  # the check left the file at its start


def test_too_big_is_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    assert attachment_check(upload("juste.txt", b"x" * 1000)) == "text/plain"
    with pytest.raises(ValidationError) as exc:
        attachment_check(upload("gros.txt", b"x" * 1001))
    assert error_of(exc) == "« gros.txt » dépasse la taille maximale de 1000 octets."


def test_too_big_message_gives_the_limit_in_megabytes(settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    with pytest.raises(ValidationError) as exc:
        attachment_check(upload("gros.pdf", PDF + b"x" * (2 * 1024 * 1024)))
    assert error_of(exc) == "« gros.pdf » dépasse la taille maximale de 2,0 Mio."


def test_empty_is_refused():
    with pytest.raises(ValidationError) as exc:
        attachment_check(upload("vide.txt", b""))
    assert error_of(exc) == "« vide.txt » est vide."


@pytest.mark.parametrize("name", ["setup.exe", "script.sh", "page.html", "sans-extension"])
def test_disallowed_types_are_refused(name):
    with pytest.raises(ValidationError) as exc:
        attachment_check(upload(name, EXE))
    assert error_of(exc) == f"« {name} » : ce type de fichier n'est pas accepté."


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("facture.pdf", EXE),  # a renamed executable
        ("facture.pdf", b"Bonjour, ceci n'est pas un PDF"),
        ("photo.png", PDF),
        ("photo.jpg", PNG),
        ("classeur.xlsx", PDF),
    ],
)
def test_content_that_does_not_match_its_extension_is_refused(name, content):
    with pytest.raises(ValidationError) as exc:
        attachment_check(upload(name, content))
    assert error_of(exc) == f"« {name} » : le contenu ne correspond pas à son extension."


# --- attachment_add -------------------------------------------------------------------------


def test_the_caller_attaches_a_file(world, settings):
    ticket = make_ticket(world)
    before = Ticket.objects.get(pk=ticket.pk).last_update
    (att,) = attachment_add(
        ticket=ticket, files=[upload("rapport.pdf", PDF)], actor=world.owner.user
    )
    att.refresh_from_db()
    assert (att.ticket, att.filename, att.content_type) == (
        ticket,
        "rapport.pdf",
        "application/pdf",
    )
    assert (att.size, att.uploaded_by, att.private) == (len(PDF), world.owner, False)
    with att.file.open("rb") as fh:
        assert fh.read() == PDF
    assert len(stored_files(settings)) == 1
    event = TicketEvent.objects.get(ticket=ticket, kind="attachment")
    assert event.data == {"files": ["rapport.pdf"], "private": False}
    assert event.actor == world.owner
    assert Ticket.objects.get(pk=ticket.pk).last_update > before


def test_an_agent_attaches_a_private_file(world):
    ticket = make_ticket(world)
    (att,) = attachment_add(
        ticket=ticket, files=[upload("trace.txt", b"stack")], actor=world.agent.user, private=True
    )
    assert att.private is True
    assert att.uploaded_by == world.agent


@pytest.mark.parametrize(
    ("person", "private"),
    [("owner", True), ("outsider", False), ("other_agent", False), ("member", False)],
)
def test_who_may_not_attach(world, settings, person, private):
    ticket = make_ticket(world)  # called by the owner: the member is neither caller nor contact
    with pytest.raises(PermissionDenied):
        attachment_add(
            ticket=ticket,
            files=[upload("rapport.pdf", PDF)],
            actor=getattr(world, person).user,
            private=private,
        )
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_one_bad_file_stores_none(world, settings):
    ticket = make_ticket(world)
    with pytest.raises(ValidationError) as exc:
        attachment_add(
            ticket=ticket,
            files=[upload("bon.pdf", PDF), upload("mauvais.exe", EXE)],
            actor=world.owner.user,
        )
    assert "mauvais.exe" in error_of(exc)
    assert not Attachment.objects.exists()
    assert not TicketEvent.objects.filter(kind="attachment").exists()
    assert stored_files(settings) == []


# --- ticket_create(attachments=...) ---------------------------------------------------------


def _create(world, files):
    return ticket_create(
        caller=world.owner,
        subcategory=world.incident_sub,
        title="Avec pièces jointes",
        description="Voir les fichiers.",
        impact=3,
        urgency=3,
        attachments=files,
    )


def test_ticket_create_with_good_files(world, settings):
    ticket = _create(world, [upload("rapport.pdf", PDF), upload("capture.png", PNG)])
    atts = list(ticket.attachments.order_by("filename"))
    assert [(a.filename, a.content_type) for a in atts] == [
        ("capture.png", "image/png"),
        ("rapport.pdf", "application/pdf"),
    ]
    assert {a.uploaded_by for a in atts} == {world.owner}
    assert len(stored_files(settings)) == 2


@pytest.mark.parametrize("bad_first", [False, True])
def test_ticket_create_with_one_bad_file_creates_nothing(world, settings, bad_first):
    files = [upload("rapport.pdf", PDF), upload("faux.pdf", EXE)]
    if bad_first:
        files.reverse()
    last_before = RefCounter.objects.filter(kind=Kind.INCIDENT).values_list("last", flat=True)
    last_before = list(last_before)
    with pytest.raises(ValidationError) as exc:
        _create(world, files)
    assert "faux.pdf" in error_of(exc)
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert not TicketEvent.objects.exists()
    assert stored_files(settings) == []
    after = list(RefCounter.objects.filter(kind=Kind.INCIDENT).values_list("last", flat=True))
    assert after == last_before  # the number was not used up either
