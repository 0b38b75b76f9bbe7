"""Durations and percentages as people read them, in French or English (no Django import).

The SLA clocks count in seconds ("Dépassement SLA TTR 46373400s" in the seed's report),
which nobody reads at a glance; :func:`human_duration` writes them as days, hours and
minutes ("536 j 17 h 30 min", "536 d 17 h 30 min" in English). A clock long past its goal
reaches absurd shares of it ("34451 %"); :func:`capped_percent` stops at "> 999 %".

Days are calendar days of 24 hours: an SLA's business seconds are shown as the plain
length of time they add up to, not as working days. The language is a code such as
``fr``, ``en`` or ``en-gb`` (only the part before ``-`` counts; anything else is French,
the UI's first language).
"""

from __future__ import annotations

#: Unit symbols by language: day, hour, minute, second.
_UNITS = {"fr": ("j", "h", "min", "s"), "en": ("d", "h", "min", "s")}
#: French puts a (non-breaking) space before "%", English none.
_PERCENT = {"fr": "\u00a0%", "en": "%"}


def _lang(language: str | None) -> str:
    code = (language or "fr").split("-")[0].lower()
    return code if code in _UNITS else "fr"


def human_duration(seconds: float, language: str | None = "fr") -> str:
    """``seconds`` as days, hours and minutes, the zero parts left out.

    Seconds are shown only under an hour, where they still matter: ``7`` → ``"7 s"``,
    ``125`` → ``"2 min 5 s"``, ``3 700`` → ``"1 h 1 min"``, ``46 373 400`` →
    ``"536 j 17 h 30 min"`` (``"536 d 17 h 30 min"`` in English), ``0`` → ``"0 s"``.
    Fractions of a second are dropped; a negative duration is shown as ``"0 s"``.
    """
    day, hour, minute, second = _UNITS[_lang(language)]
    total = max(0, int(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, day), (hours, hour), (minutes, minute)]
    if total < 3_600:
        parts.append((secs, second))
    text = " ".join(f"{n} {unit}" for n, unit in parts if n)
    return text or f"0 {second}"


def capped_percent(percent: float, language: str | None = "fr", cap: int = 999) -> str:
    """``percent`` rounded to a whole number, with its sign: ``75.4`` → ``"75 %"``.

    Above ``cap`` the figure says no more than "far past the goal": ``34451.2`` →
    ``"> 999 %"``. English writes ``"75%"`` / ``"> 999%"``; French puts a non-breaking
    space before the sign. A negative share is shown as 0.
    """
    sign = _PERCENT[_lang(language)]
    value = max(0, round(percent))
    if value > cap:
        return f"> {cap}{sign}"
    return f"{value}{sign}"
