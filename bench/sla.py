"""Benchmark of the SLA engine (issue 3, item 12); not run by the test suite.

    .venv/bin/python bench/sla.py                   # 100,000 tickets, a throw-away SQLite
    .venv/bin/python bench/sla.py --tickets 20000   # smaller
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/esup_bench .venv/bin/python bench/sla.py

Prints:

1. deadline computations per second of ``BusinessCalendar.add`` on 100,000 tickets
   (random start instants over 2025-2027, goals from 15 minutes to 5 business days) on
   Mon-Fri 08:00-12:00 / 13:30-17:30 Europe/Paris with the French holidays (and Alsace-
   Moselle), against round-the-clock as the reference; the same for ``between``;
2. the time of one full threshold sweep over 100,000 tickets with running clocks in the
   database, first with ``--due`` of them past a threshold (recorded, notified, escalated),
   then with none due (the steady-state cost of the periodic job).

The database is migrated first; with no ``DATABASE_URL`` a temporary SQLite file is used.
Do not point it at a database you care about: it writes 100,000 tickets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

UTC = dt.UTC


def engine_bench(n: int) -> None:
    from esup_saas.lib.business_time import ALWAYS, FRENCH_OFFICE_HOURS, BusinessCalendar

    rng = random.Random(42)
    base = dt.datetime(2025, 1, 1, tzinfo=UTC)
    starts = [base + dt.timedelta(seconds=rng.randrange(3 * 365 * 86400)) for _ in range(n)]
    goals = [rng.choice([900, 1800, 3600, 4 * 3600, 8 * 3600, 5 * 8 * 3600]) for _ in range(n)]
    calendars = {
        "office hours + FR holidays": BusinessCalendar(windows=FRENCH_OFFICE_HOURS, country="FR"),
        "office hours + Alsace-Moselle": BusinessCalendar(
            windows=FRENCH_OFFICE_HOURS, country="FR", subdivision="alsace-moselle"
        ),
        "round the clock (reference)": ALWAYS,
    }
    print(f"1. Deadline computations on {n:,} tickets")
    rates = {}
    for name, cal in calendars.items():
        t0 = time.perf_counter()
        ends = [cal.add(s, g) for s, g in zip(starts, goals, strict=True)]
        add_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for s, e in zip(starts, ends, strict=True):
            cal.between(s, e)
        between_s = time.perf_counter() - t0
        rates[name] = n / add_s
        print(
            f"   {name:32s} add: {n / add_s:10,.0f}/s ({add_s:.2f} s)   "
            f"between: {n / between_s:10,.0f}/s ({between_s:.2f} s)"
        )
    ref = rates["round the clock (reference)"]
    for name, rate in rates.items():
        print(f"   {name:32s} {rate / ref:5.2f}× the round-the-clock rate")


def sweep_bench(n: int, due: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from esup_saas.catalog.models import (
        ContractStatus,
        CustomerContract,
        CustomerContractService,
        RequestType,
        Service,
        ServiceFamily,
        ServiceSubcategory,
    )
    from esup_saas.catalog.services_sla import holiday_calendar_save, service_hours_save, sla_save
    from esup_saas.servicedesk.models import SlaClock, Ticket
    from esup_saas.servicedesk.sla import sla_threshold_sweep
    from esup_saas.tenancy.models import Organisation, Person

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    print(f"\n2. Threshold sweep on {n:,} tickets ({connection.vendor})")
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    provider = Organisation.objects.create(name="Bench provider", code="bench-p", is_provider=True)
    customer = Organisation.objects.create(name="Bench customer", code="bench-c", is_customer=True)
    caller = Person.objects.create(
        first_name="Ada", last_name="Bench", organisation=customer, email="ada@bench.example"
    )
    family = ServiceFamily.objects.create(name="Bench")
    service = Service.objects.create(name="Bench service", family=family, provider=provider)
    sub = ServiceSubcategory.objects.create(
        service=service, name="Incident", request_type=RequestType.INCIDENT
    )
    hours = service_hours_save(
        actor=None,
        provider=provider,
        name="Bureau",
        intervals=[(d, dt.time(a), dt.time(b)) for d in range(5) for a, b in ((8, 12), (13, 17))],
    )
    cal = holiday_calendar_save(actor=None, provider=provider, name="FR")
    sla = sla_save(
        actor=None,
        provider=provider,
        name="Bench",
        service_hours=hours,
        holiday_calendar=cal,
        targets=[
            {"priority": 3, "request_type": "incident", "metric": m, "value": 8, "unit": "hours"}
            for m in ("tto", "ttr")
        ],
    )
    contract = CustomerContract.objects.create(
        name="Bench",
        customer=customer,
        provider=provider,
        status=ContractStatus.PRODUCTION,
        start_date=dt.date(2020, 1, 1),
    )
    CustomerContractService.objects.create(contract=contract, service=service, sla=sla)
    now = timezone.now()
    past, future = now - dt.timedelta(hours=1), now + dt.timedelta(days=30)
    batch = 5000
    for lo in range(0, n, batch):
        tickets = [
            Ticket(
                kind="incident",
                number=i + 1,
                title=f"Bench {i}",
                description="…",
                caller=caller,
                organisation=customer,
                service=service,
                subcategory=sub,
                request_type="incident",
                status="new",
                impact=3,
                urgency=3,
                priority=3,
                start_date=now - dt.timedelta(hours=2),
                last_update=now,
            )
            for i in range(lo, min(n, lo + batch))
        ]
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets)
            created = Ticket.objects.filter(number__gt=lo, number__lte=lo + batch).values_list(
                "pk", "number"
            )
            SlaClock.objects.bulk_create(
                SlaClock(
                    ticket_id=pk,
                    metric=metric,
                    sla=sla,
                    goal_seconds=8 * 3600.0,
                    elapsed_seconds=0.0,
                    running_since=now - dt.timedelta(hours=2),
                    warning_at=past if number <= due else future,
                    deadline=past if number <= due else future,
                )
                for pk, number in created
                for metric in ("tto", "ttr")
            )
    print(f"   set-up ({n:,} tickets, {2 * n:,} clocks): {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    counts = sla_threshold_sweep()
    busy = time.perf_counter() - t0
    print(
        f"   sweep with {due:,} tickets due: {busy:.2f} s "
        f"({counts['warnings']:,} warnings, {counts['breaches']:,} breaches recorded, notified "
        f"and escalated: {1000 * busy / max(1, due):.1f} ms per ticket)"
    )
    t0 = time.perf_counter()
    counts = sla_threshold_sweep()
    idle = time.perf_counter() - t0
    print(f"   sweep with nothing due: {idle * 1000:.1f} ms ({counts})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--engine-only", action="store_true")
    args = parser.parse_args()
    engine_bench(args.tickets)
    if args.engine_only:
        return
    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.TemporaryDirectory(prefix="esup-sla-bench-")
        os.environ["ESUP_SAAS_VAR_DIR"] = tmp.name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esup_saas.settings")
    os.environ.pop("REDIS_URL", None)  # tasks in-process: the sweep's whole cost is measured
    try:
        sweep_bench(args.tickets, args.due)
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
