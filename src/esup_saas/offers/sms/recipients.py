"""Who a send would reach: recipients resolved from the form's choice (specs/sms.md item 3).

- ``members``: logins of people of the institution who opted in;
- ``group``: a :class:`~.models.RecipientGroup` (local members, or its directory group);
- ``free``: one number; ``list``: pasted numbers (one per line, or separated by ``,`` ``;``);
- ``filter``: an LDAP filter on the institution's directory.

People count only when they opted in (general conditions, and the special condition of the
send's service when one is chosen) and have a valid mobile number; free numbers and lists
need no opt-in. The result is deduplicated by number; blacklisted numbers are kept apart
(never sent, never charged). Reads only: nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from esup_saas.lib.directory_port import DirectoryPerson, DirectoryPortError, get_directory
from esup_saas.lib.phone import InvalidPhoneNumber, parse_mobile
from esup_saas.tenancy.models import Organisation

from .models import BlacklistedNumber, RecipientGroup, RecipientType, SpecialCondition, Subscriber
from .selectors import settings_for, uses_directory


class ResolutionError(ValueError):
    """The choice cannot be resolved; ``field`` names the form field, ``str()`` says why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Candidate:
    """One number a send would reach, with what personalisation may use."""

    phone: str
    login: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    attributes: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class Resolution:
    """``recipients``: numbers to send to (deduplicated, blacklist excluded);
    ``blacklisted``: numbers left out because blacklisted; ``skipped``: people found who
    have not opted in or have no valid mobile; ``label``: a short description of the
    choice, for the tracking pages."""

    recipients: list[Candidate]
    blacklisted: list[Candidate]
    skipped: int
    label: str
    group: RecipientGroup | None = None

    @property
    def count(self) -> int:
        return len(self.recipients)


_SPLIT = re.compile(r"[\n,;]+")


def parse_number_list(text: str) -> list[str]:
    """The E.164 numbers of a pasted list (one per line, or separated by ``,`` / ``;``).

    Raises :class:`ResolutionError` on the ``recipients`` field naming every bad line
    (``ligne 3 : « 01 45… » n'est pas un numéro de mobile.``).
    """
    numbers: list[str] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for chunk in _SPLIT.split(line):
            if not chunk.strip():
                continue
            try:
                numbers.append(parse_mobile(chunk.strip()))
            except InvalidPhoneNumber as exc:
                errors.append(_("ligne %(n)d : %(error)s") % {"n": number, "error": exc})
    if errors:
        raise ResolutionError("recipients", " ".join(errors[:20]))
    if not numbers:
        raise ResolutionError("recipients", _("Aucun numéro dans la liste."))
    return numbers


def _from_directory(
    person: DirectoryPerson, condition: SpecialCondition | None
) -> Candidate | None:
    if not person.general_terms or not person.mobile:
        return None
    if condition is not None and condition.key not in person.service_terms:
        return None
    try:
        phone = parse_mobile(person.mobile)
    except InvalidPhoneNumber:
        return None
    return Candidate(
        phone=phone,
        login=person.uid,
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        attributes=person.attributes,
    )


def _local_subscribers(organisation: Organisation, condition: SpecialCondition | None) -> Any:
    qs = Subscriber.objects.filter(organisation=organisation, general_accepted=True).select_related(
        "person__user"
    )
    if condition is not None:
        qs = qs.filter(services=condition)
    return qs


def _from_subscriber(sub: Subscriber) -> Candidate:
    person = sub.person
    return Candidate(
        phone=sub.phone,
        login=person.user.username if person.user else str(person.pk),
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
    )


def _directory_people(
    organisation: Organisation,
    *,
    group: str = "",
    ldap_filter: str = "",
    logins: Sequence[str] = (),
) -> list[DirectoryPerson]:
    port = get_directory()
    if port is None:
        raise ResolutionError("recipients", _("Aucun annuaire n'est disponible."))
    try:
        if group:
            return port.group_members(organisation.pk, group)
        if ldap_filter:
            return port.search(organisation.pk, ldap_filter)
        found = [port.person(organisation.pk, login) for login in logins]
        return [p for p in found if p is not None]
    except DirectoryPortError as exc:
        raise ResolutionError("recipients", str(exc)) from exc


def resolve(
    *,
    organisation: Organisation,
    recipient_type: str,
    value: str,
    special_condition: SpecialCondition | None = None,
) -> Resolution:
    """Resolve the form's choice into numbers (see the module docstring).

    ``value`` is, by type: logins separated by spaces, commas or lines (``members``); the
    group's id or name (``group``); a number (``free``); the pasted list (``list``); an
    LDAP filter (``filter``). Raises :class:`ResolutionError` naming the field.
    """
    value = (value or "").strip()
    settings = settings_for(organisation)
    directory = uses_directory(organisation, settings)
    candidates: list[Candidate] = []
    found_people = 0
    group: RecipientGroup | None = None
    if recipient_type == RecipientType.FREE:
        try:
            candidates = [Candidate(phone=parse_mobile(value))]
        except InvalidPhoneNumber as exc:
            raise ResolutionError("recipients", str(exc)) from exc
        label = value
    elif recipient_type == RecipientType.LIST:
        candidates = [Candidate(phone=p) for p in parse_number_list(value)]
        label = _("Liste de %(n)d numéros") % {"n": len(candidates)}
    elif recipient_type == RecipientType.GROUP:
        group = (
            RecipientGroup.objects.filter(organisation=organisation, pk=int(value)).first()
            if value.isascii() and value.isdigit()  # "²".isdigit() is true
            else RecipientGroup.objects.filter(organisation=organisation, name=value).first()
        )
        if group is None:
            raise ResolutionError("recipients", _("Choisissez un groupe de destinataires."))
        label = group.name
        if group.directory_group:
            people = _directory_people(organisation, group=group.directory_group)
            found_people = len(people)
            candidates = [c for c in (_from_directory(p, special_condition) for p in people) if c]
        else:
            members = group.members.values_list("pk", flat=True)
            subs = _local_subscribers(organisation, special_condition)
            found_people = len(members)
            candidates = [_from_subscriber(s) for s in subs.filter(person__in=list(members))]
    elif recipient_type == RecipientType.MEMBERS:
        logins = [x for x in re.split(r"[\s,;]+", value) if x]
        if not logins:
            raise ResolutionError("recipients", _("Indiquez au moins un identifiant."))
        label = ", ".join(logins[:5]) + ("…" if len(logins) > 5 else "")
        found_people = len(logins)
        if directory:
            people = _directory_people(organisation, logins=logins)
            candidates = [c for c in (_from_directory(p, special_condition) for p in people) if c]
        else:
            subs = _local_subscribers(organisation, special_condition).filter(
                person__user__username__in=logins
            )
            candidates = [_from_subscriber(s) for s in subs]
    elif recipient_type == RecipientType.FILTER:
        if not directory:
            raise ResolutionError(
                "recipient_type", _("Le filtre d'annuaire demande un annuaire configuré.")
            )
        if not (value.startswith("(") and value.endswith(")")):
            raise ResolutionError(
                "recipients", _("Un filtre LDAP s'écrit entre parenthèses, ex. (ou=M1H402).")
            )
        people = _directory_people(organisation, ldap_filter=value)
        found_people = len(people)
        candidates = [c for c in (_from_directory(p, special_condition) for p in people) if c]
        label = value
    else:
        raise ResolutionError("recipient_type", _("Type de destinataire inconnu."))
    unique: dict[str, Candidate] = {}
    for candidate in candidates:
        unique.setdefault(candidate.phone, candidate)
    blocked = (
        set(
            BlacklistedNumber.objects.filter(
                organisation=organisation, phone__in=list(unique)
            ).values_list("phone", flat=True)
        )
        if len(unique) <= 5000
        else _blacklisted_among(organisation, set(unique))
    )
    kept = [c for p, c in unique.items() if p not in blocked]
    out = [c for p, c in unique.items() if p in blocked]
    skipped = max(0, found_people - len(candidates)) if found_people else 0
    return Resolution(kept, out, skipped, label[:500], group)


def _blacklisted_among(organisation: Organisation, phones: set[str]) -> set[str]:
    """Blacklisted numbers among many (one read of the institution's blacklist)."""
    listed = BlacklistedNumber.objects.filter(organisation=organisation).values_list(
        "phone", flat=True
    )
    return phones & set(listed)
