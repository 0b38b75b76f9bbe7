"""The business calendar, with every expected instant written out (issue 3, item 9).

Office hours Mon-Fri 08:00-12:00 / 13:30-17:30 in Europe/Paris; instants are given in UTC
with the Paris wall time beside them (CET = UTC+1 in winter, CEST = UTC+2 in summer).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from esup_saas.lib.business_time import (
    ALWAYS,
    FRENCH_OFFICE_HOURS,
    BusinessCalendar,
    NoBusinessTime,
    add_business_seconds,
    business_seconds_between,
)

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")
H = 3600


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def office() -> BusinessCalendar:
    return BusinessCalendar(windows=FRENCH_OFFICE_HOURS, tz="Europe/Paris", country="FR")


@pytest.fixture
def alsace() -> BusinessCalendar:
    return BusinessCalendar(
        windows=FRENCH_OFFICE_HOURS, tz="Europe/Paris", country="FR", subdivision="alsace-moselle"
    )


def test_friday_1730_plus_4_business_hours_is_monday_noon(office):
    # Friday 9 January 2026 17:30 CET = 16:30 UTC.
    start = utc(2026, 1, 9, 16, 30)
    # The window is over: Monday 12 January 08:00-12:00 CET gives the 4 hours → 12:00 CET.
    assert office.add(start, 4 * H) == utc(2026, 1, 12, 11, 0)
    assert office.between(start, utc(2026, 1, 12, 11, 0)) == 4 * H


def test_lunch_break_is_skipped(office):
    # Monday 12 January 2026 10:00 CET + 3 h → 10-12 (2 h), then 13:30-14:30 → 14:30 CET.
    assert office.add(utc(2026, 1, 12, 9, 0), 3 * H) == utc(2026, 1, 12, 13, 30)


def test_ending_exactly_at_the_end_of_a_window_stays_there(office):
    # Friday 13:30 CET + 4 h = Friday 17:30 CET (16:30 UTC), not Monday morning.
    assert office.add(utc(2026, 1, 9, 12, 30), 4 * H) == utc(2026, 1, 9, 16, 30)


def test_across_the_march_dst_change(office):
    # Friday 27 March 2026 15:30 CET (14:30 UTC): 2 h until 17:30 CET; clocks go forward on
    # Sunday 29 March; Monday 30 March 08:00 CEST (06:00 UTC) + 2 h = 10:00 CEST = 08:00 UTC.
    start = utc(2026, 3, 27, 14, 30)
    assert office.add(start, 4 * H) == utc(2026, 3, 30, 8, 0)
    assert office.between(start, utc(2026, 3, 30, 8, 0)) == 4 * H


def test_across_the_october_dst_change(office):
    # Friday 23 October 2026 16:30 CEST (14:30 UTC): 1 h until 17:30 CEST; clocks go back on
    # Sunday 25 October; Monday 26 October 08:00 CET (07:00 UTC) + 3 h = 11:00 CET = 10:00 UTC.
    start = utc(2026, 10, 23, 14, 30)
    assert office.add(start, 4 * H) == utc(2026, 10, 26, 10, 0)
    assert office.between(start, utc(2026, 10, 26, 10, 0)) == 4 * H


def test_a_night_window_on_the_dst_sundays_lasts_the_real_time():
    night = BusinessCalendar(windows={6: [(60, 240)]}, tz="Europe/Paris", country=None)
    # 29 March 2026: 01:00 CET (00:00 UTC) → 04:00 CEST (02:00 UTC) is two real hours.
    assert night.between(utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)) == 2 * H
    assert night.add(utc(2026, 3, 28, 12), 2 * H) == utc(2026, 3, 29, 2, 0)
    # 25 October 2026: 01:00 CEST (23:00 UTC the day before) → 04:00 CET (03:00 UTC): four.
    assert night.between(utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)) == 4 * H
    assert night.add(utc(2026, 10, 24, 12), 4 * H) == utc(2026, 10, 25, 3, 0)


def test_round_the_clock_counts_real_time_across_dst():
    # Saturday 28 March 2026 12:00 CET (11:00 UTC) + 24 h = Sunday 11:00 UTC (13:00 CEST).
    assert ALWAYS.add(utc(2026, 3, 28, 11), 24 * H) == utc(2026, 3, 29, 11)
    assert ALWAYS.between(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)) == 25 * H


def test_ascension_thursday_is_skipped(office):
    # Wednesday 13 May 2026 15:30 CEST (13:30 UTC): 2 h that day; Thursday 14 May is
    # Ascension; Friday 15 May 08:00 CEST + 2 h = 10:00 CEST = 08:00 UTC.
    assert office.holiday_name(dt.date(2026, 5, 14)) is not None
    assert office.add(utc(2026, 5, 13, 13, 30), 4 * H) == utc(2026, 5, 15, 8, 0)


def test_whit_monday_is_skipped(office):
    # Friday 22 May 2026 15:30 CEST: 2 h; Monday 25 May is Whit Monday (lundi de Pentecôte);
    # Tuesday 26 May 08:00 CEST + 2 h = 10:00 CEST = 08:00 UTC.
    assert office.add(utc(2026, 5, 22, 13, 30), 4 * H) == utc(2026, 5, 26, 8, 0)


def test_good_friday_only_in_alsace_moselle(office, alsace):
    # Thursday 2 April 2026 15:30 CEST (13:30 UTC): 2 h that day.
    start = utc(2026, 4, 2, 13, 30)
    # Elsewhere in France, Good Friday 3 April is worked: 08:00 + 2 h = 10:00 CEST.
    assert office.add(start, 4 * H) == utc(2026, 4, 3, 8, 0)
    # In Alsace-Moselle Good Friday is off, then Easter Monday 6 April (national): Tuesday 7.
    assert alsace.add(start, 4 * H) == utc(2026, 4, 7, 8, 0)


def test_26_december_only_in_alsace_moselle(office, alsace):
    # Wednesday 24 December 2025 15:30 CET (14:30 UTC): 2 h; Thursday 25 is Christmas.
    start = utc(2025, 12, 24, 14, 30)
    # Friday 26 December is worked in the rest of France: 08:00 + 2 h = 10:00 CET = 09:00 UTC.
    assert office.add(start, 4 * H) == utc(2025, 12, 26, 9, 0)
    # In Alsace-Moselle, Saint Stephen's Day is off: Monday 29 December, 10:00 CET.
    assert alsace.add(start, 4 * H) == utc(2025, 12, 29, 9, 0)


def test_closures_of_the_provider(office):
    christmas_week = BusinessCalendar(
        windows=FRENCH_OFFICE_HOURS,
        country="FR",
        closures=[(dt.date(2025, 12, 22), dt.date(2026, 1, 2))],
    )
    # Friday 19 December 2025 15:30 CET: 2 h; closed until Friday 2 January 2026 included;
    # Monday 5 January 08:00 CET + 2 h = 10:00 CET = 09:00 UTC.
    assert christmas_week.add(utc(2025, 12, 19, 14, 30), 4 * H) == utc(2026, 1, 5, 9, 0)


def test_negative_amounts_go_back(office):
    # Monday 12 January 2026 10:00 CET − 4 h → Friday 9 January 15:30 CET (14:30 UTC).
    assert office.add(utc(2026, 1, 12, 9, 0), -4 * H) == utc(2026, 1, 9, 14, 30)
    assert office.between(utc(2026, 1, 12, 9, 0), utc(2026, 1, 9, 14, 30)) == -4 * H


def test_microseconds_are_exact(office):
    start = utc(2026, 1, 12, 9, 0, 0) + dt.timedelta(microseconds=1)
    assert office.add(start, 0.5) == utc(2026, 1, 12, 9, 0, 0) + dt.timedelta(microseconds=500001)
    assert office.between(start, utc(2026, 1, 12, 9, 0, 1)) == 0.999999


def test_business_day_length_and_helpers(office):
    assert office.business_day_seconds == 8 * H
    start = utc(2026, 1, 12, 9)
    assert add_business_seconds(office, start, 60) == utc(2026, 1, 12, 9, 1)
    assert business_seconds_between(office, start, utc(2026, 1, 12, 9, 1)) == 60


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="overlapping"):
        BusinessCalendar(windows={0: [(480, 720), (700, 800)]})
    with pytest.raises(ValueError, match="bad interval"):
        BusinessCalendar(windows={0: [(720, 480)]})
    with pytest.raises(ValueError, match="weekday"):
        BusinessCalendar(windows={7: [(0, 60)]})
    with pytest.raises(ValueError):
        BusinessCalendar(windows=None, subdivision="Atlantis")
    with pytest.raises(ValueError, match="aware"):
        ALWAYS.add(dt.datetime(2026, 1, 1), 1)
    with pytest.raises(NoBusinessTime):
        BusinessCalendar(windows={}, country=None).add(utc(2026, 1, 1), 1)


def test_time_objects_and_midnight_end():
    cal = BusinessCalendar(windows={0: [(dt.time(22, 0), dt.time(0, 0))]}, country=None)
    # Monday 12 January 2026 22:00 CET (21:00 UTC) → midnight CET (23:00 UTC): 2 h.
    assert cal.between(utc(2026, 1, 12, 0), utc(2026, 1, 13, 12)) == 2 * H
