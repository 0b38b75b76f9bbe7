"""Reads of the catalogue: which services a customer may use, which contracts one may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import (
    ContractStatus,
    CustomerContract,
    LifecycleStatus,
    Service,
    ServiceSubcategory,
)


def contracts_in_force_q(on: dt.date | None = None, prefix: str = "") -> Q:
    """A ``Q`` matching customer contracts in production and within their dates on ``on``.

    A contract is within dates when it started on or before ``on`` and ends on or after it,
    has no end, or renews tacitly (*reconduction tacite*) until it is made obsolete.
    ``prefix`` is the lookup path to the contract (e.g. ``"customer_contracts__"``).
    """
    day = on or timezone.localdate()
    p = prefix
    return Q(**{f"{p}status": ContractStatus.PRODUCTION, f"{p}start_date__lte": day}) & (
        Q(**{f"{p}end_date__isnull": True})
        | Q(**{f"{p}end_date__gte": day})
        | Q(**{f"{p}tacit_renewal": True})
    )


def contracts_in_force(
    organisation_ids: Iterable[int], on: dt.date | None = None
) -> QuerySet[CustomerContract]:
    """Customer contracts of ``organisation_ids`` in production and within dates on ``on``."""
    return CustomerContract.objects.filter(
        contracts_in_force_q(on), customer_id__in=list(organisation_ids)
    )


def services_open_to(
    organisation_ids: Iterable[int], on: dt.date | None = None
) -> QuerySet[Service]:
    """Services in production covered by a contract in force for one of ``organisation_ids``.

    This is the rule of the portal (specs/platform.md item 9) and of every offer module.
    """
    ids = list(organisation_ids)
    return (
        Service.objects.filter(
            contracts_in_force_q(on, prefix="customer_contracts__"),
            status=LifecycleStatus.PRODUCTION,
            customer_contracts__customer_id__in=ids,
        )
        .select_related("family", "provider")
        .distinct()
        .order_by("family__name", "name")
    )


def service_is_open_to(service: Service, organisation_id: int, on: dt.date | None = None) -> bool:
    """True when ``service`` is open to ``organisation_id`` on ``on`` (see ``services_open_to``)."""
    return services_open_to([organisation_id], on).filter(pk=service.pk).exists()


def subcategories_open_to(
    organisation_ids: Iterable[int], on: dt.date | None = None
) -> QuerySet[ServiceSubcategory]:
    """Subcategories in production of the services open to ``organisation_ids``."""
    services = services_open_to(organisation_ids, on)
    return ServiceSubcategory.objects.filter(
        service__in=services.values("pk"), status=LifecycleStatus.PRODUCTION
    ).select_related("service", "service__family")


def contracts_visible_to(organisation_ids: Iterable[int]) -> QuerySet[CustomerContract]:
    """Customer contracts where one of ``organisation_ids`` is the customer or the provider."""
    ids = list(organisation_ids)
    return (
        CustomerContract.objects.filter(Q(customer_id__in=ids) | Q(provider_id__in=ids))
        .select_related("customer", "provider")
        .prefetch_related("services", "documents")
    )
