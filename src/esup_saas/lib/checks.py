"""System checks of our own settings (``esup-saas check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

DEV_SECRET_PREFIX = "dev-only-insecure"


@register(Tags.security, deploy=True)
def secret_key_is_not_the_development_one(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Refuse to deploy with the embedded development ``SECRET_KEY`` (E001).

    Django's own check accepts it (it is long and varied), but it is public in the source.
    """
    if str(settings.SECRET_KEY).startswith(DEV_SECRET_PREFIX):
        return [
            Error(
                "DJANGO_SECRET_KEY is not set: the embedded development key is public.",
                hint="Set DJANGO_SECRET_KEY to a long random string (see docs/deploy.md).",
                id="esup_saas.E001",
            )
        ]
    return []
