"""Another tenant sees none of the sends, templates, groups, applications or reports of an
institution (issue item 10): every view and API endpoint, from the other tenant, is a 404 or
leaves the object out; the owner gets the same URLs."""

from __future__ import annotations

import base64

import pytest

from esup_saas.offers.sms import services
from esup_saas.offers.sms.models import (
    BlacklistedNumber,
    Message,
    SmsRole,
    SpecialCondition,
    Template,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(sms):
    c1 = sms.world.customer
    message = services.message_create(
        organisation=c1,
        recipient_type="group",
        value=str(sms.group.pk),
        content="Secret de C1",
        actor=sms.world.member.user,
    )
    template = Template.objects.create(organisation=c1, label="Modèle C1", body="Texte C1")
    condition = SpecialCondition.objects.create(organisation=c1, key="C1KEY", name="Cond C1")
    role = SmsRole.objects.create(organisation=c1, name="Rôle C1", functions=["track_own"])
    app, secret = services.application_create(
        organisation=c1, name="app-c1", account=sms.account, quota=10
    )
    BlacklistedNumber.objects.create(organisation=c1, phone="+33600007777", source="admin")
    return {
        "message": message,
        "modeles": template,
        "conditions": condition,
        "roles": role,
        "groupes": sms.group,
        "expediteurs": sms.teachers,
        "comptes": sms.account,
        "applications": app,
        "secret": secret,
    }


KINDS = ("modeles", "conditions", "roles", "groupes", "expediteurs", "comptes", "applications")


def _c1_urls(objects) -> list[tuple[str, str]]:
    pk = objects["message"].pk
    urls = [
        ("get", "/sms/c1/"),
        ("get", "/sms/c1/adhesion/"),
        ("get", "/sms/c1/adhesion/code/"),
        ("post", "/sms/c1/adhesion/retrait/"),
        ("get", "/sms/c1/envoi/"),
        ("post", "/sms/c1/envoi/compte/"),
        ("get", "/sms/c1/suivi/"),
        ("get", f"/sms/c1/suivi/{pk}/"),
        ("get", f"/sms/c1/suivi/{pk}/?partial=1"),
        ("post", f"/sms/c1/suivi/{pk}/signaler/"),
        ("post", f"/sms/c1/suivi/{pk}/annuler/"),
        ("get", "/sms/c1/approbation/"),
        ("post", f"/sms/c1/approbation/{pk}/"),
        ("get", "/sms/c1/parametres/"),
        ("get", "/sms/c1/liste-noire/"),
        ("get", "/sms/c1/rapports/"),
        ("get", "/sms/c1/rapports/?format=csv"),
        ("get", "/sms/c1/rapports/envois/"),
        ("get", "/sms/c1/a-propos/"),
        ("post", f"/sms/c1/applications/{objects['applications'].pk}/secret/"),
        ("get", "/sms/api/c1/messages/"),
        ("post", "/sms/api/c1/messages/"),
        ("get", f"/sms/api/c1/messages/{pk}/"),
        ("get", "/sms/api/c1/blacklist/0600007777/"),
        ("get", "/sms/api/c1/quota/?recipients=1"),
    ]
    for kind in KINDS:
        obj = objects[kind]
        urls += [
            ("get", f"/sms/c1/gestion/{kind}/"),
            ("get", f"/sms/c1/gestion/{kind}/{obj.pk}/"),
            ("post", f"/sms/c1/gestion/{kind}/{obj.pk}/supprimer/"),
        ]
    return urls


def test_every_url_of_another_institution_is_a_404(sms, objects, as_user):
    outsider = as_user(sms.world.outsider)  # PCU of Customer Two: SMS-U admin there
    for method, url in _c1_urls(objects):
        response = getattr(outsider, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
    # Nothing was changed by the attempts.
    assert Message.objects.get().state == objects["message"].state
    assert Template.objects.filter(pk=objects["modeles"].pk).exists()


def test_the_owner_reaches_the_same_urls(sms, objects, as_user):
    owner = as_user(sms.world.owner)
    for method, url in _c1_urls(objects):
        if method == "post":
            continue
        assert owner.get(url).status_code == 200, url


def test_objects_of_another_institution_by_id_under_ones_own_code_are_404(sms, objects, as_user):
    outsider = as_user(sms.world.outsider)
    pk = objects["message"].pk
    for url in (
        f"/sms/c2/suivi/{pk}/",
        f"/sms/api/c2/messages/{pk}/",
        *[f"/sms/c2/gestion/{kind}/{objects[kind].pk}/" for kind in KINDS],
    ):
        assert outsider.get(url).status_code == 404, url
    for url in (
        f"/sms/c2/suivi/{pk}/signaler/",
        f"/sms/c2/suivi/{pk}/annuler/",
        f"/sms/c2/approbation/{pk}/",
        f"/sms/c2/applications/{objects['applications'].pk}/secret/",
        *[f"/sms/c2/gestion/{kind}/{objects[kind].pk}/supprimer/" for kind in KINDS],
    ):
        assert outsider.post(url, {"decision": "approve"}).status_code == 404, url


def test_lists_of_ones_own_institution_leave_the_other_out(sms, objects, as_user):
    outsider = as_user(sms.world.outsider)
    pages = [
        "/sms/c2/suivi/",
        "/sms/c2/approbation/",
        "/sms/c2/liste-noire/",
        "/sms/c2/rapports/",
        "/sms/c2/rapports/?format=csv",
        "/sms/c2/rapports/envois/",
        "/sms/c2/envoi/",
        *[f"/sms/c2/gestion/{kind}/" for kind in KINDS],
    ]
    leaks = [
        objects["message"].reference,
        "Secret de C1",
        "Modèle C1",
        "Cond C1",
        "Rôle C1",
        "M1 Test",
        "Enseignants",
        "Scolarité",
        "app-c1",
        "+33600007777",
        "Customer One",
    ]
    for url in pages:
        text = outsider.get(url).content.decode()
        assert not [leak for leak in leaks if leak in text], url
    assert outsider.get("/sms/api/c2/messages/").json() == []
    # A group of the other institution cannot be sent to.
    response = outsider.post(
        "/sms/c2/envoi/compte/", {"recipient_type": "group", "group": sms.group.pk}
    )
    assert "correspondrait" not in response.content.decode()


def test_smsuapi_of_another_institution_knows_nothing_of_its_sends(sms, objects, settings):
    c2_app, secret = services.application_create(
        organisation=sms.world.other_customer, name="app-c2", account=sms.other_account
    )
    from django.test import Client

    auth = "Basic " + base64.b64encode(f"app-c2:{secret}".encode()).decode()
    client = Client()
    c1_sent = services.message_create(
        organisation=sms.world.customer,
        recipient_type="list",
        value="0600001111",
        content="API C1",
        application=objects["applications"],
        client_id="42",
    )
    for action in ("MessageInfos", "MessageStatus"):
        for raw in (str(c1_sent.pk), "42"):
            response = client.get(
                "/sms/ws/", {"action": action, "id": raw}, HTTP_AUTHORIZATION=auth
            )
            assert response.status_code == 400
            assert response.json()["error"] == "UnknownMessageIdException"
    blacklisted = client.get(
        "/sms/ws/",
        {"action": "IsBlacklisted", "phoneNumber": "0600007777"},
        HTTP_AUTHORIZATION=auth,
    )
    assert blacklisted.json() is False  # C1's blacklist is C1's
    del c2_app
