"""Celery tasks of the service desk (names are stable: the beat schedule uses them)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="servicedesk.sla_threshold_sweep")
def sla_threshold_sweep_task() -> dict[str, int]:
    """Periodic: record the SLA thresholds crossed, notify, escalate."""
    from .sla import sla_threshold_sweep

    return sla_threshold_sweep()


@shared_task(name="servicedesk.auto_close_sweep")
def auto_close_sweep_task() -> int:
    """Periodic: close the resolved tickets after their provider's delay."""
    from .sla import auto_close_sweep

    return auto_close_sweep()


@shared_task(name="servicedesk.sla_refresh_provider")
def sla_refresh_provider_task(provider_id: int) -> int:
    """Re-sync the clocks of a provider's open tickets after its levels changed."""
    from .sla import sla_refresh_provider

    return sla_refresh_provider(provider_id)


@shared_task(name="servicedesk.notify_event")
def notify_event_task(event_id: int) -> int:
    """Queue the mails of one ticket event (enqueued after its commit)."""
    from .notify import notify_event

    return notify_event(event_id=event_id)


@shared_task(name="servicedesk.notify_events")
def notify_events_task(event_ids: list[int]) -> int:
    """Queue the mails of the events of one committed transaction (one task, one commit)."""
    from .notify import notify_events

    return notify_events(event_ids=event_ids)


@shared_task(name="servicedesk.notify_pending")
def notify_pending_task() -> int:
    """Periodic safety net: dispatch recent events whose task was lost."""
    from .notify import notify_pending

    return notify_pending()


@shared_task(name="servicedesk.imap_poll")
def imap_poll_task() -> int:
    """Periodic: ingest the unseen messages of the IMAP mailbox, when one is configured."""
    from .mail_in import imap_poll

    return imap_poll()
