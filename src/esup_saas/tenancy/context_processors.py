"""Template context: what the navigation bar needs to know about the current user."""

from __future__ import annotations

from django.http import HttpRequest

from .models import CONSOLE_ROLES, PORTAL_ROLES
from .selectors import person_for_user, user_roles


def roles(request: HttpRequest) -> dict[str, object]:
    """``current_person``, ``can_console`` and ``can_portal`` for the base template."""
    user = getattr(request, "user", None)
    held = user_roles(user) if user is not None else set()
    return {
        "current_person": person_for_user(user) if user is not None else None,
        "can_console": bool(held & CONSOLE_ROLES),
        "can_portal": bool(held & PORTAL_ROLES),
    }
