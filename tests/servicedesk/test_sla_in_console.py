"""Issue 3's features where a user meets them: console layout and sidebar of the SLA and
notification pages, the SLA clocks on the ticket pages, the TTR column and the "SLA dépassé"
filter of the ticket list, the link to one's notification preferences.

Provider P1's SLA (``sla_helpers.office_sla``): Mon-Fri 08:00-12:00 / 13:30-17:30 Paris,
French holidays; a priority 3 incident has TTO 1 h and TTR 8 h. Instants are UTC with the
Paris time beside them (January: Paris = UTC + 1).
"""

from __future__ import annotations

import html
import re

import pytest
import time_machine

from esup_saas.catalog.models import CustomerContractService
from esup_saas.catalog.services_sla import holiday_calendar_save, service_hours_save, sla_save
from esup_saas.notifications.models import OutgoingMail
from esup_saas.servicedesk.sla import sla_threshold_sweep
from esup_saas.servicedesk.workflow import Status
from tests.catalog.test_sla_views import manager_of
from tests.conftest import make_ticket
from tests.servicedesk.sla_helpers import OFFICE, office_sla, target, utc

pytestmark = pytest.mark.django_db

SIDEBAR_LABELS = {
    "SLA": "/console/sla/",
    "Horaires de service": "/console/sla/hours/",
    "Calendriers": "/console/sla/calendars/",
    "Conformité SLA": "/console/sla/reports/compliance/",
    "Déclencheurs et modèles": "/console/notifications/",
    "Journal des courriels": "/console/notifications/mails/",
}


def text(response) -> str:
    return html.unescape(response.content.decode())


def sidebar(response) -> str:
    """The HTML of the console's left menu."""
    body = text(response)
    start = body.index('data-testid="console-sidebar"')
    return body[start : body.index("</nav>", start)]


def sidebar_links(response) -> dict[str, str]:
    """``{label: href}`` of the sidebar's links (saved searches aside)."""
    return {
        label.strip(): href
        for href, label in re.findall(
            r'<a class="nav-link[^"]*"[^>]*href="([^"]+)">([^<]+)</a>', sidebar(response)
        )
    }


def active_entry(response) -> list[str]:
    """Labels of the sidebar links marked as the current page."""
    return [
        label.strip()
        for label in re.findall(
            r'<a class="nav-link active" aria-current="page" href="[^"]+">([^<]+)</a>',
            sidebar(response),
        )
    ]


def _mail(world, *, organisation, provider, to):
    return OutgoingMail.objects.create(
        trigger="ticket_created",
        to_email=to,
        language="fr",
        subject=f"Pour {to}",
        body="…",
        message_id=f"<{to}@test>",
        organisation=organisation,
        provider=provider,
    )


@pytest.fixture
def levels(world):
    """P1's SLA on Customer One × Service A, a P2 SLA with hours and calendar, two mails."""
    sla = office_sla(world)
    coverage = CustomerContractService.objects.get(
        contract__customer=world.customer, service=world.service
    )
    hours2 = service_hours_save(
        actor=None, provider=world.other_provider, name="Horaires P2", intervals=OFFICE
    )
    cal2 = holiday_calendar_save(actor=None, provider=world.other_provider, name="Fériés P2")
    sla2 = sla_save(
        actor=None,
        provider=world.other_provider,
        name="SLA P2",
        service_hours=hours2,
        holiday_calendar=cal2,
        targets=[target(3, "ttr", 2, "business_days")],
    )
    mail1 = _mail(world, organisation=world.customer, provider=world.provider, to="m1@example.org")
    mail2 = _mail(
        world, organisation=world.other_customer, provider=world.other_provider, to="m2@example.org"
    )
    return {
        "sla": sla,
        "hours": sla.service_hours,
        "calendar": sla.holiday_calendar,
        "coverage": coverage,
        "sla2": sla2,
        "mail1": mail1,
        "mail2": mail2,
    }


def _issue3_urls(levels) -> list[str]:
    return [
        "/console/sla/",
        "/console/sla/new/",
        f"/console/sla/{levels['sla'].pk}/",
        "/console/sla/hours/",
        "/console/sla/hours/new/",
        f"/console/sla/hours/{levels['hours'].pk}/",
        "/console/sla/calendars/",
        "/console/sla/calendars/new/",
        f"/console/sla/calendars/{levels['calendar'].pk}/",
        f"/console/sla/coverages/{levels['coverage'].pk}/",
        "/console/sla/providers/p1/",
        "/console/sla/reports/compliance/",
        "/console/notifications/",
        "/console/notifications/triggers/ticket_created/",
        "/console/notifications/mails/",
        f"/console/notifications/mails/{levels['mail1'].pk}/",
    ]


# --- 1. the console layout and its sidebar -------------------------------------------------


def test_every_issue3_console_page_has_the_sidebar_and_the_picker(world, levels, as_user):
    client = as_user(world.coordinator)
    for url in _issue3_urls(levels):
        response = client.get(url)
        assert response.status_code == 200, url
        body = text(response)
        assert 'data-testid="console-sidebar"' in body, url
        assert 'data-testid="org-picker"' in body, url
        assert "Toutes les organisations" in body, url
        assert body.count("<h1") == 1, url


def test_sidebar_groups_follow_the_roles(world, levels, as_user):
    coordinator = sidebar_links(as_user(world.coordinator).get("/console/"))
    for label, href in SIDEBAR_LABELS.items():
        assert coordinator[label] == href, label

    manager = sidebar_links(as_user(manager_of(world.provider, "mgr1")).get("/console/"))
    assert {k for k in SIDEBAR_LABELS if k in manager} == set(SIDEBAR_LABELS) - {
        "Déclencheurs et modèles"
    }

    response = as_user(world.agent).get("/console/")
    agent = sidebar_links(response)
    assert {k for k in SIDEBAR_LABELS if k in agent} == {"Conformité SLA"}
    assert 'data-testid="sidebar-notifications"' not in sidebar(response)
    # and what the agent is not shown, the agent cannot open
    for label, href in SIDEBAR_LABELS.items():
        if label != "Conformité SLA":
            assert as_user(world.agent).get(href).status_code == 404, href


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("/console/sla/", "SLA"),
        ("/console/sla/new/", "SLA"),
        ("/console/sla/hours/", "Horaires de service"),
        ("/console/sla/hours/new/", "Horaires de service"),
        ("/console/sla/calendars/new/", "Calendriers"),
        ("/console/sla/reports/compliance/", "Conformité SLA"),
        ("/console/notifications/", "Déclencheurs et modèles"),
        ("/console/notifications/triggers/ticket_closed/", "Déclencheurs et modèles"),
        ("/console/notifications/mails/", "Journal des courriels"),
        ("/console/", "Tableau de bord"),
    ],
)
def test_the_current_page_is_marked_in_the_sidebar(world, as_user, url, label):
    response = as_user(world.coordinator).get(url)
    assert active_entry(response) == [label]


def test_hours_and_calendar_lists_show_only_my_providers(world, levels, as_user):
    mine = as_user(manager_of(world.provider, "mgr1"))
    hours = text(mine.get("/console/sla/hours/"))
    assert "Bureau Standard" in hours and "lundi 08:00-12:00" in hours
    assert "Horaires P2" not in hours
    calendars = text(mine.get("/console/sla/calendars/"))
    assert "Fériés Standard" in calendars and "Fériés P2" not in calendars

    theirs = as_user(manager_of(world.other_provider, "mgr2"))
    assert "Bureau Standard" not in text(theirs.get("/console/sla/hours/"))
    assert "Fériés Standard" not in text(theirs.get("/console/sla/calendars/"))
    # Another provider's objects still answer 404, from the lists' links as from anywhere.
    assert theirs.get(f"/console/sla/hours/{levels['hours'].pk}/").status_code == 404
    assert theirs.get(f"/console/sla/calendars/{levels['calendar'].pk}/").status_code == 404


@pytest.mark.parametrize("who", ["owner", "outsider", "agent", "other_agent"])
def test_hours_and_calendar_lists_answer_404_to_non_managers(world, levels, as_user, who):
    client = as_user(getattr(world, who))
    assert client.get("/console/sla/hours/").status_code == 404
    assert client.get("/console/sla/calendars/").status_code == 404


def test_the_picker_narrows_the_sla_pages_and_the_mail_log(world, levels, as_user):
    client = as_user(world.coordinator)
    everything = text(client.get("/console/sla/"))
    assert "SLA P2" in everything and "Standard" in everything
    client.post("/console/org/", {"code": "p2", "next": "/console/sla/"})
    home = text(client.get("/console/sla/"))
    assert "SLA P2" in home and f"/console/sla/{levels['sla'].pk}/" not in home
    assert 'value="p2" selected>' in home
    hours = text(client.get("/console/sla/hours/"))
    assert "Horaires P2" in hours and "Bureau Standard" not in hours
    mails = client.get("/console/notifications/mails/")
    assert [m.pk for m in mails.context["page"]] == [levels["mail2"].pk]
    # The picker only narrows: an object outside it still opens for who may see it.
    assert client.get(f"/console/sla/{levels['sla'].pk}/").status_code == 200
    client.post("/console/org/", {"code": "all", "next": "/console/"})
    mails = client.get("/console/notifications/mails/")
    assert {m.pk for m in mails.context["page"]} == {levels["mail1"].pk, levels["mail2"].pk}


def test_the_picker_narrows_the_compliance_report(world, as_user):
    office_sla(world, targets=[target(3, "tto", 1)])
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False):
        make_ticket(world)
    client = as_user(world.coordinator)
    with time_machine.travel(utc(2026, 2, 1, 12, 0), tick=False):
        url = "/console/sla/reports/compliance/?from=2026-01&to=2026-01"
        assert len(client.get(url).context["rows"]) == 1
        client.post("/console/org/", {"code": "c2", "next": "/console/"})
        assert client.get(url).context["rows"] == []
        client.post("/console/org/", {"code": "c1", "next": "/console/"})
        assert len(client.get(url).context["rows"]) == 1


# --- 2. the SLA clocks on the ticket pages -------------------------------------------------


def _clock_block(body: str, metric: str) -> str:
    start = body.index(f'data-testid="sla-clock-{metric}"')
    return body[start : body.index("</dl>", start)]


def test_console_ticket_page_shows_the_seeds_sla_report(world, as_user):
    office_sla(world)
    client = as_user(world.agent)
    # Monday 12 January 2026 09:00 Paris: TTO 1 h → 10:00; TTR 8 h → Tuesday 13 09:00.
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        ticket = make_ticket(world)
        url = f"/console/tickets/{ticket.ref}/"
        traveller.move_to(utc(2026, 1, 12, 8, 45))  # 09:45: TTO at 75 %, TTR at 9 %
        body = text(client.get(url))
        resolution = body[body.index('id="sec-resolution"') :]
        assert resolution.index("Rapport SLA") < resolution.index("Informations complémentaires")
        tto = _clock_block(body, "tto")
        assert 'Échéance TTO</dt>\n  <dd class="col-5">12/01/2026 10:00' in tto
        assert 'SLA TTO dépassé ?</dt>\n  <dd class="col-5">non' in tto
        assert (
            'Dépassement SLA TTO</dt>\n  <dd class="col-5" data-testid="sla-tto-overrun">0 s<'
            in tto
        )
        assert re.search(r'data-testid="sla-tto-percent">75\s*%', tto)
        assert 'class="progress-bar bg-warning" data-testid="sla-tto-bar" style="width: 75%"' in tto
        ttr = _clock_block(body, "ttr")
        assert 'Échéance TTR</dt>\n  <dd class="col-5">13/01/2026 09:00' in ttr
        assert 'SLA TTR dépassé ?</dt>\n  <dd class="col-5">non' in ttr
        assert 'class="progress-bar bg-success" data-testid="sla-ttr-bar" style="width: 9%"' in ttr

        traveller.move_to(utc(2026, 1, 12, 9, 0, 7))  # 10:00:07: the TTO goal is 7 s behind
        sla_threshold_sweep()
        body = text(client.get(url))
    tto = _clock_block(body, "tto")
    assert 'SLA TTO dépassé ?</dt>\n  <dd class="col-5">oui' in tto
    assert 'Dépassement SLA TTO</dt>\n  <dd class="col-5" data-testid="sla-tto-overrun">7 s<' in tto
    assert 'class="progress-bar bg-danger" data-testid="sla-tto-bar" style="width: 100%"' in tto
    # the breach escalated the ticket and is told in its events
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED_TTO
    assert "Seuil SLA franchi" in body and "TTO 100 %" in body


@pytest.mark.parametrize(
    ("language", "overrun", "percent"),
    [
        ("fr", "536 j 17 h 30 min (46\u00a0373\u00a0400\u00a0s)", "> 999\u00a0%"),
        ("en", "536 d 17 h 30 min (46,373,400\u00a0s)", "> 999%"),
    ],
)
def test_a_long_overrun_reads_as_a_duration(world, as_user, settings, language, overrun, percent):
    from esup_saas.servicedesk.models_sla import SlaClock

    office_sla(world)
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False):
        ticket = make_ticket(world)
    # The demo's I-000002: a TTR goal of 8 business hours, 12 881.5 hours past it.
    SlaClock.objects.filter(ticket=ticket, metric="ttr").update(
        elapsed_seconds=8 * 3600 + 46_373_400, running_since=None, breached_at=utc(2024, 1, 1)
    )
    client = as_user(world.agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = text(client.get(f"/console/tickets/{ticket.ref}/"))
    ttr = _clock_block(body, "ttr")
    shown = ttr.split('data-testid="sla-ttr-overrun">')[1].split("</dd>")[0]
    assert re.sub(r"<[^>]+>", "", shown) == overrun
    assert f'data-testid="sla-ttr-percent">{percent}<' in ttr
    assert "46373400s" not in body


def test_ticket_pages_without_sla_say_so_and_other_tenants_get_404(world, as_user):
    ticket = make_ticket(world)
    body = text(as_user(world.agent).get(f"/console/tickets/{ticket.ref}/"))
    assert "Rapport SLA" in body and "Aucun SLA ne s'applique à ce ticket." in body
    assert as_user(world.other_agent).get(f"/console/tickets/{ticket.ref}/").status_code == 404
    portal = text(as_user(world.owner).get(f"/portal/requests/{ticket.ref}/"))
    assert "Résolution prévue" not in portal


def test_portal_shows_the_ttr_deadline_in_plain_french_only(world, as_user):
    office_sla(world)
    with time_machine.travel(utc(2026, 1, 12, 8, 45), tick=False):
        ticket = make_ticket(world)  # Monday 09:45 Paris: TTR 8 h → Tuesday 09:45
        response = as_user(world.owner).get(f"/portal/requests/{ticket.ref}/")
        assert response.status_code == 200
        body = text(response)
        assert (
            "au plus tard le mardi 13 janvier 2026 à 09:45, selon les engagements de service"
            in body
        )
        for internal in ("Rapport SLA", "Dépassement", "dépassé", "TTO", "TTR"):
            assert internal not in body, internal
        assert as_user(world.outsider).get(f"/portal/requests/{ticket.ref}/").status_code == 404


def test_ticket_list_ttr_column_and_sla_breached_filter(world, as_user):
    office_sla(world)
    client = as_user(world.agent)
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        late = make_ticket(world, title="En retard")  # TTO due 10:00 Paris
        traveller.move_to(utc(2026, 1, 12, 8, 50))
        on_time = make_ticket(world, title="À l'heure")  # TTO due 10:50 Paris
        traveller.move_to(utc(2026, 1, 12, 9, 10))  # 10:10 Paris
        listing = text(client.get("/console/tickets/"))
        assert "Échéance TTR" in listing
        cell = listing[listing.index(f'data-testid="ttr-{late.ref}"') :]
        assert cell[: cell.index("</td>")].endswith("13/01/2026 09:00")
        breached = client.get("/console/tickets/?sla_breached=on")
        refs = [t.ref for t in breached.context["page"]]
        assert refs == [late.ref]
        assert on_time.ref not in refs
        # another provider's agent filtering the same way sees none of P1's tickets
        other = as_user(world.other_agent).get("/console/tickets/?sla_breached=on")
        assert list(other.context["page"]) == []


def test_ticket_list_marks_a_passed_ttr_deadline(world, as_user):
    office_sla(world, targets=[target(3, "ttr", 1)])
    with time_machine.travel(utc(2026, 1, 12, 8, 0), tick=False) as traveller:
        ticket = make_ticket(world)  # TTR due 10:00 Paris
        traveller.move_to(utc(2026, 1, 12, 9, 30))
        listing = text(as_user(world.agent).get("/console/tickets/"))
    cell = listing[listing.index(f'data-testid="ttr-{ticket.ref}"') :]
    assert "12/01/2026 10:00" in cell[: cell.index("</td>")]
    assert "dépassée" in cell[: cell.index("</td>")]


# --- 3. the preferences link ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "url"), [("owner", "/portal/"), ("agent", "/console/"), ("coordinator", "/console/")]
)
def test_every_person_has_the_preferences_link(world, as_user, who, url):
    body = text(as_user(getattr(world, who)).get(url))
    assert (
        '<a class="nav-link" href="/notifications/preferences/" '
        'data-testid="notification-preferences">Mes préférences de notification</a>' in body
    )


def test_anonymous_pages_have_no_preferences_link(client):
    assert "/notifications/preferences/" not in text(client.get("/accounts/login/"))
