"""Mail in cannot be used to send mail at will to an address that never wrote.

Anything refused gets a polite reply to its ``From``, with its subject: a sender who forges
``From: victim@…`` and varies the ``Message-ID`` had the platform send the victim as many
replies as mails, from the platform's own domain and carrying the forger's subject
(backscatter). An address gets at most ``REFUSAL_REPLIES_PER_DAY`` refusals a day; later
mails are still recorded as refused, without a reply."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from esup_saas.notifications.models import OutgoingMail
from esup_saas.servicedesk import mail_in
from esup_saas.servicedesk.models import InboundMail

pytestmark = pytest.mark.django_db


def forged(n: int, sender: str = "victim@mail.example.net") -> bytes:
    return (
        f"From: <{sender}>\r\n"
        "To: support@esup.example.org\r\n"
        f"Subject: Achetez maintenant sur https://spam.example/ {n}\r\n"
        f"Message-ID: <forged-{n}@spam.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Publicité.\r\n"
    ).encode()


def refusals_to(address: str) -> int:
    return OutgoingMail.objects.filter(trigger="mail_refused", to_email=address).count()


def test_refusal_replies_to_one_address_are_limited(world):
    for n in range(10):
        assert mail_in.mail_ingest(raw=forged(n)).status == "refused"
    assert InboundMail.objects.filter(status="refused").count() == 10
    assert refusals_to("victim@mail.example.net") == mail_in.REFUSAL_REPLIES_PER_DAY
    # Another address still gets its reply.
    mail_in.mail_ingest(raw=forged(99, "other@mail.example.net"))
    assert refusals_to("other@mail.example.net") == 1


def test_the_limit_is_per_day(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for n in range(mail_in.REFUSAL_REPLIES_PER_DAY + 1):
            mail_in.mail_ingest(raw=forged(n))
        traveller.move_to(start + dt.timedelta(days=1, minutes=1))
        mail_in.mail_ingest(raw=forged(50))
    assert refusals_to("victim@mail.example.net") == mail_in.REFUSAL_REPLIES_PER_DAY + 1
