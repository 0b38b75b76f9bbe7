"""Template tags of the agents' console: the sidebar, the organisation picker, rich text.

The sidebar and the picker are inclusion tags so every console page (service desk,
organisations, catalogue) gets them from ``servicedesk/console/base.html`` without its view
having to compute them.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from esup_saas.catalog.selectors_sla import sla_provider_ids
from esup_saas.lib.html import sanitize_html
from esup_saas.notifications.selectors import can_manage_notifications
from esup_saas.tenancy.models import CONSOLE_ROLES
from esup_saas.tenancy.selectors import organisation_ids_for, organisation_tree
from esup_saas.tenancy.views import console_organisation

from ..selectors import saved_searches_for_user

register = template.Library()

#: Sidebar entry of each page of issue 3, by (URL namespace, URL name).
_SIDEBAR_ENTRIES: dict[str, dict[str, str]] = {
    "sla": {
        "home": "sla",
        "sla_new": "sla",
        "sla_edit": "sla",
        "coverage_edit": "sla",
        "provider_settings": "sla",
        "hours_list": "sla_hours",
        "hours_new": "sla_hours",
        "hours_edit": "sla_hours",
        "calendar_list": "sla_calendars",
        "calendar_new": "sla_calendars",
        "calendar_edit": "sla_calendars",
    },
    "sla_reports": {"compliance": "sla_compliance"},
    "notifications_console": {
        "triggers": "triggers",
        "trigger_edit": "triggers",
        "mails": "mails",
        "mail_detail": "mails",
    },
}


@register.inclusion_tag("servicedesk/console/_sidebar.html", takes_context=True)
def console_sidebar(context: dict[str, Any]) -> dict[str, Any]:
    """The console's left menu, with the user's saved searches.

    The "Niveaux de service" and "Notifications" groups show only the entries the user may
    open (the same rules as their views): SLAs, service hours and calendars for the
    coordinators and service managers of a provider (``sla_provider_ids``), the compliance
    report for every console user, triggers and templates for coordinators
    (``can_manage_notifications``), the mail log for coordinators and service managers.
    """
    request = context["request"]
    user = request.user
    match = getattr(request, "resolver_match", None)
    # SLA pages and the mail log need the same roles (coordinator, service manager).
    manages = bool(sla_provider_ids(user))
    return {
        "request": request,
        "user": user,
        "url_name": match.url_name if match else "",
        "namespace": match.namespace if match else "",
        "entry": _SIDEBAR_ENTRIES.get(match.namespace, {}).get(match.url_name or "", "")
        if match
        else "",
        "can_manage_sla": manages,
        "can_manage_notifications": can_manage_notifications(user),
        "can_read_mail_log": manages,
        "kind": request.GET.get("kind", ""),
        "saved_searches": saved_searches_for_user(user),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("servicedesk/console/_org_picker.html", takes_context=True)
def console_org_picker(context: dict[str, Any]) -> dict[str, Any]:
    """The "Toutes les organisations" picker: the user's organisations as an indented tree."""
    request = context["request"]
    tree = organisation_tree(organisation_ids_for(request.user, CONSOLE_ROLES))
    return {
        "tree": [(org, depth, "\u00a0\u00a0" * depth) for org, depth in tree],
        "current": console_organisation(request),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def sanitized(value: str | None) -> SafeString:
    """Rich text cleaned by ``lib.html.sanitize_html`` and marked safe for display."""
    return mark_safe(sanitize_html(value or ""))  # cleaned by nh3 just above
