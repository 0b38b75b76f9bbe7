"""SAML 2 end to end: our service provider ↔ a pysaml2 identity provider process, over HTTP.

The IdP signs its assertions; its metadata is read from its URL (as RENATER's federation
metadata would be), and it reads ours from ``/accounts/saml2/metadata/``.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
import requests

from esup_saas.identity import saml
from esup_saas.identity.models import ExternalIdentity, LoginMethod
from esup_saas.tenancy.models import Person, User
from tests.identity.browser import first_form, logged_in_user_id
from tests.identity.peers.people import PASSWORD
from tests.identity.peers.saml_idp_maps.idp_uri import BIRTH_DATE_OID


@pytest.fixture
def sp(settings, saml_idp, saml_keys):
    settings.IDENTITY_SAML_IDP_METADATA_URL = saml_idp.metadata_url
    settings.IDENTITY_SAML_KEY_FILE = saml_keys.sp_key
    settings.IDENTITY_SAML_CERT_FILE = saml_keys.sp_cert
    settings.IDENTITY_SAML_ATTRIBUTE_OIDS = {"supannOIDCDateDeNaissance": BIRTH_DATE_OID}
    saml.clear_cache()
    yield saml_idp
    saml.clear_cache()


def saml_login(live_server, idp, username, *, mode="normal", browser=None):
    """Run the Web Browser SSO profile; return (browser, ACS response, the posted form)."""
    browser = browser or requests.Session()
    start = browser.get(
        f"{live_server.url}/accounts/saml2/login/?next=/portal/", allow_redirects=False
    )
    assert start.status_code == 302, start.text[:500]
    assert start.headers["Location"].startswith(f"{idp.url}/sso/redirect?SAMLRequest=")
    assert "Signature=" in start.headers["Location"]  # our AuthnRequest is signed
    login_page = browser.get(start.headers["Location"])
    assert login_page.status_code == 200, login_page.text
    action, fields = first_form(login_page)
    fields.update(username=username, password=PASSWORD, mode=mode)
    answer = browser.post(action, data=fields)
    assert answer.status_code == 200, answer.text
    acs, posted = first_form(answer)
    assert acs == f"{live_server.url}/accounts/saml2/acs/"
    assert set(posted) == {"SAMLResponse", "RelayState"}
    result = browser.post(acs, data=posted, allow_redirects=False)
    return browser, result, (acs, posted)


def test_sp_metadata_is_served(live_world, live_server, sp, saml_keys):
    response = requests.get(f"{live_server.url}/accounts/saml2/metadata/")
    assert response.status_code == 200
    assert f'entityID="{live_server.url}/accounts/saml2/metadata/"' in response.text
    assert f'Location="{live_server.url}/accounts/saml2/acs/"' in response.text
    cert_body = "".join(Path(saml_keys.sp_cert).read_text().splitlines()[1:-1])
    assert cert_body in response.text.replace("\n", "")


def test_login_page_offers_saml(live_world, live_server, sp):
    page = requests.get(f"{live_server.url}/accounts/login/").text
    assert 'data-method="saml" href="/accounts/saml2/login/"' in page


def test_saml_login_creates_the_account_and_opens_a_session(live_world, live_server, sp):
    browser, result, _ = saml_login(live_server, sp, "jdupont")
    assert result.status_code == 302, result.text[:2000]
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
    assert identity.last_method == LoginMethod.SAML
    # Attributes travelled as urn:oid names and came back under their SUPANN names.
    assert identity.attributes["supannEtablissement"] == ["{UAI}0000003C"]
    assert identity.profile["corps"] == ["300"]
    assert identity.profile["activities"] == ["{BAP}E"]
    assert identity.profile["primary_entity"] == "DSI"
    assert identity.profile["birth_date"] == "1980-05-17"


def test_same_eppn_through_cas_then_saml_is_the_same_account(
    live_world, live_server, sp, settings, cas_server
):
    from tests.identity.test_cas import cas_login

    settings.CAS_SERVER_URL = cas_server
    by_cas, validated, _ = cas_login(live_server, cas_server, "jdupont")
    assert validated.status_code == 302
    by_saml, result, _ = saml_login(live_server, sp, "jdupont")
    assert result.status_code == 302
    assert logged_in_user_id(by_cas) == logged_in_user_id(by_saml) is not None
    assert User.objects.filter(username__startswith="jdupont").count() == 1
    assert ExternalIdentity.objects.get().last_method == LoginMethod.SAML


def _assert_refused(browser, result, reason):
    assert result.status_code == 403, result.text[:1000]
    assert f'data-reason="{reason}"' in result.text
    assert logged_in_user_id(browser) is None


def test_wrong_signature_is_refused(live_world, live_server, sp, caplog):
    browser, result, _ = saml_login(live_server, sp, "jdupont", mode="bad-signature")
    _assert_refused(browser, result, "invalid_assertion")
    assert "SignatureError('Failed to verify signature')" in caplog.text
    assert "signature invalide" in html.unescape(result.text)
    assert not Person.objects.filter(email="jeanne.dupont@c1.example.org").exists()


def test_expired_assertion_is_refused(live_world, live_server, sp, caplog):
    browser, result, _ = saml_login(live_server, sp, "jdupont", mode="expired")
    _assert_refused(browser, result, "invalid_assertion")
    # pysaml2 checks the assertion's Conditions NotOnOrAfter (SAML 2.0 core §2.5.1.2).
    assert "VerificationError('Condition not OK')" in caplog.text
    assert not ExternalIdentity.objects.exists()


def test_replayed_response_is_refused(live_world, live_server, sp, caplog):
    browser, result, (acs, posted) = saml_login(live_server, sp, "lmartin")
    assert result.status_code == 302
    # The same response again, in the same browser session and in another one.
    again = browser.post(acs, data=posted, allow_redirects=False)
    _assert_refused(browser, again, "invalid_assertion")
    thief = requests.Session()
    _assert_refused(thief, thief.post(acs, data=posted, allow_redirects=False), "invalid_assertion")
    assert "UnsolicitedResponse" in caplog.text


def test_unknown_institution_is_refused_by_saml(live_world, live_server, sp):
    persons = Person.objects.count()
    browser, result, _ = saml_login(live_server, sp, "intrus")
    _assert_refused(browser, result, "unknown_institution")
    assert Person.objects.count() == persons


def test_idp_metadata_from_a_file(live_world, live_server, sp, settings, tmp_path):
    metadata = tmp_path / "federation.xml"
    metadata.write_bytes(requests.get(sp.metadata_url).content)
    settings.IDENTITY_SAML_IDP_METADATA_URL = ""
    settings.IDENTITY_SAML_IDP_METADATA_FILE = str(metadata)
    saml.clear_cache()
    browser, result, _ = saml_login(live_server, sp, "lmartin")
    assert result.status_code == 302
    assert logged_in_user_id(browser) == User.objects.get(username="lmartin@c1.example.org").pk


def test_missing_metadata_file_is_a_configuration_error(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    settings.IDENTITY_SAML_IDP_METADATA_FILE = str(tmp_path / "absent.xml")
    settings.IDENTITY_SAML_BASE_URL = "https://esup-saas.example.org"
    with pytest.raises(ImproperlyConfigured, match="IDENTITY_SAML_IDP_METADATA_FILE"):
        saml.config_dict()


def test_unreachable_federation_metadata_gives_the_refusal_page(client, world, settings):
    from tests.identity.peers.fixtures import free_port

    settings.IDENTITY_SAML_IDP_METADATA_URL = f"http://127.0.0.1:{free_port()}/metadata"
    saml.clear_cache()
    response = client.get("/accounts/saml2/login/")
    assert response.status_code == 403
    assert 'data-reason="provider_error"' in response.content.decode()
    assert "_auth_user_id" not in client.session
