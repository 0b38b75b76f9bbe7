"""The console's catalogue follows the tree rule for coordinators too.

A coordinator placed on a working group (or a provider's service manager who grants
themselves the coordinator role on their own organisation) must not read the services,
contacts and documents of every provider: another tenant's service answers 404.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from esup_saas.catalog.models import Document
from esup_saas.tenancy.models import Role
from esup_saas.tenancy.services import membership_grant, organisation_create, person_create

pytestmark = pytest.mark.django_db


def _group_coordinator(world):
    group = organisation_create(name="Groupe Études", code="groupe", parent=world.root)
    person = person_create(
        first_name="Gina",
        last_name="Groupe",
        organisation=group,
        username="gina",
        password="pw",
    )
    membership_grant(person=person, organisation=group, role=Role.COORDINATOR)
    return person


def test_a_working_group_coordinator_sees_no_provider_service(world, as_user):
    doc = Document(title="Interne", kind=Document.Kind.FILE, service=world.service)
    doc.file.save("interne.pdf", ContentFile(b"%PDF-1.4"), save=True)
    client = as_user(_group_coordinator(world))
    assert list(client.get(reverse("console:service_list")).context["services"]) == []
    assert client.get(reverse("console:service_detail", args=[world.service.pk])).status_code == (
        404
    )
    url = reverse("console:service_document", args=[world.service.pk, doc.pk])
    assert client.get(url).status_code == 404


def test_a_coordinator_of_one_provider_gains_no_other_provider(world, as_user):
    # (A service manager can no longer promote themselves: tests/tenancy/test_views.py.)
    membership_grant(person=world.agent, organisation=world.provider, role=Role.COORDINATOR)
    client = as_user(world.agent)
    services = client.get(reverse("console:service_list")).context["services"]
    assert list(services) == [world.service]
    url = reverse("console:service_detail", args=[world.other_service.pk])
    assert client.get(url).status_code == 404


def test_the_consortium_coordinator_still_sees_every_service(world, as_user):
    services = as_user(world.coordinator).get(reverse("console:service_list")).context["services"]
    assert list(services) == [world.service, world.other_service]
