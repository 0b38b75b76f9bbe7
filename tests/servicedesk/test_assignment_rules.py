"""Rules found while reviewing the service layer: who a ticket may go to, closed tickets,
binary files named as text, and who the first history line names."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from esup_saas.catalog.models import SupportModel, SupportModelLine
from esup_saas.servicedesk.models import Attachment
from esup_saas.servicedesk.services import attachment_add, attachment_check, ticket_transition
from tests.conftest import make_ticket


def _resolved_ticket(world):
    ticket = make_ticket(world)
    actor = world.agent.user
    ticket_transition(ticket=ticket, code="assign", actor=actor, team=world.team, agent=world.agent)
    ticket_transition(
        ticket=ticket, code="resolve", actor=actor, resolution_code="other", solution="Fait."
    )
    return ticket


def test_a_team_of_another_provider_cannot_take_the_ticket(world):
    ticket = make_ticket(world)  # Service A, provided by P1
    with pytest.raises(ValidationError) as exc:
        ticket_transition(
            ticket=ticket,
            code="assign",
            actor=world.coordinator.user,
            team=world.other_team,
            agent=world.other_agent,
        )
    assert exc.value.message_dict["team"] == [
        "L'équipe « Team P2 » ne traite pas le service « Service A »."
    ]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.team_id, ticket.agent_id) == ("new", None, None)


def test_a_support_model_lets_another_team_take_the_ticket(world):
    model = SupportModel.objects.create(name="Support C1", customer=world.customer)
    SupportModelLine.objects.create(
        support_model=model, service=world.service, team=world.other_team
    )
    ticket = make_ticket(world)
    ticket = ticket_transition(
        ticket=ticket,
        code="assign",
        actor=world.coordinator.user,
        team=world.other_team,
        agent=world.other_agent,
    )
    assert (ticket.status, ticket.team_id) == ("assigned", world.other_team.pk)


def test_the_portal_cannot_attach_to_a_closed_ticket(world):
    ticket = _resolved_ticket(world)
    ticket = ticket_transition(ticket=ticket, code="close", actor=world.owner.user, satisfaction=1)
    upload = SimpleUploadedFile("note.txt", b"Merci !", content_type="text/plain")
    with pytest.raises(ValidationError) as exc:
        attachment_add(ticket=ticket, files=[upload], actor=world.owner.user)
    assert exc.value.message_dict["attachments"] == ["Ce ticket est fermé."]
    assert Attachment.objects.filter(ticket=ticket).count() == 0


def test_a_binary_file_named_txt_is_refused():
    upload = SimpleUploadedFile(
        "notes.txt", b"MZ\x90\x00\x03\x00\x00\x00", content_type="text/plain"
    )
    with pytest.raises(ValidationError) as exc:
        attachment_check(upload)
    assert exc.value.message_dict["attachments"] == [
        "« notes.txt » : le contenu ne correspond pas à son extension."
    ]


def test_the_first_history_line_names_the_caller(world):
    ticket = make_ticket(world)
    first = ticket.history.earliest("history_date")
    assert first.history_type == "+"
    assert first.history_user_id == world.owner.user.pk


def test_huge_texts_are_refused_with_the_limit(world):
    from esup_saas.servicedesk.models import LogEntry, Ticket
    from esup_saas.servicedesk.services import MAX_TEXT_CHARS, log_entry_add, ticket_create

    with pytest.raises(ValidationError) as exc:
        ticket_create(
            caller=world.owner,
            subcategory=world.incident_sub,
            title="Gros",
            description="x" * (MAX_TEXT_CHARS + 1),
            impact=3,
            urgency=3,
        )
    assert exc.value.message_dict["description"] == [
        "Ce texte dépasse 50\u202f000 caractères ; joignez plutôt un fichier."
    ]
    assert not Ticket.objects.filter(title="Gros").exists()
    ticket = make_ticket(world)
    with pytest.raises(ValidationError) as exc:
        log_entry_add(ticket=ticket, actor=world.owner.user, body="y" * (MAX_TEXT_CHARS + 1))
    assert "body" in exc.value.message_dict
    assert LogEntry.objects.filter(ticket=ticket).count() == 0
