"""Local accounts: the login page, switching them off, reset by mail, lockout (django-axes)."""

import re

from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD


def _post_login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_page_lists_only_local_accounts_by_default(client, world):
    page = client.get("/accounts/login/").content.decode()
    assert 'data-testid="local-login"' in page
    assert 'data-testid="sso-methods"' not in page


def test_login_page_lists_every_enabled_method(client, world, settings, tmp_path):
    metadata = tmp_path / "idp.xml"
    metadata.write_text("<md/>")
    settings.CAS_SERVER_URL = "https://cas.c1.example.org/cas/"
    settings.IDENTITY_SAML_IDP_METADATA_FILE = str(metadata)
    settings.IDENTITY_OIDC_ISSUER = "https://op.example.org"
    settings.OIDC_RP_CLIENT_ID = "esup-saas"
    page = client.get("/accounts/login/?next=/portal/").content.decode()
    methods = re.findall(r'data-method="(\w+)" href="([^"]+)"', page)
    assert methods == [
        ("cas", "/accounts/cas/login/?next=/portal/"),
        ("saml", "/accounts/saml2/login/?next=/portal/"),
        ("oidc", "/accounts/oidc/authenticate/?next=/portal/"),
    ]
    assert "Connexion CAS de mon établissement" in page
    assert 'data-testid="local-login"' in page


def test_local_login_works(client, world):
    response = _post_login(client, "member", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.member.user.pk)


def test_local_accounts_switched_off(client, world, settings):
    settings.IDENTITY_LOCAL_LOGIN = False
    settings.CAS_SERVER_URL = "https://cas.c1.example.org/cas/"
    page = client.get("/accounts/login/").content.decode()
    assert 'data-testid="local-login"' not in page
    assert 'data-method="cas"' in page
    response = _post_login(client, "member", PASSWORD)
    assert response.status_code == 200  # the form again, not a redirect
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/password-reset/").status_code == 404


def test_sso_urls_are_404_while_their_method_is_off(client, world):
    for url in (
        "/accounts/cas/login/",
        "/accounts/saml2/login/",
        "/accounts/saml2/metadata/",
        "/accounts/oidc/authenticate/",
        "/accounts/oidc/callback/?code=x&state=y",
    ):
        assert client.get(url).status_code == 404, url


def test_password_reset_by_mail(client, world):
    response = client.post("/accounts/password-reset/", {"email": "member@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@example.org"]
    assert message.subject == "Réinitialisation de votre mot de passe — ESUP Offres Hébergées"
    assert "« member »" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Un-Nouveau-Secret-42", "new_password2": "Un-Nouveau-Secret-42"}
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"
    fresh = Client()
    assert _post_login(fresh, "member", "Un-Nouveau-Secret-42").status_code == 302
    assert _post_login(Client(), "member", PASSWORD).status_code == 200
    # The link is single use.
    assert 'data-testid="reset-invalid"' in client.get(set_url).content.decode()


def test_password_reset_of_an_unknown_address_sends_nothing_and_says_the_same(client, world):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_lockout_after_repeated_failures(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _post_login(client, "member", "wrong")
    locked = _post_login(client, "member", PASSWORD)
    assert locked.status_code == 429
    assert 'data-testid="login-locked"' in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked (username + address).
    assert _post_login(Client(), "owner", PASSWORD).status_code == 302


def test_single_sign_on_failures_do_not_count_towards_lockout(client, world, settings):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from esup_saas.identity.backends import is_single_sign_on_attempt

    assert is_single_sign_on_attempt(None, {"ticket": "ST-1", "service": "x"})
    assert not is_single_sign_on_attempt(None, {"username": "member", "password": "x"})
    settings.AXES_FAILURE_LIMIT = 2
    request = RequestFactory().get("/accounts/oidc/callback/")
    for _ in range(3):
        assert authenticate(request=request, session_info=None) is None
    assert _post_login(client, "member", PASSWORD).status_code == 302
