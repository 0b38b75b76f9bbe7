"""Odd input answers with a message or a 404, never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ..conftest import make_ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["²", "①", "99999999999999999999999", "-1", "1e3", ""])
def test_bulk_assign_ignores_ticket_ids_that_are_not_ids(world, as_user, value):
    ticket = make_ticket(world)
    response = as_user(world.agent).post(
        reverse("console:ticket_bulk_assign"),
        {"tickets": [value], "team": world.team.pk, "agent": world.agent.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "Sélectionnez au moins un ticket." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.agent is None


def test_new_request_refuses_a_contact_id_beyond_64_bits(world, as_user):
    response = as_user(world.owner).post(
        reverse("portal:new_form", args=[world.incident_sub.pk]),
        {
            "title": "T",
            "description": "D",
            "impact": 3,
            "urgency": 3,
            "contacts": ["99999999999999999999999"],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("contacts", "invalid_choice")
    assert not world.owner.called_tickets.exists()


def test_portal_download_of_a_file_missing_on_disk_answers_404(world, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from esup_saas.servicedesk.services import attachment_add

    ticket = make_ticket(world)
    upload = SimpleUploadedFile("perdu.txt", b"x", content_type="text/plain")
    att = attachment_add(ticket=ticket, files=[upload], actor=world.owner.user)[0]
    att.file.storage.delete(att.file.name)
    url = reverse("portal:attachment", args=[ticket.ref, att.pk])
    assert as_user(world.owner).get(url).status_code == 404
