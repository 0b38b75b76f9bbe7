"""Admin of SMS-U: per-institution settings and the objects its managers edit in the app;
sends are read-only here (they are made through the service layer only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    BillingAccount,
    BlacklistedNumber,
    ClientApplication,
    Message,
    RecipientGroup,
    SenderGroup,
    SmsRole,
    SmsSettings,
    SpecialCondition,
    Subscriber,
    Template,
)


@admin.register(SmsSettings)
class SmsSettingsAdmin(admin.ModelAdmin):
    list_display = ("organisation", "sender_id", "max_parts", "quota", "used", "retention_days")
    raw_id_fields = ("default_approver",)


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    list_display = ("label", "organisation", "quota", "used")
    list_filter = ("organisation",)


@admin.register(SenderGroup)
class SenderGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "quota", "used", "max_recipients")
    list_filter = ("organisation",)
    raw_id_fields = ("members", "supervisors")


@admin.register(RecipientGroup)
class RecipientGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "directory_group")
    list_filter = ("organisation",)
    raw_id_fields = ("members", "supervisors")


@admin.register(SmsRole)
class SmsRoleAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation")
    list_filter = ("organisation",)


@admin.register(SpecialCondition)
class SpecialConditionAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "organisation")


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ("label", "organisation")
    list_filter = ("organisation",)


@admin.register(ClientApplication)
class ClientApplicationAdmin(admin.ModelAdmin):
    """The secret is set from the SMS-U pages (shown once), never here."""

    list_display = ("name", "organisation", "account", "quota", "used", "is_active")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(BlacklistedNumber)
class BlacklistedNumberAdmin(admin.ModelAdmin):
    list_display = ("phone", "organisation", "source", "created_at")
    list_filter = ("organisation", "source")
    search_fields = ("phone",)


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("person", "organisation", "phone", "general_accepted", "phone_confirmed")
    list_filter = ("organisation",)
    raw_id_fields = ("person",)
    search_fields = ("phone", "person__last_name")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("reference", "organisation", "state", "nb_recipients", "charged", "created_at")
    list_filter = ("organisation", "state")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
