"""SMS-U's pages: the seed's send form with the live count, tracking, approval, opt-in,
management, reports and "signaler un problème"."""

from __future__ import annotations

import csv
import html
import io

import pytest
from django.core import mail

from esup_saas.offers.sms.models import (
    BlacklistedNumber,
    Message,
    MessageState,
    PhoneConfirmation,
    RecipientState,
    SpecialCondition,
    Subscriber,
    Template,
)
from esup_saas.servicedesk.models import Origin, Ticket

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return html.unescape(response.content.decode())


def test_send_form_has_the_seed_fields(sms, as_user):
    page = body(as_user(sms.world.member).get("/sms/c1/envoi/"))
    for label in (
        "Décompter du quota",
        "Condition particulière",
        "Type de destinataire",
        "Destinataires",
        "Modèle",
        "Message",
        "Caractères restants",
        "Courriel",
        "Envoyer",
    ):
        assert label in page, label
    assert "sms/gsm0338.js" in page
    # A teacher may not send by directory filter: the choice is not offered.
    assert 'value="filter"' not in page and 'value="group"' in page


def test_live_count_of_a_group_counts_opted_in_numbers_only(sms, as_user):
    client = as_user(sms.world.member)
    response = client.post(
        "/sms/c1/envoi/compte/", {"recipient_type": "group", "group": sms.group.pk}
    )
    text = body(response)
    assert "Cette sélection correspondrait à 5 numéros." in text
    assert "1 personne sans adhésion" in text
    one = client.post(
        "/sms/c1/envoi/compte/", {"recipient_type": "free", "recipients": "0600001111"}
    )
    assert "Cette sélection correspondrait à 1 numéro." in body(one)
    bad = client.post(
        "/sms/c1/envoi/compte/",
        {"recipient_type": "list", "recipients": "0600001111\n01 45 67 89 01"},
    )
    assert "ligne 2" in body(bad) and "pas un numéro de mobile" in body(bad)


def test_send_then_track_live(sms, as_user):
    client = as_user(sms.world.member)
    response = client.post(
        "/sms/c1/envoi/",
        {
            "recipient_type": "list",
            "recipients": "06 00 00 11 11\n06 00 00 11 12",
            "content": "Cours annulé\r\ndemain",
            "mail_subject": "",
            "mail_body": "",
        },
    )
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sms/c1/suivi/{message.pk}/"
    assert message.content == "Cours annulé\ndemain"  # newlines as the counter counts them
    assert message.state == MessageState.WAITING_FOR_SENDING
    page = body(client.get(f"/sms/c1/suivi/{message.pk}/"))
    assert message.reference in page and 'hx-trigger="every 3s"' in page
    partial = client.get(f"/sms/c1/suivi/{message.pk}/?partial=1")
    assert 'data-testid="message-live"' in body(partial) and "<html" not in body(partial)
    listing = body(client.get("/sms/c1/suivi/?partial=1"))
    assert message.reference in listing and 'data-live="1"' in listing


def test_too_long_message_is_refused_naming_the_field(sms, as_user):
    response = as_user(sms.world.member).post(
        "/sms/c1/envoi/",
        {"recipient_type": "free", "recipients": "0600001111", "content": "ê" * 71},
    )
    assert response.status_code == 200
    assert "Le message fait 2 SMS (71 caractères en UCS-2) ; 1 SMS au plus sont permis." in body(
        response
    )
    assert not Message.objects.exists()


def test_group_send_waits_for_approval_then_is_approved_with_mail(
    sms, as_user, django_capture_on_commit_callbacks
):
    member = as_user(sms.world.member)
    with django_capture_on_commit_callbacks(execute=True):
        member.post(
            "/sms/c1/envoi/",
            {"recipient_type": "group", "group": sms.group.pk, "content": "Réunion"},
        )
    message = Message.objects.get()
    assert message.state == MessageState.WAITING_FOR_APPROVAL
    assert list(message.approvers.all()) == [sms.world.owner]
    assert "à approuver" in mail.outbox[0].subject
    owner = as_user(sms.world.owner)
    assert message.reference in body(owner.get("/sms/c1/approbation/"))
    # The teacher may not approve their own send.
    assert (
        member.post(f"/sms/c1/approbation/{message.pk}/", {"decision": "approve"}).status_code
        == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(f"/sms/c1/approbation/{message.pk}/", {"decision": "approve"})
    message.refresh_from_db()
    assert message.state == MessageState.WAITING_FOR_SENDING
    assert message.decided_by == sms.world.owner
    assert "approuvé" in mail.outbox[-1].subject


def test_refusal_needs_a_reason_and_refunds_the_quota(sms, as_user):
    as_user(sms.world.member).post(
        "/sms/c1/envoi/", {"recipient_type": "group", "group": sms.group.pk, "content": "Hello"}
    )
    message = Message.objects.get()
    sms.settings.refresh_from_db()
    assert sms.settings.used == 5
    owner = as_user(sms.world.owner)
    page = body(
        owner.post(f"/sms/c1/approbation/{message.pk}/", {"decision": "refuse"}, follow=True)
    )
    assert "Indiquez le motif du refus." in page
    owner.post(f"/sms/c1/approbation/{message.pk}/", {"decision": "refuse", "reason": "Hors sujet"})
    message.refresh_from_db()
    sms.settings.refresh_from_db()
    assert (message.state, message.refusal_reason, message.charged) == (
        MessageState.CANCELLED,
        "Hors sujet",
        0,
    )
    assert sms.settings.used == 0
    assert set(message.recipients.values_list("state", flat=True)) == {RecipientState.ERROR}


def test_signaler_un_probleme_opens_an_incident_with_the_figures(sms, as_user):
    client = as_user(sms.world.member)
    client.post(
        "/sms/c1/envoi/", {"recipient_type": "free", "recipients": "0600001111", "content": "Test"}
    )
    message = Message.objects.get()
    response = client.post(
        f"/sms/c1/suivi/{message.pk}/signaler/", {"description": "Rien reçu"}, follow=True
    )
    ticket = Ticket.objects.get()
    assert f"Incident {ticket.ref} ouvert" in body(response)
    assert ticket.origin == Origin.OFFER
    assert ticket.service == sms.world.service and ticket.is_incident
    assert message.reference in ticket.title and "Rien reçu" in ticket.description
    assert "recipients : 1" in ticket.description
    attachment = ticket.attachments.get()
    content = attachment.file.read().decode("utf-8")
    assert content.startswith("\ufeffreference;" + message.reference)
    assert "sms_charged;1" in content


def test_optin_locally_then_withdraw(sms, as_user):
    client = as_user(sms.world.member)
    alert = SpecialCondition.objects.create(organisation=sms.world.customer, key="ALERT", name="A")
    page = body(client.get("/sms/c1/adhesion/"))
    assert "Conditions générales" in page
    bad = client.post("/sms/c1/adhesion/", {"phone": "01 45 67 89 01", "accept_general": "on"})
    assert "pas un numéro de mobile" in body(bad)
    refused = client.post("/sms/c1/adhesion/", {"phone": "0600001234"})
    assert "Ce champ est obligatoire." in body(refused)
    client.post(
        "/sms/c1/adhesion/",
        {"phone": "0692 00 12 34", "accept_general": "on", "services": [alert.pk]},
    )
    sub = Subscriber.objects.get(person=sms.world.member)
    assert (sub.phone, sub.general_accepted) == ("+262692001234", True)
    assert list(sub.services.all()) == [alert]
    client.post("/sms/c1/adhesion/retrait/")
    assert not Subscriber.objects.filter(person=sms.world.member).exists()


def test_optin_with_code_confirmation(sms, as_user, monkeypatch):
    sms.settings.confirm_phone = True
    sms.settings.save()
    codes = []
    from esup_saas.offers.sms import services

    real = services._system_sms

    def capture(*, organisation, phone, text):
        codes.append(text.rsplit(" ", 1)[-1])
        return real(organisation=organisation, phone=phone, text=text)

    monkeypatch.setattr(services, "_system_sms", capture)
    client = as_user(sms.world.member)
    response = client.post("/sms/c1/adhesion/", {"phone": "0600001234", "accept_general": "on"})
    assert response["Location"] == "/sms/c1/adhesion/code/"
    assert not Subscriber.objects.filter(person=sms.world.member).exists()
    (code,) = codes
    assert len(code) == 6 and code.isdigit()
    # The code goes out as an SMS of its own, charged to the institution.
    sent = Message.objects.get(recipient_type="free")
    assert sent.recipients.get().phone == "+33600001234"
    wrong = "000000" if code != "000000" else "111111"
    page = body(client.post("/sms/c1/adhesion/code/", {"code": wrong}))
    assert "Code incorrect (4 essais restants)." in page
    client.post("/sms/c1/adhesion/code/", {"code": code})
    sub = Subscriber.objects.get(person=sms.world.member)
    assert sub.phone_confirmed and sub.phone == "+33600001234"
    assert not PhoneConfirmation.objects.exists()


def test_code_attempts_are_limited(sms):
    from esup_saas.offers.sms import services

    sms.settings.confirm_phone = True
    sms.settings.save()
    services.optin_save(
        organisation=sms.world.customer,
        person=sms.world.member,
        phone="0600001234",
        accept_general=True,
    )
    for _n in range(services.CODE_MAX_ATTEMPTS):
        with pytest.raises(services.CodeError, match="Code incorrect"):
            services.optin_confirm(
                organisation=sms.world.customer, person=sms.world.member, code="x"
            )
    with pytest.raises(services.CodeError, match="Trop d'essais"):
        services.optin_confirm(organisation=sms.world.customer, person=sms.world.member, code="x")


def test_management_pages_create_and_list(sms, as_user):
    owner = as_user(sms.world.owner)
    response = owner.post(
        "/sms/c1/gestion/modeles/", {"label": "Rappel", "body": "Rappel {prenom}"}
    )
    assert response.status_code == 302
    assert Template.objects.filter(organisation=sms.world.customer, label="Rappel").exists()
    page = body(owner.get("/sms/c1/gestion/modeles/"))
    assert "Rappel {prenom}" in page
    response = owner.post(
        "/sms/c1/gestion/roles/",
        {"name": "Communication", "functions": ["send_groups", "track_all"], "groups": "M1 Test"},
    )
    assert response.status_code == 302
    student = sms.students[0]
    from esup_saas.offers.sms.selectors import functions_for

    # A role given to a local group reaches its members.
    assert functions_for(student.user, sms.world.customer) == {"send_groups", "track_all"}
    created = owner.post(
        "/sms/c1/gestion/applications/",
        {"name": "scolarite-app", "account": sms.account.pk, "quota": "10", "is_active": "on"},
        follow=True,
    )
    assert "affiché une seule fois" in body(created)
    # A teacher may not manage roles.
    assert as_user(sms.world.member).get("/sms/c1/gestion/roles/").status_code == 403


def test_reports_csv_is_french_excel_and_xlsx_opens(sms, as_user):
    client = as_user(sms.world.owner)
    client.post(
        "/sms/c1/envoi/",
        {"recipient_type": "list", "recipients": "0600001111\n0600001112", "content": "Test"},
    )
    page = body(client.get("/sms/c1/rapports/"))
    assert "Rapport consolidé" in page
    response = client.get("/sms/c1/rapports/?format=csv")
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert rows[0][:3] == ["Établissement", "Mois", "Compte d'imputation"]
    assert rows[1][0] == "Customer One" and rows[1][-2:] == ["2", "0"]
    detail = client.get("/sms/c1/rapports/envois/").content.decode("utf-8")
    assert Message.objects.get().reference in detail
    xlsx = client.get("/sms/c1/rapports/?format=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A2"].value == "Customer One"
    bad = body(client.get("/sms/c1/rapports/?start=2024-13-01", follow=True))
    assert "date invalide" in bad


def test_blacklist_admin_removes_a_number(sms, as_user):
    BlacklistedNumber.objects.create(
        organisation=sms.world.customer, phone="+33600009999", source="operator"
    )
    client = as_user(sms.world.owner)
    assert "+33600009999" in body(client.get("/sms/c1/liste-noire/"))
    client.post("/sms/c1/liste-noire/", {"phone": "+33600009999"})
    assert not BlacklistedNumber.objects.exists()


def test_contract_not_in_force_closes_the_offer(sms, as_user):
    sms.world.customer.customer_contracts.update(status="obsolete")
    assert as_user(sms.world.owner).get("/sms/c1/").status_code == 404
