"""Template tags of the identity app."""

from __future__ import annotations

from typing import Any

from django import template

from esup_saas.identity import conf

register = template.Library()


@register.simple_tag
def login_methods() -> dict[str, Any]:
    """``{% login_methods as methods %}``: ``methods.local`` (bool) and ``methods.sso``
    (the enabled single sign-on buttons: ``code``, ``label``, ``url``)."""
    return {"local": conf.local_enabled(), "sso": conf.sso_methods()}
