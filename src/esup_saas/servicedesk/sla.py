"""SLA clocks of tickets: TTO and TTR in business time, thresholds, automatic close.

Rules (specs/platform.md items 17-19, after iTop's stopwatches):

- TTO (*time to own*) runs in ``new``, ``escalated_tto`` and ``approved``; TTR (*time to
  resolve*) in ``new``, ``escalated_tto``, ``assigned``, ``approved`` and ``escalated_ttr``.
  Any other state stops the clock; ``pending`` (and waiting for approval) pauses both, and a
  clock that runs again goes on from where it stopped.
- The goal comes from the SLA chosen for the ticket's customer contract × service
  (``catalog.selectors_sla.sla_for``) and the SLT of the ticket's priority, request type and
  metric; the time counts only inside the SLA's coverage window and outside holidays
  (:mod:`esup_saas.lib.business_time`).
- Deadlines are absolute instants, recomputed by :func:`ticket_sla_sync` whenever priority,
  SLA or status change: the running period is first folded into ``elapsed_seconds`` under the
  calendar in force, then the remaining goal is laid on the calendar from now. A deadline
  that a new, shorter goal puts in the past is the exact instant the elapsed time reached it.
- 75 % of the goal raises a warning, 100 % a breach ("SLA TTO dépassé ? oui") with the
  overrun in seconds; a breach moves ``new`` → ``escalated_tto`` (TTO) and ``assigned`` →
  ``escalated_ttr`` (TTR). :func:`sla_threshold_sweep` is idempotent and safe on several
  workers: each threshold row is inserted before any notification, under a unique key.
- :func:`auto_close_sweep` closes resolved tickets after the provider's delay (default 7
  calendar days, item 13), with no satisfaction given.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from esup_saas.catalog.models_sla import SLA, Metric
from esup_saas.catalog.selectors_sla import (
    auto_close_days,
    calendar_for_sla,
    goal_seconds,
    sla_for,
)
from esup_saas.lib.business_time import ALWAYS, BusinessCalendar

from .models import Ticket, TicketEvent
from .models_sla import SlaClock, SlaThresholdEvent
from .workflow import Status

log = logging.getLogger(__name__)

#: States where each clock runs (item 18).
RUNNING_STATES: dict[str, frozenset[str]] = {
    Metric.TTO: frozenset({Status.NEW, Status.ESCALATED_TTO, Status.APPROVED}),
    Metric.TTR: frozenset(
        {
            Status.NEW,
            Status.ESCALATED_TTO,
            Status.ASSIGNED,
            Status.APPROVED,
            Status.ESCALATED_TTR,
        }
    ),
}
#: Fraction of the goal that raises the warning (item 19).
WARNING_RATIO = 0.75
#: The system transition a breach fires, per metric, and the state it starts from.
ESCALATION = {
    Metric.TTO: ("escalate_tto", Status.NEW),
    Metric.TTR: ("escalate_ttr", Status.ASSIGNED),
}
_DEADLINE_FIELD = {Metric.TTO: "tto_deadline", Metric.TTR: "ttr_deadline"}


def _calendar(
    sla: SLA | None, cache: dict[int, BusinessCalendar] | None = None
) -> BusinessCalendar:
    if sla is None:
        return ALWAYS
    if cache is not None and sla.pk in cache:
        return cache[sla.pk]
    cal = calendar_for_sla(sla)
    if cache is not None:
        cache[sla.pk] = cal
    return cal


def _instant_after(calendar: BusinessCalendar, start: dt.datetime, seconds: float) -> dt.datetime:
    """``calendar.add(start, seconds)``, but the *earliest* instant when ``seconds`` < 0.

    Going back, ``add`` stops at the start of a window (13:30 after the lunch break, Monday
    08:30); the instant a goal was reached is the end of the window before (12:00, Friday
    17:30), the one a forward computation gives. Stepping back and forth by a microsecond
    lands there, so a deadline recomputed after it passed stays the same instant.
    """
    instant = calendar.add(start, seconds)
    if seconds < 0:
        instant = calendar.add(calendar.add(instant, -1e-6), 1e-6)
    return instant


def _sla_of(ticket: Ticket) -> SLA | None:
    day = timezone.localtime(ticket.start_date).date()
    return sla_for(organisation_id=ticket.organisation_id, service_id=ticket.service_id, on=day)


def ticket_sla_sync(*, ticket: Ticket, at: dt.datetime | None = None) -> None:
    """Bring the TTO and TTR clocks of ``ticket`` up to date after a write at ``at``.

    Called once by each service that changes a ticket's status, priority or qualification
    (``ticket_create``, ``ticket_transition``, ``ticket_update``) inside its transaction,
    and by :func:`sla_refresh_provider` when a provider's levels change. Folds the running
    period into the elapsed time (business seconds, the calendar of the SLA that was in
    force), picks the SLA and goal in force now, restarts the clock if the new status runs
    it, and stores the 75 % and 100 % instants on the clock and the deadlines on the ticket
    (``tto_deadline`` / ``ttr_deadline``; ``None`` while the clock does not run).
    """
    now = at or timezone.now()
    sla = _sla_of(ticket)
    calendar = _calendar(sla)
    clocks = {c.metric: c for c in SlaClock.objects.select_for_update().filter(ticket=ticket)}
    deadlines: dict[str, dt.datetime | None] = {}
    for metric in (Metric.TTO, Metric.TTR):
        goal = (
            goal_seconds(
                sla=sla,
                priority=ticket.priority,
                request_type=ticket.request_type,
                metric=metric,
                calendar=calendar,
            )
            if sla is not None
            else None
        )
        clock = clocks.get(metric)
        if clock is None:
            if goal is None:
                deadlines[metric] = None
                continue
            clock = SlaClock(ticket=ticket, metric=metric, elapsed_seconds=0.0)
        if clock.running_since is not None:
            old_calendar = calendar if clock.sla_id == (sla.pk if sla else None) else None
            old_calendar = old_calendar or _calendar(clock.sla)
            clock.elapsed_seconds += max(0.0, old_calendar.between(clock.running_since, now))
            clock.running_since = None
        clock.sla = sla
        clock.goal_seconds = goal
        if goal is not None and ticket.status in RUNNING_STATES[metric]:
            clock.running_since = now
            clock.deadline = _instant_after(calendar, now, goal - clock.elapsed_seconds)
            clock.warning_at = _instant_after(
                calendar, now, goal * WARNING_RATIO - clock.elapsed_seconds
            )
        else:
            clock.deadline = None
            clock.warning_at = None
        clock.save()
        deadlines[metric] = clock.deadline
    changes = {
        _DEADLINE_FIELD[m]: deadlines.get(m)
        for m in (Metric.TTO, Metric.TTR)
        if getattr(ticket, _DEADLINE_FIELD[m]) != deadlines.get(m)
    }
    if changes:
        Ticket.objects.filter(pk=ticket.pk).update(**changes)
        for name, value in changes.items():
            setattr(ticket, name, value)


@dataclass(frozen=True)
class ClockState:
    """What a clock says at an instant: the seed's "SLA TTO dépassé ? oui / Dépassement 0s"."""

    metric: str
    goal_seconds: float | None
    elapsed_seconds: float
    running: bool
    deadline: dt.datetime | None
    passed: bool
    overrun_seconds: int

    @property
    def percent(self) -> float | None:
        """Elapsed time as a percentage of the goal (``None`` without a goal)."""
        if not self.goal_seconds:
            return None
        return 100.0 * self.elapsed_seconds / self.goal_seconds


def clock_state(
    clock: SlaClock, at: dt.datetime | None = None, cache: dict[int, BusinessCalendar] | None = None
) -> ClockState:
    """The state of ``clock`` at ``at`` (default now): elapsed and overrun business seconds."""
    now = at or timezone.now()
    elapsed = clock.elapsed_seconds
    if clock.running_since is not None:
        elapsed += max(0.0, _calendar(clock.sla, cache).between(clock.running_since, now))
    goal = clock.goal_seconds
    overrun = max(0.0, elapsed - goal) if goal is not None else 0.0
    return ClockState(
        metric=clock.metric,
        goal_seconds=goal,
        elapsed_seconds=elapsed,
        running=clock.running_since is not None,
        deadline=clock.deadline,
        passed=goal is not None and (elapsed > goal or clock.breached_at is not None),
        overrun_seconds=int(overrun),
    )


def ticket_sla_states(ticket: Ticket, at: dt.datetime | None = None) -> dict[str, ClockState]:
    """``{"tto": ClockState, "ttr": ClockState}`` for the clocks the ticket has."""
    return {c.metric: clock_state(c, at) for c in ticket.sla_clocks.select_related("sla")}


# --- periodic jobs --------------------------------------------------------------------------


def _due_clocks_q(now: dt.datetime) -> Q:
    return Q(running_since__isnull=False) & (
        Q(warning_at__lte=now, warned_at__isnull=True)
        | Q(deadline__lte=now, breached_at__isnull=True)
    )


def _record_thresholds(
    ticket: Ticket,
    clock: SlaClock,
    now: dt.datetime,
    counts: dict[str, int],
    cache: dict[int, BusinessCalendar],
) -> None:
    from .services import ticket_transition

    state = clock_state(clock, now, cache)
    crossed = []
    if clock.warned_at is None and clock.warning_at and clock.warning_at <= now:
        crossed.append(75)
    if clock.breached_at is None and clock.deadline and clock.deadline <= now:
        crossed.append(100)
    for threshold in crossed:
        overrun = state.overrun_seconds if threshold == 100 else 0
        try:
            with transaction.atomic():
                SlaThresholdEvent.objects.create(
                    ticket=ticket,
                    metric=clock.metric,
                    threshold=threshold,
                    at=now,
                    overrun_seconds=overrun,
                )
        except IntegrityError:
            continue  # recorded already
        if threshold == 75:
            clock.warned_at = now
            counts["warnings"] += 1
        else:
            clock.breached_at = now
            clock.warned_at = clock.warned_at or now
            counts["breaches"] += 1
        clock.save(update_fields=["warned_at", "breached_at"])
        TicketEvent.objects.create(
            ticket=ticket,
            kind="sla_threshold",
            at=now,
            data={
                "metric": clock.metric,
                "threshold": threshold,
                "overrun_seconds": overrun,
                "deadline": clock.deadline.isoformat() if clock.deadline else None,
            },
        )
        code, source = ESCALATION[Metric(clock.metric)]
        if threshold == 100 and ticket.status == source:
            ticket = ticket_transition(ticket=ticket, code=code, actor=None)


def sla_threshold_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Record the 75 % and 100 % thresholds that running clocks have crossed by ``now``.

    For each crossed threshold, in one transaction per ticket: insert the
    :class:`SlaThresholdEvent` (unique per ticket, metric and threshold: a second worker's
    insert fails and it moves on), mark the clock, add a ``sla_threshold`` ticket event (the
    notifications read it, after the commit) and, on a breach, fire ``escalate_tto`` from
    ``new`` or ``escalate_ttr`` from ``assigned``. Tickets locked by another worker are
    skipped (``SKIP LOCKED`` on PostgreSQL). Returns ``{"warnings": n, "breaches": n}``.
    """
    now = now or timezone.now()
    counts = {"warnings": 0, "breaches": 0}
    cache: dict[int, BusinessCalendar] = {}
    ticket_ids = list(
        SlaClock.objects.filter(_due_clocks_q(now))
        .values_list("ticket_id", flat=True)
        .distinct()
        .order_by("ticket_id")
    )
    for ticket_id in ticket_ids:
        with transaction.atomic():
            # Lock order, as everywhere: the ticket row, then its clocks. A ticket another
            # worker holds is skipped: that worker handles it.
            ticket = Ticket.objects.select_for_update(skip_locked=True).filter(pk=ticket_id).first()
            if ticket is None:
                continue
            clocks = list(
                SlaClock.objects.select_for_update(of=("self",))
                .filter(_due_clocks_q(now), ticket=ticket)
                .select_related("sla")
                .order_by("metric")
            )
            for clock in clocks:
                _record_thresholds(ticket, clock, now, counts, cache)
    return counts


def auto_close_sweep(*, now: dt.datetime | None = None) -> int:
    """Close the resolved tickets whose provider's delay has passed; return how many.

    The delay is ``ProviderSlaSettings.auto_close_days`` (default 7 calendar days) counted
    from the resolution date. The ``auto_close`` transition sets no satisfaction. A ticket
    reopened or closed meanwhile (by the caller or another worker) is left alone.
    """
    from .services import TransitionNotAllowed, ticket_transition

    now = now or timezone.now()
    closed = 0
    provider_ids = (
        Ticket.objects.filter(status=Status.RESOLVED)
        .values_list("service__provider_id", flat=True)
        .distinct()
    )
    for provider_id in list(provider_ids):
        limit = now - dt.timedelta(days=auto_close_days(provider_id))
        ids = Ticket.objects.filter(
            status=Status.RESOLVED,
            service__provider_id=provider_id,
            resolution_date__lte=limit,
        ).values_list("pk", flat=True)
        for ticket_id in list(ids):
            with transaction.atomic():
                ticket = (
                    Ticket.objects.select_for_update(skip_locked=True)
                    .filter(pk=ticket_id, status=Status.RESOLVED)
                    .first()
                )
                if ticket is None:
                    continue
                try:
                    ticket_transition(ticket=ticket, code="auto_close", actor=None)
                except TransitionNotAllowed:
                    continue
                closed += 1
    return closed


def sla_refresh_provider(provider_id: int) -> int:
    """Re-sync the clocks of the open tickets of ``provider_id`` (its levels changed)."""
    from .workflow import OPEN_STATES

    count = 0
    ids = Ticket.objects.filter(
        service__provider_id=provider_id, status__in=list(OPEN_STATES | {Status.RESOLVED})
    ).values_list("pk", flat=True)
    for ticket_id in list(ids):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
            ticket_sla_sync(ticket=ticket)
            count += 1
    return count


# --- tickets that come with a past (imports, demo data) ----------------------------------


@transaction.atomic
def ticket_sla_replay(*, ticket: Ticket) -> dict[str, SlaClock]:
    """Rebuild the TTO and TTR clocks of ``ticket`` from its history; return them by metric.

    For tickets written with dates of the past (imports, the demo's seed of 2020), whose
    writes ran ``ticket_sla_sync`` at the real time of the load: the clocks are deleted, then
    :func:`ticket_sla_sync` is played at each ``simple_history`` record's date with the
    status, priority and request type the ticket had then (oldest first), so the elapsed
    business time and the deadlines are those the ticket would have had. Thresholds already
    recorded (:class:`SlaThresholdEvent`) stay recorded on the rebuilt clocks, so the
    periodic sweep does not meet them again. The ticket's ``tto_deadline`` and
    ``ttr_deadline`` are set from the rebuilt clocks.
    """
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    SlaClock.objects.filter(ticket=locked).delete()
    records = locked.history.order_by("history_date", "history_id")  # type: ignore[attr-defined]
    for record in records:
        past = record.instance
        ticket_sla_sync(ticket=past, at=record.history_date)
    clocks = {c.metric: c for c in SlaClock.objects.filter(ticket=locked)}
    recorded = SlaThresholdEvent.objects.filter(ticket=locked)
    for event in recorded:
        clock = clocks.get(event.metric)
        if clock is None:
            continue
        if event.threshold == 75:
            clock.warned_at = event.at
        else:
            clock.breached_at = event.at
            clock.warned_at = clock.warned_at or event.at
        clock.save(update_fields=["warned_at", "breached_at"])
    deadlines = {
        field: clocks[metric].deadline if metric in clocks else None
        for metric, field in _DEADLINE_FIELD.items()
    }
    Ticket.objects.filter(pk=locked.pk).update(**deadlines)
    for name, value in deadlines.items():
        setattr(ticket, name, value)
    return clocks


@transaction.atomic
def sla_thresholds_mark_passed(*, ticket: Ticket, now: dt.datetime | None = None) -> int:
    """Record, quietly, the thresholds the running clocks of ``ticket`` passed before ``now``.

    For tickets that come with a past (imports, the demo's seed of 2020): a 75 % warning or a
    breach that happened years ago is history, not news. Each one gets its
    :class:`SlaThresholdEvent` at the instant it was crossed (the clock's ``warning_at`` or
    ``deadline``, overrun 0 s at that instant) and the clock is marked, so
    :func:`sla_threshold_sweep` never meets it: no ticket event, no mail, no escalation (the
    ticket keeps its status). Thresholds already recorded are left alone (idempotent).
    Returns how many thresholds were recorded.
    """
    now = now or timezone.now()
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    recorded = 0
    clocks = SlaClock.objects.select_for_update().filter(_due_clocks_q(now), ticket=locked)
    for clock in clocks.order_by("metric"):
        crossed = []
        if clock.warned_at is None and clock.warning_at and clock.warning_at <= now:
            crossed.append((75, clock.warning_at))
        if clock.breached_at is None and clock.deadline and clock.deadline <= now:
            crossed.append((100, clock.deadline))
        for threshold, at in crossed:
            _, made = SlaThresholdEvent.objects.get_or_create(
                ticket=locked,
                metric=clock.metric,
                threshold=threshold,
                defaults={"at": at, "overrun_seconds": 0},
            )
            recorded += made
            if threshold == 75:
                clock.warned_at = at
            else:
                clock.breached_at = at
                clock.warned_at = clock.warned_at or at
        clock.save(update_fields=["warned_at", "breached_at"])
    return recorded
