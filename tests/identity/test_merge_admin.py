"""An administrator merges two persons from the admin's person list."""

from django.test import Client
from django.urls import reverse

from esup_saas.servicedesk.models import Ticket
from esup_saas.tenancy.models import Person, User
from esup_saas.tenancy.services import person_create
from tests.conftest import make_ticket


def _admin_client() -> Client:
    User.objects.create_superuser("root", "root@example.org", "pw")
    client = Client()
    client.force_login(User.objects.get(username="root"))
    return client


def test_merge_action_moves_the_tickets_to_the_older_person(world):
    duplicate = person_create(
        first_name="Olivia",
        last_name="Owner",
        organisation=world.customer,
        email="o.owner@c1.example.org",
    )
    ticket = make_ticket(world, caller=world.owner)
    Ticket.objects.filter(pk=ticket.pk).update(caller=duplicate)
    response = _admin_client().post(
        reverse("admin:tenancy_person_changelist"),
        {"action": "merge_two_persons", "_selected_action": [world.owner.pk, duplicate.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "a été fusionnée dans Olivia Owner" in response.content.decode()
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    assert Ticket.objects.get(pk=ticket.pk).caller_id == world.owner.pk


def test_merge_action_wants_exactly_two(world):
    response = _admin_client().post(
        reverse("admin:tenancy_person_changelist"),
        {"action": "merge_two_persons", "_selected_action": [world.owner.pk]},
        follow=True,
    )
    assert "Choisissez exactement deux personnes" in response.content.decode()
    assert Person.objects.filter(pk=world.owner.pk).exists()
