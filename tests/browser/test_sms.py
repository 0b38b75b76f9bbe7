"""SMS-U in a real browser: the seed's send form with its live count (htmx) and the
"Caractères restants" counter (the vendored GSM 03.38 script), approval, live tracking; axe
finds no serious or critical violation on the pages visited."""

from __future__ import annotations

import pytest

from esup_saas.offers.sms.models import Message, MessageState
from esup_saas.servicedesk.demo import demo_load

from .conftest import axe_violations
from .test_portal_console_flow import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUP = "M1H402 - Master 1 Risques et environnement"


def _accessible(page, axe_source: str) -> None:
    violations = axe_violations(page, axe_source)
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert summary == [], f"axe on {page.url}: {summary}"


def test_send_form_counts_live_then_approval_and_tracking(
    live_server, chromium_browser, axe_source, settings, tmp_path
):
    settings.SMS_DELIVERY = "celery"  # eager: delivered right after the approval's commit
    settings.SMS_CONSOLE_FILE = str(tmp_path / "sms.log")
    demo_load()
    base = live_server.url
    context = chromium_browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, base, "enseignant-tln")
    page.goto(f"{base}/sms/toulon/envoi/")
    _accessible(page, axe_source)
    page.get_by_label("Type de destinataire").select_option(value="group")
    page.get_by_label("Groupe", exact=True).select_option(label=GROUP)
    count = page.get_by_test_id("recipient-count")
    count.get_by_text("Cette sélection correspondrait à 22 numéros.").wait_for()
    page.get_by_label("Message").fill("Bonjour {prenom}, cours annulé.")
    counter = page.locator("#sms-remaining")
    assert counter.inner_text() == str(160 - len("Bonjour {prenom}, cours annulé.") - 2)
    page.get_by_label("Message").fill("Très bien, ça marche")  # ç: UCS-2
    assert counter.inner_text() == str(70 - 20)
    assert "UCS-2" in page.locator("#sms-encoding").inner_text()
    page.get_by_label("Modèle").select_option(label="Rappel d'examen")
    assert page.get_by_label("Message").input_value().startswith("Rappel : examen lundi")
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_load_state()
    message = Message.objects.get()
    assert message.state == MessageState.WAITING_FOR_APPROVAL
    assert page.get_by_test_id("message-state").inner_text() == "En attente d'approbation"
    _accessible(page, axe_source)

    _login(page, base, "scolarite-tln")
    page.goto(f"{base}/sms/toulon/approbation/")
    _accessible(page, axe_source)
    page.get_by_test_id(f"approval-{message.pk}").get_by_role("button", name="Approuver").click()
    page.wait_for_load_state()
    page.goto(f"{base}/sms/toulon/suivi/{message.pk}/")
    page.get_by_test_id("count-delivered").get_by_text("22").wait_for()
    assert page.get_by_test_id("message-state").inner_text() == "Envoyé"
    _accessible(page, axe_source)
    page.goto(f"{base}/sms/toulon/suivi/")
    _accessible(page, axe_source)
    context.close()
