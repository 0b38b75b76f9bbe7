"""Quotas under concurrency on PostgreSQL (issue item 8): twenty sends at once against a
quota that allows ten never charge more than ten, and every refused send sent nothing.

SQLite serialises writers for the whole database, so it cannot show a race: the test is
skipped there (run it with ``DATABASE_URL=postgres://…``)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from esup_saas.offers.sms import services
from esup_saas.offers.sms.delivery import deliver_pending
from esup_saas.offers.sms.models import (
    BillingAccount,
    Message,
    MessageState,
    Recipient,
    SenderGroup,
    SmsSettings,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SENDS = 20


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL=postgres://…): SQLite locks the whole database, "
            "so concurrent sends cannot race there"
        )


@pytest.mark.parametrize("level", ["institution", "account", "group"])
def test_twenty_parallel_sends_against_a_quota_of_ten(sms, simulator, smpp, level):
    c1 = sms.world.customer
    SmsSettings.objects.filter(organisation=c1).update(quota=10 if level == "institution" else None)
    BillingAccount.objects.filter(pk=sms.account.pk).update(
        quota=10 if level == "account" else None
    )
    SenderGroup.objects.filter(pk=sms.teachers.pk).update(
        quota=10 if level == "group" else None, max_recipients=None
    )
    barrier = threading.Barrier(SENDS)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def send(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            message = services.message_create(
                organisation=c1,
                recipient_type="free",
                value=f"+336000060{n:02d}",
                content=f"Envoi {n}",
                actor=sms.world.member.user,
            )
            with lock:
                outcomes.append(message.state)
        except BaseException as exc:  # pragma: no cover - reported below
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(SENDS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(outcomes).count(MessageState.WAITING_FOR_SENDING) == 10
    assert sorted(outcomes).count(MessageState.QUOTA_ERROR) == 10
    row = {
        "institution": SmsSettings.objects.get(organisation=c1),
        "account": BillingAccount.objects.get(pk=sms.account.pk),
        "group": SenderGroup.objects.get(pk=sms.teachers.pk),
    }[level]
    assert row.used == 10
    refused = Message.objects.filter(state=MessageState.QUOTA_ERROR)
    assert refused.count() == 10
    assert not Recipient.objects.filter(message__in=refused).exists()
    assert sum(Message.objects.values_list("charged", flat=True)) == 10
    # Only the accepted sends reach the operator.
    deliver_pending(transport=smpp)
    accepted = Message.objects.filter(state=MessageState.SENT)
    assert len(simulator.submits) == 10 == accepted.count()
    sent_to = {s.destination for s in simulator.submits}
    expected = {r.phone[1:] for r in Recipient.objects.filter(message__in=accepted)}
    assert sent_to == expected
