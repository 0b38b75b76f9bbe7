"""Writes of the service levels: SLAs and their targets, service hours, holiday calendars.

Every function is keyword-only and atomic, validates with ``full_clean()`` and raises
``ValidationError`` naming the field (nothing written). With an ``actor``, the actor must
manage the provider (coordinator or service manager of it or above), else
``PermissionDenied``; ``actor=None`` is the system (demo data, imports).

A change that can move ticket deadlines calls the *SLA listeners* after the commit, with the
provider's id. The catalogue never imports the service desk (DESIGN.md arrows): the service
desk registers its listener (re-computing the open tickets' clocks) from its ``AppConfig``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from esup_saas.lib.business_time import BusinessCalendar
from esup_saas.tenancy.models import Organisation

from .models import CustomerContractService
from .models_sla import (
    SLA,
    SLT,
    Closure,
    HolidayCalendar,
    ProviderSlaSettings,
    ServiceHours,
    ServiceHoursInterval,
)
from .selectors_sla import sla_provider_ids

SlaListener = Callable[[int], None]
_LISTENERS: list[SlaListener] = []


def sla_listener_register(listener: SlaListener) -> None:
    """Call ``listener(provider_id)`` after each committed change of a provider's levels."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def _changed(provider_id: int) -> None:
    for listener in list(_LISTENERS):
        transaction.on_commit(functools.partial(listener, provider_id))


def _check_actor(actor: Any, provider: Organisation) -> None:
    if actor is not None and provider.pk not in sla_provider_ids(actor):
        raise PermissionDenied(_("Vous ne gérez pas les niveaux de service de ce fournisseur."))


@transaction.atomic
def service_hours_save(
    *,
    actor: Any,
    provider: Organisation,
    name: str,
    timezone: str = "Europe/Paris",
    intervals: Sequence[tuple[int, dt.time, dt.time]],
    hours: ServiceHours | None = None,
) -> ServiceHours:
    """Create or replace (``hours``) a coverage window of ``provider``.

    ``intervals`` are ``(weekday 0-6, start, end)``; an end of ``00:00`` means midnight.
    Overlapping intervals of a day raise ``ValidationError`` on ``intervals``.
    """
    _check_actor(actor, provider)
    if hours is not None and hours.provider_id != provider.pk:
        raise PermissionDenied
    windows: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, start, end in intervals:
        windows.setdefault(int(weekday), []).append((start, end))
    try:
        BusinessCalendar(windows=windows, tz="UTC", country=None)
    except ValueError:
        raise ValidationError(
            {"intervals": _("Les intervalles d'un même jour se chevauchent ou sont inversés.")}
        ) from None
    obj = hours or ServiceHours(provider=provider)
    obj.name = name.strip()
    obj.timezone = timezone.strip()
    obj.full_clean()
    obj.save()
    obj.intervals.all().delete()
    for weekday, start, end in intervals:
        interval = ServiceHoursInterval(hours=obj, weekday=weekday, start=start, end=end)
        interval.full_clean()
        interval.save()
    _changed(provider.pk)
    return obj


@transaction.atomic
def holiday_calendar_save(
    *,
    actor: Any,
    provider: Organisation,
    name: str,
    country: str = "FR",
    subdivision: str = "",
    closures: Sequence[tuple[str, dt.date, dt.date]] = (),
    calendar: HolidayCalendar | None = None,
) -> HolidayCalendar:
    """Create or replace (``calendar``) a holiday calendar with its closures.

    ``subdivision`` is ``""`` (France) or ``"alsace-moselle"``; ``closures`` are
    ``(label, first day, last day)``, both days included.
    """
    _check_actor(actor, provider)
    if calendar is not None and calendar.provider_id != provider.pk:
        raise PermissionDenied
    obj = calendar or HolidayCalendar(provider=provider)
    obj.name = name.strip()
    obj.country = country
    obj.subdivision = subdivision
    obj.full_clean()
    obj.save()
    obj.closures.all().delete()
    for label, first, last in closures:
        closure = Closure(calendar=obj, label=label.strip(), first_day=first, last_day=last)
        closure.full_clean()
        closure.save()
    _changed(provider.pk)
    return obj


@transaction.atomic
def sla_save(
    *,
    actor: Any,
    provider: Organisation,
    name: str,
    targets: Sequence[dict[str, Any]],
    description: str = "",
    service_hours: ServiceHours | None = None,
    holiday_calendar: HolidayCalendar | None = None,
    sla: SLA | None = None,
) -> SLA:
    """Create or replace (``sla``) an SLA and its whole set of targets.

    ``targets`` are dicts with ``priority`` (1-4), ``request_type`` (``incident``,
    ``service_request``, ``change_request``), ``metric`` (``tto``/``ttr``), ``value`` (≥ 1)
    and ``unit`` (``minutes``, ``hours``, ``business_days``). Two targets for the same
    priority, request type and metric raise ``ValidationError`` on ``targets``.
    """
    _check_actor(actor, provider)
    if sla is not None and sla.provider_id != provider.pk:
        raise PermissionDenied
    keys = [(t["priority"], t["request_type"], t["metric"]) for t in targets]
    if len(keys) != len(set(keys)):
        raise ValidationError(
            {
                "targets": _(
                    "Deux objectifs portent sur la même priorité, le même type et la mesure."
                )
            }
        )
    obj = sla or SLA(provider=provider)
    obj.name = name.strip()
    obj.description = description
    obj.service_hours = service_hours
    obj.holiday_calendar = holiday_calendar
    obj.full_clean()
    obj.save()
    obj.targets.all().delete()
    for data in targets:
        target = SLT(sla=obj, **data)
        target.full_clean()
        target.save()
    _changed(provider.pk)
    return obj


@transaction.atomic
def coverage_sla_set(
    *, actor: Any, coverage: CustomerContractService, sla: SLA | None
) -> CustomerContractService:
    """Choose the SLA of a contract × service (``None``: no SLA, no clock).

    The SLA must belong to the provider of the service, else ``ValidationError`` on ``sla``.
    """
    provider = coverage.service.provider
    _check_actor(actor, provider)
    if sla is not None and sla.provider_id not in (provider.pk, coverage.contract.provider_id):
        raise ValidationError({"sla": _("Ce SLA appartient à un autre fournisseur.")})
    coverage.sla = sla
    coverage.full_clean()
    coverage.save(update_fields=["sla"])
    _changed(provider.pk)
    return coverage


@transaction.atomic
def provider_sla_settings_set(
    *, actor: Any, provider: Organisation, auto_close_days: int
) -> ProviderSlaSettings:
    """Set the days after which a resolved ticket of ``provider`` closes by itself (1-365)."""
    _check_actor(actor, provider)
    obj, _created = ProviderSlaSettings.objects.get_or_create(provider=provider)
    obj.auto_close_days = auto_close_days
    obj.full_clean()
    obj.save()
    return obj
