"""A few helpers to drive the login flows over real HTTP with ``requests``."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import requests
from django.contrib.sessions.models import Session


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        attributes = dict(attrs)
        if self._done:
            return
        if tag == "form":
            self._in_form = True
            self.action = attributes.get("action") or ""
        elif tag == "input" and self._in_form and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def first_form(response: requests.Response) -> tuple[str, dict[str, str]]:
    """The absolute action URL and the input values of the page's first form."""
    parser = _FormParser()
    parser.feed(response.text)
    assert parser.action is not None, f"no form in {response.url}: {response.text[:500]}"
    return urljoin(response.url, parser.action), parser.fields


def logged_in_user_id(browser: requests.Session) -> int | None:
    """The account id in the application session of ``browser``, or ``None``."""
    key = browser.cookies.get("sessionid")
    if not key:
        return None
    session = Session.objects.filter(session_key=key).first()
    if session is None:
        return None
    user_id = session.get_decoded().get("_auth_user_id")
    return int(user_id) if user_id else None
