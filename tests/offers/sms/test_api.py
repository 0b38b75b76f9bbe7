"""The smsuapi-compatible HTTP API and the REST API."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from esup_saas.offers.sms import services
from esup_saas.offers.sms.models import BlacklistedNumber, Message, MessageState

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(sms):
    application, secret = services.application_create(
        organisation=sms.world.customer, name="apogee", account=sms.account, quota=3
    )
    auth = "Basic " + base64.b64encode(f"apogee:{secret}".encode()).decode()
    return application, auth


def ws(auth: str, **params):
    return Client().post("/sms/ws/", params, HTTP_AUTHORIZATION=auth)


def test_bad_credentials_are_401(app):
    _application, _auth = app
    wrong = "Basic " + base64.b64encode(b"apogee:nope").decode()
    response = ws(wrong, action="IsBlacklisted", phoneNumber="0600001111")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic")
    assert Client().get("/sms/ws/").status_code == 401
    unknown = "Basic " + base64.b64encode(b"nobody:x").decode()
    assert ws(unknown, action="IsBlacklisted").status_code == 401


def test_send_then_infos_and_status(app):
    application, auth = app
    response = ws(
        auth,
        action="SendSms",
        phoneNumber=["0600001111", "+33600001112"],
        message="Votre note est publiée",
        id="A-1",
        senderId="jdupont",
    )
    assert response.status_code == 200
    message = Message.objects.get(pk=response.json())
    assert (message.application, message.account, message.charged) == (
        application,
        application.account,
        2,
    )
    assert message.state == MessageState.WAITING_FOR_SENDING  # applications never wait
    infos = ws(auth, action="MessageInfos", id="A-1").json()
    assert infos["nbRecipients"] == 2 and infos["nbSms"] == 2 and infos["nbInProgress"] == 2
    status = ws(auth, action="MessageStatus", id=str(message.pk), phoneNumber="0600001111")
    assert status.json() == [{"phoneNumber": "+33600001111", "status": "CREATED"}]
    again = ws(auth, action="SendSms", phoneNumber="0600001111", message="x", id="A-1")
    assert again.status_code == 400 and again.json()["error"] == "AlreadySentException"
    assert Message.objects.count() == 1


def test_errors_name_the_parameter(app):
    _application, auth = app
    bad = ws(auth, action="SendSms", phoneNumber="0145678901", message="x")
    assert bad.json()["error"] == "InvalidParameterException"
    assert "phoneNumber" in bad.json()["message"]
    assert (
        ws(auth, action="SendSms", phoneNumber="0600001111").json()["message"].startswith("message")
    )
    assert ws(auth, action="Nope").json()["error"] == "InvalidParameterException"
    unknown = ws(auth, action="MessageInfos", id="999999")
    assert unknown.json()["error"] == "UnknownMessageIdException"
    account = ws(auth, action="SendSms", phoneNumber="0600001111", message="x", account="Zzz")
    assert "account" in account.json()["message"]


def test_quota_of_the_application(app):
    _application, auth = app
    assert ws(auth, action="MayCreateAccountCheckQuotaOk", nbDest="3").json() is True
    refused = ws(auth, action="MayCreateAccountCheckQuotaOk", nbDest="4")
    assert refused.status_code == 400
    assert refused.json()["error"] == "InsufficientQuotaException"
    over = ws(
        auth,
        action="SendSms",
        phoneNumber=["0600001111", "0600001112", "0600001113", "0600001114"],
        message="x",
    )
    assert over.json()["error"] == "InsufficientQuotaException"
    assert Message.objects.get().state == MessageState.QUOTA_ERROR
    assert not Message.objects.get().recipients.exists()


def test_is_blacklisted(app, sms):
    _application, auth = app
    BlacklistedNumber.objects.create(
        organisation=sms.world.customer, phone="+33600001111", source="operator"
    )
    assert ws(auth, action="IsBlacklisted", phoneNumber="06 00 00 11 11").json() is True
    assert ws(auth, action="IsBlacklisted", phoneNumber="0600001112").json() is False


def test_rest_api_create_list_detail_quota(sms, as_user):
    client = as_user(sms.world.member)
    response = client.post(
        "/sms/api/c1/messages/",
        {"recipient_type": "free", "recipients": "0600001111", "content": "REST"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["reference"].startswith("SMS-") and data["counts"]["created"] == 1
    assert [m["id"] for m in client.get("/sms/api/c1/messages/").json()] == [data["id"]]
    assert client.get(f"/sms/api/c1/messages/{data['id']}/").json()["content"] == "REST"
    refused = client.post(
        "/sms/api/c1/messages/",
        {"recipient_type": "filter", "recipients": "(uid=x)", "content": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    bad = client.post(
        "/sms/api/c1/messages/",
        {"recipient_type": "free", "recipients": "0145678901", "content": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "recipients" in bad.json()
    assert client.get("/sms/api/c1/quota/?recipients=10").json() == {"ok": True}
    over = client.get("/sms/api/c1/quota/?recipients=400").json()  # group: 300
    assert over["ok"] is False and over["level"] == "group"
    assert client.get("/sms/api/c1/blacklist/0600001111/").json()["blacklisted"] is False
