"""CAS 3 end to end: our app ↔ a django-mama-cas server in its own process, over HTTP."""

from __future__ import annotations

import html

import pytest
import requests

from esup_saas.identity.models import ExternalIdentity, LoginMethod
from esup_saas.tenancy.models import Person, User
from tests.identity.browser import first_form, logged_in_user_id
from tests.identity.peers.people import PASSWORD


@pytest.fixture
def cas(settings, cas_server):
    settings.CAS_SERVER_URL = cas_server
    return cas_server


def cas_login(live_server, cas_server, username, next_url="/portal/"):
    """Go through the CAS flow; return (browser, the response of the ticket validation,
    the service URL with the ticket)."""
    browser = requests.Session()
    start = browser.get(
        f"{live_server.url}/accounts/cas/login/?next={next_url}", allow_redirects=False
    )
    assert start.status_code == 302
    assert start.headers["Location"].startswith(f"{cas_server}login?service=")
    login_page = browser.get(start.headers["Location"])
    assert login_page.status_code == 200
    action, fields = first_form(login_page)
    fields.update(username=username, password=PASSWORD)
    granted = browser.post(action, data=fields, allow_redirects=False)
    assert granted.status_code == 302, granted.text[:500]
    service_with_ticket = granted.headers["Location"]
    assert service_with_ticket.startswith(f"{live_server.url}/accounts/cas/login/")
    assert "ticket=ST-" in service_with_ticket
    validated = browser.get(service_with_ticket, allow_redirects=False)
    return browser, validated, service_with_ticket


def test_login_page_offers_cas(live_world, live_server, cas):
    page = requests.get(f"{live_server.url}/accounts/login/").text
    assert 'data-method="cas" href="/accounts/cas/login/"' in page


def test_cas_login_creates_the_account_and_opens_a_session(live_world, live_server, cas):
    browser, validated, _ = cas_login(live_server, cas, "jdupont")
    assert validated.status_code == 302
    assert validated.headers["Location"] == "/portal/"
    identity = ExternalIdentity.objects.select_related("person__user").get(
        eppn="jdupont@c1.example.org"
    )
    person = identity.person
    assert logged_in_user_id(browser) == person.user.pk
    assert (person.first_name, person.last_name, person.email) == (
        "Jeanne",
        "Dupont",
        "jeanne.dupont@c1.example.org",
    )
    assert person.organisation == live_world.customer
    assert identity.last_method == LoginMethod.CAS
    assert identity.profile["establishment_uais"] == ["0000003C"]
    assert identity.profile["corps"] == ["300"]
    assert identity.profile["affiliations"] == ["staff", "employee", "member"]
    # The session works: the home page sends an end user to the portal.
    home = browser.get(f"{live_server.url}/", allow_redirects=False)
    assert home.status_code == 302 and home.headers["Location"] == "/portal/"


def test_cas_second_login_is_the_same_account(live_world, live_server, cas):
    first, _, _ = cas_login(live_server, cas, "lmartin")
    second, validated, _ = cas_login(live_server, cas, "lmartin")
    assert validated.status_code == 302
    assert logged_in_user_id(first) == logged_in_user_id(second) is not None
    assert User.objects.filter(username="lmartin@c1.example.org").count() == 1
    # Institution from the eppn's domain (no supannEtablissement released for lmartin).
    assert Person.objects.get(user__username="lmartin@c1.example.org").organisation == (
        live_world.customer
    )


def test_replayed_cas_ticket_is_refused(live_world, live_server, cas):
    _, validated, service_with_ticket = cas_login(live_server, cas, "jdupont")
    assert validated.status_code == 302
    thief = requests.Session()
    replay = thief.get(service_with_ticket, allow_redirects=False)
    assert replay.status_code == 403
    assert 'data-reason="invalid_ticket"' in replay.text
    assert "a déjà été utilisé" in replay.text
    assert logged_in_user_id(thief) is None


def test_unknown_institution_is_refused_by_cas(live_world, live_server, cas):
    persons = Person.objects.count()
    browser, refused, _ = cas_login(live_server, cas, "intrus")
    assert refused.status_code == 403
    assert 'data-reason="unknown_institution"' in refused.text
    assert "n'est pas (encore) client de la plateforme" in html.unescape(refused.text)
    assert logged_in_user_id(browser) is None
    assert Person.objects.count() == persons
    assert not User.objects.filter(username__startswith="intrus").exists()


def test_cas_server_that_does_not_answer_gives_the_refusal_page(live_world, live_server, settings):
    """The ticket validation times out (ESUP_SAAS_CAS_TIMEOUT) instead of hanging."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    try:
        settings.CAS_SERVER_URL = f"http://127.0.0.1:{silent.getsockname()[1]}/cas/"
        settings.IDENTITY_CAS_TIMEOUT = 1
        browser = requests.Session()
        response = browser.get(
            f"{live_server.url}/accounts/cas/login/?ticket=ST-1-abc", allow_redirects=False
        )
        assert response.status_code == 403
        assert 'data-reason="provider_error"' in response.text
        assert logged_in_user_id(browser) is None
    finally:
        silent.close()
