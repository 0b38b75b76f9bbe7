"""SMS-U's demo data (through the registry's demo hook) and the demo's flow end to end with
the console transport: the seed's group, its live count of 22, approval, delivery."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from esup_saas.offers.sms.demo import DEMO_APP_SECRET, GROUP_NAME
from esup_saas.offers.sms.models import Message, MessageState, RecipientGroup, RecipientState
from esup_saas.servicedesk.demo import demo_load
from esup_saas.tenancy.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SMS_TRANSPORT = "console"
    settings.SMS_CONSOLE_FILE = str(tmp_path / "sms.log")
    return demo_load()


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_demo_hook_loads_toulon_and_is_idempotent(demo):
    assert demo["SMS-U opt-ins"] == 22 and demo["SMS-U client applications"] == 1
    group = RecipientGroup.objects.get(name=GROUP_NAME, organisation__code="toulon")
    assert group.members.count() == 24
    again = demo_load()
    assert {v for k, v in again.items() if k.startswith("SMS-U")} == {0}


def test_demo_send_to_the_seed_group_is_approved_and_delivered(
    demo, settings, django_capture_on_commit_callbacks
):
    settings.SMS_DELIVERY = "celery"  # eager in the embedded default
    teacher = client_for("enseignant-tln")
    assert teacher.get("/sms/").status_code == 302  # straight to Toulon
    group = RecipientGroup.objects.get(name=GROUP_NAME)
    count = teacher.post(
        "/sms/toulon/envoi/compte/", {"recipient_type": "group", "group": group.pk}
    )
    assert "Cette sélection correspondrait à 22 numéros." in html.unescape(count.content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        teacher.post(
            "/sms/toulon/envoi/",
            {
                "recipient_type": "group",
                "group": group.pk,
                "content": "Bonjour {prenom}, le cours de demain est annulé.",
            },
        )
    message = Message.objects.get()
    assert message.state == MessageState.WAITING_FOR_APPROVAL
    approver = client_for("scolarite-tln")
    with django_capture_on_commit_callbacks(execute=True):
        approver.post(f"/sms/toulon/approbation/{message.pk}/", {"decision": "approve"})
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert set(message.recipients.values_list("state", flat=True)) == {RecipientState.DELIVERED}
    assert message.recipients.count() == 22 and message.charged == 22
    from pathlib import Path

    log = Path(settings.SMS_CONSOLE_FILE).read_text(encoding="utf-8")
    assert "UNIV TLN -> +33600001001" in log and "Bonjour Adèle" in log


def test_demo_client_application_sends_through_smsuapi(demo, django_capture_on_commit_callbacks):
    import base64

    auth = "Basic " + base64.b64encode(f"apogee-notifications:{DEMO_APP_SECRET}".encode()).decode()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            "/sms/ws/",
            {"action": "SendSms", "phoneNumber": ["0600001001"], "message": "Note publiée"},
            HTTP_AUTHORIZATION=auth,
        )
    assert response.status_code == 200
    message = Message.objects.get(pk=response.json())
    assert message.application.name == "apogee-notifications"


def test_another_institution_with_sms_u_sees_nothing_of_toulon(demo):
    other = client_for("pcu-larochelle")
    assert other.get("/sms/toulon/").status_code == 404
    assert other.get("/sms/larochelle/").status_code == 200


def test_the_navbar_links_to_sms_u_for_its_users_only(demo):
    page = client_for("pcu").get("/portal/").content.decode()
    assert 'data-testid="offer-sms" ' in page or 'data-testid="offer-sms">' in page
    agent = client_for("agent-geforp").get("/console/").content.decode()
    assert 'data-testid="offer-sms"' not in agent
