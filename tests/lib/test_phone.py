"""``lib.phone``: French and overseas mobile numbers in E.164 (invented numbers)."""

from __future__ import annotations

import pytest

from esup_saas.lib.phone import (
    InvalidPhoneNumber,
    format_national,
    is_mobile,
    parse_mobile,
    smpp_address,
)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06 00 00 12 34", "+33600001234"),
        ("0600001234", "+33600001234"),
        ("06.00.00.12.34", "+33600001234"),
        ("06-00-00-12-34", "+33600001234"),
        ("+33 6 00 00 12 34", "+33600001234"),
        ("0033600001234", "+33600001234"),
        ("07 50 00 00 01", "+33750000001"),
        # Overseas departments: national 06/07 numbers with other country codes.
        ("0692 00 12 34", "+262692001234"),  # Réunion
        ("0693 00 12 34", "+262693001234"),  # Réunion
        ("0639 01 23 45", "+262639012345"),  # Mayotte
        ("0690 00 12 34", "+590690001234"),  # Guadeloupe
        ("0694 20 12 34", "+594694201234"),  # Guyane
        ("0696 12 34 56", "+596696123456"),  # Martinique
        ("+262 692 00 12 34", "+262692001234"),
        ("+508 55 12 34", "+508551234"),  # Saint-Pierre-et-Miquelon
        ("+689 87 12 34 56", "+68987123456"),  # Polynésie française
        ("+687 75 12 34", "+687751234"),  # Nouvelle-Calédonie
        ("+681 82 12 34", "+681821234"),  # Wallis-et-Futuna
    ],
)
def test_accepted_forms(raw, e164):
    assert parse_mobile(raw) == e164
    assert is_mobile(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "vide"),
        ("01 45 67 89 01", "pas un numéro de mobile"),  # landline
        ("0692", "pas un numéro"),
        ("06 00 00 12", "pas un numéro valide"),
        ("abc", "pas un numéro de téléphone"),
        ("+44 7400 123456", "France et des territoires"),  # a UK mobile
        ("87 12 34 56", "sans 0 initial"),
        ("07 00 00 00 00", "pas un numéro valide"),
    ],
)
def test_refused_with_a_clear_error(raw, message):
    with pytest.raises(InvalidPhoneNumber, match=message):
        parse_mobile(raw)
    assert not is_mobile(raw)


def test_national_display():
    assert format_national("+33600001234") == "06 00 00 12 34"
    assert format_national("+262692001234") == "0692 00 12 34"
    assert format_national("garbage") == "garbage"


def test_smpp_address_has_no_plus():
    assert smpp_address("+33600001234") == "33600001234"
