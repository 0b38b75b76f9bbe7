"""The Celery application of esup-saas (background work, DESIGN.md section 4).

Production: ``REDIS_URL`` names the Redis broker (and result backend); run workers with
``celery -A esup_saas worker`` and one scheduler with ``celery -A esup_saas beat``. The
periodic jobs are ``settings.CELERY_BEAT_SCHEDULE``.

Embedded default (no ``REDIS_URL``, ``make demo``): tasks run eagerly, in the process that
enqueues them, right after the transaction commits; the periodic jobs are run by
``esup-saas periodic``, a small loop that ``make demo`` starts beside the web server. See
``docs/background.md``.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esup_saas.settings")

app = Celery("esup_saas")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
