"""esup-saas: the ESUP-Portail hosted offers platform."""

from .celery import app as celery_app

__all__ = ["celery_app"]
