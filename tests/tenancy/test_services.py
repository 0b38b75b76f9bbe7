"""Writes of the tenancy app: organisations, people, teams and role memberships."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from esup_saas.tenancy.models import Membership, Organisation, Person, Role, Team, User
from esup_saas.tenancy.services import (
    membership_grant,
    membership_revoke,
    organisation_create,
    organisation_set_parent,
    person_create,
    team_create,
)


@pytest.fixture
def tree(world):
    """Customer One → Faculty → Lab."""
    faculty = organisation_create(name="C1 Faculty", code="c1-fac", parent=world.customer)
    lab = organisation_create(name="C1 Lab", code="c1-lab", parent=faculty)
    return faculty, lab


def parents() -> dict[str, str | None]:
    return {
        o.code: (o.parent.code if o.parent else None)
        for o in Organisation.objects.select_related("parent")
    }


# --- organisations --------------------------------------------------------------------------


def test_organisation_create_validates(world):
    with pytest.raises(ValidationError) as exc:
        organisation_create(name="Bad UAI", code="bad-uai", uai="12345")
    assert set(exc.value.message_dict) == {"uai"}
    with pytest.raises(ValidationError) as exc:
        organisation_create(name="Other name", code="c1")
    assert set(exc.value.message_dict) == {"code"}
    with pytest.raises(ValidationError) as exc:
        organisation_create(name="Same UAI", code="same-uai", uai="0000003C")
    assert exc.value.message_dict
    assert not Organisation.objects.filter(code__in=["bad-uai", "same-uai"]).exists()


@pytest.mark.parametrize(
    ("moved", "under"),
    [
        ("customer", "lab"),  # under its grandchild
        ("customer", "faculty"),  # under its child
        ("customer", "customer"),  # under itself
        ("root", "customer"),  # the root under a leaf of its tree
        ("faculty", "lab"),
    ],
)
def test_set_parent_refuses_a_cycle(world, tree, moved, under):
    faculty, lab = tree
    orgs = {"root": world.root, "customer": world.customer, "faculty": faculty, "lab": lab}
    before = parents()
    with pytest.raises(ValidationError) as exc:
        organisation_set_parent(organisation=orgs[moved], parent=orgs[under])
    assert set(exc.value.message_dict) == {"parent"}
    assert "elle-même" in exc.value.message_dict["parent"][0]
    assert parents() == before


def test_set_parent_moves_a_subtree(world, tree):
    faculty, lab = tree
    organisation_set_parent(organisation=faculty, parent=world.other_customer)
    assert parents()["c1-fac"] == "c2"
    assert parents()["c1-lab"] == "c1-fac"
    organisation_set_parent(organisation=faculty, parent=None)
    assert parents()["c1-fac"] is None
    # Moving a leaf under its former grandparent is not a cycle.
    organisation_set_parent(organisation=lab, parent=world.customer)
    assert parents()["c1-lab"] == "c1"


# --- people and teams -----------------------------------------------------------------------


def test_person_create_with_and_without_an_account(world):
    with_account = person_create(
        first_name="Léa",
        last_name="Compte",
        organisation=world.customer,
        email="lea@c1.example.org",
        username="lea",
        password="secret",
    )
    assert with_account.user is not None and with_account.user.check_password("secret")
    sso_only = person_create(
        first_name="Sam", last_name="Sso", organisation=world.customer, username="sam"
    )
    assert sso_only.user is not None and not sso_only.user.has_usable_password()
    contact = person_create(first_name="Cora", last_name="Contact", organisation=world.customer)
    assert contact.user is None


def test_person_create_refuses_bad_input_and_writes_nothing(world):
    users = User.objects.count()
    people = Person.objects.count()
    with pytest.raises(ValidationError) as exc:
        person_create(
            first_name="Bad",
            last_name="Mail",
            organisation=world.customer,
            email="not-an-email",
            username="badmail",
        )
    assert set(exc.value.message_dict) == {"email"}
    with pytest.raises(ValidationError) as exc:
        person_create(
            first_name="Twin",
            last_name="Owner",
            organisation=world.customer,
            username="owner",  # taken by the world's PCU
        )
    assert set(exc.value.message_dict) == {"username"}
    assert (User.objects.count(), Person.objects.count()) == (users, people)


def test_team_create(world):
    team = team_create(name="Support N2", organisation=world.provider, members=[world.agent])
    assert list(team.members.all()) == [world.agent]
    with pytest.raises(ValidationError):
        team_create(name="Support N2", organisation=world.provider)
    assert Team.objects.filter(name="Support N2").count() == 1
    # The same name in another organisation is fine.
    team_create(name="Support N2", organisation=world.other_provider)


# --- memberships ----------------------------------------------------------------------------


def test_membership_grant_is_idempotent(world):
    first = membership_grant(person=world.member, organisation=world.customer, role=Role.PCU)
    again = membership_grant(person=world.member, organisation=world.customer, role=Role.PCU)
    assert first.pk == again.pk
    assert Membership.objects.filter(person=world.member, role=Role.PCU).count() == 1
    # A second role on the same organisation is another membership.
    assert Membership.objects.filter(person=world.member, organisation=world.customer).count() == 2


def test_membership_grant_refuses_an_unknown_role(world):
    with pytest.raises(ValidationError) as exc:
        membership_grant(person=world.member, organisation=world.customer, role="king")
    assert set(exc.value.message_dict) == {"role"}


@pytest.fixture
def manager(world):
    """A service manager of Provider One (manages P1's subtree only)."""
    person = person_create(
        first_name="Mia", last_name="Manager", organisation=world.provider, username="mia"
    )
    membership_grant(person=person, organisation=world.provider, role=Role.SERVICE_MANAGER)
    return person


@pytest.mark.parametrize(
    ("actor", "org"),
    [
        ("owner", "customer"),  # a PCU does not manage memberships
        ("member", "customer"),
        ("agent", "provider"),  # an agent neither
        ("outsider", "customer"),  # another tenant
        ("manager", "customer"),  # a provider's manager, not the customer's
        ("manager", "other_provider"),
    ],
)
def test_membership_grant_refused_to_who_does_not_manage(world, manager, actor, org):
    person = manager if actor == "manager" else getattr(world, actor)
    organisation = getattr(world, org)
    before = Membership.objects.count()
    with pytest.raises(PermissionDenied):
        membership_grant(
            person=world.outsider, organisation=organisation, role=Role.AGENT, actor=person.user
        )
    assert Membership.objects.count() == before


def test_who_manages_may_grant_and_revoke(world, manager):
    granted = membership_grant(
        person=world.outsider, organisation=world.provider, role=Role.AGENT, actor=manager.user
    )
    assert granted.organisation == world.provider
    by_coordinator = membership_grant(
        person=world.outsider,
        organisation=world.customer,
        role=Role.END_USER,
        actor=world.coordinator.user,
    )
    superuser = User.objects.create_superuser("root", "root@example.org", "pw")
    by_superuser = membership_grant(
        person=world.member, organisation=world.other_customer, role=Role.PCU, actor=superuser
    )
    assert by_superuser.pk
    with pytest.raises(PermissionDenied):
        membership_revoke(membership=by_coordinator, actor=manager.user)
    assert Membership.objects.filter(pk=by_coordinator.pk).exists()
    membership_revoke(membership=granted, actor=manager.user)
    membership_revoke(membership=by_coordinator, actor=world.coordinator.user)
    assert not Membership.objects.filter(pk__in=[granted.pk, by_coordinator.pk]).exists()
