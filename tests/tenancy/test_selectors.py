"""Tenancy scoping: organisation trees, roles, and which tickets each person sees.

The rule that must never break (DESIGN.md section 3): a role on an organisation applies to
its subtree; a provider's agents see the tickets of the services it delivers, for every
customer; a PCU sees their organisation's tickets; an end user sees their own; another
tenant's ticket answers 404 exactly like a missing one.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from esup_saas.catalog.models import ContractStatus, CustomerContract, CustomerContractService
from esup_saas.servicedesk.selectors import get_ticket_for_user, tickets_for_user
from esup_saas.servicedesk.services import ticket_create
from esup_saas.tenancy.models import CONSOLE_ROLES, Organisation, Role, User
from esup_saas.tenancy.selectors import (
    can_use_console,
    can_use_portal,
    get_organisation_for_user,
    manageable_organisation_ids,
    organisation_descendant_ids,
    organisation_ids_for,
    organisation_tree,
    teams_for_user,
    user_roles,
)
from esup_saas.tenancy.services import membership_grant, organisation_create, person_create
from tests.conftest import make_ticket


@pytest.fixture
def tree(world):
    """Customer One → Faculty → Lab: a third level below the world's root."""
    faculty = organisation_create(name="C1 Faculty", code="c1-fac", parent=world.customer)
    lab = organisation_create(name="C1 Lab", code="c1-lab", parent=faculty)
    return faculty, lab


def ids(*orgs: Organisation) -> set[int]:
    return {o.pk for o in orgs}


# --- organisation trees ---------------------------------------------------------------------


def test_descendants_on_a_three_level_tree(world, tree):
    faculty, lab = tree
    w = world
    everything = ids(
        w.root, w.provider, w.other_provider, w.customer, w.other_customer, faculty, lab
    )
    assert organisation_descendant_ids([w.root.pk]) == everything
    assert organisation_descendant_ids([w.customer.pk]) == ids(w.customer, faculty, lab)
    assert organisation_descendant_ids([faculty.pk]) == ids(faculty, lab)
    assert organisation_descendant_ids([lab.pk]) == ids(lab)
    assert organisation_descendant_ids([faculty.pk, w.provider.pk]) == ids(faculty, lab, w.provider)
    assert organisation_descendant_ids([w.customer.pk, lab.pk]) == ids(w.customer, faculty, lab)
    assert organisation_descendant_ids([]) == set()
    assert organisation_descendant_ids(iter([lab.pk])) == ids(lab)


def test_organisation_tree_lists_depths_in_order(world, tree):
    faculty, lab = tree
    rows = [(org.code, depth) for org, depth in organisation_tree()]
    assert rows == [
        ("esup-test", 0),
        ("c1", 1),
        ("c1-fac", 2),
        ("c1-lab", 3),
        ("c2", 1),
        ("p1", 1),
        ("p2", 1),
    ]
    # Restricted to a subtree whose parent is not listed, it starts as a root.
    assert [(o.code, d) for o, d in organisation_tree(ids(faculty, lab))] == [
        ("c1-fac", 0),
        ("c1-lab", 1),
    ]


# --- roles ----------------------------------------------------------------------------------


def test_organisation_ids_for_each_role(world, tree):
    faculty, lab = tree
    w = world
    c1_subtree = ids(w.customer, faculty, lab)
    assert organisation_ids_for(w.owner.user, [Role.PCU]) == c1_subtree
    assert organisation_ids_for(w.owner.user, [Role.END_USER]) == set()
    assert organisation_ids_for(w.owner.user, CONSOLE_ROLES) == set()
    assert organisation_ids_for(w.member.user, [Role.END_USER]) == c1_subtree
    assert organisation_ids_for(w.member.user, [Role.PCU]) == set()
    assert organisation_ids_for(w.outsider.user, [Role.PCU]) == ids(w.other_customer)
    assert organisation_ids_for(w.agent.user, [Role.AGENT]) == ids(w.provider)
    assert organisation_ids_for(w.agent.user, CONSOLE_ROLES) == ids(w.provider)
    assert organisation_ids_for(w.other_agent.user, CONSOLE_ROLES) == ids(w.other_provider)
    assert organisation_ids_for(w.coordinator.user, [Role.COORDINATOR]) == set(
        Organisation.objects.values_list("pk", flat=True)
    )
    assert organisation_ids_for(w.coordinator.user, [Role.PCU]) == set()


def test_a_role_held_lower_in_the_tree_does_not_climb(world, tree):
    faculty, lab = tree
    membership_grant(person=world.outsider, organisation=faculty, role=Role.END_USER)
    assert organisation_ids_for(world.outsider.user, [Role.END_USER]) == ids(faculty, lab)
    assert organisation_ids_for(world.outsider.user, [Role.PCU]) == ids(world.other_customer)


def test_superuser_sees_every_organisation(world, tree):
    root = User.objects.create_superuser("root", "root@example.org", "pw")  # no person at all
    everything = set(Organisation.objects.values_list("pk", flat=True))
    assert len(everything) == 7
    assert organisation_ids_for(root, [Role.PCU]) == everything
    assert organisation_ids_for(root, CONSOLE_ROLES) == everything
    assert Role.COORDINATOR in user_roles(root)
    assert can_use_console(root)
    assert manageable_organisation_ids(root) == everything


def test_anonymous_and_personless_accounts_see_nothing(world):
    bare = User.objects.create_user("bare", "bare@example.org", "pw")
    for user in (AnonymousUser(), bare):
        assert organisation_ids_for(user, list(Role.values)) == set()
        assert user_roles(user) == set()
        assert not can_use_console(user)
        assert not can_use_portal(user)


def test_user_roles_and_entry_points(world):
    assert user_roles(world.owner.user) == {Role.PCU}
    assert can_use_portal(world.owner.user) and not can_use_console(world.owner.user)
    assert can_use_portal(world.member.user)
    assert can_use_console(world.agent.user) and not can_use_portal(world.agent.user)
    assert can_use_console(world.coordinator.user)


def test_get_organisation_for_user(world):
    assert get_organisation_for_user(world.coordinator.user, "c1") == world.customer
    assert get_organisation_for_user(world.agent.user, "p1") == world.provider
    for code in ("p2", "c1", "does-not-exist"):
        with pytest.raises(Http404):
            get_organisation_for_user(world.agent.user, code)
    assert get_organisation_for_user(world.owner.user, "c1", [Role.PCU]) == world.customer
    with pytest.raises(Http404):
        get_organisation_for_user(world.owner.user, "c2", [Role.PCU])


def test_teams_for_user(world):
    assert list(teams_for_user(world.agent.user)) == [world.team]
    assert list(teams_for_user(world.other_agent.user)) == [world.other_team]
    assert set(teams_for_user(world.coordinator.user)) == {world.team, world.other_team}
    assert list(teams_for_user(world.owner.user)) == []


def test_manageable_organisations(world):
    manager = person_create(
        first_name="Mia", last_name="Manager", organisation=world.provider, username="mia"
    )
    membership_grant(person=manager, organisation=world.provider, role=Role.SERVICE_MANAGER)
    assert manageable_organisation_ids(manager.user) == ids(world.provider)
    assert manageable_organisation_ids(world.agent.user) == set()
    assert manageable_organisation_ids(world.owner.user) == set()
    assert manageable_organisation_ids(world.coordinator.user) == set(
        Organisation.objects.values_list("pk", flat=True)
    )


# --- ticket scopes --------------------------------------------------------------------------


@pytest.fixture
def tickets(world):
    """Tickets of both customers on both services, by name."""
    w = world

    def create(caller, sub, title, contacts=()):
        return ticket_create(
            caller=caller,
            subcategory=sub,
            title=title,
            description="x",
            impact=3,
            urgency=3,
            contacts=contacts,
        )

    return {
        "owner_a": create(w.owner, w.incident_sub, "Owner on A"),
        "owner_b": create(w.owner, w.other_incident_sub, "Owner on B"),
        "owner_a_contact": create(w.owner, w.request_sub, "Owner, member in copy", [w.member]),
        "member_a": create(w.member, w.incident_sub, "Member on A", [w.member]),
        "outsider_a": create(w.outsider, w.incident_sub, "Outsider on A"),
        "outsider_b": create(w.outsider, w.other_incident_sub, "Outsider on B"),
    }


def names(qs, tickets) -> set[str]:
    by_pk = {t.pk: name for name, t in tickets.items()}
    pks = list(qs.values_list("pk", flat=True))
    assert len(pks) == len(set(pks)), "a ticket is listed twice"
    return {by_pk[pk] for pk in pks}


def test_pcu_sees_every_ticket_of_their_organisation(world, tickets):
    seen = names(tickets_for_user(world.owner.user, "portal"), tickets)
    assert seen == {"owner_a", "owner_b", "owner_a_contact", "member_a"}


def test_end_user_sees_their_own_and_those_they_are_a_contact_of(world, tickets):
    seen = names(tickets_for_user(world.member.user, "portal"), tickets)
    assert seen == {"member_a", "owner_a_contact"}


def test_outsider_sees_none_of_customer_ones_tickets(world, tickets):
    seen = names(tickets_for_user(world.outsider.user, "portal"), tickets)
    assert seen == {"outsider_a", "outsider_b"}


def test_agent_sees_their_services_tickets_of_every_customer(world, tickets):
    seen = names(tickets_for_user(world.agent.user, "console"), tickets)
    assert seen == {"owner_a", "owner_a_contact", "member_a", "outsider_a"}


def test_other_agent_sees_none_of_service_a(world, tickets):
    seen = names(tickets_for_user(world.other_agent.user, "console"), tickets)
    assert seen == {"owner_b", "outsider_b"}


def test_coordinator_sees_every_ticket(world, tickets):
    assert names(tickets_for_user(world.coordinator.user, "console"), tickets) == set(tickets)


def test_each_side_sees_nothing_in_the_other_scope(world, tickets):
    assert names(tickets_for_user(world.agent.user, "portal"), tickets) == set()
    assert names(tickets_for_user(world.coordinator.user, "portal"), tickets) == set()
    assert names(tickets_for_user(world.owner.user, "console"), tickets) == set()
    assert names(tickets_for_user(world.member.user, "console"), tickets) == set()
    assert names(tickets_for_user(AnonymousUser(), "portal"), tickets) == set()
    assert names(tickets_for_user(AnonymousUser(), "console"), tickets) == set()


def test_pcu_of_a_parent_sees_the_tickets_of_organisations_below(world, tree):
    faculty, _lab = tree
    contract = CustomerContract.objects.create(
        name="Convention faculté",
        customer=faculty,
        provider=world.provider,
        status=ContractStatus.PRODUCTION,
        start_date=dt.date(2020, 1, 1),
    )
    CustomerContractService.objects.create(contract=contract, service=world.service)
    dean = person_create(first_name="Dora", last_name="Dean", organisation=faculty)
    ticket = make_ticket(world, caller=dean)
    assert ticket.organisation == faculty
    assert list(tickets_for_user(world.owner.user, "portal")) == [ticket]
    assert list(tickets_for_user(world.member.user, "portal")) == []
    assert list(tickets_for_user(world.outsider.user, "portal")) == []


def test_get_ticket_for_user_gives_the_same_404_for_foreign_malformed_and_missing(world, tickets):
    ref = tickets["owner_a"].ref
    assert get_ticket_for_user(world.owner.user, ref, "portal") == tickets["owner_a"]
    assert get_ticket_for_user(world.agent.user, ref, "console") == tickets["owner_a"]
    failures = [
        (world.outsider.user, ref, "portal"),  # another tenant
        (world.other_agent.user, ref, "console"),  # another provider
        (world.member.user, ref, "portal"),  # same tenant, not theirs
        (world.agent.user, ref, "portal"),  # right ticket, wrong scope
        (world.owner.user, "I-1", "portal"),  # malformed
        (world.owner.user, "../I-000001", "portal"),  # malformed
        (world.owner.user, "I-999999", "portal"),  # missing
        (world.owner.user, "R-000042", "portal"),  # missing
    ]
    messages = set()
    for user, text, scope in failures:
        with pytest.raises(Http404) as exc:
            get_ticket_for_user(user, text, scope)
        assert type(exc.value) is Http404
        messages.add(str(exc.value))
    assert len(messages) == 1
