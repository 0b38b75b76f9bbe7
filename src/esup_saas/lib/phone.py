"""Mobile phone numbers of France and its overseas territories, through ``phonenumbers``.

Numbers are stored in E.164 (``+33612345678``) and shown in the national format of their
country (``06 12 34 56 78``, ``0692 12 34 56``). Accepted input forms: national (``06…``,
``07…``, with spaces, dots or dashes), ``+33…`` and ``0033…``, and the international form of
any of the territories below.

Overseas departments share the national prefix ``06`` / ``07`` with metropolitan France but
have their own country codes (ITU-T E.164 assignments; ARCEP's numbering plan): Réunion and
Mayotte +262 (``0692``/``0693``, ``0639``), Guadeloupe, Saint-Martin and Saint-Barthélemy +590
(``0690``/``0691``), Guyane +594 (``0694``), Martinique +596 (``0696``/``0697``),
Saint-Pierre-et-Miquelon +508. A national number is tried against metropolitan France first,
then each of these; the first plan where it is a valid *mobile* number wins. French
Polynesia (+689), New Caledonia (+687) and Wallis-et-Futuna (+681) have no trunk ``0`` and
numbers of 6 to 8 digits that collide with the others: they are accepted in international
form only.

Only mobile numbers are accepted (``phonenumbers`` number type MOBILE, or
FIXED_LINE_OR_MOBILE where a plan does not tell them apart): a landline, a special-rate
number or an invalid one raises :class:`InvalidPhoneNumber` with a French message.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

#: Regions whose national numbers may be typed with the trunk prefix 0, in the order tried.
NATIONAL_REGIONS = ("FR", "RE", "YT", "GP", "MF", "BL", "GF", "MQ", "PM")
#: Every region accepted (the former plus the Pacific territories, international form only).
ACCEPTED_REGIONS = frozenset({*NATIONAL_REGIONS, "PF", "NC", "WF"})
_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
_SEPARATORS = re.compile(r"[\s.\-()/]")


class InvalidPhoneNumber(ValueError):
    """A number that is not a French (or overseas) mobile; ``str()`` says why, in French."""


def _is_mobile(number: phonenumbers.PhoneNumber) -> bool:
    # number_type() is UNKNOWN for an invalid number: one check covers both.
    return phonenumbers.number_type(number) in _MOBILE_TYPES


def parse_mobile(raw: str) -> str:
    """The E.164 form of ``raw``, a French or overseas mobile number.

    ``"06 12 34 56 78"``, ``"+33 6 12 34 56 78"`` and ``"0033612345678"`` all give
    ``"+33612345678"``; ``"0692 12 34 56"`` gives ``"+262692123456"`` (Réunion).
    Raises :class:`InvalidPhoneNumber` for an empty, malformed, non-mobile or foreign number.
    """
    text = _SEPARATORS.sub("", raw or "")
    if not text:
        raise InvalidPhoneNumber("Numéro vide.")
    if text.startswith("00"):
        text = "+" + text[2:]
    if not re.fullmatch(r"\+?\d{6,15}", text):
        raise InvalidPhoneNumber(f"« {raw} » n'est pas un numéro de téléphone.")
    candidates: list[phonenumbers.PhoneNumber] = []
    regions: tuple[str | None, ...] = (None,) if text.startswith("+") else NATIONAL_REGIONS
    if not text.startswith("+") and not text.startswith("0"):
        raise InvalidPhoneNumber(
            f"« {raw} » : numéro national sans 0 initial ; "
            "écrivez-le en 06… ou avec l'indicatif (+689…, +687…)."
        )
    for region in regions:  # metropolitan France first: most numbers stop there
        try:
            number = phonenumbers.parse(text, region)
        except NumberParseException as exc:
            raise InvalidPhoneNumber(f"« {raw} » n'est pas un numéro de téléphone.") from exc
        if _is_mobile(number) and phonenumbers.region_code_for_number(number) in ACCEPTED_REGIONS:
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
        candidates.append(number)
    first = candidates[0]
    region = phonenumbers.region_code_for_number(first)
    if phonenumbers.is_valid_number(first) and region not in ACCEPTED_REGIONS:
        raise InvalidPhoneNumber(
            f"« {raw} » : seuls les numéros de France et des territoires d'outre-mer sont acceptés."
        )
    if any(phonenumbers.is_valid_number(n) for n in candidates):
        raise InvalidPhoneNumber(f"« {raw} » n'est pas un numéro de mobile.")
    raise InvalidPhoneNumber(f"« {raw} » n'est pas un numéro valide.")


def is_mobile(raw: str) -> bool:
    """True when :func:`parse_mobile` accepts ``raw``."""
    try:
        parse_mobile(raw)
    except InvalidPhoneNumber:
        return False
    return True


def format_national(e164: str) -> str:
    """``"+33612345678"`` → ``"06 12 34 56 78"``; ``"+262692123456"`` → ``"0692 12 34 56"``.

    A value that does not parse is returned unchanged (display only, never raises).
    """
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)


def smpp_address(e164: str) -> str:
    """The SMPP destination address of an E.164 number: its digits without ``+``, to send
    with TON 1 (international) and NPI 1 (ISDN / E.164), SMPP 3.4 §5.2.5-5.2.6."""
    return e164.lstrip("+")


def from_smpp_address(address: str) -> str:
    """The E.164 form of an SMPP international address (digits, possibly with ``+``)."""
    digits = address.lstrip("+")
    return "+" + digits
