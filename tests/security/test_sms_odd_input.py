"""SMS-U's machine faces and pages answer odd input with an error of their own, never a
server error: ``"²".isdigit()`` is true but ``int("²")`` fails, and the dates of a report
period must stay within what a datetime can hold."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from esup_saas.offers.sms import services
from esup_saas.offers.sms.transports import id_candidates
from tests.offers.sms.conftest import build_sms_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(world):
    return build_sms_world(world)


@pytest.fixture
def auth(sms):
    _app, secret = services.application_create(
        organisation=sms.world.customer, name="apogee", account=sms.account, quota=3
    )
    return "Basic " + base64.b64encode(f"apogee:{secret}".encode()).decode()


@pytest.mark.parametrize("value", ["²", "①", "٣"])
def test_smsuapi_message_id_of_unicode_digits_is_unknown(auth, value):
    for action in ("MessageInfos", "MessageStatus"):
        response = Client().post(
            "/sms/ws/", {"action": action, "id": value}, HTTP_AUTHORIZATION=auth
        )
        assert response.status_code == 400
        assert response.json()["error"] == "UnknownMessageIdException"


@pytest.mark.parametrize("value", ["²", "①", "٣"])
def test_smsuapi_quota_check_of_unicode_digits_is_an_invalid_parameter(auth, value):
    response = Client().post(
        "/sms/ws/",
        {"action": "MayCreateAccountCheckQuotaOk", "nbDest": value},
        HTTP_AUTHORIZATION=auth,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "InvalidParameterException"


@pytest.mark.parametrize("value", ["²", "①", "٣"])
def test_rest_quota_of_unicode_digits_is_a_400(sms, as_user, value):
    response = as_user(sms.world.owner).get("/sms/api/c1/quota/", {"recipients": value})
    assert response.status_code == 400
    assert "recipients" in response.json()


@pytest.mark.parametrize("value", ["²", "①", "٣"])
def test_rest_send_to_a_group_of_unicode_digits_is_a_400(sms, as_user, value):
    response = as_user(sms.world.owner).post(
        "/sms/api/c1/messages/",
        {"recipient_type": "group", "recipients": value, "content": "Bonjour"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "recipients" in response.json()


def test_operator_id_of_unicode_digits_is_matched_as_given():
    assert id_candidates("²") == {"²"}
    assert id_candidates("0001f") == {"0001f", "1f", "31"}


@pytest.mark.parametrize(
    "query",
    [
        {"start": "0001-01-01"},
        {"end": "9999-12-31"},
        {"start": "0001-01-01", "end": "9999-12-31", "format": "csv"},
        {"start": "0001-01-01", "format": "xlsx"},
    ],
)
def test_report_period_at_the_ends_of_the_calendar_is_refused(sms, as_user, query):
    client = as_user(sms.world.owner)
    page = client.get("/sms/c1/rapports/", query)
    assert page.status_code == 200
    if "format" not in query:
        assert "date invalide" in page.content.decode()
    assert client.get("/sms/c1/rapports/envois/", query).status_code == 200


BEYOND_64_BITS = "99999999999999999999999"


@pytest.mark.parametrize(
    "url, field",
    [
        ("/sms/c1/gestion/expediteurs/", "members"),
        ("/sms/c1/gestion/expediteurs/", "supervisors"),
        ("/sms/c1/gestion/groupes/", "members"),
        ("/sms/c1/gestion/groupes/", "supervisors"),
        ("/sms/c1/gestion/roles/", "persons"),
        ("/sms/c1/adhesion/", "services"),
    ],
)
def test_a_choice_id_beyond_64_bits_is_an_invalid_choice(sms, as_user, url, field):
    response = as_user(sms.world.owner).post(url, {"name": "X", field: [BEYOND_64_BITS]})
    assert response.status_code == 200
    assert response.context["form"].has_error(field, "invalid_choice")
