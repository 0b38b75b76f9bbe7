"""How a send's delivery is asked for once its transaction commits (``settings.SMS_DELIVERY``):

- ``celery`` (default): the task ``sms.deliver`` (``tasks.py``) is queued; in the embedded
  default (no ``REDIS_URL``) Celery runs it eagerly, in this process, right after the commit;
- ``thread``: a daemon thread of the web process runs :func:`~.delivery.deliver_pending`
  for that send, then reads receipts for a few seconds;
- ``manual``: nothing (tests, or a separate ``esup-saas sms-worker`` process that polls the
  outbox).

In every mode the periodic sweeper picks up whatever is left waiting.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def _deliver_in_thread(message_id: int) -> None:
    from .delivery import deliver_pending

    try:
        deliver_pending(
            message_id=message_id,
            poll_seconds=float(getattr(settings, "SMS_THREAD_POLL_SECONDS", 5.0)),
        )
    except Exception:  # a background thread must log, not die silently
        logger.exception("SMS-U delivery of message %s failed; the sweeper will retry", message_id)
    finally:
        close_old_connections()


def enqueue_delivery(message_id: int) -> None:
    """Start (or queue) the delivery of ``message_id`` in the configured mode."""
    mode = getattr(settings, "SMS_DELIVERY", "celery")
    if mode == "manual":
        return
    if mode == "celery":
        from .tasks import deliver

        deliver.delay(message_id)
        return
    threading.Thread(
        target=_deliver_in_thread, args=(message_id,), name=f"sms-{message_id}", daemon=True
    ).start()
