"""Template tags of the agents' console: the sidebar, the organisation picker, rich text.

The sidebar and the picker are inclusion tags so every console page (service desk,
organisations, catalogue) gets them from ``servicedesk/console/base.html`` without its view
having to compute them.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from esup_saas.lib.html import sanitize_html
from esup_saas.tenancy.models import CONSOLE_ROLES
from esup_saas.tenancy.selectors import organisation_ids_for, organisation_tree
from esup_saas.tenancy.views import console_organisation

from ..selectors import saved_searches_for_user

register = template.Library()


@register.inclusion_tag("servicedesk/console/_sidebar.html", takes_context=True)
def console_sidebar(context: dict[str, Any]) -> dict[str, Any]:
    """The console's left menu, with the user's saved searches."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    return {
        "request": request,
        "user": request.user,
        "url_name": match.url_name if match else "",
        "kind": request.GET.get("kind", ""),
        "saved_searches": saved_searches_for_user(request.user),
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
