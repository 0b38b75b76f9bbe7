"""Confirmation codes of the SMS-U opt-in cannot be used to send SMS at will.

Each request of the opt-in form sends a code by SMS to the number typed, charged to the
institution. Any user of the institution could repeat it without limit (a dozen a second,
to any mobile, overseas ones included): harassing someone's phone and draining the
institution's quota so nobody else could send. A person gets at most
``CODE_MAX_SENDS`` codes per ``CODE_SEND_WINDOW_MINUTES``; withdrawing, or the sweeper's
cleaning, does not start the count again."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from esup_saas.offers.sms import services
from esup_saas.offers.sms.delivery import sweep
from esup_saas.offers.sms.models import Message
from tests.offers.sms.conftest import build_sms_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(world):
    built = build_sms_world(world)
    built.settings.confirm_phone = True
    built.settings.save()
    return built


def codes_sent() -> int:
    return Message.objects.filter(content__startswith="Votre code de confirmation").count()


def ask(client, n: int):
    return client.post(
        "/sms/c1/adhesion/", {"phone": f"06 00 00 12 {n:02d}", "accept_general": "on"}
    )


def test_codes_per_person_are_limited(sms, as_user):
    client = as_user(sms.world.member)
    for n in range(services.CODE_MAX_SENDS):
        assert ask(client, n)["Location"] == "/sms/c1/adhesion/code/"
    refused = ask(client, 99)
    assert refused.status_code == 200
    assert refused.context["form"].has_error("phone")
    assert codes_sent() == services.CODE_MAX_SENDS


def test_withdrawing_or_sweeping_does_not_reset_the_count(sms, as_user):
    client = as_user(sms.world.member)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for n in range(services.CODE_MAX_SENDS):
            ask(client, n)
        client.post("/sms/c1/adhesion/retrait/")
        traveller.move_to(start + dt.timedelta(minutes=20))  # the codes have expired
        sweep()
        assert ask(client, 98).status_code == 200
        assert codes_sent() == services.CODE_MAX_SENDS
        traveller.move_to(start + dt.timedelta(minutes=services.CODE_SEND_WINDOW_MINUTES + 1))
        assert ask(client, 99)["Location"] == "/sms/c1/adhesion/code/"
    assert codes_sent() == services.CODE_MAX_SENDS + 1


def test_only_the_last_code_confirms(sms, monkeypatch):
    sent: list[str] = []
    real = services._system_sms

    def capture(*, organisation, phone, text):
        sent.append(text.rsplit(" ", 1)[-1])
        return real(organisation=organisation, phone=phone, text=text)

    monkeypatch.setattr(services, "_system_sms", capture)
    for number in ("0600001201", "0600001202"):
        services.optin_save(
            organisation=sms.world.customer,
            person=sms.world.member,
            phone=number,
            accept_general=True,
        )
    first, last = sent
    if first != last:
        with pytest.raises(services.CodeError):
            services.optin_confirm(
                organisation=sms.world.customer, person=sms.world.member, code=first
            )
    consent = services.optin_confirm(
        organisation=sms.world.customer, person=sms.world.member, code=last
    )
    assert consent.phone == "+33600001202" and consent.confirmed


def test_a_withdrawn_person_cannot_confirm_a_pending_code(sms, monkeypatch):
    sent: list[str] = []
    real = services._system_sms

    def capture(*, organisation, phone, text):
        sent.append(text.rsplit(" ", 1)[-1])
        return real(organisation=organisation, phone=phone, text=text)

    monkeypatch.setattr(services, "_system_sms", capture)
    org, person = sms.world.customer, sms.world.member
    services.optin_save(organisation=org, person=person, phone="0600001201", accept_general=True)
    services.optin_withdraw(organisation=org, person=person)
    with pytest.raises(services.CodeError, match="Aucun code valide"):
        services.optin_confirm(organisation=org, person=person, code=sent[0])
