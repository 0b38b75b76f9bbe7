"""Reads of the tenancy app: who may see which organisations.

Every scoping helper returns organisation ids meant to be used *inside* a query
(``filter(organisation_id__in=…)``), so another tenant's object is never loaded, and a missing
object and a forbidden one give the same 404.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from .models import CONSOLE_ROLES, PORTAL_ROLES, Membership, Organisation, Person, Role, Team, User


def organisation_descendant_ids(root_ids: Iterable[int]) -> set[int]:
    """Return ``root_ids`` with every organisation below them in the tree (ids, a set).

    The organisation table is small (hundreds of rows): one query reads the whole
    (id, parent) edge list and the subtree is walked in memory.
    """
    roots = set(root_ids)
    if not roots:
        return set()
    children: dict[int | None, list[int]] = {}
    for org_id, parent_id in Organisation.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(org_id)
    result: set[int] = set()
    stack = list(roots)
    while stack:
        current = stack.pop()
        if current in result:
            continue
        result.add(current)
        stack.extend(children.get(current, []))
    return result


def person_for_user(user: User | object) -> Person | None:
    """Return the person behind an authenticated account, or ``None``."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person  # type: ignore[union-attr]
    except Person.DoesNotExist:
        return None


def organisation_ids_for(user: User | object, roles: Iterable[str]) -> set[int]:
    """Ids of the organisations where ``user`` holds one of ``roles``, expanded down the tree.

    A superuser gets every organisation. An anonymous user or an account without a person
    gets the empty set.
    """
    if not getattr(user, "is_authenticated", False):
        return set()
    if getattr(user, "is_superuser", False):
        return set(Organisation.objects.values_list("id", flat=True))
    person = person_for_user(user)
    if person is None:
        return set()
    root_ids = Membership.objects.filter(person=person, role__in=list(roles)).values_list(
        "organisation_id", flat=True
    )
    return organisation_descendant_ids(root_ids)


def user_roles(user: User | object) -> set[str]:
    """The set of role codes ``user`` holds anywhere (superusers count as coordinators)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    roles: set[str] = set()
    if getattr(user, "is_superuser", False):
        roles.add(Role.COORDINATOR)
    person = person_for_user(user)
    if person is not None:
        roles.update(Membership.objects.filter(person=person).values_list("role", flat=True))
    return roles


def can_use_console(user: User | object) -> bool:
    """True when ``user`` is a superuser or holds an agent, manager or coordinator role."""
    return bool(user_roles(user) & CONSOLE_ROLES)


def can_use_portal(user: User | object) -> bool:
    """True when ``user`` holds a PCU or end-user role somewhere."""
    return bool(user_roles(user) & PORTAL_ROLES)


def organisations_for_user(user: User | object, roles: Iterable[str]) -> QuerySet[Organisation]:
    """The organisations visible to ``user`` through ``roles`` (a queryset, by name)."""
    return Organisation.objects.filter(id__in=organisation_ids_for(user, roles))


def get_organisation_for_user(
    user: User | object, code: str, roles: Iterable[str] = CONSOLE_ROLES
) -> Organisation:
    """The organisation ``code`` if ``user`` may see it through ``roles``; else ``Http404``."""
    try:
        return organisations_for_user(user, roles).get(code=code)
    except Organisation.DoesNotExist:
        raise Http404("organisation") from None


def manageable_organisation_ids(user: User | object) -> set[int]:
    """Organisations whose memberships ``user`` may edit: coordinators' and managers' subtrees."""
    return organisation_ids_for(user, [Role.COORDINATOR, Role.SERVICE_MANAGER])


def teams_for_user(user: User | object) -> QuerySet[Team]:
    """The teams ``user`` may dispatch to: those of the organisations they work for."""
    return Team.objects.filter(organisation_id__in=organisation_ids_for(user, CONSOLE_ROLES))


def organisation_tree(ids: set[int] | None = None) -> list[tuple[Organisation, int]]:
    """The organisations as (organisation, depth) pairs in tree order, names sorted.

    With ``ids``, only those organisations are listed; one whose parent is not listed is
    shown as a root.
    """
    orgs = list(Organisation.objects.order_by("name"))
    if ids is not None:
        orgs = [o for o in orgs if o.id in ids]
    present = {o.id for o in orgs}
    children: dict[int | None, list[Organisation]] = {}
    for org in orgs:
        parent = org.parent_id if org.parent_id in present else None
        children.setdefault(parent, []).append(org)
    out: list[tuple[Organisation, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for org in children.get(parent, []):
            out.append((org, depth))
            walk(org.id, depth + 1)

    walk(None, 0)
    return out
