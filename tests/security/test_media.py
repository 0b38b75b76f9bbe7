"""Uploaded files are reached only through the scoped download views.

The demo runs with ``DEBUG=1``; Django's static ``serve`` view on ``/media/`` would hand any
attachment (private ones, another tenant's) to anyone who guesses its path, which is the
upload folder plus the file's own name.
"""

from __future__ import annotations

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import clear_url_caches

from esup_saas import urls as root_urls
from esup_saas.servicedesk.services import attachment_add

from ..conftest import make_ticket


@pytest.fixture
def debug_urls():
    """The root URLconf as built with ``DEBUG=True`` (restored afterwards)."""
    with override_settings(DEBUG=True):
        importlib.reload(root_urls)
        clear_url_caches()
        yield
    importlib.reload(root_urls)
    clear_url_caches()


def test_private_attachment_is_not_served_from_media_in_debug(world, debug_urls):
    ticket = make_ticket(world)
    upload = SimpleUploadedFile("secret.txt", b"internal", content_type="text/plain")
    att = attachment_add(ticket=ticket, files=[upload], actor=world.agent.user, private=True)[0]
    path = f"/media/{att.file.name}"
    assert Client().get(path).status_code == 404
    assert Client().get(path.replace("/media/", "/media/../media/")).status_code == 404
