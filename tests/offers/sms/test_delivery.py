"""End to end to a real SMPP peer (issue items 4 and 7): the simulator on 127.0.0.1 receives
submit_sm PDUs and sends delivery receipts back."""

from __future__ import annotations

import time

import pytest

from esup_saas.offers.sms import services
from esup_saas.offers.sms.delivery import apply_receipts, deliver_pending, sweep
from esup_saas.offers.sms.models import (
    BlacklistedNumber,
    Message,
    MessageState,
    Part,
    Recipient,
    RecipientState,
)
from esup_saas.offers.sms.selectors import message_counts

from .conftest import student_phone

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_receipts(link, message, expected_final: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        apply_receipts(link.poll(0.1).receipts)
        done = message.recipients.exclude(
            state__in=[RecipientState.CREATED, RecipientState.IN_PROGRESS]
        ).count()
        if done >= expected_final:
            return
    raise AssertionError(
        "receipts did not come back in time: "
        + repr(list(message.recipients.values_list("phone", "state")))
        + repr(list(Part.objects.values_list("recipient__phone", "state", "smsc_id")))
    )


def test_group_send_goes_created_in_progress_delivered(sms, simulator, smpp):
    message = services.message_create(
        organisation=sms.world.customer,
        recipient_type="group",
        value=str(sms.group.pk),
        content="Bonjour {prenom}, cours annulé demain.",
        actor=sms.world.member.user,
    )
    # A group send waits for the group's supervisors.
    assert message.state == MessageState.WAITING_FOR_APPROVAL
    assert set(message.recipients.values_list("state", flat=True)) == {RecipientState.CREATED}
    message = services.message_approve(message=message, actor=sms.world.owner.user)
    assert message.state == MessageState.WAITING_FOR_SENDING
    report = deliver_pending(transport=smpp)
    assert (report.leased, report.accepted, report.failed) == (5, 5, 0)
    assert set(message.recipients.values_list("state", flat=True)) == {RecipientState.IN_PROGRESS}
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    _wait_receipts(smpp, message, 5)
    assert message_counts(message)["delivered"] == 5
    sent = {s.destination: s.text for s in simulator.submits}
    assert sent == {
        student_phone(n)[1:]: f"Bonjour Etu{n}, cours annulé demain." for n in range(1, 6)
    }
    assert all(s.source == "UNIV TEST" and s.data_coding == 0 for s in simulator.submits)
    # Charged: 5 recipients x 1 SMS, at every level.
    sms.settings.refresh_from_db()
    sms.account.refresh_from_db()
    sms.teachers.refresh_from_db()
    assert (sms.settings.used, sms.account.used, sms.teachers.used) == (5, 5, 5)


def test_invalid_number_ends_error_post_blacklist_and_is_blacklisted(sms, simulator, smpp):
    bad, good = "+33600009901", "+33600009902"
    simulator.config.invalid = {bad[1:]}
    message = services.message_create(
        organisation=sms.world.customer,
        recipient_type="list",
        value=f"{bad}\n{good}",
        content="Test",
        actor=sms.world.member.user,
    )
    assert message.state == MessageState.WAITING_FOR_SENDING
    deliver_pending(transport=smpp)
    _wait_receipts(smpp, message, 2)
    states = dict(message.recipients.values_list("phone", "state"))
    assert states == {bad: RecipientState.ERROR_POST_BLACKLIST, good: RecipientState.DELIVERED}
    assert BlacklistedNumber.objects.filter(organisation=sms.world.customer, phone=bad).exists()
    # The operator accepted it: it stays charged (the refund policy), 2 SMS.
    message.refresh_from_db()
    assert message.charged == 2
    # A later send to it: error_pre_blacklist, never sent, never charged.
    before = len(simulator.submits)
    again = services.message_create(
        organisation=sms.world.customer,
        recipient_type="list",
        value=f"{bad}\n{good}",
        content="Encore",
        actor=sms.world.member.user,
    )
    assert dict(again.recipients.values_list("phone", "state"))[bad] == (
        RecipientState.ERROR_PRE_BLACKLIST
    )
    assert again.charged == 1
    deliver_pending(transport=smpp)
    assert [s.destination for s in simulator.submits[before:]] == [good[1:]]


def test_throttled_link_backs_off_and_delivers_everything_once(sms, simulator, smpp):
    simulator.config.throttle_first = 3
    message = services.message_create(
        organisation=sms.world.customer,
        recipient_type="list",
        value="\n".join(f"+3360000300{n}" for n in range(1, 4)),
        content="Throttle",
        actor=sms.world.member.user,
    )
    report = deliver_pending(transport=smpp)
    assert report.accepted == 3
    assert smpp.throttled == 3
    assert smpp.backoffs == [0.01, 0.02, 0.04]  # doubling waits
    assert sorted(simulator.destinations()) == [f"3360000300{n}" for n in range(1, 4)]
    _wait_receipts(smpp, message, 3)


def test_hex_and_decimal_ids_match_and_multipart_needs_every_part(sms, simulator, smpp):
    simulator.config.id_format = "hex"
    simulator.config.receipt_id_format = "decimal"
    sms.settings.max_parts = 3
    sms.settings.save()
    text = "Réunion " + "x" * 200  # two parts
    message = services.message_create(
        organisation=sms.world.customer,
        recipient_type="free",
        value="06 00 00 40 01",
        content=text,
        actor=sms.world.member.user,
    )
    assert (message.parts, message.charged) == (2, 2)
    deliver_pending(transport=smpp)
    assert [s.udh[1:] for s in simulator.submits] == [(2, 1), (2, 2)]
    assert "".join(s.text for s in simulator.submits) == text
    _wait_receipts(smpp, message, 1)
    recipient = message.recipients.get()
    assert recipient.state == RecipientState.DELIVERED
    assert set(Part.objects.filter(recipient=recipient).values_list("stat", flat=True)) == {
        "DELIVRD"
    }


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(sms, simulator, smpp):
    message = services.message_create(
        organisation=sms.world.customer,
        recipient_type="list",
        value="\n".join(f"+336000050{n:02d}" for n in range(1, 11)),
        content="Crash",
        actor=sms.world.owner.user,  # no sender group: no approval for 10 numbers
    )

    class Killed(BaseException):
        pass

    class DyingLink:
        """Submits through the real link, then the worker dies after 4 answers."""

        def __init__(self, link):
            self.link, self.seen = link, 0

        def submit(self, parts, on_result, before_send=None):
            def record(result):
                on_result(result)
                self.seen += 1
                if self.seen == 4:
                    raise Killed

            self.link.submit(parts, record, before_send)

        def poll(self, timeout):
            return self.link.poll(timeout)

        def close(self):
            pass

    with pytest.raises(Killed):
        deliver_pending(transport=DyingLink(smpp), lease_seconds=60)
    smpp._drop()  # the process is gone: no unbind, its socket simply closes
    assert message.recipients.filter(state=RecipientState.IN_PROGRESS).count() == 4
    in_doubt = Part.objects.filter(state="submitting").count()
    # Announced before they went out (one write for the batch): 4 written to the link (the
    # window of 5) whose answers were never recorded, 2 that never left.
    assert in_doubt == 6
    # The dead worker's leases still hold: another worker takes nothing yet.
    assert deliver_pending(transport=smpp).leased == 0
    # The sweeper releases expired leases; the next worker sends what never went out, and
    # the SMSC's receipts (delivered again to the new session) settle the parts in doubt.
    from django.utils import timezone

    report = sweep(now=timezone.now() + timezone.timedelta(seconds=61))
    assert report.released == 6 and message.pk in report.pending_messages
    assert deliver_pending(transport=smpp).accepted == 0  # nothing is sent again blindly
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        apply_receipts(smpp.poll(0.1).receipts)
    # Parts still in doubt never reached the SMSC (never written, or the dead socket was
    # reset before the SMSC read them): after the grace period the sweeper puts them back,
    # and they go out once.
    later = timezone.now() + timezone.timedelta(seconds=961)
    left = Part.objects.filter(state="submitting").count()
    assert sweep(now=later).resent == left
    deliver_pending(transport=smpp)
    _wait_receipts(smpp, message, 10)
    destinations = simulator.destinations()
    assert sorted(destinations) == sorted({f"336000050{n:02d}" for n in range(1, 11)})
    assert message_counts(message)["delivered"] == 10
    assert not Part.objects.filter(state="submitting").exists()


def test_in_progress_too_long_becomes_error(sms, simulator, smpp):
    from django.utils import timezone

    simulator.config.receipts = False
    message = services.message_create(
        organisation=sms.world.customer,
        recipient_type="free",
        value="0600006001",
        content="Sans accusé",
        actor=sms.world.member.user,
    )
    deliver_pending(transport=smpp)
    assert message.recipients.get().state == RecipientState.IN_PROGRESS
    assert sweep(now=timezone.now() + timezone.timedelta(hours=11)).expired == 0
    assert sweep(now=timezone.now() + timezone.timedelta(hours=13)).expired == 1
    assert message.recipients.get().state == RecipientState.ERROR


def test_stop_reply_withdraws_the_opt_in(sms, simulator, smpp):
    from esup_saas.offers.sms.delivery import apply_incoming
    from esup_saas.offers.sms.models import Subscriber

    smpp.connect()
    assert simulator.send_mo(student_phone(1)[1:], "STOP") == 1
    polled = smpp.poll(0.5)
    assert apply_incoming(polled.incoming) == 1
    assert not Subscriber.objects.filter(phone=student_phone(1)).exists()
    assert Recipient.objects.count() == 0 and Message.objects.count() == 0
