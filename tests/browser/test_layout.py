"""Layout in a real browser: the portal's lists on a phone, the navbar's alignment.

Small pages of the test world (tests/conftest.py), logged in through the login form.
"""

from __future__ import annotations

import pytest

from esup_saas.servicedesk.services import ticket_transition
from tests.conftest import PASSWORD, make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Accéder au portail").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_portal_list_on_a_phone_keeps_reference_title_and_status(
    live_server, chromium_browser, world
):
    ticket = make_ticket(world, title="Les SMS ne partent plus depuis ce matin")
    ticket_transition(ticket=ticket, code="escalate_tto")
    context = chromium_browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    _login(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/portal/requests/")
    table = page.get_by_test_id("table-incident")
    width = page.viewport_size["width"]
    for name in ("Référence", "Titre", "Statut"):
        header = table.get_by_role("columnheader", name=name, exact=True)
        assert header.is_visible(), name
        box = header.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, name
    for name in ("Date de début", "Service", "Priorité", "Demandeur"):
        assert not table.get_by_role("columnheader", name=name, exact=True).is_visible(), name
    badge = table.get_by_test_id("status-new")  # escalated, shown as it was
    assert badge.inner_text() == "Nouveau"
    box = badge.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    context.close()


def test_navbar_items_share_one_line(live_server, chromium_browser, world):
    context = chromium_browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _login(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/portal/")
    name = page.get_by_test_id("current-user").bounding_box()
    link = page.get_by_test_id("notification-preferences").bounding_box()
    logout = page.get_by_role("button", name="Se déconnecter").bounding_box()
    assert name and link and logout
    centre = name["y"] + name["height"] / 2
    for other in (link, logout):
        assert abs(centre - (other["y"] + other["height"] / 2)) <= 1.5
    context.close()
