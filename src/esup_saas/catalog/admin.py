"""Django admin of the catalogue: families, services, subcategories, contracts, support models.

Documents (files and links) are edited inline on their owner's page once the owner is saved:
a document must belong to exactly one owner (``Document.clean``), which an unsaved owner
cannot yet be.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    CguAcceptance,
    CustomerContract,
    CustomerContractService,
    Document,
    ProviderContract,
    Service,
    ServiceFamily,
    ServiceSubcategory,
    SupportModel,
    SupportModelLine,
)
from .models_sla import (
    SLA,
    SLT,
    Closure,
    HolidayCalendar,
    ProviderSlaSettings,
    ServiceHours,
    ServiceHoursInterval,
)

#: Addresses typed without a scheme are taken as https (Django 6's default).
URL_HTTPS: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class DocumentInline(admin.TabularInline):
    model = Document
    fields = ("title", "kind", "url", "file", "description")
    formfield_overrides = URL_HTTPS
    extra = 0


class DocumentsOnChangeMixin:
    """Adds :class:`DocumentInline` to the change page only (see the module docstring)."""

    inlines: tuple[type[admin.options.InlineModelAdmin], ...] = ()

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        inlines = list(self.inlines)
        return [*inlines, DocumentInline] if obj is not None else inlines


@admin.register(ServiceFamily)
class ServiceFamilyAdmin(admin.ModelAdmin):
    list_display = ("name", "icon", "service_count")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceFamily]:
        return super().get_queryset(request).annotate(_services=Count("services"))

    @admin.display(description=_("services"), ordering="_services")
    def service_count(self, obj: ServiceFamily) -> int:
        return obj._services  # type: ignore[attr-defined]


class SubcategoryInline(admin.TabularInline):
    model = ServiceSubcategory
    fields = ("name", "request_type", "status")
    extra = 0


@admin.register(Service)
class ServiceAdmin(DocumentsOnChangeMixin, SimpleHistoryAdmin):
    list_display = ("name", "family", "provider", "status", "offer_code")
    list_filter = ("status", "family", ("provider", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "description", "offer_code")
    autocomplete_fields = ("family", "provider", "contacts")
    list_select_related = ("family", "provider")
    inlines = (SubcategoryInline,)


@admin.register(ServiceSubcategory)
class ServiceSubcategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "service", "request_type", "status")
    list_filter = ("request_type", "status", "service")
    search_fields = ("name", "service__name")
    autocomplete_fields = ("service",)
    list_select_related = ("service",)


class CustomerContractServiceInline(admin.TabularInline):
    model = CustomerContractService
    autocomplete_fields = ("service",)
    extra = 1


@admin.register(CustomerContract)
class CustomerContractAdmin(DocumentsOnChangeMixin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "customer",
        "provider",
        "status",
        "start_date",
        "end_date",
        "tacit_renewal",
    )
    list_filter = ("status", "tacit_renewal", ("provider", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "description", "customer__name", "provider__name")
    autocomplete_fields = ("customer", "provider", "contacts")
    list_select_related = ("customer", "provider")
    date_hierarchy = "start_date"
    inlines = (CustomerContractServiceInline,)


@admin.register(CustomerContractService)
class CustomerContractServiceAdmin(admin.ModelAdmin):
    list_display = ("contract", "service")
    list_filter = ("service",)
    search_fields = ("contract__name", "contract__customer__name", "service__name")
    autocomplete_fields = ("contract", "service")
    list_select_related = ("contract", "service")


@admin.register(ProviderContract)
class ProviderContractAdmin(DocumentsOnChangeMixin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "provider",
        "consortium",
        "status",
        "start_date",
        "end_date",
        "tacit_renewal",
    )
    list_filter = ("status", "tacit_renewal")
    search_fields = ("name", "description", "provider__name")
    autocomplete_fields = ("provider", "consortium", "services", "contacts")
    list_select_related = ("provider", "consortium")


@admin.register(CguAcceptance)
class CguAcceptanceAdmin(admin.ModelAdmin):
    list_display = ("organisation", "contract", "version", "accepted_by", "accepted_at")
    search_fields = ("organisation__name", "contract__name", "version")
    autocomplete_fields = ("organisation", "contract", "accepted_by")
    readonly_fields = ("accepted_at",)
    list_select_related = ("organisation", "contract", "accepted_by")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "owner", "url")
    formfield_overrides = URL_HTTPS
    list_filter = ("kind",)
    search_fields = ("title", "url", "description")
    autocomplete_fields = ("service", "customer_contract", "provider_contract", "organisation")
    list_select_related = ("service", "customer_contract", "provider_contract", "organisation")

    @admin.display(description=_("rattaché à"))
    def owner(self, obj: Document) -> str:
        owner = obj.service or obj.customer_contract or obj.provider_contract or obj.organisation
        return str(owner) if owner else "—"


class SupportModelLineInline(admin.TabularInline):
    model = SupportModelLine
    autocomplete_fields = ("service", "team")
    extra = 1


@admin.register(SupportModel)
class SupportModelAdmin(SimpleHistoryAdmin):
    list_display = ("name", "customer")
    search_fields = ("name", "customer__name")
    autocomplete_fields = ("customer",)
    list_select_related = ("customer",)
    inlines = (SupportModelLineInline,)


@admin.register(SupportModelLine)
class SupportModelLineAdmin(admin.ModelAdmin):
    list_display = ("support_model", "service", "team")
    list_filter = ("service",)
    search_fields = ("support_model__name", "service__name", "team__name")
    autocomplete_fields = ("support_model", "service", "team")
    list_select_related = ("support_model", "service", "team")


# --- SLA (issue 3): targets, service hours, holiday calendars --------------------------------


class ServiceHoursIntervalInline(admin.TabularInline):
    model = ServiceHoursInterval
    extra = 0


@admin.register(ServiceHours)
class ServiceHoursAdmin(admin.ModelAdmin):
    list_display = ("name", "provider", "timezone")
    list_filter = ("provider",)
    search_fields = ("name",)
    inlines = [ServiceHoursIntervalInline]


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "provider", "country", "subdivision")
    list_filter = ("provider", "subdivision")
    search_fields = ("name",)
    inlines = [ClosureInline]


class SLTInline(admin.TabularInline):
    model = SLT
    extra = 0


@admin.register(SLA)
class SLAAdmin(admin.ModelAdmin):
    list_display = ("name", "provider", "service_hours", "holiday_calendar")
    list_filter = ("provider",)
    search_fields = ("name",)
    inlines = [SLTInline]


@admin.register(ProviderSlaSettings)
class ProviderSlaSettingsAdmin(admin.ModelAdmin):
    list_display = ("provider", "auto_close_days")


@admin.register(SLT)
class SLTAdmin(admin.ModelAdmin):
    list_display = ("sla", "priority", "request_type", "metric", "value", "unit")
    list_filter = ("metric", "request_type", "priority")


@admin.register(ServiceHoursInterval)
class ServiceHoursIntervalAdmin(admin.ModelAdmin):
    list_display = ("hours", "weekday", "start", "end")


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("calendar", "label", "first_day", "last_day")
