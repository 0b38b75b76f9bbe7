"""Console pages of the tenancy app: organisation tree, organisation page, role grants.

``agent`` (P1) sees P1 only and read-only; ``coordinator`` (consortium root) sees and
manages everything; another tenant's organisation or membership answers 404.
"""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from esup_saas.tenancy.models import Membership, Role
from esup_saas.tenancy.services import membership_grant

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def detail(code: str) -> str:
    return reverse("console:organisation_detail", args=[code])


def grant(code: str) -> str:
    return reverse("console:membership_add", args=[code])


def revoke(code: str, pk: int) -> str:
    return reverse("console:membership_revoke", args=[code, pk])


def test_customer_pcu_gets_403(world, as_user):
    client = as_user(world.owner)
    assert client.get(reverse("console:organisation_list")).status_code == 403
    assert client.get(detail(world.customer.code)).status_code == 403


def test_tree_of_an_agent_is_their_subtree(world, as_user):
    response = as_user(world.agent).get(reverse("console:organisation_list"))
    assert response.status_code == 200
    assert [(org.code, depth) for org, depth in response.context["tree"]] == [("p1", 0)]
    body = text(response)
    assert "Provider One" in body and "0000001A" in body
    assert "Provider Two" not in body and "Customer One" not in body


def test_tree_of_a_coordinator_is_indented_by_depth(world, as_user):
    response = as_user(world.coordinator).get(reverse("console:organisation_list"))
    tree = [(org.code, depth) for org, depth in response.context["tree"]]
    assert tree[0] == ("esup-test", 0)
    assert sorted(tree[1:]) == [("c1", 1), ("c2", 1), ("p1", 1), ("p2", 1)]
    assert 'class="org-depth-1"' in text(response)


def test_agent_sees_their_organisation_read_only(world, as_user):
    response = as_user(world.agent).get(detail("p1"))
    assert response.status_code == 200
    body = text(response)
    assert "Alice Agent" in body and "Team P1" in body
    assert "Agent (fournisseur)" in body
    assert response.context["can_manage"] is False
    assert 'data-testid="membership-grant"' not in body
    assert "Lecture seule" in body


def test_another_tenants_organisation_answers_404(world, as_user):
    client = as_user(world.agent)
    for code in ("p2", "c1", "esup-test", "missing"):
        assert client.get(detail(code)).status_code == 404, code


def test_coordinator_grants_and_revokes_a_role(world, as_user):
    client = as_user(world.coordinator)
    page = client.get(detail("c1"))
    assert page.context["can_manage"] is True
    assert 'data-testid="membership-grant"' in text(page)

    response = client.post(grant("c1"), {"person": world.member.pk, "role": Role.PCU}, follow=True)
    membership = Membership.objects.get(person=world.member, role=Role.PCU)
    assert membership.organisation == world.customer
    assert "Rôle « Point de contact unique (client) » attribué à Marc Member." in text(response)

    response = client.post(revoke("c1", membership.pk), follow=True)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert "retiré à Marc Member" in text(response)


def test_agent_without_manager_role_is_refused(world, as_user):
    client = as_user(world.agent)
    response = client.post(grant("p1"), {"person": world.agent.pk, "role": Role.COORDINATOR})
    assert response.status_code == 403
    assert "Vous ne gérez pas cette organisation." in text(response)
    assert not Membership.objects.filter(person=world.agent, role=Role.COORDINATOR).exists()

    own = Membership.objects.get(person=world.agent, role=Role.AGENT)
    assert client.post(revoke("p1", own.pk)).status_code == 403
    assert Membership.objects.filter(pk=own.pk).exists()


def test_service_manager_manages_their_organisation_only(world, as_user):
    membership_grant(person=world.agent, organisation=world.provider, role=Role.SERVICE_MANAGER)
    client = as_user(world.agent)
    assert client.get(detail("p1")).context["can_manage"] is True

    client.post(grant("p1"), {"person": world.agent.pk, "role": Role.AGENT})
    assert Membership.objects.filter(
        person=world.agent, organisation=world.provider, role=Role.AGENT
    ).exists()
    # A service manager cannot promote anyone, themselves included, to coordinator.
    response = client.post(
        grant("p1"), {"person": world.agent.pk, "role": Role.COORDINATOR}, follow=True
    )
    assert "Seul un coordinateur peut attribuer" in text(response)
    assert not Membership.objects.filter(person=world.agent, role=Role.COORDINATOR).exists()

    # Another tenant's organisation and membership: 404, nothing removed.
    theirs = Membership.objects.get(person=world.other_agent, role=Role.AGENT)
    assert client.post(revoke("p2", theirs.pk)).status_code == 404
    assert client.post(revoke("p1", theirs.pk)).status_code == 404
    assert client.post(grant("p2"), {"person": world.agent.pk, "role": "agent"}).status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_grant_refuses_a_person_outside_the_managed_organisations(world, as_user):
    membership_grant(person=world.agent, organisation=world.provider, role=Role.SERVICE_MANAGER)
    response = as_user(world.agent).post(
        grant("p1"), {"person": world.other_agent.pk, "role": Role.AGENT}, follow=True
    )
    assert "Personne : Choisissez une personne de la liste." in text(response)
    assert not Membership.objects.filter(
        person=world.other_agent, organisation=world.provider
    ).exists()


def test_grant_refuses_an_unknown_role(world, as_user):
    response = as_user(world.coordinator).post(
        grant("c1"), {"person": world.member.pk, "role": "emperor"}, follow=True
    )
    assert "Rôle :" in text(response)
    assert not Membership.objects.filter(person=world.member, role="emperor").exists()


def test_org_picker_stores_the_choice_in_the_session(world, as_user):
    client = as_user(world.agent)
    response = client.post(reverse("console:org_select"), {"code": "p1", "next": "/console/"})
    assert response.status_code == 302
    assert client.session["console_organisation_id"] == world.provider.pk
    assert re.search(r'value="p1" selected>[^<]*Provider One<', text(client.get("/console/")))
    client.post(reverse("console:org_select"), {"code": "all"})
    assert "console_organisation_id" not in client.session


def test_org_picker_forgets_a_choice_once_out_of_scope(world, as_user):
    membership_grant(person=world.agent, organisation=world.other_provider, role=Role.AGENT)
    client = as_user(world.agent)
    client.post(reverse("console:org_select"), {"code": "p2"})
    assert client.session["console_organisation_id"] == world.other_provider.pk
    Membership.objects.filter(person=world.agent, organisation=world.other_provider).delete()
    response = client.get("/console/tickets/")
    assert 'value="all" selected>' in text(response)
    assert "console_organisation_id" not in client.session


def test_org_picker_needs_post_and_a_console_role(world, as_user):
    assert as_user(world.agent).get(reverse("console:org_select")).status_code == 405
    response = as_user(world.owner).post(reverse("console:org_select"), {"code": "c1"})
    assert response.status_code == 403
