"""End to end in a real browser (issue 2, item 14).

``pcu`` (Université de Toulon) opens a request through the portal; ``agent`` assigns it and
resolves it with a solution in the console; ``pcu`` accepts it with "Très satisfait";
``pcu-larochelle`` cannot see it. axe-core runs on every portal page visited and must find no
serious or critical violation.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from esup_saas.servicedesk.demo import demo_load
from esup_saas.servicedesk.models import Kind, Ticket
from esup_saas.tenancy.models import Person, Team

from .conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBCATEGORY = "Effectuer une demande générale concernant les offres hébergées ESUP"
TITLE = "Accès à l'offre EVA pour la rentrée"


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.get_by_role("button", name="Accéder au portail").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _assert_accessible(page, axe_source: str) -> None:
    violations = axe_violations(page, axe_source)
    summary = [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations
    ]
    assert summary == [], f"axe on {page.url}: {summary}"


def test_request_from_portal_to_closure(live_server, chromium_browser, axe_source):
    demo_load()
    base = live_server.url
    context = chromium_browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()

    # 1. The PCU of Toulon opens a request through the portal.
    _login(page, base, "pcu")
    page.goto(f"{base}/portal/")
    _assert_accessible(page, axe_source)
    page.goto(f"{base}/portal/new/")
    _assert_accessible(page, axe_source)
    page.get_by_role("link", name=SUBCATEGORY).click()
    page.wait_for_url("**/portal/new/*/")
    _assert_accessible(page, axe_source)
    page.get_by_label("Impact").select_option(label="Un établissement")
    page.get_by_label("Urgence").select_option(label="moyenne")
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Description").fill("Bonjour,\nPouvez-vous ouvrir EVA pour la rentrée ?")
    page.get_by_test_id("new-request-submit").click()
    page.wait_for_url("**/portal/requests/R-*/")
    ticket = Ticket.objects.get(title=TITLE)
    assert ticket.kind == Kind.USER_REQUEST
    assert ticket.ref == "R-000007"  # the demo's requests end at R-000006
    assert ticket.priority == 2  # impact 1 × urgency 3 → haute in iTop's matrix
    assert page.url.endswith(f"/portal/requests/{ticket.ref}/")
    assert ticket.ref in page.get_by_test_id("ticket-ref").inner_text()
    _assert_accessible(page, axe_source)
    for path in (
        "/portal/requests/",
        "/portal/requests/closed/",
        "/portal/faq/",
        "/portal/contracts/",
    ):
        page.goto(base + path)
        _assert_accessible(page, axe_source)
    page.goto(f"{base}/portal/requests/")
    assert page.get_by_role("link", name=ticket.ref, exact=True).count() == 1

    # 2. The ESUP agent assigns it to their team and to themselves, then resolves it.
    agent = Person.objects.get(user__username="agent")
    team = Team.objects.get(name="Equipe ESUP Coordination Technique")
    _login(page, base, "agent")
    page.goto(f"{base}/console/tickets/{ticket.ref}/")
    assign = page.get_by_test_id("transition-assign")
    assign.locator("summary").click()
    # Picking the team reloads the agent list through htmx: wait for that answer, or the
    # agent chosen next is wiped by the swap.
    with page.expect_response(lambda r: "/agents/" in r.url):
        assign.locator("select[name=team]").select_option(value=str(team.pk))
    assign.locator(f"select[name=agent] option[value='{agent.pk}']").wait_for(state="attached")
    assign.locator("select[name=agent]").select_option(value=str(agent.pk))
    assign.get_by_test_id("submit-transition").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Assigné")
    resolve = page.get_by_test_id("transition-resolve")
    resolve.locator("summary").click()
    resolve.locator("select[name=resolution_code]").select_option(value="configuration")
    resolve.locator("textarea[name=solution]").fill(
        "L'offre EVA est ouverte à votre établissement."
    )
    resolve.get_by_test_id("submit-transition").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Résolu")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.team_id, ticket.agent_id) == ("resolved", team.pk, agent.pk)

    # 3. The PCU accepts the solution, very satisfied.
    _login(page, base, "pcu")
    page.goto(f"{base}/portal/requests/{ticket.ref}/")
    _assert_accessible(page, axe_source)
    assert "EVA est ouverte" in page.get_by_test_id("ticket-solution").inner_text()
    page.get_by_label("Très satisfait").check()
    page.get_by_test_id("accept-button").click()
    expect(page.get_by_test_id("ticket-satisfaction")).to_have_text("Très satisfait")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction) == ("closed", 1)
    assert page.get_by_test_id("ticket-satisfaction").inner_text().strip() == "Très satisfait"
    _assert_accessible(page, axe_source)

    # 4. La Rochelle's PCU cannot see it: 404, and it is in none of their lists.
    _login(page, base, "pcu-larochelle")
    response = page.goto(f"{base}/portal/requests/{ticket.ref}/")
    assert response is not None and response.status == 404
    for path in ("/portal/requests/", "/portal/requests/closed/"):
        page.goto(base + path)
        assert page.get_by_role("link", name=ticket.ref, exact=True).count() == 0
        assert ticket.ref not in page.content()
    context.close()
