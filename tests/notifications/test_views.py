"""Notification pages: triggers and templates, the mail log, preferences; tenancy."""

from __future__ import annotations

from esup_saas.notifications.models import MailTemplate, NotificationPreference, OutgoingMail
from tests.catalog.test_sla_views import manager_of


def _mail(world, provider, to):
    return OutgoingMail.objects.create(
        trigger="ticket_created",
        to_email=to,
        language="fr",
        subject=f"Pour {to}",
        body="…",
        message_id=f"<{to}@test>",
        organisation=world.customer,
        provider=provider,
    )


def test_coordinator_edits_a_template(world, as_user):
    client = as_user(world.coordinator)
    assert client.get("/console/notifications/").status_code == 200
    url = "/console/notifications/triggers/ticket_created/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Demande enregistrée" in page.content.decode()
    data = {
        "recipients": ["caller", "contacts"],
        "essential": "on",
        "active": "on",
        "subject_fr": "Reçu : {{ title }}",
        "body_fr": "Bonjour {{ caller }}",
        "subject_en": "Received: {{ title }}",
        "body_en": "Hello {{ caller }}",
    }
    assert client.post(url, data).status_code == 302
    assert MailTemplate.objects.get(trigger="ticket_created", language="fr").subject == (
        "Reçu : {{ title }}"
    )
    bad = data | {"body_en": "{% for %}"}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "Modèle invalide" in response.content.decode()
    assert client.post(url, {"reset": "1"}).status_code == 302
    assert not MailTemplate.objects.exists()


def test_only_coordinators_edit_templates(world, as_user):
    for person in (world.agent, world.owner, world.outsider):
        client = as_user(person)
        assert client.get("/console/notifications/").status_code == 404
        assert client.get("/console/notifications/triggers/ticket_created/").status_code == 404
    coordinator = as_user(world.coordinator)
    assert coordinator.get("/console/notifications/triggers/nope/").status_code == 404


def test_mail_log_is_scoped(world, as_user):
    mine = _mail(world, world.provider, "a@example.org")
    theirs = _mail(world, world.other_provider, "b@example.org")
    theirs.organisation = world.other_customer
    theirs.save()
    client = as_user(manager_of(world.provider, "mgr1"))
    response = client.get("/console/notifications/mails/")
    assert [m.pk for m in response.context["page"]] == [mine.pk]
    assert client.get(f"/console/notifications/mails/{mine.pk}/").status_code == 200
    assert client.get(f"/console/notifications/mails/{theirs.pk}/").status_code == 404
    assert as_user(world.owner).get("/console/notifications/mails/").status_code == 404


def test_preferences_are_personal(world, as_user):
    client = as_user(world.owner)
    assert client.get("/notifications/preferences/").status_code == 200
    response = client.post("/notifications/preferences/", {"language": "en", "opt_out": "on"})
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(person=world.owner)
    assert (pref.language, pref.opt_out) == ("en", True)
    assert not NotificationPreference.objects.filter(person=world.outsider).exists()
