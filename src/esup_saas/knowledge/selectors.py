"""Reads of the knowledge base."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from esup_saas.catalog.selectors import services_open_to

from .models import Faq


def faqs_for_organisations(organisation_ids: Iterable[int]) -> QuerySet[Faq]:
    """FAQs about a service open to one of ``organisation_ids``, plus FAQs about no service."""
    services = services_open_to(organisation_ids)
    return (
        Faq.objects.filter(Q(services__in=services.values("pk")) | Q(services__isnull=True))
        .select_related("category")
        .distinct()
        .order_by("category__name", "title")
    )


def get_faq_for_organisations(organisation_ids: Iterable[int], pk: int) -> Faq:
    """The FAQ ``pk`` if visible to ``organisation_ids`` (see above), else ``Http404``."""
    try:
        return faqs_for_organisations(organisation_ids).get(pk=pk)
    except Faq.DoesNotExist:
        raise Http404("faq") from None
