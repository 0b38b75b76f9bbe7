"""Template context: the hosted offers open to the current user, for the navigation bar.

Offers are found through the registry only (DESIGN.md section 2): a link is shown for each
registered offer with pages whose service is open (a contract in force) to one of the user's
organisations: their own, or one where they hold a customer role or coordinate.
"""

from __future__ import annotations

from django.http import HttpRequest

from esup_saas.tenancy.models import Role
from esup_saas.tenancy.selectors import organisation_ids_for, person_for_user

from .registry import registered_offers
from .selectors import services_open_to


def offers(request: HttpRequest) -> dict[str, object]:
    """``offer_links``: ``[{"code", "name", "url"}]`` for the navbar (empty when anonymous)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"offer_links": []}
    specs = {spec.code: spec for spec in registered_offers() if spec.urls}
    if not specs:
        return {"offer_links": []}
    ids = set(organisation_ids_for(user, [Role.PCU, Role.END_USER, Role.COORDINATOR]))
    person = person_for_user(user)
    if person is not None:
        ids.add(person.organisation_id)
    codes = set(
        services_open_to(ids)
        .filter(offer_code__in=list(specs))
        .values_list("offer_code", flat=True)
    )
    return {
        "offer_links": [
            {"code": code, "name": specs[code].name, "url": f"/{code}/"} for code in sorted(codes)
        ]
    }
