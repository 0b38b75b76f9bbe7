"""Reads of SMS-U: who may use it where, with which rights, and the objects they may reach.

Tenancy (DESIGN.md section 3): every object reached from a URL or the API is fetched with a
``get_<thing>_for_user`` helper that filters by the institution *inside the query*; a
missing object and another tenant's give the same ``Http404``. SMS-U is open to an
institution's users only while a customer contract for a service whose ``offer_code`` is
``sms`` is in production and within its dates (``catalog.selectors.services_open_to``).

Rights: an institution's PCU (and a coordinator above it, a superuser) holds every
:class:`~.models.Function`; anyone else holds the union of the roles given to them directly
or to a group they belong to (a local :class:`~.models.RecipientGroup`, or a directory group
checked through ``lib.directory_port``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from esup_saas.catalog.models import CustomerContract, LifecycleStatus, Service
from esup_saas.catalog.selectors import contracts_in_force_q, services_open_to
from esup_saas.lib.directory_port import DirectoryPortError, get_directory
from esup_saas.tenancy.models import Organisation, Person, Role
from esup_saas.tenancy.selectors import organisation_ids_for, person_for_user

from .models import (
    BlacklistedNumber,
    ConsentStorage,
    Function,
    Message,
    MessageState,
    Recipient,
    RecipientGroup,
    RecipientState,
    RoleAssignment,
    SenderGroup,
    SmsRole,
    SmsSettings,
    Subscriber,
)

OFFER_CODE = "sms"
#: Roles that make someone an SMS-U administrator of an institution (all functions).
ADMIN_ROLES = (Role.PCU, Role.COORDINATOR)


def sms_service_for(organisation_id: int, on: dt.date | None = None) -> Service | None:
    """The SMS-U service open to ``organisation_id`` (a contract in force), or ``None``."""
    return services_open_to([organisation_id], on).filter(offer_code=OFFER_CODE).first()


def open_organisation_ids(organisation_ids: Iterable[int]) -> set[int]:
    """Those of ``organisation_ids`` that SMS-U is open to today (one query): a customer
    contract in force covering a service in production whose ``offer_code`` is ``sms``."""
    ids = list(organisation_ids)
    if not ids:
        return set()
    return set(
        CustomerContract.objects.filter(
            contracts_in_force_q(),
            customer_id__in=ids,
            services__offer_code=OFFER_CODE,
            services__status=LifecycleStatus.PRODUCTION,
        ).values_list("customer_id", flat=True)
    )


def user_organisation_ids(user: Any) -> set[int]:
    """Institutions whose SMS-U ``user`` may use: their own person's institution and those
    where they hold a PCU, end-user or coordinator role (expanded down the tree), kept only
    while SMS-U is open to them."""
    ids = set(organisation_ids_for(user, [Role.PCU, Role.END_USER, Role.COORDINATOR]))
    person = person_for_user(user)
    if person is not None:
        ids.add(person.organisation_id)
    return open_organisation_ids(ids)


def organisations_for_user(user: Any) -> QuerySet[Organisation]:
    """The institutions of :func:`user_organisation_ids`, by name."""
    return Organisation.objects.filter(pk__in=user_organisation_ids(user)).order_by("name")


def get_organisation_for_user(user: Any, code: str) -> Organisation:
    """The institution ``code`` if ``user`` may use its SMS-U, else ``Http404``."""
    org = Organisation.objects.filter(code=code, pk__in=user_organisation_ids(user)).first()
    if org is None:
        raise Http404("organisation")
    return org


def settings_for(organisation: Organisation) -> SmsSettings:
    """The institution's settings (defaults, unsaved, when none were recorded)."""
    found = SmsSettings.objects.filter(organisation=organisation).first()
    return found if found is not None else SmsSettings(organisation=organisation)


def uses_directory(organisation: Organisation, settings: SmsSettings | None = None) -> bool:
    """True when consents and groups come from the institution's directory."""
    cfg = settings or settings_for(organisation)
    port = get_directory()
    return (
        cfg.consent_storage == ConsentStorage.DIRECTORY
        and port is not None
        and port.available(organisation.pk)
    )


def directory_uid(organisation: Organisation, person: Person) -> str | None:
    """The person's identifier in the institution's directory (their account name is their
    eppn after a single sign-on), or ``None``."""
    port = get_directory()
    user = person.user
    if port is None or user is None or not port.available(organisation.pk):
        return None
    try:
        return port.uid_for_eppn(organisation.pk, user.username) or (
            user.username if port.person(organisation.pk, user.username) else None
        )
    except DirectoryPortError:
        return None


def is_admin(user: Any, organisation: Organisation) -> bool:
    """True for a superuser, the institution's PCU or a coordinator above it."""
    if getattr(user, "is_superuser", False):
        return True
    return organisation.pk in organisation_ids_for(user, ADMIN_ROLES)


def person_in_group(organisation: Organisation, person: Person, group: str) -> bool:
    """True when ``person`` is in ``group``: the local group of that name, or else the
    directory group (cn or DN) of the institution's directory."""
    local = RecipientGroup.objects.filter(organisation=organisation, name=group).first()
    if local is not None and not local.directory_group:
        return local.members.filter(pk=person.pk).exists()
    directory_group = local.directory_group if local is not None else group
    port = get_directory()
    if port is None or not port.available(organisation.pk):
        return False
    uid = directory_uid(organisation, person)
    if uid is None:
        return False
    try:
        return port.is_member(organisation.pk, directory_group, uid)
    except DirectoryPortError:
        return False


def functions_for(user: Any, organisation: Organisation) -> frozenset[str]:
    """The functions ``user`` holds in ``organisation`` (see the module docstring).

    Memoised on the user object, which lives for one request (a directory group check is a
    network round trip)."""
    cache: dict[int, frozenset[str]] | None = getattr(user, "_sms_functions", None)
    if cache is None:
        cache = {}
        with contextlib.suppress(AttributeError):  # an object that takes no attributes
            user._sms_functions = cache
    if organisation.pk not in cache:
        cache[organisation.pk] = _functions_for(user, organisation)
    return cache[organisation.pk]


def _functions_for(user: Any, organisation: Organisation) -> frozenset[str]:
    if is_admin(user, organisation):
        return frozenset(Function.values)
    person = person_for_user(user)
    if person is None:
        return frozenset()
    held: set[str] = set()
    assignments = RoleAssignment.objects.filter(role__organisation=organisation).select_related(
        "role"
    )
    for assignment in assignments:
        if set(assignment.role.functions) <= held:
            continue
        if assignment.person_id == person.pk or (
            assignment.group and person_in_group(organisation, person, assignment.group)
        ):
            held.update(assignment.role.functions)
    return frozenset(held)


def sender_group_for(organisation: Organisation, person: Person | None) -> SenderGroup | None:
    """The sender group of ``person``: the first (by name) listing them as a member, or whose
    directory group holds them; ``None`` when none does."""
    if person is None:
        return None
    groups = list(SenderGroup.objects.filter(organisation=organisation))
    for group in groups:
        if group.members.filter(pk=person.pk).exists():
            return group
    for group in groups:
        if group.directory_group and person_in_group(organisation, person, group.directory_group):
            return group
    return None


def subscriber_for(organisation: Organisation, person: Person) -> Subscriber | None:
    """The local opt-in of ``person``, or ``None``."""
    return Subscriber.objects.filter(organisation=organisation, person=person).first()


# --- sends ---------------------------------------------------------------------------------


def messages_for_user(user: Any, organisation: Organisation) -> QuerySet[Message]:
    """The sends ``user`` may follow in ``organisation``: all of them with ``track_all``
    (or ``approve``: the ones they were asked to approve), else their own."""
    functions = functions_for(user, organisation)
    qs = Message.objects.filter(organisation=organisation).select_related(
        "sender", "application", "account", "sender_group"
    )
    if Function.TRACK_ALL in functions:
        return qs
    person = person_for_user(user)
    if person is None:
        return qs.none()
    visible = Q(sender=person)
    if Function.APPROVE in functions:
        visible |= Q(approvers=person)
    return qs.filter(visible).distinct()


def get_message_for_user(user: Any, organisation: Organisation, pk: int) -> Message:
    """One send of :func:`messages_for_user`, else ``Http404``."""
    found = messages_for_user(user, organisation).filter(pk=pk).first()
    if found is None:
        raise Http404("message")
    return found


def messages_to_approve(user: Any, organisation: Organisation) -> QuerySet[Message]:
    """Sends waiting for approval that ``user`` may decide on: those naming them as an
    approver, or all of them for an administrator."""
    qs = Message.objects.filter(
        organisation=organisation, state=MessageState.WAITING_FOR_APPROVAL
    ).select_related("sender", "sender_group")
    if is_admin(user, organisation):
        return qs
    person = person_for_user(user)
    if person is None or Function.APPROVE not in functions_for(user, organisation):
        return qs.none()
    return qs.filter(approvers=person).distinct()


def may_decide(user: Any, message: Message) -> bool:
    """True when ``user`` may approve or refuse ``message`` (it must still be waiting)."""
    return messages_to_approve(user, message.organisation).filter(pk=message.pk).exists()


def message_counts(message: Message) -> dict[str, int]:
    """Recipients by state (every :class:`RecipientState` key, 0 when none) plus ``total``;
    after the purge, the counts kept in ``message.stats``."""
    if message.purged_at is not None:
        return {**{s: 0 for s in RecipientState.values}, **message.stats}
    counts = {s: 0 for s in RecipientState.values}
    for row in message.recipients.values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    counts["total"] = sum(counts[s] for s in RecipientState.values)
    return counts


def is_blacklisted(organisation: Organisation | int, phone: str) -> bool:
    """True when ``phone`` (E.164) is on the institution's blacklist."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return BlacklistedNumber.objects.filter(organisation_id=org_id, phone=phone).exists()


def blacklist_for(organisation: Organisation) -> QuerySet[BlacklistedNumber]:
    return BlacklistedNumber.objects.filter(organisation=organisation)


def roles_for(organisation: Organisation) -> QuerySet[SmsRole]:
    return SmsRole.objects.filter(organisation=organisation).prefetch_related("assignments__person")


def recipients_for(message: Message) -> QuerySet[Recipient]:
    return message.recipients.order_by("pk")


def sms_sent(organisation_id: int, start: dt.datetime, end: dt.datetime) -> float:
    """SMS charged to ``organisation_id`` for sends created in ``[start, end)``: the usage
    metric the platform reads through the offer registry (specs/sms.md item 19)."""
    total = Message.objects.filter(
        organisation_id=organisation_id, created_at__gte=start, created_at__lt=end
    ).aggregate(n=Sum("charged"))["n"]
    return float(total or 0)
