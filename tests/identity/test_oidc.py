"""OpenID Connect end to end: our relying party ↔ a minimal provider process, over HTTP.

Endpoints come from the provider's discovery document; the ID token is signed RS256
(jwcrypto) and checked against the provider's JWKS; PKCE and nonce are used.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests

from esup_saas.identity import backends
from esup_saas.identity.models import ExternalIdentity, LoginMethod
from esup_saas.tenancy.models import Person
from tests.identity.browser import first_form, logged_in_user_id
from tests.identity.peers.people import PASSWORD


@pytest.fixture
def op(settings, oidc_provider):
    settings.IDENTITY_OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.client_secret
    backends._discovery_cache.clear()
    yield oidc_provider
    backends._discovery_cache.clear()


def oidc_login(live_server, op, username):
    browser = requests.Session()
    start = browser.get(
        f"{live_server.url}/accounts/oidc/authenticate/?next=/portal/", allow_redirects=False
    )
    assert start.status_code == 302, start.text[:500]
    location = start.headers["Location"]
    assert location.startswith(f"{op.issuer}/authorize?")
    query = parse_qs(urlparse(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"][0]
    assert query["redirect_uri"] == [f"{live_server.url}/accounts/oidc/callback/"]
    login_page = browser.get(location)
    action, fields = first_form(login_page)
    fields.update(username=username, password=PASSWORD)
    back = browser.post(action, data=fields, allow_redirects=False)
    assert back.status_code == 302
    callback = back.headers["Location"]
    assert callback.startswith(f"{live_server.url}/accounts/oidc/callback/?code=")
    return browser, browser.get(callback, allow_redirects=False), callback


def test_login_page_offers_oidc(live_world, live_server, op):
    page = requests.get(f"{live_server.url}/accounts/login/").text
    assert 'data-method="oidc" href="/accounts/oidc/authenticate/"' in page


def test_oidc_login_creates_the_account_and_opens_a_session(live_world, live_server, op):
    browser, result, _ = oidc_login(live_server, op, "jdupont")
    assert result.status_code == 302, result.text[:1000]
    assert result.headers["Location"] == "/portal/"
    identity = ExternalIdentity.objects.select_related("person__user").get(
        eppn="jdupont@c1.example.org"
    )
    assert logged_in_user_id(browser) == identity.person.user.pk
    person = identity.person
    assert (person.first_name, person.last_name, person.email) == (
        "Jeanne",
        "Dupont",
        "jeanne.dupont@c1.example.org",
    )
    assert person.organisation == live_world.customer
    assert identity.last_method == LoginMethod.OIDC
    # RENATER-style snake_case claims read as SUPANN attributes.
    assert identity.profile["establishment_uais"] == ["0000003C"]
    assert identity.profile["corps"] == ["300"]
    assert identity.profile["birth_date"] == "1980-05-17"
    assert "nonce" not in identity.attributes and "aud" not in identity.attributes


def test_oidc_code_cannot_be_replayed(live_world, live_server, op):
    browser, result, callback = oidc_login(live_server, op, "lmartin")
    assert result.status_code == 302
    again = browser.get(callback, allow_redirects=False)  # the state was consumed
    assert again.status_code == 403
    assert 'data-reason="provider_error"' in again.text
    assert logged_in_user_id(browser) is None  # the refusal ended the session
    thief = requests.Session()
    replay = thief.get(callback, allow_redirects=False)
    assert replay.status_code == 403
    assert 'data-reason="provider_error"' in replay.text
    assert logged_in_user_id(thief) is None


def test_unknown_institution_is_refused_by_oidc(live_world, live_server, op):
    persons = Person.objects.count()
    browser, result, _ = oidc_login(live_server, op, "intrus")
    assert result.status_code == 403
    assert 'data-reason="unknown_institution"' in result.text
    assert logged_in_user_id(browser) is None
    assert Person.objects.count() == persons


def test_wrong_client_secret_is_refused(live_world, live_server, op, settings, caplog):
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"
    browser, result, _ = oidc_login(live_server, op, "jdupont")
    assert result.status_code == 403
    assert 'data-reason="provider_error"' in result.text
    assert "invalid_client" in caplog.text
    assert logged_in_user_id(browser) is None
    assert not ExternalIdentity.objects.exists()
