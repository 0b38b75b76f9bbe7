"""Durations and percentages for people (lib.durations): the SLA overruns of mails and panels."""

import pytest

from esup_saas.lib.durations import capped_percent, human_duration


@pytest.mark.parametrize(
    ("seconds", "french", "english"),
    [
        (0, "0 s", "0 s"),
        (7, "7 s", "7 s"),
        (7.9, "7 s", "7 s"),
        (60, "1 min", "1 min"),
        (125, "2 min 5 s", "2 min 5 s"),
        (3_599, "59 min 59 s", "59 min 59 s"),
        (3_600, "1 h", "1 h"),
        (3_700, "1 h 1 min", "1 h 1 min"),  # seconds no longer matter past an hour
        (86_400, "1 j", "1 d"),
        (90_000, "1 j 1 h", "1 d 1 h"),
        (46_373_400, "536 j 17 h 30 min", "536 d 17 h 30 min"),  # the demo's TTR overrun
        (-5, "0 s", "0 s"),
    ],
)
def test_human_duration(seconds, french, english):
    assert human_duration(seconds, "fr") == french
    assert human_duration(seconds, "en") == english


def test_human_duration_language_codes():
    assert human_duration(90_000, "en-gb") == "1 d 1 h"
    assert human_duration(90_000, "fr-FR") == "1 j 1 h"
    assert human_duration(90_000, None) == "1 j 1 h"  # French first
    assert human_duration(90_000, "de") == "1 j 1 h"


@pytest.mark.parametrize(
    ("percent", "french", "english"),
    [
        (0, "0\u00a0%", "0%"),
        (74.6, "75\u00a0%", "75%"),
        (100, "100\u00a0%", "100%"),
        (999.4, "999\u00a0%", "999%"),
        (999.6, "> 999\u00a0%", "> 999%"),
        (34_451.2, "> 999\u00a0%", "> 999%"),  # the demo's TTR
        (-3, "0\u00a0%", "0%"),
    ],
)
def test_capped_percent(percent, french, english):
    assert capped_percent(percent, "fr") == french
    assert capped_percent(percent, "en") == english


def test_capped_percent_other_cap():
    assert capped_percent(150, "fr", cap=100) == "> 100\u00a0%"
