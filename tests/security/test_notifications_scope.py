"""The mail triggers and templates are the whole platform's: every tenant's customers get the
mails they produce. A coordinator role on one organisation of the tree (a working group, or a
provider whose service manager gave it to themselves, which the console allows) must not be
enough to rewrite them; the consortium's coordinator (on the root) and superusers may.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from esup_saas.notifications.models import MailTemplate
from esup_saas.notifications.services import trigger_configure, trigger_reset
from esup_saas.tenancy.models import Role
from esup_saas.tenancy.services import membership_grant, organisation_create, person_create

pytestmark = pytest.mark.django_db

URL = "/console/notifications/triggers/ticket_created/"
DATA = {
    "recipients": ["caller"],
    "essential": "on",
    "active": "on",
    "subject_fr": "Urgent : reconnectez-vous",
    "body_fr": "https://evil.example/login",
    "subject_en": "Urgent: log in again",
    "body_en": "https://evil.example/login",
}


def _self_promoted_manager(world, as_user):
    """A coordinator of one provider only (self-promotion itself is now refused)."""
    membership_grant(person=world.agent, organisation=world.provider, role=Role.COORDINATOR)
    return as_user(world.agent)


def test_a_self_promoted_service_manager_cannot_rewrite_the_platform_mails(world, as_user):
    client = _self_promoted_manager(world, as_user)
    assert client.get("/console/notifications/").status_code == 404
    assert client.get(URL).status_code == 404
    assert client.post(URL, DATA).status_code == 404
    assert not MailTemplate.objects.exists()
    with pytest.raises(PermissionDenied):
        trigger_configure(
            actor=world.agent.user,
            trigger="ticket_created",
            recipients=["caller"],
            essential=True,
            active=True,
            templates={"fr": ("x", "y")},
        )
    with pytest.raises(PermissionDenied):
        trigger_reset(actor=world.agent.user, trigger="ticket_created")


def test_a_working_group_coordinator_cannot_rewrite_the_platform_mails(world, as_user):
    group = organisation_create(name="Groupe", code="groupe", parent=world.root)
    person = person_create(
        first_name="Gina", last_name="Groupe", organisation=group, username="gina", password="pw"
    )
    membership_grant(person=person, organisation=group, role=Role.COORDINATOR)
    client = as_user(person)
    assert client.get(URL).status_code == 404
    assert client.post(URL, DATA).status_code == 404
    assert not MailTemplate.objects.exists()


def test_the_consortium_coordinator_still_edits_them(world, as_user):
    assert as_user(world.coordinator).post(URL, DATA).status_code == 302
    assert MailTemplate.objects.filter(trigger="ticket_created").count() == 2
