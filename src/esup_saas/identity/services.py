"""Writes of the identity app: provisioning at login, merging persons, directory import.

Every function is keyword-only and atomic: a refusal or an error leaves nothing written.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from esup_saas.tenancy.models import Membership, Organisation, Person, Role, User
from esup_saas.tenancy.services import membership_grant, person_create

from .directory import Directory
from .exceptions import LoginRefused
from .models import DirectoryConfig, ExternalIdentity, LoginMethod
from .selectors import organisation_for_claims
from .supann import AttributeMappingError, Claims, claims_from_attributes

logger = logging.getLogger(__name__)

_USERNAME_MAX = User._meta.get_field("username").max_length or 150


def _free_username(wanted: str) -> str:
    """``wanted`` (cut to the column size) or ``wanted-2``, ``-3``… if taken."""
    base = wanted[:_USERNAME_MAX]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        suffix = f"-{n}"
        candidate = base[: _USERNAME_MAX - len(suffix)] + suffix
    return candidate


def _max_length(model: type[models.Model], name: str) -> int | None:
    return getattr(model._meta.get_field(name), "max_length", None)


def _apply_claims(person: Person, claims: Claims) -> bool:
    """Copy names and mail from ``claims`` onto ``person`` and its account (when given);
    True when the person changed."""
    changed: list[str] = []
    for attr, value in (
        ("first_name", claims.first_name),
        ("last_name", claims.last_name),
        ("email", claims.email),
    ):
        if value and getattr(person, attr) != value:
            setattr(person, attr, value[: _max_length(Person, attr)])
            changed.append(attr)
    if changed:
        person.full_clean()
        person.save(update_fields=changed)
    user = person.user
    if user is not None:
        user_changed = [
            attr
            for attr in ("first_name", "last_name", "email")
            if getattr(person, attr)
            and getattr(user, attr) != getattr(person, attr)[: _max_length(User, attr)]
        ]
        for attr in user_changed:
            setattr(user, attr, getattr(person, attr)[: _max_length(User, attr)])
        if user_changed:
            user.save(update_fields=user_changed)
    return bool(changed)


def _matching_person(organisation: Organisation, claims: Claims) -> Person | None:
    """A person of ``organisation`` created before their first login (by an administrator
    as a contact), recognised by their mail: exactly one match, not yet tied to an eppn,
    and without an account of their own — an existing account is never taken over by a
    login whose only proof is a matching mail (an administrator merges them instead)."""
    if not claims.email:
        return None
    candidates = list(
        Person.objects.filter(
            organisation=organisation,
            email__iexact=claims.email,
            external_identities__isnull=True,
            user__isnull=True,
        )[:2]
    )
    return candidates[0] if len(candidates) == 1 else None


def external_login(*, claims: Claims, method: str) -> User:
    """Return the account of the person behind ``claims``, creating it at first login.

    - The eppn is the key (one person, one account): an eppn already known reaches the same
      person whatever ``method`` (``LoginMethod`` value) brought it; names and mail are
      updated from the claims and the SUPANN profile is stored on the
      :class:`~esup_saas.identity.models.ExternalIdentity`.
    - A new eppn is placed in the organisation found by
      :func:`~esup_saas.identity.selectors.organisation_for_claims`; it joins a person of
      that organisation with the same mail and no eppn yet, or a new person is created.
      A person without any role gets the end-user role on that organisation.
    - Raises :class:`~esup_saas.identity.exceptions.LoginRefused`: ``unknown_institution``
      (nothing is created), ``inactive_account`` (person or account deactivated).

    Two first logins of the same eppn at the same moment: the second one's insert hits the
    unique eppn, rolls back, and is run again, finding the identity the first one made.
    """
    try:
        return _external_login(claims=claims, method=method)
    except IntegrityError:
        if not ExternalIdentity.objects.filter(eppn=claims.eppn).exists():
            raise
        return _external_login(claims=claims, method=method)


@transaction.atomic
def _external_login(*, claims: Claims, method: str) -> User:
    if method not in LoginMethod.values:
        raise ValueError(f"method: unknown login method {method!r}")
    identity = (
        ExternalIdentity.objects.select_for_update(of=("self",))
        .select_related("person", "person__user")
        .filter(eppn=claims.eppn)
        .first()
    )
    if identity is None:
        organisation = organisation_for_claims(claims)
        person = _matching_person(organisation, claims)
        if person is None:
            person = person_create(
                first_name=claims.first_name or claims.eppn.partition("@")[0],
                last_name=claims.last_name or claims.eppn.partition("@")[0],
                organisation=organisation,
                email=claims.email,
            )
        identity = ExternalIdentity(person=person, eppn=claims.eppn, organisation=organisation)
    person = identity.person
    if person.status != Person.Status.ACTIVE:
        raise LoginRefused("inactive_account", f"person {person.pk} is inactive")
    if person.user is None:
        user = User(
            username=_free_username(claims.eppn),
            email=claims.email or person.email,
            first_name=person.first_name[:150],
            last_name=person.last_name[:150],
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        person.user = user
        person.save(update_fields=["user"])
    elif not person.user.is_active:
        raise LoginRefused("inactive_account", f"account {person.user.pk} is inactive")
    _apply_claims(person, claims)
    if not Membership.objects.filter(person=person).exists():
        membership_grant(person=person, organisation=identity.organisation, role=Role.END_USER)
    identity.last_method = method
    identity.attributes = {k: list(v) for k, v in claims.raw.items()}
    identity.profile = claims.profile()
    identity.last_seen_at = timezone.now()
    identity.full_clean()
    identity.save()
    assert person.user is not None
    return person.user


# --- merging two persons ---------------------------------------------------------------


@dataclass
class MergeSummary:
    """What :func:`person_merge` did: rows moved and duplicate rows removed, per model
    label (``"servicedesk.Ticket"``), and whether the dropped person's account moved."""

    moved: Counter[str] = field(default_factory=Counter)
    removed_duplicates: Counter[str] = field(default_factory=Counter)
    account_moved: bool = False
    account_deactivated: bool = False


def _is_history_model(model: type[models.Model]) -> bool:
    """django-simple-history's frozen copies: they record the past and are left alone."""
    return hasattr(model, "instance_type") and hasattr(model, "history_object")


def _unique_sets(model: type[models.Model]) -> list[tuple[str, ...]]:
    sets: list[tuple[str, ...]] = [tuple(u) for u in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            sets.append(tuple(constraint.fields))
    for f in model._meta.concrete_fields:
        if f.unique and not f.primary_key:
            sets.append((f.name,))
    return sets


def _would_duplicate(obj: models.Model, field_name: str, keep: Person) -> bool:
    """True when pointing ``obj.<field_name>`` at ``keep`` would break a unique rule."""
    model = type(obj)
    for fields in _unique_sets(model):
        if field_name not in fields:
            continue
        lookup: dict[str, object] = {field_name: keep}
        for other in fields:
            if other != field_name:
                attname = getattr(model._meta.get_field(other), "attname", other)
                lookup[attname] = getattr(obj, attname)
        if model._base_manager.filter(**lookup).exclude(pk=obj.pk).exists():
            return True
    return False


@transaction.atomic
def person_merge(*, keep: Person, drop: Person) -> MergeSummary:
    """Merge ``drop`` into ``keep`` and delete ``drop``; returns a :class:`MergeSummary`.

    Everything that points at ``drop`` is moved to ``keep``, found generically through
    ``Person._meta`` (every reverse foreign key and one-to-one, hidden ones included, and
    the rows of many-to-many tables): memberships, team memberships, external identities
    (eppns), tickets as caller or agent, contacts, log entries, events, contracts' and
    services' contacts… and whatever relation later apps add. A row that would duplicate
    one of ``keep``'s (the same role twice, the same ticket contact twice) is removed
    instead. History tables are left as they were. ``drop``'s login account moves to
    ``keep`` when ``keep`` has none; otherwise it is deactivated (kept for the audit trail).

    Raises ``ValidationError`` when ``keep`` and ``drop`` are the same person.
    """
    if keep.pk == drop.pk:
        raise ValidationError(_("Impossible de fusionner une personne avec elle-même."))
    # Lock both rows in a fixed order so two concurrent merges cannot deadlock.
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, drop.pk]).order_by("pk")
    }
    if len(locked) != 2:
        raise ValidationError(_("Une des deux personnes n'existe plus."))
    keep, drop = locked[keep.pk], locked[drop.pk]
    summary = MergeSummary()
    relation: Any
    for relation in Person._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or relation.many_to_many:
            continue  # forward fields, and M2M handled through their tables' foreign keys
        model = relation.related_model
        if _is_history_model(model):
            continue
        fk_name = relation.field.name
        label = model._meta.label
        for obj in model._base_manager.filter(**{fk_name: drop}).order_by("pk"):
            if _would_duplicate(obj, fk_name, keep):
                obj.delete()
                summary.removed_duplicates[label] += 1
            else:
                setattr(obj, fk_name, keep)
                obj.save(update_fields=[relation.field.attname])
                summary.moved[label] += 1
    for m2m in Person._meta.many_to_many:
        others = list(getattr(drop, m2m.name).all())
        if others:
            getattr(keep, m2m.name).add(*others)
            summary.moved[f"{Person._meta.label}.{m2m.name}"] += len(others)
    account = drop.user
    if account is not None:
        drop.user = None
        drop.save(update_fields=["user"])
        if keep.user is None:
            keep.user = account
            keep.save(update_fields=["user"])
            summary.account_moved = True
        else:
            account.is_active = False
            account.save(update_fields=["is_active"])
            summary.account_deactivated = True
    drop_pk = drop.pk
    drop.delete()
    logger.info("merged person %s into %s: %s", drop_pk, keep.pk, dict(summary.moved))
    return summary


# --- directory import ------------------------------------------------------------------


@dataclass
class SyncSummary:
    """What :func:`directory_sync` did: counts, and the entries skipped with the reason
    (``(dn, message)``)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return _(
            "%(created)d créée(s), %(updated)d mise(s) à jour, %(deactivated)d désactivée(s), "
            "%(unchanged)d inchangée(s), %(skipped)d ignorée(s)"
        ) % {
            "created": self.created,
            "updated": self.updated,
            "deactivated": self.deactivated,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
        }


def directory_sync(*, organisation: Organisation) -> SyncSummary:
    """Import or update ``organisation``'s persons from its directory; one transaction.

    The whole people branch is read first (paged), so an unreachable directory raises
    :class:`~esup_saas.identity.directory.DirectoryUnavailable` before anything is written.
    Then, atomically: each entry with a valid eppn creates a person (with its
    :class:`ExternalIdentity`, no account until their first login) or updates names, mail
    and SUPANN profile; a person of the organisation whose eppn is no longer in the
    directory is deactivated (person and account), one who comes back is reactivated.
    Entries without a usable eppn are skipped and listed. Raises
    ``DirectoryConfig.DoesNotExist`` when the organisation has no directory configured.
    """
    config = DirectoryConfig.objects.select_related("organisation").get(organisation=organisation)
    entries = Directory(config).search_people()
    with transaction.atomic():
        return _directory_apply(config, entries)


def _directory_apply(config: DirectoryConfig, entries) -> SyncSummary:  # type: ignore[no-untyped-def]
    organisation = config.organisation
    summary = SyncSummary()
    seen: set[str] = set()
    now = timezone.now()
    for entry in entries:
        raw_eppn = entry.first(config.eppn_attribute)
        try:
            claims = claims_from_attributes(entry.attributes, eppn=raw_eppn or None)
        except AttributeMappingError as exc:
            summary.skipped.append((entry.dn, str(exc)))
            continue
        if claims.eppn in seen:
            summary.skipped.append((entry.dn, f"eduPersonPrincipalName: {claims.eppn} twice"))
            continue
        seen.add(claims.eppn)
        identity = (
            ExternalIdentity.objects.select_for_update(of=("self",))
            .select_related("person", "person__user")
            .filter(eppn=claims.eppn)
            .first()
        )
        if identity is None:
            person = _matching_person(organisation, claims) or person_create(
                first_name=claims.first_name or claims.eppn.partition("@")[0],
                last_name=claims.last_name or claims.eppn.partition("@")[0],
                organisation=organisation,
                email=claims.email,
            )
            identity = ExternalIdentity(
                person=person,
                eppn=claims.eppn,
                organisation=organisation,
                last_method=LoginMethod.DIRECTORY,
            )
            summary.created += 1
            changed = True
        else:
            person = identity.person
            changed = _apply_claims(person, claims)
            if person.status != Person.Status.ACTIVE and person.organisation_id == organisation.pk:
                person.status = Person.Status.ACTIVE
                person.save(update_fields=["status"])
                if person.user is not None and not person.user.is_active:
                    person.user.is_active = True
                    person.user.save(update_fields=["is_active"])
                changed = True
            new_attributes = {k: list(v) for k, v in claims.raw.items()}
            changed = changed or (
                identity.profile != claims.profile()
                or identity.attributes != new_attributes
                or identity.directory_dn != entry.dn
            )
            if changed:
                summary.updated += 1
            else:
                summary.unchanged += 1
        if changed:
            identity.attributes = {k: list(v) for k, v in claims.raw.items()}
            identity.profile = claims.profile()
            identity.directory_dn = entry.dn
            identity.full_clean()
            identity.save()
    # Compared in Python: a directory of 100 000 people would not fit in one SQL IN ().
    known = (
        ExternalIdentity.objects.select_related("person", "person__user")
        .filter(organisation=organisation, person__organisation=organisation)
        .filter(person__status=Person.Status.ACTIVE)
    )
    for identity in known.iterator(chunk_size=2000):
        if identity.eppn in seen:
            continue
        person = identity.person
        person.status = Person.Status.INACTIVE
        person.save(update_fields=["status"])
        if person.user is not None and person.user.is_active:
            person.user.is_active = False
            person.user.save(update_fields=["is_active"])
        summary.deactivated += 1
    logger.info("directory sync of %s at %s: %s", organisation, now.isoformat(), summary)
    return summary
