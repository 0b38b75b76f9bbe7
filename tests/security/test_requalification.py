"""Requalifying a ticket onto another provider's service must not leave it with a team (and
an agent) that does not handle that service: the old provider's agent could no longer open
it, and the new provider would see it as already assigned to someone outside their reach.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from esup_saas.servicedesk.services import ticket_transition, ticket_update

from ..conftest import make_ticket

pytestmark = pytest.mark.django_db


def _assigned(world):
    ticket = make_ticket(world)
    return ticket_transition(
        ticket=ticket, code="assign", actor=world.agent.user, team=world.team, agent=world.agent
    )


def test_service_refuses_a_subcategory_the_assigned_team_does_not_handle(world):
    ticket = _assigned(world)
    with pytest.raises(ValidationError) as exc:
        ticket_update(ticket=ticket, actor=world.agent.user, subcategory=world.other_incident_sub)
    assert "subcategory" in exc.value.message_dict
    ticket.refresh_from_db()
    assert ticket.service == world.service and ticket.team == world.team


def test_console_requalification_keeps_the_ticket_with_its_team(world, as_user):
    ticket = _assigned(world)
    response = as_user(world.agent).post(
        reverse("console:ticket_qualify", args=[ticket.ref]),
        {"title": "X", "impact": 3, "urgency": 3, "subcategory": world.other_incident_sub.pk},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.service == world.service and ticket.subcategory == world.incident_sub
    assert (
        as_user(world.agent).get(reverse("console:ticket_detail", args=[ticket.ref])).status_code
        == 200
    )


def test_an_unassigned_ticket_may_still_move_to_another_provider(world):
    ticket = make_ticket(world)
    moved = ticket_update(
        ticket=ticket, actor=world.agent.user, subcategory=world.other_incident_sub
    )
    assert moved.service == world.other_service and moved.team is None
