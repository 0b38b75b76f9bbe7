"""Read-only catalogue pages of the console: services and conventions, scoped per provider.

``agent`` works for P1 (Service A): they see Service A and the contracts where P1 is the
provider; Service B and P2's contracts answer 404. The coordinator sees everything.
"""

from __future__ import annotations

import html

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from esup_saas.catalog.models import CustomerContract, Document

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def contract_of(provider, customer) -> CustomerContract:
    return CustomerContract.objects.get(provider=provider, customer=customer)


def test_customer_pcu_gets_403(world, as_user):
    client = as_user(world.owner)
    assert client.get(reverse("console:service_list")).status_code == 403
    assert client.get(reverse("console:contract_list")).status_code == 403


def test_agent_lists_the_services_of_their_provider(world, as_user):
    response = as_user(world.agent).get(reverse("console:service_list"))
    assert response.status_code == 200
    assert list(response.context["services"]) == [world.service]
    assert "Service B" not in text(response)


def test_coordinator_lists_every_service(world, as_user):
    response = as_user(world.coordinator).get(reverse("console:service_list"))
    assert list(response.context["services"]) == [world.service, world.other_service]


def test_service_page_shows_subcategories_documents_links_and_contacts(world, as_user):
    world.service.contacts.add(world.agent)
    Document.objects.create(
        title="Wiki SMS-U",
        kind=Document.Kind.LINK,
        url="https://wiki.example.org/smsu",
        service=world.service,
    )
    doc = Document(title="Guide d'installation", kind=Document.Kind.FILE, service=world.service)
    doc.file.save("guide.txt", ContentFile(b"Installer"), save=True)
    client = as_user(world.agent)
    response = client.get(reverse("console:service_detail", args=[world.service.pk]))
    assert response.status_code == 200
    body = text(response)
    for expected in (
        "Incident on A",
        "Request on A",
        "Change on A",
        "Wiki SMS-U",
        "https://wiki.example.org/smsu",
        "Guide d'installation",
        "Alice Agent",
        "Convention c1 p1",
    ):
        assert expected in body, expected
    download = client.get(reverse("console:service_document", args=[world.service.pk, doc.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"Installer"


def test_another_providers_service_answers_404(world, as_user):
    doc = Document.objects.create(
        title="Lien B",
        kind=Document.Kind.LINK,
        url="https://b.example.org/",
        service=world.other_service,
    )
    client = as_user(world.agent)
    assert (
        client.get(reverse("console:service_detail", args=[world.other_service.pk])).status_code
        == 404
    )
    url = reverse("console:service_document", args=[world.other_service.pk, doc.pk])
    assert client.get(url).status_code == 404
    # A document of another service through a visible service's URL is 404 too.
    url = reverse("console:service_document", args=[world.service.pk, doc.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("console:service_detail", args=[999999])).status_code == 404


def test_agent_lists_the_contracts_of_their_provider(world, as_user):
    response = as_user(world.agent).get(reverse("console:contract_list"))
    names = {c.name for c in response.context["contracts"]}
    assert names == {"Convention c1 p1", "Convention c2 p1"}
    body = text(response)
    for column in (
        "Nom",
        "Statut",
        "Client",
        "Description",
        "Date de début",
        "Date de fin",
        "Fournisseur",
    ):
        assert f">{column}</th>" in body
    assert "Convention c1 p2" not in body


def test_contract_page_shows_covered_services_and_documents(world, as_user):
    contract = contract_of(world.provider, world.customer)
    Document.objects.create(
        title="Convention signée",
        kind=Document.Kind.LINK,
        url="https://docs.example.org/c1",
        customer_contract=contract,
    )
    response = as_user(world.agent).get(reverse("console:contract_detail", args=[contract.pk]))
    assert response.status_code == 200
    body = text(response)
    assert "Service A" in body and "Convention signée" in body and "Customer One" in body
    assert reverse("console:service_detail", args=[world.service.pk]) in body


def test_another_providers_contract_answers_404(world, as_user):
    theirs = contract_of(world.other_provider, world.customer)
    doc = Document(title="Signée", kind=Document.Kind.FILE, customer_contract=theirs)
    doc.file.save("signee.pdf", ContentFile(b"%PDF-1.4"), save=True)
    client = as_user(world.agent)
    assert client.get(reverse("console:contract_detail", args=[theirs.pk])).status_code == 404
    url = reverse("console:contract_document", args=[theirs.pk, doc.pk])
    assert client.get(url).status_code == 404
    coordinator = as_user(world.coordinator)
    assert coordinator.get(reverse("console:contract_detail", args=[theirs.pk])).status_code == 200
    assert coordinator.get(url).status_code == 200


def test_a_customer_side_console_user_sees_their_contracts(world, as_user):
    from esup_saas.tenancy.models import Role
    from esup_saas.tenancy.services import membership_grant

    # A coordinator placed on customer C2 only sees C2's contracts (customer side).
    membership_grant(
        person=world.outsider, organisation=world.other_customer, role=Role.COORDINATOR
    )
    response = as_user(world.outsider).get(reverse("console:contract_list"))
    names = {c.name for c in response.context["contracts"]}
    assert names == {"Convention c2 p1", "Convention c2 p2"}


def test_admin_link_only_for_superusers(world, as_user, django_user_model):
    assert "Gérer le catalogue" not in text(
        as_user(world.agent).get(reverse("console:service_list"))
    )
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    from django.test import Client

    client = Client()
    client.force_login(admin)
    body = text(client.get(reverse("console:service_list")))
    assert "Gérer le catalogue dans l'administration" in body
    assert "Service A" in body and "Service B" in body
