"""Django admin of the tenancy app, and the rule of the whole admin site: superusers only.

The admin is the superusers' back office (catalogue, contracts, people, memberships, the
priority matrix). Agents and PCUs work in the console and the portal; a staff account that is
not a superuser gets no admin at all: every admin URL sends it to the admin login page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Membership, Organisation, Person, Team, User


def superusers_only(request: HttpRequest) -> bool:
    """The admin site's access rule: an active superuser (Django's default is any staff)."""
    user: Any = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = superusers_only  # type: ignore[method-assign]
admin.site.site_header = _("Administration ESUP Offres Hébergées")
admin.site.site_title = _("ESUP Offres Hébergées")
admin.site.index_title = _("Administration des données")

admin.site.register(User, UserAdmin)


class MembershipOfPersonInline(admin.TabularInline):
    """The roles of a person, on the person's page."""

    model = Membership
    fk_name = "person"
    fields = ("organisation", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("organisation",)
    extra = 0


class MembershipOnOrganisationInline(admin.TabularInline):
    """The roles held on an organisation, on the organisation's page."""

    model = Membership
    fk_name = "organisation"
    fields = ("person", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("person",)
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "uai", "parent", "is_provider", "is_customer", "status")
    list_filter = ("is_provider", "is_customer", "status")
    search_fields = ("name", "code", "uai")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"code": ("name",)}
    inlines = (MembershipOnOrganisationInline,)


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = (
        "last_name",
        "first_name",
        "organisation",
        "email",
        "function",
        "user",
        "status",
    )
    list_filter = ("status", ("organisation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("first_name", "last_name", "email", "user__username", "organisation__name")
    autocomplete_fields = ("organisation", "user")
    list_select_related = ("organisation", "user")
    inlines = (MembershipOfPersonInline,)


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "organisation", "email", "member_count")
    list_filter = (("organisation", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "organisation__name")
    autocomplete_fields = ("organisation", "members")
    list_select_related = ("organisation",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).annotate(_members=Count("members"))

    @admin.display(description=_("membres"), ordering="_members")
    def member_count(self, obj: Team) -> int:
        return obj._members  # type: ignore[attr-defined]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("person", "organisation", "role", "created_at")
    list_filter = ("role", ("organisation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("person__first_name", "person__last_name", "organisation__name")
    autocomplete_fields = ("person", "organisation")
    list_select_related = ("person", "organisation")
    readonly_fields = ("created_at",)
