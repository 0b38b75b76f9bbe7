"""Reads of the service levels: which SLA applies, its calendar, its goals, who may edit.

Scoping (DESIGN.md section 3): SLAs, service hours, holiday calendars and the provider's
settings belong to a provider; they are read and edited by the coordinators and service
managers of that provider (or of an organisation above it). Every ``get_…_for_user`` filters
inside the query, so another provider's object gives the same ``Http404`` as a missing one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from esup_saas.lib.business_time import ALWAYS, BusinessCalendar
from esup_saas.tenancy.models import Organisation, Role
from esup_saas.tenancy.selectors import organisation_ids_for

from .models import CustomerContractService
from .models_sla import (
    SLA,
    SLT,
    HolidayCalendar,
    ProviderSlaSettings,
    ServiceHours,
    TimeUnit,
)
from .selectors import contracts_in_force_q

#: Days before a resolved ticket closes by itself when the provider set nothing (item 13).
DEFAULT_AUTO_CLOSE_DAYS = 7
SLA_MANAGER_ROLES = (Role.COORDINATOR, Role.SERVICE_MANAGER)


# --- scoping --------------------------------------------------------------------------------


def sla_provider_ids(user: object) -> set[int]:
    """Ids of the providers whose service levels ``user`` may manage (managers, coordinators)."""
    return organisation_ids_for(user, SLA_MANAGER_ROLES)


def sla_providers_for_user(user: object) -> QuerySet[Organisation]:
    """Provider organisations ``user`` manages the service levels of, by name."""
    return Organisation.objects.filter(id__in=sla_provider_ids(user), is_provider=True)


def slas_for_user(user: object) -> QuerySet[SLA]:
    return SLA.objects.filter(provider_id__in=sla_provider_ids(user)).select_related(
        "provider", "service_hours", "holiday_calendar"
    )


def service_hours_for_user(user: object) -> QuerySet[ServiceHours]:
    return ServiceHours.objects.filter(provider_id__in=sla_provider_ids(user)).select_related(
        "provider"
    )


def holiday_calendars_for_user(user: object) -> QuerySet[HolidayCalendar]:
    return HolidayCalendar.objects.filter(provider_id__in=sla_provider_ids(user)).select_related(
        "provider"
    )


def coverages_for_user(user: object) -> QuerySet[CustomerContractService]:
    """Contract × service pairs whose service is delivered by a provider ``user`` manages."""
    return (
        CustomerContractService.objects.filter(service__provider_id__in=sla_provider_ids(user))
        .select_related("contract", "contract__customer", "service", "service__provider", "sla")
        .order_by("contract__customer__name", "contract__name", "service__name")
    )


def _get(qs: QuerySet[Any], pk: int | str, what: str) -> Any:
    try:
        return qs.get(pk=int(pk))
    except (ValueError, TypeError, qs.model.DoesNotExist):
        raise Http404(what) from None


def get_sla_for_user(user: object, pk: int | str) -> SLA:
    """The SLA ``pk`` if ``user`` manages its provider; else ``Http404``."""
    return _get(slas_for_user(user), pk, "sla")


def get_service_hours_for_user(user: object, pk: int | str) -> ServiceHours:
    return _get(service_hours_for_user(user), pk, "service hours")


def get_holiday_calendar_for_user(user: object, pk: int | str) -> HolidayCalendar:
    return _get(holiday_calendars_for_user(user), pk, "holiday calendar")


def get_coverage_for_user(user: object, pk: int | str) -> CustomerContractService:
    return _get(coverages_for_user(user), pk, "coverage")


def get_sla_provider_for_user(user: object, code: str) -> Organisation:
    try:
        return sla_providers_for_user(user).get(code=code)
    except Organisation.DoesNotExist:
        raise Http404("provider") from None


# --- the rules ------------------------------------------------------------------------------


def sla_for(*, organisation_id: int, service_id: int, on: dt.date) -> SLA | None:
    """The SLA chosen for ``service_id`` in the customer contract of ``organisation_id``.

    Among the contracts in force on ``on`` that cover the service with an SLA, the one that
    started last wins. ``None`` when no contract names an SLA (the ticket has no clock).
    """
    coverage = (
        CustomerContractService.objects.filter(
            contracts_in_force_q(on, prefix="contract__"),
            contract__customer_id=organisation_id,
            service_id=service_id,
            sla__isnull=False,
        )
        .select_related("sla")
        .order_by("-contract__start_date", "-pk")
        .first()
    )
    return coverage.sla if coverage is not None else None


def calendar_for_sla(sla: SLA) -> BusinessCalendar:
    """The business calendar of ``sla``: its hours, time zone, holidays and closures.

    No service hours: round the clock in the hours' default zone (``ALWAYS`` when there is no
    holiday calendar either).
    """
    hours = sla.service_hours
    cal = sla.holiday_calendar
    if hours is None and cal is None:
        return ALWAYS
    windows: dict[int, list[tuple[dt.time, dt.time]]] | None = None
    tz = "Europe/Paris"
    if hours is not None:
        tz = hours.timezone
        windows = {}
        for interval in hours.intervals.all():
            windows.setdefault(interval.weekday, []).append((interval.start, interval.end))
    closures: list[tuple[dt.date, dt.date]] = []
    if cal is not None:
        closures = [(c.first_day, c.last_day) for c in cal.closures.all()]
    return BusinessCalendar(
        windows=windows,
        tz=tz,
        country=cal.country if cal is not None else None,
        subdivision=(cal.subdivision or None) if cal is not None else None,
        closures=closures,
    )


def goal_seconds(
    *, sla: SLA, priority: int, request_type: str, metric: str, calendar: BusinessCalendar
) -> float | None:
    """The goal of ``metric`` for a ticket of that priority and request type, in seconds.

    Minutes and hours are business minutes and hours; a business day is the calendar's
    mean open day (:attr:`BusinessCalendar.business_day_seconds`, 8 h for 08:00-12:00 /
    13:30-17:30; 24 h round the clock). ``None`` when the SLA has no such target.
    """
    target = SLT.objects.filter(
        sla=sla, priority=priority, request_type=request_type, metric=metric
    ).first()
    if target is None:
        return None
    return slt_seconds(target, calendar)


def slt_seconds(target: SLT, calendar: BusinessCalendar) -> float:
    """The value of ``target`` in business seconds under ``calendar`` (see ``goal_seconds``)."""
    if target.unit == TimeUnit.MINUTES:
        return target.value * 60.0
    if target.unit == TimeUnit.HOURS:
        return target.value * 3600.0
    return target.value * calendar.business_day_seconds


def auto_close_days(provider_id: int) -> int:
    """Calendar days after which a resolved ticket of the provider closes (default 7)."""
    days = (
        ProviderSlaSettings.objects.filter(provider_id=provider_id)
        .values_list("auto_close_days", flat=True)
        .first()
    )
    return days or DEFAULT_AUTO_CLOSE_DAYS
