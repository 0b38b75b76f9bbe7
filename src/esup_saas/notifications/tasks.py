"""Celery tasks of the notifications (names are stable: the beat schedule uses them)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="notifications.mail_send")
def mail_send_task(mail_id: int) -> str | None:
    """Send one queued mail (retries are rows due later, see ``services.mail_send``)."""
    return services.mail_send(mail_id=mail_id)


@shared_task(name="notifications.mail_send_due")
def mail_send_due_task() -> int:
    """Periodic: send the mails that are queued or due for a retry."""
    return services.mail_send_due()
