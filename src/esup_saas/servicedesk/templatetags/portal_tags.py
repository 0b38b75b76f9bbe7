"""Template tags of the customers' portal.

``{% status_badge ticket.status %}`` draws a ticket's state as customers see it: the SLA's
escalated states are internal to the provider, so an escalated ticket shows the state it
escalated from (``workflow.customer_status``), colour and label alike.
"""

from __future__ import annotations

from typing import Any

from django import template

from ..workflow import customer_status, customer_status_label

register = template.Library()


@register.inclusion_tag("servicedesk/portal/_status_badge.html")
def status_badge(status: str) -> dict[str, Any]:
    """The badge of ``status`` for customers: ``{"status": code, "label": label}``."""
    return {"status": customer_status(status), "label": customer_status_label(status)}
