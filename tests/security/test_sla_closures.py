"""A provider's closure days cannot break ticket creation nor the SLA sweep of everyone.

A closure "2026-12-01 → 9999-12-31" was accepted: building the business calendar then
stepped past 9999-12-31 (``OverflowError``), so every ticket of that provider's customers
failed with a server error, and ``sla_threshold_sweep`` (all tenants' tickets, one loop)
stopped at the first of them. A closure now lasts at most a year, and the calendar counts
its days without stepping past the end of the calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from esup_saas.catalog.services_sla import holiday_calendar_save
from esup_saas.lib.business_time import BusinessCalendar
from tests.catalog.test_sla_views import formset, manager_of
from tests.conftest import make_ticket
from tests.servicedesk.sla_helpers import office_sla

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "first, last",
    [
        (dt.date(2026, 12, 1), dt.date(9999, 12, 31)),
        (dt.date(1, 1, 1), dt.date(2026, 1, 1)),
        (dt.date(2026, 1, 1), dt.date(2027, 1, 2)),
    ],
)
def test_a_closure_longer_than_a_year_is_refused(world, first, last):
    sla = office_sla(world)
    with pytest.raises(ValidationError) as refused:
        holiday_calendar_save(
            actor=None,
            provider=world.provider,
            calendar=sla.holiday_calendar,
            name="Fériés",
            closures=[("Pour toujours", first, last)],
        )
    assert "last_day" in refused.value.message_dict
    make_ticket(world)  # the calendar still works


def test_a_year_long_closure_is_accepted(world):
    cal = holiday_calendar_save(
        actor=None,
        provider=world.provider,
        name="Travaux",
        closures=[("Travaux", dt.date(2026, 1, 1), dt.date(2026, 12, 31))],
    )
    assert cal.closures.count() == 1


def test_the_console_form_shows_the_refusal(world, as_user):
    client = as_user(manager_of(world.provider, "mgr1"))
    data = {"provider": world.provider.pk, "name": "Fermé", "country": "FR", "subdivision": ""}
    data |= formset(
        "cl", [{"label": "Toujours", "first_day": "2026-12-01", "last_day": "9999-12-31"}]
    )
    response = client.post("/console/sla/calendars/new/", data)
    assert response.status_code == 200
    assert "au plus un an" in response.content.decode()


def test_a_closure_at_the_end_of_the_calendar_is_counted_without_overflow():
    cal = BusinessCalendar(closures=[(dt.date(9999, 12, 1), dt.date(9999, 12, 31))])
    assert cal.is_closed(dt.date(9999, 12, 31))
    assert not cal.is_closed(dt.date(9999, 11, 30))
