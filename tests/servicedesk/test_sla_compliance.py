"""SLA compliance per provider, service, customer and month: table, CSV and tenancy."""

from __future__ import annotations

import time_machine

from esup_saas.servicedesk.services import ticket_transition
from esup_saas.servicedesk.sla import sla_threshold_sweep
from tests.catalog.test_sla_views import manager_of
from tests.conftest import make_ticket
from tests.servicedesk.sla_helpers import office_sla, target, utc


def _tickets(world):
    """January 2026: I-000001 resolved in time, I-000002 late on TTO and TTR."""
    office_sla(world, targets=[target(3, "tto", 1), target(3, "ttr", 2)])
    agent = world.agent.user
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        first = make_ticket(world)
        make_ticket(world)  # I-000002, left late
        traveller.move_to(utc(2026, 1, 12, 8, 30))
        ticket_transition(
            ticket=first, code="assign", actor=agent, team=world.team, agent=world.agent
        )
        ticket_transition(
            ticket=first, code="resolve", actor=agent, resolution_code="other", solution="Ok"
        )
        traveller.move_to(utc(2026, 1, 12, 13, 0))
        sla_threshold_sweep()


def test_compliance_table_and_csv(world, as_user):
    _tickets(world)
    manager = manager_of(world.provider, "mgr1")
    client = as_user(manager)
    with time_machine.travel(utc(2026, 2, 1, 12, 0), tick=False):
        response = client.get("/console/sla/reports/compliance/?from=2026-01&to=2026-01")
        csv_response = client.get(
            "/console/sla/reports/compliance/?from=2026-01&to=2026-01&format=csv"
        )
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert (row.month, row.provider, row.service, row.customer) == (
        "2026-01",
        "Provider One",
        "Service A",
        "Customer One",
    )
    assert (row.met, row.total) == ({"tto": 1, "ttr": 1}, {"tto": 2, "ttr": 2})
    assert (row.tto_rate, row.ttr_rate) == (50.0, 50.0)
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    text = csv_response.content.decode("utf-8")
    assert text.startswith("\ufeffMois;Fournisseur;Service;Client;TTO respectés;")
    assert text.splitlines()[1] == "2026-01;Provider One;Service A;Customer One;1;2;50,0;1;2;50,0"


def test_compliance_is_scoped_to_the_users_providers(world, as_user):
    _tickets(world)
    other = manager_of(world.other_provider, "mgr2")
    client = as_user(other)
    with time_machine.travel(utc(2026, 2, 1, 12, 0), tick=False):
        response = client.get("/console/sla/reports/compliance/?from=2026-01&to=2026-01")
        assert response.status_code == 200
        assert response.context["rows"] == []
        # Filtering on a provider one does not work for: 404, as a missing one.
        assert client.get("/console/sla/reports/compliance/?provider=p1").status_code == 404
        assert client.get("/console/sla/reports/compliance/?provider=nope").status_code == 404
    assert as_user(world.owner).get("/console/sla/reports/compliance/").status_code == 404
