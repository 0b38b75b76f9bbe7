"""Reads of the identity app: which organisation a login belongs to, who an eppn is."""

from __future__ import annotations

from esup_saas.tenancy.models import Organisation, Person

from .exceptions import UnknownInstitution
from .models import ExternalIdentity
from .supann import Claims, domain_matches


def organisation_for_claims(claims: Claims) -> Organisation:
    """The active organisation a person belongs to, from their attributes.

    Rule (specs/identity.md item 2): first the UAIs of ``supannEtablissement``
    (``{UAI}…`` values, SUPANN 2021), in the order received, against
    ``Organisation.uai``; then the eppn's domain against ``Organisation.email_domains``
    (equal or subdomain, the longest registered domain wins). Raises
    :class:`~esup_saas.identity.exceptions.UnknownInstitution` when neither matches: an
    unknown institution never gets an account in some other tenant.
    """
    active = Organisation.objects.filter(status=Organisation.Status.ACTIVE)
    if claims.establishment_uais:
        by_uai = {o.uai: o for o in active.filter(uai__in=claims.establishment_uais)}
        for uai in claims.establishment_uais:
            if uai in by_uai:
                return by_uai[uai]
    domain = claims.eppn_domain
    owners: dict[str, Organisation] = {}
    for org in active.only("id", "email_domains"):
        for known in org.email_domains or []:
            owners.setdefault(str(known).lower().strip("."), org)
    match = domain_matches(domain, owners)
    if match is not None:
        return Organisation.objects.get(pk=owners[match].pk)
    raise UnknownInstitution(
        f"eppn domain {domain!r}, UAIs {list(claims.establishment_uais)!r}: no organisation"
    )


def person_for_eppn(eppn: str) -> Person | None:
    """The person holding ``eppn`` (compared lower-cased), or ``None``."""
    identity = (
        ExternalIdentity.objects.select_related("person").filter(eppn=eppn.strip().lower()).first()
    )
    return identity.person if identity else None
