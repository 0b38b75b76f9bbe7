"""The shared test base: two customer tenants, two providers, and a person of each role.

``world`` builds, through the service layer:

- the consortium ``ESUP`` (root) with, below it, provider ``P1`` (delivers ``Service A``) and
  provider ``P2`` (delivers ``Service B``), and customers ``Customer One`` and
  ``Customer Two``; both customers hold a contract in force for both services;
- ``owner``: the PCU of Customer One; ``member``: an end user of Customer One;
  ``outsider``: the PCU of Customer Two (another tenant);
- ``agent``: an agent of P1 in team ``Team P1``; ``other_agent``: an agent of P2 (another
  provider); ``coordinator``: a coordinator on the consortium root.

Every account's password is ``pw``. ``login(client, user)`` logs a test client in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from esup_saas.catalog.models import (
    ContractStatus,
    CustomerContract,
    CustomerContractService,
    RequestType,
    Service,
    ServiceFamily,
    ServiceSubcategory,
)
from esup_saas.tenancy.models import Organisation, Person, Role, Team
from esup_saas.tenancy.services import (
    membership_grant,
    organisation_create,
    person_create,
    team_create,
)
from tests.smtp import smtp_server  # noqa: F401  (a real SMTP server, issue 3)

PASSWORD = "pw"


@dataclass
class World:
    root: Organisation
    provider: Organisation
    other_provider: Organisation
    customer: Organisation
    other_customer: Organisation
    service: Service
    other_service: Service
    incident_sub: ServiceSubcategory
    request_sub: ServiceSubcategory
    other_incident_sub: ServiceSubcategory
    team: Team
    other_team: Team
    owner: Person
    member: Person
    outsider: Person
    agent: Person
    other_agent: Person
    coordinator: Person


def _person(first: str, last: str, org: Organisation, username: str) -> Person:
    return person_create(
        first_name=first,
        last_name=last,
        organisation=org,
        email=f"{username}@example.org",
        username=username,
        password=PASSWORD,
    )


def _contract(
    customer: Organisation, provider: Organisation, *services: Service
) -> CustomerContract:
    contract = CustomerContract.objects.create(
        name=f"Convention {customer.code} {provider.code}",
        customer=customer,
        provider=provider,
        status=ContractStatus.PRODUCTION,
        start_date=dt.date(2020, 1, 1),
        end_date=None,
    )
    for service in services:
        CustomerContractService.objects.create(contract=contract, service=service)
    return contract


def build_world() -> World:
    """Create the shared test world (see module docstring) and return it."""
    root = organisation_create(name="ESUP Test", code="esup-test", is_provider=True)
    p1 = organisation_create(
        name="Provider One", code="p1", parent=root, is_provider=True, uai="0000001A"
    )
    p2 = organisation_create(
        name="Provider Two", code="p2", parent=root, is_provider=True, uai="0000002B"
    )
    c1 = organisation_create(
        name="Customer One",
        code="c1",
        parent=root,
        is_customer=True,
        uai="0000003C",
        email_domains=["c1.example.org"],
    )
    c2 = organisation_create(
        name="Customer Two",
        code="c2",
        parent=root,
        is_customer=True,
        uai="0000004D",
        email_domains=["c2.example.org"],
    )
    family = ServiceFamily.objects.create(name="Family")
    svc_a = Service.objects.create(name="Service A", family=family, provider=p1)
    svc_b = Service.objects.create(name="Service B", family=family, provider=p2)
    inc_a = ServiceSubcategory.objects.create(
        service=svc_a, name="Incident on A", request_type=RequestType.INCIDENT
    )
    req_a = ServiceSubcategory.objects.create(
        service=svc_a, name="Request on A", request_type=RequestType.SERVICE_REQUEST
    )
    ServiceSubcategory.objects.create(
        service=svc_a, name="Change on A", request_type=RequestType.CHANGE_REQUEST
    )
    inc_b = ServiceSubcategory.objects.create(
        service=svc_b, name="Incident on B", request_type=RequestType.INCIDENT
    )
    for customer in (c1, c2):
        _contract(customer, p1, svc_a)
        _contract(customer, p2, svc_b)
    owner = _person("Olivia", "Owner", c1, "owner")
    member = _person("Marc", "Member", c1, "member")
    outsider = _person("Oscar", "Outsider", c2, "outsider")
    agent = _person("Alice", "Agent", p1, "agent1")
    other_agent = _person("Bruno", "Agent", p2, "agent2")
    coordinator = _person("Carla", "Coord", root, "coord")
    membership_grant(person=owner, organisation=c1, role=Role.PCU)
    membership_grant(person=member, organisation=c1, role=Role.END_USER)
    membership_grant(person=outsider, organisation=c2, role=Role.PCU)
    membership_grant(person=agent, organisation=p1, role=Role.AGENT)
    membership_grant(person=other_agent, organisation=p2, role=Role.AGENT)
    membership_grant(person=coordinator, organisation=root, role=Role.COORDINATOR)
    team = team_create(name="Team P1", organisation=p1, members=[agent])
    other_team = team_create(name="Team P2", organisation=p2, members=[other_agent])
    return World(
        root=root,
        provider=p1,
        other_provider=p2,
        customer=c1,
        other_customer=c2,
        service=svc_a,
        other_service=svc_b,
        incident_sub=inc_a,
        request_sub=req_a,
        other_incident_sub=inc_b,
        team=team,
        other_team=other_team,
        owner=owner,
        member=member,
        outsider=outsider,
        agent=agent,
        other_agent=other_agent,
        coordinator=coordinator,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


def login(client: Client, person: Person) -> Client:
    """Log ``client`` in as ``person`` (password ``pw``) and return it."""
    assert person.user is not None
    client.force_login(person.user)
    return client


@pytest.fixture
def as_user(client):
    """``as_user(person)`` → a test client logged in as that person."""

    def _make(person: Person) -> Client:
        c = Client()
        return login(c, person)

    return _make


@pytest.fixture(autouse=True)
def _test_settings(tmp_path, settings):
    """Uploaded files in a temp folder; a fast password hasher (tests hash many passwords)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_ticket(
    world: World,
    *,
    sub: ServiceSubcategory | None = None,
    caller: Person | None = None,
    title: str = "Un problème",
    impact: int = 3,
    urgency: int = 3,
):
    """Open a ticket through the service layer (default: an incident on Service A by owner)."""
    from esup_saas.servicedesk.services import ticket_create

    return ticket_create(
        caller=caller or world.owner,
        subcategory=sub or world.incident_sub,
        title=title,
        description="Décrit en détail.",
        impact=impact,
        urgency=urgency,
    )


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    """Celery tasks run in-process (issue 3).

    Tasks run eagerly even when ``REDIS_URL`` is set for the suite; the test of a real
    worker (``tests/servicedesk/test_worker.py``) turns this off for itself.
    """
    from esup_saas.celery import app

    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates
