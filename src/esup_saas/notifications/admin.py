"""Admin of the notifications: triggers, templates, preferences, and the mail log (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import MailTemplate, NotificationPreference, OutgoingMail, TriggerSetting


@admin.register(TriggerSetting)
class TriggerSettingAdmin(admin.ModelAdmin):
    list_display = ("trigger", "recipients", "essential", "active")
    list_filter = ("essential", "active")


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    list_display = ("trigger", "language", "subject", "updated_at")
    list_filter = ("language",)
    search_fields = ("subject", "body")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("person", "language", "opt_out")
    list_filter = ("language", "opt_out")
    search_fields = ("person__last_name", "person__email")
    autocomplete_fields = ("person",)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The log of every mail sent: viewable, never edited."""

    list_display = ("created_at", "trigger", "to_email", "subject")
    list_filter = ("trigger", "language", "essential")
    search_fields = ("to_email", "subject", "message_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
