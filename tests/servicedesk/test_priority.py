"""Priority = impact × urgency through the priority matrix (specs/platform.md item 12)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from esup_saas.servicedesk.models import PriorityMatrix, PriorityMatrixCell, Ticket
from esup_saas.servicedesk.selectors import (
    DEFAULT_PRIORITY_MATRIX,
    priority_for,
    priority_matrix_for,
)
from esup_saas.servicedesk.services import (
    priority_matrix_set,
    ticket_create,
    ticket_transition,
    ticket_update,
)
from esup_saas.servicedesk.workflow import Status
from tests.conftest import make_ticket

#: iTop's default matrix, cell by cell, as the spec's table writes it.
ITOP_DEFAULT = [
    # impact 1 (a department)
    (1, 1, 1),
    (1, 2, 1),
    (1, 3, 2),
    (1, 4, 4),
    # impact 2 (a service)
    (2, 1, 1),
    (2, 2, 2),
    (2, 3, 3),
    (2, 4, 4),
    # impact 3 (a person)
    (3, 1, 2),
    (3, 2, 3),
    (3, 3, 3),
    (3, 4, 4),
]

#: A matrix where every cell differs from iTop's default (5 minus the default).
INVERTED = {(i, u): 5 - p for i, u, p in ITOP_DEFAULT}


def test_the_built_in_matrix_is_itops():
    assert {(i, u): p for i, u, p in ITOP_DEFAULT} == DEFAULT_PRIORITY_MATRIX
    assert len(DEFAULT_PRIORITY_MATRIX) == 12


@pytest.mark.parametrize(("impact", "urgency", "priority"), ITOP_DEFAULT)
def test_each_cell_of_the_default_matrix(world, impact, urgency, priority):
    assert priority_for(provider_id=world.provider.pk, impact=impact, urgency=urgency) == priority
    ticket = make_ticket(world, impact=impact, urgency=urgency)
    assert ticket.priority == priority
    assert Ticket.objects.get(pk=ticket.pk).priority == priority


def test_a_provider_matrix_overrides_only_that_providers_tickets(world):
    priority_matrix_set(provider=world.provider, cells=INVERTED)
    assert priority_matrix_for(world.provider.pk) == INVERTED
    assert priority_matrix_for(world.other_provider.pk) == DEFAULT_PRIORITY_MATRIX
    # (3, 3) is 3 by default, 2 in the provider's matrix.
    on_a = make_ticket(world, impact=3, urgency=3)
    on_b = make_ticket(world, sub=world.other_incident_sub, impact=3, urgency=3)
    assert (on_a.service, on_a.priority) == (world.service, 2)
    assert (on_b.service, on_b.priority) == (world.other_service, 3)


def test_a_platform_default_matrix_overrides_the_built_in(world):
    all_two = dict.fromkeys(DEFAULT_PRIORITY_MATRIX, 2)
    priority_matrix_set(provider=None, cells=all_two)
    assert priority_matrix_for(world.other_provider.pk) == all_two
    assert make_ticket(world, sub=world.other_incident_sub, impact=1, urgency=1).priority == 2
    # ... and a provider's own matrix still wins over the platform default.
    priority_matrix_set(provider=world.provider, cells=INVERTED)
    assert make_ticket(world, impact=1, urgency=1).priority == INVERTED[(1, 1)] == 4


def test_setting_a_matrix_again_replaces_its_cells(world):
    priority_matrix_set(provider=world.provider, cells=INVERTED)
    priority_matrix_set(provider=world.provider, cells=DEFAULT_PRIORITY_MATRIX)
    assert PriorityMatrix.objects.filter(provider=world.provider).count() == 1
    assert PriorityMatrixCell.objects.filter(matrix__provider=world.provider).count() == 12
    assert priority_matrix_for(world.provider.pk) == DEFAULT_PRIORITY_MATRIX


@pytest.mark.parametrize(
    "cells",
    [
        {(1, 1): 1},  # not the 12 cells
        {**DEFAULT_PRIORITY_MATRIX, (4, 1): 1},  # a 13th cell
        {**DEFAULT_PRIORITY_MATRIX, (2, 2): 5},  # a priority out of 1-4
        {**DEFAULT_PRIORITY_MATRIX, (2, 2): 0},
    ],
)
def test_a_bad_matrix_is_refused_and_nothing_written(world, cells):
    with pytest.raises(ValidationError) as exc:
        priority_matrix_set(provider=world.provider, cells=cells)
    assert set(exc.value.message_dict) == {"cells"}
    assert not PriorityMatrix.objects.exists()
    assert not PriorityMatrixCell.objects.exists()


def test_ticket_update_recomputes_the_priority(world):
    ticket = make_ticket(world, impact=3, urgency=4)
    assert ticket.priority == 4
    ticket = ticket_update(ticket=ticket, actor=world.agent.user, urgency=1)
    assert (ticket.impact, ticket.urgency, ticket.priority) == (3, 1, 2)
    ticket = ticket_update(ticket=ticket, actor=world.agent.user, impact=1)
    assert ticket.priority == 1
    ticket.refresh_from_db()
    assert (ticket.impact, ticket.urgency, ticket.priority) == (1, 1, 1)
    assert ticket.events.filter(kind="updated").count() == 2
    assert ticket.events.filter(kind="updated").last().data == {"priority": 1}


def test_ticket_update_uses_the_matrix_in_force_now(world):
    ticket = make_ticket(world, impact=3, urgency=3)
    assert ticket.priority == 3
    priority_matrix_set(provider=world.provider, cells=INVERTED)
    ticket = ticket_update(ticket=ticket, actor=world.agent.user, title="Renommé")
    assert ticket.priority == INVERTED[(3, 3)] == 2


def test_ticket_update_is_for_the_tickets_agents(world):
    ticket = make_ticket(world, impact=3, urgency=3)
    for person in (world.owner, world.other_agent, world.outsider):
        with pytest.raises(PermissionDenied):
            ticket_update(ticket=ticket, actor=person.user, urgency=1)
    ticket.refresh_from_db()
    assert (ticket.urgency, ticket.priority) == (3, 3)


@pytest.mark.parametrize(
    ("impact", "urgency", "field"),
    [(4, 1, "impact"), (0, 2, "impact"), (1, 0, "urgency"), (2, 5, "urgency")],
)
def test_out_of_range_impact_or_urgency_is_refused_on_create(world, impact, urgency, field):
    with pytest.raises(ValidationError) as exc:
        ticket_create(
            caller=world.owner,
            subcategory=world.incident_sub,
            title="Hors matrice",
            description="x",
            impact=impact,
            urgency=urgency,
        )
    assert set(exc.value.message_dict) == {field}
    assert not Ticket.objects.exists()
    with pytest.raises(ValueError, match="outside the matrix"):
        priority_for(provider_id=None, impact=impact, urgency=urgency)


@pytest.mark.parametrize(
    ("change", "field"), [({"impact": 4}, "impact"), ({"urgency": 0}, "urgency")]
)
def test_out_of_range_impact_or_urgency_is_refused_on_update(world, change, field):
    ticket = make_ticket(world, impact=2, urgency=2)
    with pytest.raises(ValidationError) as exc:
        ticket_update(ticket=ticket, actor=world.agent.user, **change)
    assert set(exc.value.message_dict) == {field}
    ticket.refresh_from_db()
    assert (ticket.impact, ticket.urgency, ticket.priority) == (2, 2, 2)


def test_a_closed_ticket_is_not_requalified(world):
    ticket = make_ticket(world, impact=3, urgency=3)
    agent, owner = world.agent.user, world.owner.user
    ticket = ticket_transition(
        ticket=ticket, code="assign", actor=agent, team=world.team, agent=world.agent
    )
    ticket = ticket_transition(
        ticket=ticket, code="resolve", actor=agent, resolution_code="other", solution="Fait."
    )
    ticket = ticket_transition(ticket=ticket, code="close", actor=owner, satisfaction=1)
    assert ticket.status == Status.CLOSED
    with pytest.raises(ValidationError):
        ticket_update(ticket=ticket, actor=world.agent.user, urgency=1)
    ticket.refresh_from_db()
    assert (ticket.urgency, ticket.priority) == (3, 3)
