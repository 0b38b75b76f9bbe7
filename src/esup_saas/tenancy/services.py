"""Writes of the tenancy app: organisations, persons, teams and memberships.

Every function is keyword-only, atomic, and validates with ``full_clean()`` before saving, so
a bad value raises ``django.core.exceptions.ValidationError`` naming the field and nothing is
written.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Membership, Organisation, Person, Role, Team, User
from .selectors import (
    manageable_organisation_ids,
    organisation_descendant_ids,
    organisation_ids_for,
)


@transaction.atomic
def organisation_create(
    *,
    name: str,
    code: str,
    parent: Organisation | None = None,
    uai: str = "",
    email_domains: list[str] | None = None,
    is_provider: bool = False,
    is_customer: bool = False,
) -> Organisation:
    """Create an organisation under ``parent`` (``None`` for a root)."""
    org = Organisation(
        name=name,
        code=code,
        parent=parent,
        uai=uai,
        email_domains=list(email_domains or []),
        is_provider=is_provider,
        is_customer=is_customer,
    )
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def organisation_set_parent(*, organisation: Organisation, parent: Organisation | None) -> None:
    """Move ``organisation`` under ``parent``; refuses a move that would make a cycle."""
    if parent is not None and parent.id in organisation_descendant_ids([organisation.id]):
        raise ValidationError(
            {
                "parent": _(
                    "Une organisation ne peut pas être placée sous "
                    "elle-même ou l'une de ses filles."
                )
            }
        )
    organisation.parent = parent
    organisation.full_clean()
    organisation.save(update_fields=["parent"])


@transaction.atomic
def person_create(
    *,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    email: str = "",
    phone: str = "",
    function: str = "",
    username: str | None = None,
    password: str | None = None,
) -> Person:
    """Create a person, and a login account when ``username`` is given.

    ``password`` ``None`` leaves the account without a usable password (single sign-on only).
    """
    person = Person(
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
        email=email,
        phone=phone,
        function=function,
    )
    person.full_clean()
    if username:
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.full_clean()
        user.save()
        person.user = user
    person.save()
    return person


@transaction.atomic
def team_create(
    *, name: str, organisation: Organisation, members: list[Person] | None = None, email: str = ""
) -> Team:
    """Create a team of ``organisation`` with ``members``."""
    team = Team(name=name, organisation=organisation, email=email)
    team.full_clean()
    team.save()
    if members:
        team.members.set(members)
    return team


@transaction.atomic
def membership_grant(
    *, person: Person, organisation: Organisation, role: str, actor: User | None = None
) -> Membership:
    """Give ``person`` the ``role`` on ``organisation`` (idempotent).

    With an ``actor``, the actor must coordinate or manage ``organisation`` (or be a
    superuser), else ``PermissionDenied``; the coordinator role is granted only by a
    coordinator of that organisation (or above) or a superuser, so a service manager cannot
    promote anyone, themselves included, above their own role.
    """
    if actor is not None and organisation.id not in manageable_organisation_ids(actor):
        raise PermissionDenied(_("Vous ne gérez pas cette organisation."))
    if (
        actor is not None
        and role == Role.COORDINATOR
        and organisation.id not in organisation_ids_for(actor, [Role.COORDINATOR])
    ):
        raise PermissionDenied(
            _("Seul un coordinateur peut attribuer le rôle de coordinateur du consortium.")
        )
    existing = Membership.objects.filter(
        person=person, organisation=organisation, role=role
    ).first()
    if existing is not None:
        return existing
    membership = Membership(person=person, organisation=organisation, role=role)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor: User | None = None) -> None:
    """Remove a role; with an ``actor``, they must manage its organisation, and only a
    coordinator (or a superuser) removes a coordinator."""
    if actor is not None and membership.organisation_id not in manageable_organisation_ids(actor):
        raise PermissionDenied(_("Vous ne gérez pas cette organisation."))
    if (
        actor is not None
        and membership.role == Role.COORDINATOR
        and membership.organisation_id not in organisation_ids_for(actor, [Role.COORDINATOR])
    ):
        raise PermissionDenied(_("Seul un coordinateur peut retirer ce rôle."))
    membership.delete()
