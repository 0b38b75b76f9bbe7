"""French first: the UI's language is the one the person chose, else French.

Django's ``LocaleMiddleware`` follows the browser's ``Accept-Language``, so an English-speaking
browser got the English UI although esup-saas is French first (DESIGN.md section 1: French
users, English available). :class:`ChosenLanguageMiddleware` replaces it: the language is the
one picked with the navbar switch (Django's ``set_language`` view, which stores the language
cookie), and French (``settings.LANGUAGE_CODE``) otherwise; ``Accept-Language`` is ignored.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request: HttpRequest) -> str:
    """The language of the language cookie when it is one of ``settings.LANGUAGES`` (a
    variant such as ``en-gb`` gives ``en``), else ``settings.LANGUAGE_CODE``."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Activate :func:`chosen_language` for the request (in place of ``LocaleMiddleware``).

    Sets ``request.LANGUAGE_CODE``, the response's ``Content-Language`` and ``Vary: Cookie``
    (the page depends on the language cookie, not on ``Accept-Language``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
