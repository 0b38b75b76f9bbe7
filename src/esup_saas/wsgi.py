"""WSGI entry point (gunicorn ``esup_saas.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esup_saas.settings")
application = get_wsgi_application()
