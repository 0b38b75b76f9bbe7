"""Shared SLA set-up for the service-desk tests: office hours, French holidays, targets."""

from __future__ import annotations

import datetime as dt

from esup_saas.catalog.models import CustomerContractService
from esup_saas.catalog.models_sla import SLA
from esup_saas.catalog.services_sla import (
    coverage_sla_set,
    holiday_calendar_save,
    service_hours_save,
    sla_save,
)
from tests.conftest import World

UTC = dt.UTC
OFFICE = [
    (day, start, end)
    for day in range(5)
    for start, end in ((dt.time(8), dt.time(12)), (dt.time(13, 30), dt.time(17, 30)))
]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def target(priority: int, metric: str, value: int, unit: str = "hours", rtype: str = "incident"):
    return {
        "priority": priority,
        "request_type": rtype,
        "metric": metric,
        "value": value,
        "unit": unit,
    }


#: Incidents: P1 TTO 15 min / TTR 2 h; P2 TTO 30 min / TTR 4 h; P3 TTO 1 h / TTR 8 h;
#: P4 TTO 1 business day / TTR 5 business days. Requests: P3 TTO 2 h / TTR 2 business days.
DEFAULT_TARGETS = [
    target(1, "tto", 15, "minutes"),
    target(1, "ttr", 2),
    target(2, "tto", 30, "minutes"),
    target(2, "ttr", 4),
    target(3, "tto", 1),
    target(3, "ttr", 8),
    target(4, "tto", 1, "business_days"),
    target(4, "ttr", 5, "business_days"),
    target(3, "tto", 2, rtype="service_request"),
    target(3, "ttr", 2, "business_days", rtype="service_request"),
]


def office_sla(world: World, *, subdivision: str = "", targets=None, name: str = "Standard") -> SLA:
    """An SLA of provider P1 on Mon-Fri 08:00-12:00/13:30-17:30 Paris, French holidays,
    chosen for Customer One's contract on Service A."""
    hours = service_hours_save(
        actor=None, provider=world.provider, name=f"Bureau {name}", intervals=OFFICE
    )
    cal = holiday_calendar_save(
        actor=None, provider=world.provider, name=f"Fériés {name}", subdivision=subdivision
    )
    sla = sla_save(
        actor=None,
        provider=world.provider,
        name=name,
        service_hours=hours,
        holiday_calendar=cal,
        targets=targets if targets is not None else DEFAULT_TARGETS,
    )
    coverage = CustomerContractService.objects.get(
        contract__customer=world.customer, service=world.service
    )
    coverage_sla_set(actor=None, coverage=coverage, sla=sla)
    return sla
