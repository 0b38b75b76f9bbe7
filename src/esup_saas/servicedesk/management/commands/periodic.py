"""``esup-saas periodic``: run the periodic jobs in this process (embedded default).

Production runs ``celery -A esup_saas beat`` with workers on Redis. Without Redis (``make
demo``, a single machine), this command plays beat's part: every ``--tick`` seconds it runs,
in-process, each job of ``settings.CELERY_BEAT_SCHEDULE`` whose interval has elapsed (SLA
thresholds, automatic close, mail retries, IMAP poll, notification safety net). The jobs are
idempotent and safe to run beside workers, so running it twice does no harm.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

log = logging.getLogger("esup_saas.periodic")


def _interval(schedule: object) -> float:
    if isinstance(schedule, dt.timedelta):
        return schedule.total_seconds()
    if isinstance(schedule, int | float):
        return float(schedule)
    return float(schedule.run_every.total_seconds())  # type: ignore[attr-defined]


class Command(BaseCommand):
    help = "Run the periodic jobs of CELERY_BEAT_SCHEDULE in this process (no celery beat)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once, then stop")
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between checks")

    def handle(self, *args, once: bool = False, tick: float = 5.0, **options):
        from esup_saas.celery import app

        app.loader.import_default_modules()  # every app's tasks module (autodiscovery)
        stop = False

        def _stop(signum, frame):
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, _stop)
        jobs = {
            name: (entry["task"], _interval(entry["schedule"]))
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
        last: dict[str, float] = {}
        if not once:
            self.stdout.write(f"periodic jobs: {', '.join(sorted(jobs))} (Ctrl-C to stop)")
        try:
            while not stop:
                now = time.monotonic()
                for name, (task_name, every) in jobs.items():
                    if not once and now - last.get(name, -every) < every:
                        continue
                    last[name] = now
                    close_old_connections()
                    try:
                        result = app.tasks[task_name].apply().get(propagate=True)
                    except Exception:
                        log.exception("periodic job %s failed", name)
                        continue
                    if once:
                        self.stdout.write(f"{name}: {result}")
                if once:
                    break
                time.sleep(tick)
        except KeyboardInterrupt:
            pass
