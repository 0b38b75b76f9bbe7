"""``esup-saas sms-worker``: a long-running SMS-U delivery worker on one operator session.

Keeps one transport open (for SMPP: one bound transceiver session, so receipts come back on
it), delivers the outbox in batches and reads receipts in between; several may run at once
(rows are leased). ``--once`` delivers what waits, reads receipts for ``--poll`` seconds and
stops. Stop with Ctrl-C or SIGTERM: the current batch is finished first.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections


class Command(BaseCommand):
    help = "Livre les SMS en attente et lit les accusés de réception (SMS-U)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one batch, then stop")
        parser.add_argument("--batch", type=int, default=500, help="recipients per batch")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds reading receipts")
        parser.add_argument("--sweep-every", type=float, default=300.0, help="seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        from esup_saas.offers.sms.delivery import deliver_pending, sweep
        from esup_saas.offers.sms.transports import transport_from_settings

        stop = False

        def _stop(signum: int, frame: Any) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, _stop)
        link = transport_from_settings()
        last_sweep = 0.0
        try:
            while not stop:
                close_old_connections()
                if time.monotonic() - last_sweep > options["sweep_every"]:
                    sweep()
                    last_sweep = time.monotonic()
                report = deliver_pending(
                    transport=link, limit=options["batch"], poll_seconds=options["poll"]
                )
                if report.leased or options["once"]:
                    self.stdout.write(
                        f"leased={report.leased} accepted={report.accepted} "
                        f"failed={report.failed} retried={report.retried}"
                    )
                if options["once"]:
                    break
        except KeyboardInterrupt:
            pass
        finally:
            link.close()
