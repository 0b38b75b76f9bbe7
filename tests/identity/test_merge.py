"""An administrator merges two persons: tickets, logs, contacts and roles follow."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from esup_saas.catalog.models import Service
from esup_saas.identity.models import ExternalIdentity, LoginMethod
from esup_saas.identity.services import external_login, person_merge
from esup_saas.identity.supann import claims_from_attributes
from esup_saas.servicedesk.models import LogEntry, Ticket, TicketContact, TicketEvent
from esup_saas.servicedesk.services import log_entry_add, ticket_create
from esup_saas.tenancy.models import Membership, Person, Role, User
from esup_saas.tenancy.services import person_create
from tests.conftest import make_ticket


def _sso_duplicate_of_member():
    """Marc Member logs in by CAS with a mail the platform did not know: a second person."""
    user = external_login(
        claims=claims_from_attributes(
            {
                "eduPersonPrincipalName": "mmember@c1.example.org",
                "givenName": "Marc",
                "sn": "Member",
                "mail": "marc.member@c1.example.org",
            }
        ),
        method=LoginMethod.CAS,
    )
    return user.person


def test_merge_moves_tickets_logs_contacts_roles_and_identities(world):
    keep = world.member
    drop = _sso_duplicate_of_member()
    assert drop.pk != keep.pk
    own = make_ticket(world, caller=drop, title="Ticket du doublon")
    shared = ticket_create(
        caller=world.owner,
        subcategory=world.incident_sub,
        title="Ticket partagé",
        description="Les deux fiches en contact.",
        impact=3,
        urgency=3,
        contacts=[keep, drop],
    )
    log_entry_add(ticket=own, actor=drop.user, body="Un complément du doublon.")
    world.team.members.add(drop)
    world.service.contacts.add(drop)
    drop_user_id = drop.user_id

    summary = person_merge(keep=keep, drop=drop)

    assert not Person.objects.filter(pk=drop.pk).exists()
    own.refresh_from_db()
    assert own.caller_id == keep.pk
    assert list(TicketContact.objects.filter(ticket=shared).values_list("person", flat=True)) == [
        keep.pk
    ]
    assert LogEntry.objects.get(ticket=own, body__contains="complément").author_id == keep.pk
    assert not TicketEvent.objects.filter(actor_id=drop.pk).exists()
    assert TicketEvent.objects.filter(ticket=own, actor=keep).exists()
    assert ExternalIdentity.objects.get(eppn="mmember@c1.example.org").person_id == keep.pk
    assert keep in world.team.members.all()
    assert keep in Service.objects.get(pk=world.service.pk).contacts.all()
    # Both were end users of Customer One: one role left.
    assert list(Membership.objects.filter(person=keep).values_list("organisation", "role")) == [
        (world.customer.pk, Role.END_USER)
    ]
    assert summary.moved["servicedesk.Ticket"] == 1
    assert summary.moved["identity.ExternalIdentity"] == 1
    assert summary.removed_duplicates["tenancy.Membership"] == 1
    assert summary.removed_duplicates["servicedesk.TicketContact"] == 1
    assert summary.account_deactivated and not summary.account_moved
    assert User.objects.get(pk=drop_user_id).is_active is False
    # The same eppn now logs in as the kept person.
    again = external_login(
        claims=claims_from_attributes({"eduPersonPrincipalName": "mmember@c1.example.org"}),
        method=LoginMethod.SAML,
    )
    assert again.pk == keep.user_id


def test_merge_gives_the_account_to_a_kept_person_without_one(world):
    contact = person_create(first_name="Marc", last_name="Member", organisation=world.customer)
    drop = _sso_duplicate_of_member()
    account = drop.user
    summary = person_merge(keep=contact, drop=drop)
    contact.refresh_from_db()
    assert contact.user_id == account.pk
    assert summary.account_moved
    assert User.objects.get(pk=account.pk).is_active


def test_merge_refuses_the_same_person(world):
    with pytest.raises(ValidationError):
        person_merge(keep=world.member, drop=world.member)


def test_merge_persons_command(world, capsys):
    drop = _sso_duplicate_of_member()
    make_ticket(world, caller=drop)
    call_command("merge-persons", "member", "mmember@c1.example.org")
    out = capsys.readouterr().out
    assert "servicedesk.Ticket=1" in out
    assert "dropped person's account deactivated" in out
    assert Ticket.objects.get().caller_id == world.member.pk
    assert not Person.objects.filter(pk=drop.pk).exists()
