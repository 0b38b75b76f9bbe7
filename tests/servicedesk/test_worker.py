"""A real Celery worker on the local Redis runs the SLA threshold job twice at once (item 10).

The worker is a separate process (``celery -A esup_saas worker``, prefork pool, two
children) on the PostgreSQL test database; the mails it sends are received by a real SMTP
server on 127.0.0.1. Exactly one notification must go out per threshold crossed.
Needs PostgreSQL (``DATABASE_URL``) and Redis (``REDIS_URL``); skipped otherwise.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from celery.result import allow_join_result
from django.db import connection
from django.utils import timezone

from esup_saas.catalog.models import CustomerContractService
from esup_saas.catalog.models_sla import SLA
from esup_saas.notifications.models import OutgoingMail
from esup_saas.servicedesk.models import SlaThresholdEvent, Ticket
from esup_saas.servicedesk.services import ticket_create
from esup_saas.servicedesk.tasks import sla_threshold_sweep_task
from esup_saas.servicedesk.workflow import Status
from esup_saas.tenancy.models import Role
from esup_saas.tenancy.services import membership_grant, person_create

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
TICKETS = 20


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379/5)")
    return url


@pytest.fixture
def worker(settings, smtp_server):
    """Start ``celery worker`` on the test database; yield once it answers a ping."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite's test database lives in this process's memory and "
            "cannot be shared with a worker process (set DATABASE_URL=postgres://…)"
        )
    redis_url = _redis_url()
    from esup_saas.celery import app

    app.control.purge()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
    }
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"esup-sla-worker-{os.getpid()}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "esup_saas",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"sla-test-{os.getpid()}@%h",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1.0):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log_path.read_text()[-3000:]}")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_notify_each_threshold_once(world, worker, smtp_server):
    from esup_saas.celery import app

    manager = person_create(
        first_name="Mona", last_name="Manager", organisation=world.provider, email="mgr@p1.org"
    )
    membership_grant(person=manager, organisation=world.provider, role=Role.SERVICE_MANAGER)
    # Round the clock: TTO 1 minute and TTR 2 minutes for priority 3 incidents.
    sla = SLA.objects.create(provider=world.provider, name="Express")
    sla.targets.create(priority=3, request_type="incident", metric="tto", value=1, unit="minutes")
    sla.targets.create(priority=3, request_type="incident", metric="ttr", value=2, unit="minutes")
    CustomerContractService.objects.filter(
        contract__customer=world.customer, service=world.service
    ).update(sla=sla)
    started = timezone.now() - dt.timedelta(minutes=5)
    for i in range(TICKETS):
        ticket_create(
            caller=world.owner,
            subcategory=world.incident_sub,
            title=f"Panne {i}",
            description="…",
            impact=3,
            urgency=3,
            start_date=started,
        )
    # Ticket creation mails were sent in this process (eager): count only the sweep's.
    smtp_server.messages.clear()
    app.conf.task_always_eager = False

    first = sla_threshold_sweep_task.apply_async()
    second = sla_threshold_sweep_task.apply_async()
    # Waiting on results from the test is fine; an earlier test in this process may have left
    # Celery believing it runs inside a worker, which forbids .get() without this.
    with allow_join_result():
        results = [first.get(timeout=120), second.get(timeout=120)]

    # Between them, the two sweeps recorded each of the 4 thresholds of each ticket once.
    assert sum(r["warnings"] for r in results) == 2 * TICKETS
    assert sum(r["breaches"] for r in results) == 2 * TICKETS
    assert SlaThresholdEvent.objects.count() == 4 * TICKETS
    assert Ticket.objects.filter(status=Status.ESCALATED_TTO).count() == TICKETS
    # A third sweep finds nothing left to do.
    with allow_join_result():
        third = sla_threshold_sweep_task.apply_async().get(timeout=60)
    assert third == {
        "warnings": 0,
        "breaches": 0,
    }

    # Mails: one per threshold to the provider's manager, all received by the SMTP server
    # from the worker; customers are not told of escalations (an internal SLA state).
    expected = 4 * TICKETS
    smtp_server.wait_for(expected, timeout=120)
    time.sleep(1.0)  # anything extra would arrive now
    to_manager = smtp_server.to("mgr@p1.org")
    keys = Counter(
        (m["Subject"].split("]")[0], "75 %" in m["Subject"], m["Subject"].split()[2])
        for m in to_manager
    )
    assert len(to_manager) == 4 * TICKETS
    assert set(keys.values()) == {1}  # no (ticket, threshold, metric) twice
    assert smtp_server.to("owner@example.org") == []
    assert len(smtp_server.messages) == expected
    sla_mails = OutgoingMail.objects.filter(trigger__in=["sla_warning", "sla_breach"])
    assert sla_mails.count() == 4 * TICKETS
    assert set(sla_mails.values_list("status", flat=True)) == {OutgoingMail.Status.SENT}
