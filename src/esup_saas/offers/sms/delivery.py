"""The delivery workers: outbox → operator, receipts → states, and the sweeper.

Plain functions, called by the background tasks (``tasks.py``), the ``sms-worker`` command
and the tests (specs/sms.md items 7-9, 15):

- :func:`deliver_pending` leases a batch of outbox rows (recipients in ``created`` of sends
  waiting for sending), encodes and segments each personalised text (``lib.gsm``), submits
  the parts, and records each operator answer *in its own short transaction as soon as it
  arrives*. A part that already has an operator id is never submitted again, and a row is
  leased (``lease_until``) before it is submitted, so two workers never send the same
  recipient; if a worker dies, its leased rows wait until the lease expires and the next
  worker (or :func:`sweep`) takes them again. Just before a part is written to the link it
  is marked ``submitting`` (committed): a part left ``submitting`` by a dead worker may have
  reached the operator, so it is *not* submitted again at once. Its delivery receipt, which
  the SMSC delivers again to the next session (SMPP 3.4 §4.6: a deliver_sm is resent until
  acknowledged), is recognised by the recipient's number and adopts it; only if no receipt
  came within ``SMS_UNCERTAIN_GRACE_SECONDS`` (default 900) does :func:`sweep` put it back
  to be sent. So a killed worker loses nothing and sends nothing twice as long as the
  operator's receipts arrive within the grace period.
- :func:`apply_receipts` matches delivery receipts to parts (hex and decimal ids) and
  moves each recipient to ``delivered``, ``error``, or ``error_post_blacklist`` (the number
  is blacklisted); :func:`apply_incoming` withdraws opt-ins on "STOP".
- :func:`sweep` releases expired leases, turns recipients still ``in_progress`` after the
  institution's timeout (default 12 h) into ``error``, purges what is past retention, and
  returns the sends that still have work so the caller can enqueue them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings as django_settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from esup_saas.lib import gsm

from .models import (
    BlacklistedNumber,
    Message,
    MessageState,
    Part,
    PartState,
    PhoneConfirmation,
    Recipient,
    RecipientState,
    SmsSettings,
)
from .services import (
    CODE_SEND_WINDOW_MINUTES,
    incoming_stop,
    personalise,
    refund_recipients,
)
from .transports import (
    Incoming,
    OutgoingPart,
    Receipt,
    SubmitResult,
    Transport,
    id_candidates,
    transport_from_settings,
)

logger = logging.getLogger(__name__)

#: Receipt stats (SMPP 3.4 Appendix B) that mean "this number does not exist": the recipient
#: ends ``error_post_blacklist`` and the number is blacklisted. Others (EXPIRED, DELETED,
#: UNKNOWN…) end ``error``; DELIVRD ends ``delivered``; ENROUTE / ACCEPTD are intermediate.
INVALID_NUMBER_STATS = frozenset({"UNDELIV", "REJECTD"})
INTERMEDIATE_STATS = frozenset({"ENROUTE", "ACCEPTD"})


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class DeliveryReport:
    """What one :func:`deliver_pending` call did: recipients leased, parts accepted by the
    operator, recipients that failed for good, parts to retry later."""

    leased: int = 0
    accepted: int = 0
    failed: int = 0
    retried: int = 0
    messages: set[int] = field(default_factory=set)


def _lease(*, limit: int, lease_seconds: int, worker: str, message_id: int | None) -> list[int]:
    """Lease up to ``limit`` outbox rows; ``SKIP LOCKED`` on PostgreSQL so workers share."""
    now = timezone.now()
    with transaction.atomic():
        qs = Recipient.objects.filter(
            state=RecipientState.CREATED,
            message__state=MessageState.WAITING_FOR_SENDING,
        ).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        if message_id is not None:
            qs = qs.filter(message_id=message_id)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[:limit])
        if ids:
            Recipient.objects.filter(pk__in=ids).update(
                lease_until=now + dt.timedelta(seconds=lease_seconds),
                lease_owner=worker[:100],
            )
    return ids


def _parts_for(recipients: list[Recipient], sender_ids: dict[int, str]) -> list[OutgoingPart]:
    """The parts still to submit of ``recipients`` (their Part rows are created once, in
    bulk; a part already accepted or in doubt is left out)."""
    encoded: dict[int, list[gsm.EncodedPart]] = {}
    for recipient in recipients:
        message = recipient.message
        sender_name = message.sender.full_name if message.sender else ""
        text = personalise(message.content, recipient, sender_name)
        encoded[recipient.pk] = gsm.encode(text, reference=recipient.pk % 256)
    existing = {(p.recipient_id, p.seq) for r in recipients for p in r.sms_parts.all()}
    missing = [
        Part(recipient_id=r.pk, seq=e.seq)
        for r in recipients
        for e in encoded[r.pk]
        if (r.pk, e.seq) not in existing
    ]
    if missing:
        Part.objects.bulk_create(missing, ignore_conflicts=True, batch_size=1000)
    rows: dict[tuple[int, int], Part] = {
        (p.recipient_id, p.seq): p
        for p in Part.objects.filter(recipient_id__in=list(encoded)).only(
            "pk", "recipient_id", "seq", "smsc_id", "state"
        )
    }
    out: list[OutgoingPart] = []
    for recipient in recipients:
        source = sender_ids.get(recipient.message.organisation_id, "ESUP SMS")
        for e in encoded[recipient.pk]:
            part = rows[(recipient.pk, e.seq)]
            if part.smsc_id or part.state != PartState.PENDING:
                continue  # accepted (never again) or in doubt (waits for its receipt)
            out.append(
                OutgoingPart(part.pk, recipient.phone, source, e.payload, e.data_coding, e.udh)
            )
    return out


def _settle_recipients(recipient_ids: Iterable[int]) -> None:
    """Move the recipients whose parts were all accepted to ``in_progress`` (lease released)."""
    ids = list(recipient_ids)
    unsettled = Part.objects.filter(
        recipient_id__in=ids, state__in=[PartState.PENDING, PartState.SUBMITTING]
    ).values("recipient_id")
    Recipient.objects.filter(
        pk__in=Part.objects.filter(recipient_id__in=ids).values("recipient_id"),
        state=RecipientState.CREATED,
    ).exclude(pk__in=unsettled).update(
        state=RecipientState.IN_PROGRESS,
        submitted_at=timezone.now(),
        lease_until=None,
        lease_owner="",
    )


def _settle_recipient(recipient_id: int) -> None:
    _settle_recipients([recipient_id])


class _Recorder:
    """Records the operator's answers: acceptances in batches of ``batch`` (one transaction
    each, and whatever is buffered when the submit loop ends or fails), refusals at once.
    An acceptance not yet written when a worker is killed leaves its part ``submitting``:
    its receipt settles it (see the module docstring)."""

    def __init__(self, report: DeliveryReport, batch: int = 200) -> None:
        self.report = report
        self.batch = batch
        self.accepted: list[tuple[int, str]] = []

    def __call__(self, result: SubmitResult) -> None:
        if result.accepted:
            self.accepted.append((result.key, result.smsc_id.lower()[:65]))
            self.report.accepted += 1
            if len(self.accepted) >= self.batch:
                self.flush()
        else:
            self.flush()
            _record(result, self.report)

    def flush(self) -> None:
        if not self.accepted:
            return
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        table = connection.ops.quote_name(Part._meta.db_table)
        # One statement run for many rows (executemany): a part whose receipt was applied
        # meanwhile (by id, or adopted by its number) is no longer open and keeps its state.
        sql = (
            f"UPDATE {table} SET smsc_id = %s, state = %s, updated_at = %s "
            "WHERE id = %s AND state IN (%s, %s)"
        )
        rows = [
            (
                smsc_id,
                PartState.ACCEPTED.value,
                now,
                key,
                PartState.PENDING.value,
                PartState.SUBMITTING.value,
            )
            for key, smsc_id in self.accepted
        ]
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            keys = [key for key, _id in self.accepted]
            _settle_recipients(
                set(Part.objects.filter(pk__in=keys).values_list("recipient_id", flat=True))
            )
        self.accepted.clear()


def _record(result: SubmitResult, report: DeliveryReport) -> None:
    """Record one operator answer, in its own transaction (see the module docstring)."""
    with transaction.atomic():
        part = (
            Part.objects.select_for_update()
            .select_related("recipient__message")
            .filter(pk=result.key)
            .first()
        )
        if part is None:
            return
        recipient = part.recipient
        if result.accepted:
            part.smsc_id = result.smsc_id.lower()[:65]
            part.state = PartState.ACCEPTED
            part.save(update_fields=["smsc_id", "state", "updated_at"])
            report.accepted += 1
            _settle_recipient(recipient.pk)
        elif result.retry:
            report.retried += 1
            if result.status > 0:  # the operator refused it for now: it did not go out
                Part.objects.filter(pk=part.pk).update(state=PartState.PENDING)
            # status -1: the link broke before the answer; the part stays in doubt.
            Recipient.objects.filter(pk=recipient.pk).update(lease_until=None, lease_owner="")
        else:
            report.failed += 1
            part.state = PartState.ERROR
            part.error_code = str(result.status)[:10]
            part.save(update_fields=["state", "error_code", "updated_at"])
            refused = not Part.objects.filter(recipient=recipient).exclude(smsc_id="").exists()
            if refused:  # nothing of it reached the operator: refunded (policy in services)
                refund_recipients(message=recipient.message, recipient_ids=[recipient.pk])
            Recipient.objects.filter(pk=recipient.pk).update(
                state=RecipientState.ERROR,
                error=f"submit_sm refusé (0x{result.status:02x})"[:300],
                done_at=timezone.now(),
                lease_until=None,
                lease_owner="",
            )


def _mark_submitting(keys: list[int]) -> None:
    """Commit that these parts are about to be written to the link (see the docstring)."""
    Part.objects.filter(pk__in=keys, state=PartState.PENDING).update(
        state=PartState.SUBMITTING, updated_at=timezone.now()
    )


def _finish_messages(message_ids: Iterable[int]) -> None:
    """Mark sends with nothing left in the outbox ``sent``, and send their e-mail complement."""
    for message_id in message_ids:
        with transaction.atomic():
            message = Message.objects.select_for_update().filter(pk=message_id).first()
            if message is None or message.state != MessageState.WAITING_FOR_SENDING:
                continue
            if message.recipients.filter(state=RecipientState.CREATED).exists():
                continue
            message.state = MessageState.SENT
            message.sent_at = timezone.now()
            message.save(update_fields=["state", "sent_at"])
            if message.mail_body and message.mail_sent_at is None:
                emails = sorted(
                    set(message.recipients.exclude(email="").values_list("email", flat=True))
                )
                Message.objects.filter(pk=message.pk).update(mail_sent_at=timezone.now())
                if emails:
                    transaction.on_commit(partial(_send_mail, message, emails))


def _send_mail(message: Message, emails: list[str]) -> None:
    """The e-mail complement, in blind copy by batches of 50."""
    for start in range(0, len(emails), 50):
        mail = EmailMessage(
            # One line: the SMS's text often holds a line break (Django refuses the header).
            subject=" ".join((message.mail_subject or message.content[:80]).split()),
            body=message.mail_body,
            from_email=django_settings.DEFAULT_FROM_EMAIL,
            bcc=emails[start : start + 50],
        )
        try:
            mail.send()
        except OSError as exc:  # pragma: no cover - depends on the mail server
            logger.warning("SMS-U mail complement of %s not sent: %s", message.reference, exc)


def deliver_pending(
    *,
    transport: Transport | None = None,
    limit: int = 500,
    lease_seconds: int = 300,
    worker: str | None = None,
    message_id: int | None = None,
    poll_seconds: float = 0.0,
) -> DeliveryReport:
    """Deliver up to ``limit`` outbox rows (of ``message_id`` only when given) through
    ``transport`` (default: :func:`~.transports.transport_from_settings`, closed after);
    then read receipts for ``poll_seconds``. Safe to run in several workers at once.
    Returns a :class:`DeliveryReport`."""
    own = transport is None
    link = transport if transport is not None else transport_from_settings()
    report = DeliveryReport()
    try:
        ids = _lease(
            limit=limit,
            lease_seconds=lease_seconds,
            worker=worker or _worker_id(),
            message_id=message_id,
        )
        report.leased = len(ids)
        if ids:
            recipients = list(
                Recipient.objects.filter(pk__in=ids)
                .select_related("message__sender")
                .prefetch_related("sms_parts")
                .order_by("pk")
            )
            report.messages = {r.message_id for r in recipients}
            sender_ids = dict(
                SmsSettings.objects.filter(
                    organisation_id__in={r.message.organisation_id for r in recipients}
                ).values_list("organisation_id", "sender_id")
            )
            parts = _parts_for(recipients, sender_ids)
            _settle_recipients(ids)  # every part accepted before a crash
            recorder = _Recorder(report)
            try:
                link.submit(parts, recorder, _mark_submitting)
            finally:
                recorder.flush()
            _finish_messages(report.messages)
        if poll_seconds > 0 or own:
            polled = link.poll(poll_seconds)
            apply_receipts(polled.receipts)
            apply_incoming(polled.incoming)
    finally:
        if own:
            link.close()
    return report


def _part_for_receipt(receipt: Receipt) -> Part | None:
    """The part a receipt is about: by operator id (hex or decimal), else a part in doubt
    (``submitting`` with no id) of the receipt's number, which then adopts the id."""
    qs = Part.objects.select_for_update().select_related("recipient__message")
    found = qs.filter(smsc_id__in=id_candidates(receipt.smsc_id)).order_by("-pk").first()
    if found is None and receipt.source:
        found = (
            qs.filter(state=PartState.SUBMITTING, smsc_id="", recipient__phone=receipt.source)
            .order_by("pk")
            .first()
        )
        if found is not None:
            found.smsc_id = receipt.smsc_id.lower()[:65]
            logger.info("SMS-U receipt %s adopted by part %s in doubt", receipt.smsc_id, found.pk)
    return found


def apply_receipts(receipts: Iterable[Receipt]) -> int:
    """Apply delivery receipts (see the module docstring); returns how many matched a part.
    A receipt for an unknown id (purged, another platform) is ignored."""
    matched = 0
    with transaction.atomic():  # one commit for the whole batch read from the link
        for receipt in receipts:
            stat = receipt.stat.upper()
            if stat in INTERMEDIATE_STATS:
                continue
            part = _part_for_receipt(receipt)
            if part is None:
                logger.info("SMS-U receipt for unknown id %s (%s)", receipt.smsc_id, stat)
                continue
            matched += 1
            part.stat = stat[:10]
            part.error_code = receipt.err[:10]
            part.state = PartState.DELIVERED if stat == "DELIVRD" else PartState.ERROR
            part.save(update_fields=["smsc_id", "stat", "error_code", "state", "updated_at"])
            _recipient_from_parts(part.recipient, invalid=stat in INVALID_NUMBER_STATS)
    return matched


def _recipient_from_parts(recipient: Recipient, *, invalid: bool) -> None:
    if recipient.state in (RecipientState.ERROR_POST_BLACKLIST, RecipientState.ERROR_PRE_BLACKLIST):
        return
    states = list(recipient.sms_parts.values_list("state", flat=True))
    now = timezone.now()
    if invalid:
        recipient.state = RecipientState.ERROR_POST_BLACKLIST
        recipient.error = "Numéro signalé invalide par l'opérateur."
        BlacklistedNumber.objects.get_or_create(
            organisation_id=recipient.message.organisation_id,
            phone=recipient.phone,
            defaults={
                "source": BlacklistedNumber.Source.OPERATOR,
                "reason": recipient.message.reference,
            },
        )
    elif PartState.ERROR in states:
        recipient.state = RecipientState.ERROR
        recipient.error = "Non remis (accusé de réception de l'opérateur)."
    elif states and all(s == PartState.DELIVERED for s in states):
        recipient.state = RecipientState.DELIVERED
    else:
        return
    recipient.done_at = now
    recipient.lease_until = None
    recipient.save(update_fields=["state", "error", "done_at", "lease_until", "updated_at"])


def apply_incoming(messages: Iterable[Incoming]) -> int:
    """Mobile-originated messages: "STOP" (any case, alone) withdraws the number's local
    opt-ins; others are logged. Returns the opt-ins withdrawn."""
    withdrawn = 0
    for incoming in messages:
        if incoming.text.strip().upper() in {"STOP", "STOP SMS", "ARRET"}:
            withdrawn += incoming_stop(phone=incoming.source)
        else:
            logger.info("SMS-U incoming message from %s ignored", incoming.source)
    return withdrawn


@dataclass
class SweepReport:
    released: int = 0
    resent: int = 0
    expired: int = 0
    purged: int = 0
    pending_messages: list[int] = field(default_factory=list)


def sweep(*, now: dt.datetime | None = None) -> SweepReport:
    """The periodic sweeper (see the module docstring): run it every few minutes."""
    from .retention import purge_expired

    now = now or timezone.now()
    report = SweepReport()
    with transaction.atomic():
        report.released = Recipient.objects.filter(
            state=RecipientState.CREATED, lease_until__lt=now
        ).update(lease_until=None, lease_owner="")
        grace = dt.timedelta(seconds=getattr(django_settings, "SMS_UNCERTAIN_GRACE_SECONDS", 900))
        report.resent = Part.objects.filter(
            state=PartState.SUBMITTING, smsc_id="", updated_at__lt=now - grace
        ).update(state=PartState.PENDING)
        for cfg in SmsSettings.objects.all().only("organisation_id", "in_progress_timeout_hours"):
            hours = min(cfg.in_progress_timeout_hours, SmsSettings.MAX_IN_PROGRESS_HOURS)
            limit = now - dt.timedelta(hours=hours)
            report.expired += Recipient.objects.filter(
                message__organisation_id=cfg.organisation_id,
                state=RecipientState.IN_PROGRESS,
                submitted_at__lt=limit,
            ).update(
                state=RecipientState.ERROR,
                error="Sans accusé de réception dans le délai.",
                done_at=now,
            )
        # Organisations without settings use the default of 12 hours.
        report.expired += (
            Recipient.objects.filter(
                state=RecipientState.IN_PROGRESS,
                submitted_at__lt=now - dt.timedelta(hours=12),
            )
            .exclude(message__organisation_id__in=SmsSettings.objects.values("organisation_id"))
            .update(
                state=RecipientState.ERROR,
                error="Sans accusé de réception dans le délai.",
                done_at=now,
            )
        )
        # Kept past their expiry for the window that limits the codes sent to a person.
        PhoneConfirmation.objects.filter(
            created_at__lt=now - dt.timedelta(minutes=CODE_SEND_WINDOW_MINUTES)
        ).delete()
    report.purged = purge_expired(now=now)
    report.pending_messages = list(
        Message.objects.filter(
            state=MessageState.WAITING_FOR_SENDING,
            recipients__state=RecipientState.CREATED,
        )
        .annotate(n=Count("pk"))
        .values_list("pk", flat=True)
        .distinct()
    )
    _finish_messages(
        Message.objects.filter(state=MessageState.WAITING_FOR_SENDING)
        .exclude(recipients__state=RecipientState.CREATED)
        .values_list("pk", flat=True)
    )
    return report
