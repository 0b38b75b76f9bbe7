"""Which services a customer may use: contracts in production and within dates (spec item 9)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from esup_saas.catalog.models import (
    ContractStatus,
    CustomerContract,
    CustomerContractService,
    LifecycleStatus,
    RequestType,
    Service,
    ServiceSubcategory,
)
from esup_saas.catalog.selectors import (
    contracts_in_force,
    contracts_visible_to,
    service_is_open_to,
    services_open_to,
    subcategories_open_to,
)
from esup_saas.servicedesk.models import Ticket
from esup_saas.servicedesk.services import ticket_create
from esup_saas.tenancy.services import person_create

DAY = dt.date(2024, 6, 15)


@pytest.fixture
def service_c(world) -> Service:
    """A third service of Provider One that no world contract covers."""
    service = Service.objects.create(
        name="Service C", family=world.service.family, provider=world.provider
    )
    ServiceSubcategory.objects.create(
        service=service, name="Incident on C", request_type=RequestType.INCIDENT
    )
    return service


def contract(customer, provider, service, **fields) -> CustomerContract:
    values = {
        "status": ContractStatus.PRODUCTION,
        "start_date": dt.date(2024, 1, 1),
        "end_date": dt.date(2024, 12, 31),
    }
    values.update(fields)
    c = CustomerContract.objects.create(
        name=f"Convention {customer.code} {service.name} {CustomerContract.objects.count()}",
        customer=customer,
        provider=provider,
        **values,
    )
    c.full_clean()
    CustomerContractService.objects.create(contract=c, service=service)
    return c


CASES = [
    pytest.param({}, True, id="production-within-dates"),
    pytest.param({"end_date": None}, True, id="production-no-end"),
    pytest.param({"start_date": DAY}, True, id="starts-that-day"),
    pytest.param({"end_date": DAY}, True, id="ends-that-day"),
    pytest.param({"status": ContractStatus.DRAFT}, False, id="draft"),
    pytest.param({"status": ContractStatus.IMPLEMENTATION}, False, id="implementation"),
    pytest.param({"status": ContractStatus.OBSOLETE}, False, id="obsolete"),
    pytest.param({"start_date": DAY + dt.timedelta(days=1)}, False, id="not-yet-started"),
    pytest.param({"end_date": DAY - dt.timedelta(days=1)}, False, id="ended"),
    pytest.param(
        {"end_date": dt.date(2024, 3, 31), "tacit_renewal": True}, True, id="ended-tacit-renewal"
    ),
    pytest.param(
        {
            "status": ContractStatus.OBSOLETE,
            "end_date": dt.date(2024, 3, 31),
            "tacit_renewal": True,
        },
        False,
        id="obsolete-tacit-renewal",
    ),
    pytest.param(
        {"start_date": DAY + dt.timedelta(days=1), "tacit_renewal": True},
        False,
        id="not-started-tacit-renewal",
    ),
]


@pytest.mark.parametrize(("fields", "in_force"), CASES)
def test_contract_rule(world, service_c, fields, in_force):
    c = contract(world.customer, world.provider, service_c, **fields)
    assert (c in contracts_in_force([world.customer.pk], on=DAY)) is in_force
    assert (service_c in services_open_to([world.customer.pk], on=DAY)) is in_force
    assert service_is_open_to(service_c, world.customer.pk, on=DAY) is in_force
    subs = set(subcategories_open_to([world.customer.pk], on=DAY).filter(service=service_c))
    assert bool(subs) is in_force
    # Never open to another customer through this contract.
    assert not service_is_open_to(service_c, world.other_customer.pk, on=DAY)


@pytest.mark.parametrize("status", [LifecycleStatus.OBSOLETE, LifecycleStatus.IMPLEMENTATION])
def test_a_service_not_in_production_is_closed(world, service_c, status):
    c = contract(world.customer, world.provider, service_c)
    service_c.status = status
    service_c.save()
    assert c in contracts_in_force([world.customer.pk], on=DAY)  # the contract is fine...
    assert service_c not in services_open_to([world.customer.pk], on=DAY)  # ...the service not
    assert not service_is_open_to(service_c, world.customer.pk, on=DAY)
    assert not subcategories_open_to([world.customer.pk], on=DAY).filter(service=service_c)


def test_another_customers_contract_does_not_open_a_service(world, service_c):
    # Customer One's contract for C has ended; Customer Two's is in force: C is open to
    # Customer Two only (the conditions must hold on one and the same contract).
    contract(world.customer, world.provider, service_c, end_date=DAY - dt.timedelta(days=1))
    contract(world.other_customer, world.provider, service_c)
    assert service_is_open_to(service_c, world.other_customer.pk, on=DAY)
    assert not service_is_open_to(service_c, world.customer.pk, on=DAY)
    assert service_c not in services_open_to([world.customer.pk], on=DAY)
    both = services_open_to([world.customer.pk, world.other_customer.pk], on=DAY)
    assert list(both.filter(pk=service_c.pk)) == [service_c]  # listed once


def test_an_obsolete_subcategory_is_not_offered(world):
    sub = world.incident_sub
    sub.status = LifecycleStatus.OBSOLETE
    sub.save()
    offered = set(subcategories_open_to([world.customer.pk]))
    assert sub not in offered
    assert world.request_sub in offered


def test_services_open_to_lists_each_service_once_in_order(world):
    # Customer One holds two contracts covering Service A.
    contract(world.customer, world.provider, world.service, start_date=dt.date(2020, 1, 1))
    names = [s.name for s in services_open_to([world.customer.pk])]
    assert names == ["Service A", "Service B"]


def test_contracts_visible_to(world):
    c1 = set(contracts_visible_to([world.customer.pk]))
    assert {c.customer for c in c1} == {world.customer}
    assert len(c1) == 2
    p1 = set(contracts_visible_to([world.provider.pk]))
    assert {c.provider for c in p1} == {world.provider}
    assert {c.customer for c in p1} == {world.customer, world.other_customer}
    assert set(contracts_visible_to([])) == set()


# --- ticket_create follows the same rule ----------------------------------------------------


def _create(world, **overrides):
    values = {
        "caller": world.owner,
        "subcategory": world.incident_sub,
        "title": "Titre",
        "description": "Texte",
        "impact": 3,
        "urgency": 3,
    }
    values.update(overrides)
    return ticket_create(**values)


def test_ticket_create_refuses_a_service_not_open(world, service_c):
    today = timezone.localdate()
    contract(
        world.customer,
        world.provider,
        service_c,
        start_date=today - dt.timedelta(days=365),
        end_date=today - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as exc:
        _create(world, subcategory=service_c.subcategories.get())
    assert set(exc.value.message_dict) == {"subcategory"}
    assert exc.value.message_dict["subcategory"] == [
        "Le service « Service C » n'est pas ouvert à Customer One."
    ]
    assert not Ticket.objects.exists()


def test_ticket_create_refuses_an_obsolete_subcategory(world):
    sub = world.incident_sub
    sub.status = LifecycleStatus.OBSOLETE
    sub.save()
    with pytest.raises(ValidationError) as exc:
        _create(world, subcategory=sub)
    assert set(exc.value.message_dict) == {"subcategory"}
    assert not Ticket.objects.exists()


def test_ticket_create_refuses_a_caller_of_another_organisation(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, caller=world.outsider, organisation=world.customer)
    assert exc.value.message_dict == {
        "caller": ["Le demandeur doit appartenir à l'organisation cliente."]
    }
    assert not Ticket.objects.exists()


def test_ticket_create_refuses_contacts_of_another_organisation(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, contacts=[world.member, world.outsider])
    assert exc.value.message_dict == {
        "contacts": ["Les contacts doivent appartenir à l'organisation cliente."]
    }
    assert not Ticket.objects.exists()


def test_ticket_create_reports_every_bad_field_at_once(world, service_c):
    with pytest.raises(ValidationError) as exc:
        _create(
            world,
            subcategory=service_c.subcategories.get(),
            caller=world.outsider,
            organisation=world.customer,
            contacts=[world.agent],
            impact=5,
        )
    assert set(exc.value.message_dict) == {"subcategory", "caller", "contacts", "impact"}
    assert not Ticket.objects.exists()


def test_ticket_create_for_a_customer_with_its_contacts(world):
    colleague = person_create(first_name="Cléo", last_name="Collègue", organisation=world.customer)
    ticket = _create(world, contacts=[world.member, colleague])
    assert ticket.organisation == world.customer
    assert set(ticket.contacts.all()) == {world.member, colleague}
    assert all(link.notify for link in ticket.contact_links.all())
    outsider_ticket = _create(world, caller=world.outsider)
    assert outsider_ticket.organisation == world.other_customer
