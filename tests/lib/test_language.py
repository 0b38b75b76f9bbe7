"""French first (lib.language): the language chosen with the navbar switch, else French."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from esup_saas.lib.language import chosen_language


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, "", "fr"),
        (None, "en-GB,en;q=0.9", "fr"),  # the browser alone does not switch
        ("en", "fr", "en"),  # the person's choice wins
        ("en-gb", "", "en"),
        ("fr", "en", "fr"),
        ("de", "en", "fr"),  # not offered: French
        ("", "en", "fr"),
    ],
)
def test_chosen_language(settings, cookie, accept, expected):
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=accept)
    if cookie is not None:
        request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = cookie
    assert chosen_language(request) == expected
