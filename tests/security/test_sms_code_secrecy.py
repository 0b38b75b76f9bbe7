"""A confirmation code never shows in the tracking pages nor the REST API.

The code goes out as an SMS of the platform (``_system_sms``); its text, with the code in
clear, was the send's ``content``: every manager who follows the institution's sends (and
the REST API, and the send's page) read the codes of everyone's pending confirmations for
the 180 days of retention, though the code itself is kept as an HMAC. The stored text has
a tag where the code goes; the code travels in the recipient's data and is put back at
delivery."""

from __future__ import annotations

import pytest

from esup_saas.offers.sms import services
from esup_saas.offers.sms.delivery import deliver_pending
from esup_saas.offers.sms.models import Message
from esup_saas.offers.sms.transports import ConsoleTransport
from tests.offers.sms.conftest import build_sms_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(world):
    built = build_sms_world(world)
    built.settings.confirm_phone = True
    built.settings.save()
    return built


@pytest.fixture
def code(sms, monkeypatch):
    sent: list[str] = []
    real = services._system_sms

    def capture(*, organisation, phone, text):
        sent.append(text.rsplit(" ", 1)[-1])
        return real(organisation=organisation, phone=phone, text=text)

    monkeypatch.setattr(services, "_system_sms", capture)
    services.optin_save(
        organisation=sms.world.customer,
        person=sms.world.member,
        phone="0600001234",
        accept_general=True,
    )
    return sent[0]


def test_the_code_is_not_in_the_stored_text(code):
    message = Message.objects.get()
    assert code not in message.content
    assert message.content.startswith("Votre code de confirmation SMS-U")


def test_managers_do_not_read_the_code(sms, as_user, code):
    owner = as_user(sms.world.owner)
    message = Message.objects.get()
    for url in (
        "/sms/api/c1/messages/",
        f"/sms/api/c1/messages/{message.pk}/",
        "/sms/c1/suivi/",
        f"/sms/c1/suivi/{message.pk}/",
    ):
        response = owner.get(url)
        assert response.status_code == 200
        assert code not in response.content.decode(), url


def test_the_sms_still_carries_the_code(sms, code, tmp_path):
    log = tmp_path / "sms.log"
    deliver_pending(transport=ConsoleTransport(log))
    assert f"Votre code de confirmation SMS-U : {code}" in log.read_text()
    consent = services.optin_confirm(
        organisation=sms.world.customer, person=sms.world.member, code=code
    )
    assert consent.confirmed
