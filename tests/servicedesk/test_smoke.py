from esup_saas.servicedesk.models import Kind
from tests.conftest import make_ticket


def test_first_incident_gets_ref_one(world):
    ticket = make_ticket(world)
    assert ticket.kind == Kind.INCIDENT
    assert ticket.ref == "I-000001"
    assert ticket.priority == 3
