"""Django admin of the knowledge base: FAQ categories, FAQs and known errors.

FAQ descriptions are rich text shown as HTML in the portal: they are sanitised on save, as
every rich text of the platform (``lib.html.sanitize_html``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from esup_saas.lib.html import sanitize_html

from .models import Faq, FaqCategory, KnownError


@admin.register(FaqCategory)
class FaqCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "faq_count")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[FaqCategory]:
        return super().get_queryset(request).annotate(_faqs=Count("faqs"))

    @admin.display(description=_("FAQs"), ordering="_faqs")
    def faq_count(self, obj: FaqCategory) -> int:
        return obj._faqs  # type: ignore[attr-defined]


@admin.register(Faq)
class FaqAdmin(SimpleHistoryAdmin):
    list_display = ("title", "category", "domains", "error_code")
    list_filter = ("category", "services")
    search_fields = ("title", "summary", "keywords", "domains", "error_code")
    autocomplete_fields = ("category", "services")
    list_select_related = ("category",)

    def save_model(self, request: HttpRequest, obj: Faq, form: Any, change: bool) -> None:
        obj.description = sanitize_html(obj.description)
        super().save_model(request, obj, form, change)


@admin.register(KnownError)
class KnownErrorAdmin(SimpleHistoryAdmin):
    list_display = ("name", "service", "error_code")
    list_filter = ("service",)
    search_fields = ("name", "symptom", "root_cause", "workaround", "error_code")
    autocomplete_fields = ("service",)
    list_select_related = ("service",)
