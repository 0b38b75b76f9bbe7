"""A business calendar: weekly coverage windows, a time zone, holidays and closures.

Service level targets (ITIL 4, *service level management*) are counted in *business time*:
the clock of a ticket only runs inside the provider's coverage window (its service hours,
e.g. Monday-Friday 08:00-12:00 and 13:30-17:30) and never on a public holiday or a day the
provider closes. This module is the arithmetic of that rule, with no Django import:

- :class:`BusinessCalendar` holds the weekly windows (several intervals per weekday, in
  minutes from local midnight), the IANA time zone (``zoneinfo``; ``Europe/Paris`` by default),
  the public holidays of a country from the ``holidays`` package and the provider's own
  closure days.
- :meth:`BusinessCalendar.add` moves an instant forward (or back) by N business seconds;
  :meth:`BusinessCalendar.between` counts the business seconds between two instants.

Sources of the holidays: the French public holidays are those of the *Code du travail*,
article L3133-1 (1 January, Easter Monday, 1 May, 8 May, Ascension Thursday, Whit Monday,
14 July, 15 August, 1 November, 11 November, 25 December). In the three departments of
Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle) the local law (*droit local*, Code du travail
L3134-13, inherited from the German Gewerbeordnung) adds Good Friday and 26 December
(Saint Stephen's Day). The ``holidays`` package implements both (subdivisions ``57`` and
``6AE``); ``subdivision="alsace-moselle"`` selects them.

Exactness: every window is converted to absolute instants (UTC) day by day, through the
time zone's rules, so a window on the day of a daylight-saving change lasts exactly the real
time it covers: on the last Sunday of March in Europe/Paris the wall clock jumps from 02:00 to
03:00 (a 01:00-04:00 window lasts two hours), on the last Sunday of October it goes back from
03:00 to 02:00 (the same window lasts four hours). A wall time that does not exist is read
with the offset in force before the change (``fold=0``), an ambiguous one as its first
occurrence. All arithmetic is done on integer microseconds, so results are exact to the
microsecond.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from itertools import pairwise
from zoneinfo import ZoneInfo

import holidays as holidays_pkg

UTC = dt.UTC
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_US = dt.timedelta(microseconds=1)
_DAY = dt.timedelta(days=1)
MINUTES_PER_DAY = 24 * 60

#: Friendly subdivision names → the ``holidays`` package's codes for France.
SUBDIVISION_ALIASES = {"alsace-moselle": "57", "moselle": "57", "alsace": "6AE"}

#: Monday-Friday 08:00-12:00 and 13:30-17:30 (minutes from midnight), a common French desk.
FRENCH_OFFICE_HOURS: dict[int, tuple[tuple[int, int], ...]] = {
    day: ((8 * 60, 12 * 60), (13 * 60 + 30, 17 * 60 + 30)) for day in range(5)
}

#: How many consecutive days without any business time end a search (about ten years).
_MAX_EMPTY_DAYS = 3660


class NoBusinessTime(ValueError):
    """The calendar has no business time at all in the searched range (ten years)."""


Window = tuple[int, int]


def _to_minutes(value: int | dt.time) -> int:
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    return int(value)


def _us(instant: dt.datetime) -> int:
    """Microseconds since the Unix epoch of an aware ``instant``."""
    if instant.tzinfo is None:
        raise ValueError("a business-time computation needs an aware datetime (with tzinfo)")
    return (instant - _EPOCH) // _US


def _instant(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


class BusinessCalendar:
    """Weekly coverage windows in a time zone, minus holidays and closure days.

    ``windows`` maps a weekday (0 = Monday … 6 = Sunday) to intervals ``(start, end)`` given
    in minutes from local midnight (``0 <= start < end <= 1440``; ``1440`` is the end of the
    day) or as ``datetime.time`` (an end of ``00:00`` means midnight at the end of the day).
    Intervals of a day may not overlap. ``windows=None`` means round the clock, 7 days a week
    (holidays still apply); an empty mapping means no business time at all.

    ``country`` is an ISO 3166 code for the ``holidays`` package (``None``: no public
    holiday); ``subdivision`` one of its subdivision codes or ``"alsace-moselle"``.
    ``closures`` are extra closed days: dates, or ``(first, last)`` inclusive date ranges.

    Raises ``ValueError`` for a bad interval, an unknown time zone or subdivision.
    """

    def __init__(
        self,
        *,
        windows: Mapping[int, Sequence[tuple[int | dt.time, int | dt.time]]] | None = None,
        tz: str | ZoneInfo = "Europe/Paris",
        country: str | None = "FR",
        subdivision: str | None = None,
        closures: Iterable[dt.date | tuple[dt.date, dt.date]] = (),
    ) -> None:
        self.tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        self.windows: dict[int, tuple[Window, ...]] = self._check_windows(windows)
        self.country = country
        self.subdivision = subdivision or None
        self._holidays = None
        if country:
            subdiv = SUBDIVISION_ALIASES.get((subdivision or "").lower(), subdivision or None)
            try:
                self._holidays = holidays_pkg.country_holidays(country, subdiv=subdiv)
            except NotImplementedError as exc:
                raise ValueError(str(exc)) from exc
        days: set[dt.date] = set()
        for item in closures:
            if isinstance(item, tuple):
                first, last = item
                if last < first:
                    raise ValueError(f"closure ends before it starts: {first} → {last}")
                # By ordinal: stepping a date past 9999-12-31 overflows.
                days.update(
                    map(dt.date.fromordinal, range(first.toordinal(), last.toordinal() + 1))
                )
            else:
                days.add(item)
        self.closures = frozenset(days)
        self._spans: dict[dt.date, tuple[tuple[int, int], ...]] = {}

    @staticmethod
    def _check_windows(
        windows: Mapping[int, Sequence[tuple[int | dt.time, int | dt.time]]] | None,
    ) -> dict[int, tuple[Window, ...]]:
        if windows is None:
            return {day: ((0, MINUTES_PER_DAY),) for day in range(7)}
        out: dict[int, tuple[Window, ...]] = {}
        for day, intervals in windows.items():
            if day not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) … 6 (Sunday), got {day!r}")
            clean: list[Window] = []
            for start, end in intervals:
                a, b = _to_minutes(start), _to_minutes(end)
                if isinstance(end, dt.time) and b == 0:
                    b = MINUTES_PER_DAY
                if not 0 <= a < b <= MINUTES_PER_DAY:
                    raise ValueError(f"bad interval on weekday {day}: {start} → {end}")
                clean.append((a, b))
            clean.sort()
            for (_a1, b1), (a2, _b2) in pairwise(clean):
                if a2 < b1:
                    raise ValueError(f"overlapping intervals on weekday {day}")
            if clean:
                out[day] = tuple(clean)
        return out

    # --- days ---------------------------------------------------------------------------

    def holiday_name(self, day: dt.date) -> str | None:
        """The name of the public holiday on ``day`` (``None`` if it is not one)."""
        if self._holidays is None:
            return None
        return self._holidays.get(day)

    def is_closed(self, day: dt.date) -> bool:
        """True when ``day`` is a public holiday or one of the provider's closure days."""
        return day in self.closures or self.holiday_name(day) is not None

    def spans(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """The business intervals of local date ``day`` as epoch microseconds (start, end)."""
        cached = self._spans.get(day)
        if cached is not None:
            return cached
        out: list[tuple[int, int]] = []
        intervals = self.windows.get(day.weekday(), ())
        if intervals and not self.is_closed(day):
            midnight = dt.datetime(day.year, day.month, day.day)
            for a, b in intervals:
                start = (midnight + dt.timedelta(minutes=a)).replace(tzinfo=self.tz)
                end = (midnight + dt.timedelta(minutes=b)).replace(tzinfo=self.tz)
                ua, ub = _us(start), _us(end)
                if ub > ua:
                    out.append((ua, ub))
        result = tuple(out)
        if len(self._spans) > 20000:
            self._spans.clear()
        self._spans[day] = result
        return result

    @cached_property
    def business_day_seconds(self) -> float:
        """Length of one business day in seconds: the mean open time of the open weekdays.

        Used to turn a target given in business days into seconds (Mon-Fri 08:00-12:00 /
        13:30-17:30 → 28,800 s). Raises ``NoBusinessTime`` when no weekday is open.
        """
        if not self.windows:
            raise NoBusinessTime("the calendar has no business hours")
        total = sum(b - a for intervals in self.windows.values() for a, b in intervals)
        return total * 60 / len(self.windows)

    def _local_date(self, us: int) -> dt.date:
        return _instant(us).astimezone(self.tz).date()

    # --- arithmetic ---------------------------------------------------------------------

    def add(self, start: dt.datetime, seconds: float) -> dt.datetime:
        """The instant ``seconds`` business seconds after ``start`` (before it if negative).

        ``start`` must be aware; the result is an aware UTC datetime. Adding 0 returns
        ``start`` itself. A positive amount that ends exactly at the end of an interval
        returns that end (Friday 13:30 + 4 h on 13:30-17:30 is Friday 17:30, not Monday).
        Raises ``NoBusinessTime`` when the calendar has no business time for ten years.
        """
        t = _us(start)
        remaining = round(seconds * 1_000_000)
        if remaining == 0:
            return start.astimezone(UTC)
        day = self._local_date(t)
        empty = 0
        if remaining > 0:
            while True:
                found = False
                for a, b in self.spans(day):
                    if b <= t:
                        continue
                    found = True
                    s = max(a, t)
                    avail = b - s
                    if remaining <= avail:
                        return _instant(s + remaining)
                    remaining -= avail
                empty = 0 if found else empty + 1
                if empty > _MAX_EMPTY_DAYS:
                    raise NoBusinessTime("no business time in ten years")
                day += _DAY
        remaining = -remaining
        while True:
            found = False
            for a, b in reversed(self.spans(day)):
                if a >= t:
                    continue
                found = True
                e = min(b, t)
                avail = e - a
                if remaining <= avail:
                    return _instant(e - remaining)
                remaining -= avail
            empty = 0 if found else empty + 1
            if empty > _MAX_EMPTY_DAYS:
                raise NoBusinessTime("no business time in ten years")
            day -= _DAY

    def between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Business seconds from ``start`` to ``end`` (negative when ``end`` is earlier).

        Both must be aware. Exact to the microsecond, across daylight-saving changes.
        """
        a, b = _us(start), _us(end)
        if b < a:
            return -self.between(end, start)
        total = 0
        day, last = self._local_date(a), self._local_date(b)
        while day <= last:
            for s, e in self.spans(day):
                lo, hi = max(s, a), min(e, b)
                if hi > lo:
                    total += hi - lo
            day += _DAY
        return total / 1_000_000

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(tz={self.tz.key!r}, country={self.country!r}, "
            f"subdivision={self.subdivision!r}, weekdays={sorted(self.windows)})"
        )


#: Round the clock, every day, no holiday: the calendar of a target with no coverage window.
ALWAYS = BusinessCalendar(windows=None, country=None)


def add_business_seconds(
    calendar: BusinessCalendar, start: dt.datetime, seconds: float
) -> dt.datetime:
    """``calendar.add(start, seconds)``: the instant N business seconds after ``start``."""
    return calendar.add(start, seconds)


def business_seconds_between(
    calendar: BusinessCalendar, start: dt.datetime, end: dt.datetime
) -> float:
    """``calendar.between(start, end)``: business seconds from ``start`` to ``end``."""
    return calendar.between(start, end)
