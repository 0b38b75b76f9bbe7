"""Logins send people back only to this site: an off-site ``next`` is dropped.

django-cas-ng 5.1 checks ``next`` only through ``CAS_LOGIN_NEXT_PAGE`` (unset: ``None``),
then reads the raw ``?next=`` again in ``get_redirect_url`` and redirects there after the
CAS login (or at once for a logged-in user): ``/accounts/cas/login/?next=https://evil…``
was an open redirect on the platform's own domain, handy for phishing. The local form
(Django's ``LoginView``), SAML and OpenID Connect already check it."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CAS = "https://cas.example.org/cas/"
OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "http://testserver.evil.example/",
]


@pytest.fixture
def cas(settings):
    settings.CAS_SERVER_URL = CAS


@pytest.mark.parametrize("target", OFF_SITE)
def test_cas_login_of_a_logged_in_user_stays_on_site(world, as_user, cas, target):
    response = as_user(world.owner).get("/accounts/cas/login/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_cas_login_remembers_no_off_site_target(world, cas, target):
    client = Client()
    response = client.get("/accounts/cas/login/", {"next": target})
    assert response.status_code == 302 and response["Location"].startswith(CAS + "login?")
    assert "evil" not in response["Location"]
    assert client.session.get("CASNEXT") in (None, "/")


def test_cas_login_keeps_a_local_target(world, as_user, cas):
    response = as_user(world.owner).get("/accounts/cas/login/", {"next": "/portal/?x=1"})
    assert response["Location"] == "/portal/?x=1"


@pytest.mark.parametrize("target", OFF_SITE)
def test_cas_logout_sends_nobody_off_site(world, as_user, cas, target):
    response = as_user(world.owner).get("/accounts/cas/logout/", {"next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_local_login_stays_on_site(world, target):
    response = Client().post(
        "/accounts/login/?next=" + target, {"username": "owner", "password": "pw"}
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]
