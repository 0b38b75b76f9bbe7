"""Reads of the SLA clocks: compliance per provider, service, customer and month (item 20).

A ticket *meets* a goal when its clock's business time stayed within it: the clock has no
recorded breach and its elapsed time (up to now for a running clock) does not exceed the
goal. Months are those of the tickets' start dates in Europe/Paris. Only the tickets in the
user's console scope are counted (tenancy rule).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from esup_saas.lib.business_time import BusinessCalendar

from .models_sla import SlaClock
from .selectors import console_tickets_q
from .sla import clock_state


@dataclass
class ComplianceRow:
    """One line of the report; ``met`` and ``total`` per metric (``tto``, ``ttr``)."""

    month: str
    provider: str
    service: str
    customer: str
    met: dict[str, int] = field(default_factory=lambda: {"tto": 0, "ttr": 0})
    total: dict[str, int] = field(default_factory=lambda: {"tto": 0, "ttr": 0})

    def rate(self, metric: str) -> float | None:
        """Percentage of the goals met (``None`` when no ticket had that goal)."""
        total = self.total[metric]
        return round(100.0 * self.met[metric] / total, 1) if total else None

    @property
    def tto_rate(self) -> float | None:
        return self.rate("tto")

    @property
    def ttr_rate(self) -> float | None:
        return self.rate("ttr")


def sla_compliance(
    user: object,
    *,
    start: dt.date,
    end: dt.date,
    provider_id: int | None = None,
    organisation_ids: set[int] | None = None,
    now: dt.datetime | None = None,
) -> list[ComplianceRow]:
    """Compliance rows for tickets started from ``start`` to ``end`` (dates, inclusive),
    sorted by month, provider, service, customer.

    ``organisation_ids`` (the console picker's subtree) narrows to the tickets whose customer
    or provider is among them, as the console's ticket lists do.
    """
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    clocks = SlaClock.objects.filter(
        goal_seconds__isnull=False,
        ticket__in=_scoped_ticket_ids(user),
        ticket__start_date__gte=lo,
        ticket__start_date__lt=hi,
    ).select_related(
        "sla",
        "ticket__service",
        "ticket__service__provider",
        "ticket__organisation",
    )
    if provider_id is not None:
        clocks = clocks.filter(ticket__service__provider_id=provider_id)
    if organisation_ids is not None:
        clocks = clocks.filter(
            Q(ticket__organisation_id__in=organisation_ids)
            | Q(ticket__service__provider_id__in=organisation_ids)
        )
    rows: dict[tuple[str, str, str, str], ComplianceRow] = {}
    cache: dict[int, BusinessCalendar] = {}
    for clock in clocks.iterator():
        ticket = clock.ticket
        month = timezone.localtime(ticket.start_date, tz).strftime("%Y-%m")
        key = (month, ticket.service.provider.name, ticket.service.name, ticket.organisation.name)
        row = rows.get(key) or rows.setdefault(key, ComplianceRow(*key))
        row.total[clock.metric] += 1
        if not clock_state(clock, now, cache).passed:
            row.met[clock.metric] += 1
    return [rows[k] for k in sorted(rows)]


def breached_ticket_ids(now: dt.datetime | None = None) -> QuerySet[SlaClock, Any]:
    """Ids of the tickets with a clock past its goal at ``now`` (a ``values`` queryset).

    The same rule as ``ClockState.passed``, in SQL: a breach was recorded, or a running
    clock's deadline has passed, or a stopped clock's elapsed time exceeds its goal. Meant
    for ``filter(pk__in=…)`` on a queryset already scoped to the user.
    """
    now = now or timezone.now()
    return SlaClock.objects.filter(
        Q(breached_at__isnull=False)
        | Q(running_since__isnull=False, deadline__lt=now)
        | Q(
            running_since__isnull=True,
            goal_seconds__isnull=False,
            elapsed_seconds__gt=F("goal_seconds"),
        )
    ).values("ticket_id")


def _scoped_ticket_ids(user: object):
    from .models import Ticket

    return Ticket.objects.filter(console_tickets_q(user)).values("pk")


def totals(rows: list[ComplianceRow]) -> ComplianceRow:
    """The sum of ``rows`` as one row (for the table's footer)."""
    total = ComplianceRow("", "", "", "")
    by_metric: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        for metric in ("tto", "ttr"):
            by_metric[metric][0] += row.met[metric]
            by_metric[metric][1] += row.total[metric]
    for metric, (met, count) in by_metric.items():
        total.met[metric], total.total[metric] = met, count
    return total
