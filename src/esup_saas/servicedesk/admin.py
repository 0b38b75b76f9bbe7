"""Django admin of the service desk: tickets, logs, files, events, priority matrices.

Tickets are opened in the portal or the console, through ``services.ticket_create``, which
numbers them: the admin has no "add ticket" page, and a ticket's ref, kind, status and
priority are read-only there (refs are never typed; the priority always follows impact ×
urgency through the provider's matrix, recomputed on save). Lifecycle changes go through the
console's transitions. Logs, attachments, events and ref counters are records: the admin shows
them and lets a superuser delete an inappropriate log entry or file, never rewrite one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from esup_saas.lib.html import sanitize_html

from .models import (
    Attachment,
    Impact,
    LogEntry,
    PriorityMatrix,
    PriorityMatrixCell,
    RefCounter,
    SavedSearch,
    Ticket,
    TicketContact,
    TicketEvent,
    Urgency,
)
from .models_mail import InboundMail, MailInbox
from .models_sla import SlaClock, SlaThresholdEvent, TicketEventNotified
from .selectors import parse_ref, priority_for
from .workflow import Status


class RecordAdminMixin:
    """Shown, never added nor edited in the admin (deletion stays with ``can_delete``)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TicketContactInline(admin.TabularInline):
    model = TicketContact
    autocomplete_fields = ("person",)
    extra = 0


class LogEntryInline(RecordAdminMixin, admin.TabularInline):
    model = LogEntry
    fields = ("created_at", "visibility", "author", "body")
    readonly_fields = fields
    extra = 0


class AttachmentInline(RecordAdminMixin, admin.TabularInline):
    model = Attachment
    fields = ("filename", "content_type", "size", "private", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0


#: States in which a ticket must have a team and an agent (specs/platform.md item 13).
_STAFFED_STATES = frozenset({Status.ASSIGNED, Status.PENDING, Status.ESCALATED_TTR})


class TicketAdminForm(forms.ModelForm):
    """Keeps the rules of the service layer that an admin edit could break."""

    class Meta:
        model = Ticket
        fields = (
            "title",
            "description",
            "caller",
            "origin",
            "impact",
            "urgency",
            "team",
            "agent",
            "parent",
            "related",
            "pending_reason",
            "rejection_reason",
            "resolution_code",
            "solution",
            "time_spent",
            "satisfaction",
            "customer_comment",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        team, agent, caller = data.get("team"), data.get("agent"), data.get("caller")
        if agent is not None:
            if team is None:
                self.add_error("team", _("Choisissez l'équipe de l'agent."))
            elif not team.members.filter(pk=agent.pk).exists():
                self.add_error(
                    "agent",
                    _("L'agent doit être membre de l'équipe « %(team)s ».") % {"team": team.name},
                )
        if self.instance.status in _STAFFED_STATES:
            for name in ("team", "agent"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Ce champ est obligatoire pour un ticket assigné."))
        if caller is not None and caller.organisation_id != self.instance.organisation_id:
            self.add_error("caller", _("Le demandeur doit appartenir à l'organisation cliente."))
        return data


@admin.register(Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    form = TicketAdminForm
    list_display = (
        "reference",
        "title",
        "organisation",
        "service",
        "status",
        "priority",
        "agent",
        "start_date",
    )
    list_display_links = ("reference", "title")
    list_filter = (
        "kind",
        "status",
        "priority",
        "request_type",
        "origin",
        "service",
        ("organisation", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("title", "caller__first_name", "caller__last_name", "organisation__name")
    date_hierarchy = "start_date"
    list_select_related = ("organisation", "service", "agent")
    autocomplete_fields = ("caller", "team", "agent", "parent", "related")
    readonly_fields = (
        "reference",
        "kind",
        "request_type",
        "status",
        "organisation",
        "service",
        "subcategory",
        "priority",
        "start_date",
        "assignment_date",
        "resolution_date",
        "close_date",
        "last_update",
        "tto_deadline",
        "ttr_deadline",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference",
                    "kind",
                    "request_type",
                    "status",
                    "title",
                    "description",
                    "caller",
                    "organisation",
                    "service",
                    "subcategory",
                    "origin",
                )
            },
        ),
        (_("Qualification"), {"fields": ("impact", "urgency", "priority")}),
        (_("Assignation"), {"fields": ("team", "agent", "parent", "related")}),
        (
            _("Dates"),
            {
                "fields": (
                    "start_date",
                    "assignment_date",
                    "resolution_date",
                    "close_date",
                    "last_update",
                    "tto_deadline",
                    "ttr_deadline",
                )
            },
        ),
        (
            _("Résolution"),
            {
                "fields": (
                    "pending_reason",
                    "rejection_reason",
                    "resolution_code",
                    "solution",
                    "time_spent",
                    "satisfaction",
                    "customer_comment",
                )
            },
        ),
    )
    inlines = (TicketContactInline, LogEntryInline, AttachmentInline)

    @admin.display(description=_("référence"), ordering="number")
    def reference(self, obj: Ticket) -> str:
        return obj.ref

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Ticket], search_term: str
    ) -> tuple[QuerySet[Ticket], bool]:
        """A ref (``I-000007``) finds that ticket; other terms search the usual fields."""
        parsed = parse_ref(search_term.strip().upper())
        if parsed is not None:
            kind, number = parsed
            return queryset.filter(kind=kind, number=number), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request: HttpRequest, obj: Ticket, form: Any, change: bool) -> None:
        obj.priority = priority_for(
            provider_id=obj.service.provider_id, impact=obj.impact, urgency=obj.urgency
        )
        obj.description = sanitize_html(obj.description)
        obj.solution = sanitize_html(obj.solution) if obj.solution else ""
        obj.last_update = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(TicketContact)
class TicketContactAdmin(admin.ModelAdmin):
    list_display = ("ticket", "person", "notify")
    list_filter = ("notify",)
    search_fields = ("ticket__title", "person__first_name", "person__last_name")
    autocomplete_fields = ("ticket", "person")
    list_select_related = ("ticket", "person")


@admin.register(LogEntry)
class LogEntryAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ("ticket", "visibility", "author", "created_at")
    list_filter = ("visibility",)
    search_fields = ("body", "ticket__title")
    list_select_related = ("ticket", "author")
    date_hierarchy = "created_at"


@admin.register(Attachment)
class AttachmentAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ("filename", "ticket", "content_type", "size", "private", "uploaded_at")
    list_filter = ("private", "content_type")
    search_fields = ("filename", "ticket__title")
    list_select_related = ("ticket",)


@admin.register(TicketEvent)
class TicketEventAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ("ticket", "kind", "transition", "from_status", "to_status", "actor", "at")
    list_filter = ("kind", "transition")
    search_fields = ("ticket__title", "kind", "transition")
    list_select_related = ("ticket", "actor")
    date_hierarchy = "at"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RefCounter)
class RefCounterAdmin(RecordAdminMixin, admin.ModelAdmin):
    """The last ref given per kind: shown only; editing it could give a ref twice."""

    list_display = ("kind", "last")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PriorityMatrixCellInline(admin.TabularInline):
    model = PriorityMatrixCell
    max_num = len(Impact.values) * len(Urgency.values)

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        """All 12 cells to fill on a new matrix; none to add on an existing one."""
        return self.max_num if obj is None else 0


@admin.register(PriorityMatrix)
class PriorityMatrixAdmin(admin.ModelAdmin):
    list_display = ("__str__", "provider")
    search_fields = ("provider__name",)
    autocomplete_fields = ("provider",)
    inlines = (PriorityMatrixCellInline,)


@admin.register(PriorityMatrixCell)
class PriorityMatrixCellAdmin(admin.ModelAdmin):
    list_display = ("matrix", "impact", "urgency", "priority")
    list_filter = ("matrix", "impact", "urgency")


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "query")
    search_fields = ("name", "owner__username")
    autocomplete_fields = ("owner",)
    list_select_related = ("owner",)


# --- SLA clocks and mail in (issue 3): records, read-only ------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the engine: viewable, never typed."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "metric", "goal_seconds", "elapsed_seconds", "deadline")
    list_filter = ("metric",)
    list_select_related = ("ticket",)


@admin.register(SlaThresholdEvent)
class SlaThresholdEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "metric", "threshold", "at", "overrun_seconds")
    list_filter = ("metric", "threshold")
    list_select_related = ("ticket",)


@admin.register(TicketEventNotified)
class TicketEventNotifiedAdmin(ReadOnlyAdmin):
    list_display = ("event", "at")


@admin.register(MailInbox)
class MailInboxAdmin(admin.ModelAdmin):
    list_display = ("address", "service", "subcategory", "active")
    list_filter = ("active", "service")
    search_fields = ("address",)


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "from_email", "subject", "status", "ticket")
    list_filter = ("status",)
    search_fields = ("from_email", "subject", "message_id")
