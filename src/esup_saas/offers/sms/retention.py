"""Retention of message content and numbers (specs/sms.md item 18).

After the institution's ``retention_days`` (default 180), a send's text, its e-mail, its
recipients' numbers and names and the operator ids are deleted; the send keeps its counts
(recipients by state, SMS charged) in ``Message.stats`` so that reports stay right.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .models import ClientSendKey, Message, SmsSettings
from .selectors import message_counts

DEFAULT_RETENTION_DAYS = 180


def purge_expired(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Purge every send created more than its institution's retention period before ``now``
    and not purged yet; returns how many were purged. Each send is purged in its own
    transaction (counts first, then the personal data)."""
    now = now or timezone.now()
    retention = {
        org_id: min(days, SmsSettings.MAX_RETENTION_DAYS)  # a row saved before the bound
        for org_id, days in SmsSettings.objects.values_list("organisation_id", "retention_days")
    }
    oldest = now - dt.timedelta(days=min([DEFAULT_RETENTION_DAYS, *retention.values()]))
    candidates = Message.objects.filter(purged_at__isnull=True, created_at__lt=oldest).values_list(
        "pk", "organisation_id", "created_at"
    )
    purged = 0
    for pk, org_id, created_at in candidates[:batch]:
        days = retention.get(org_id, DEFAULT_RETENTION_DAYS)
        if created_at >= now - dt.timedelta(days=days):
            continue
        message_purge(message_id=pk, now=now)
        purged += 1
    return purged


@transaction.atomic
def message_purge(*, message_id: int, now: dt.datetime | None = None) -> None:
    """Keep the counts of one send, delete its content, numbers and operator ids."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.purged_at is not None:
        return
    counts = message_counts(message)
    message.stats = {**message.stats, **counts}
    message.content = ""
    message.mail_subject = ""
    message.mail_body = ""
    message.recipients_label = ""
    message.purged_at = now or timezone.now()
    message.save(
        update_fields=[
            "stats",
            "content",
            "mail_subject",
            "mail_body",
            "recipients_label",
            "purged_at",
        ]
    )
    message.recipients.all().delete()  # parts go with them (cascade)
    ClientSendKey.objects.filter(message=message).delete()
