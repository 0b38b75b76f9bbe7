"""Celery tasks of SMS-U (names are stable: the beat schedule uses them).

``sms.deliver`` is enqueued after the commit of each send (``dispatch.enqueue_delivery``);
``sms.deliver_pending`` and ``sms.sweep`` are periodic (``settings.CELERY_BEAT_SCHEDULE``):
together they pick up anything left waiting, whatever happened to a worker.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings


@shared_task(name="sms.deliver")
def deliver(message_id: int) -> dict[str, Any]:
    """Deliver one send's outbox, then read receipts for ``SMS_TASK_POLL_SECONDS``."""
    from .delivery import deliver_pending

    report = deliver_pending(
        message_id=message_id,
        poll_seconds=float(getattr(settings, "SMS_TASK_POLL_SECONDS", 2.0)),
    )
    return {"leased": report.leased, "accepted": report.accepted, "failed": report.failed}


@shared_task(name="sms.deliver_pending")
def deliver_pending_task() -> dict[str, Any]:
    """Periodic: deliver whatever waits in the outbox and read the receipts waiting."""
    from .delivery import deliver_pending

    report = deliver_pending(poll_seconds=float(getattr(settings, "SMS_TASK_POLL_SECONDS", 2.0)))
    return {"leased": report.leased, "accepted": report.accepted, "failed": report.failed}


@shared_task(name="sms.sweep")
def sweep_task() -> dict[str, Any]:
    """Periodic: expired leases, overdue receipts, retention purge (``delivery.sweep``)."""
    from .delivery import sweep

    report = sweep()
    return {
        "released": report.released,
        "resent": report.resent,
        "expired": report.expired,
        "purged": report.purged,
        "pending": len(report.pending_messages),
    }
