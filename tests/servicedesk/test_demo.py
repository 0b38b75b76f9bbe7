"""The demo data: the seed's screens, idempotent loading, and who sees what once loaded."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from esup_saas.catalog.models import CustomerContract, CustomerContractService, SupportModel
from esup_saas.catalog.models_sla import SLA, HolidayCalendar, ProviderSlaSettings, ServiceHours
from esup_saas.catalog.selectors import services_open_to
from esup_saas.knowledge.models import Faq
from esup_saas.notifications.models import OutgoingMail
from esup_saas.servicedesk.demo import demo_load
from esup_saas.servicedesk.models import (
    Kind,
    LogEntry,
    MailInbox,
    RefCounter,
    SlaClock,
    SlaThresholdEvent,
    Ticket,
    TicketEvent,
)
from esup_saas.servicedesk.notify import notify_pending
from esup_saas.servicedesk.selectors import tickets_for_user
from esup_saas.servicedesk.services import ticket_create
from esup_saas.servicedesk.sla import auto_close_sweep, sla_threshold_sweep, ticket_sla_states
from esup_saas.tenancy.models import Organisation, Person, User

PARIS = ZoneInfo("Europe/Paris")
LOGINS = ("admin", "agent", "agent-smsu", "agent-geforp", "pcu", "pcu-larochelle")
GEFORP, ESUP, SMSU = "Offre Hébergée GEFORP", "Offres Hébergées ESUP", "Offre Hébergée SMSU"

# ref: (title, status, priority, service, agent's login or None for the agent without one)
SEED_TICKETS = {
    "I-000002": ("Blocage de l'application", "assigned", 2, GEFORP, "agent-geforp"),
    "I-000003": ("Problème lors de l'envoi d'un message", "resolved", 3, SMSU, "agent-smsu"),
    "I-000007": (
        "Problème d'accès au portail de gestion des offres hébergées",
        "assigned",
        3,
        ESUP,
        "agent",
    ),
    "R-000001": (
        "Possibilité d'ajouter un paramètre dans les SMS",
        "assigned",
        2,
        SMSU,
        "agent-smsu",
    ),
    "R-000004": (
        "Possibilité d'avoir un champs de saisie supplémentaire",
        "closed",
        4,
        GEFORP,
        "agent-geforp",
    ),
    "R-000005": ("Demande d'accès à une nouvelle offre", "assigned", 4, ESUP, None),
    "R-000006": ("Bouton de mise à jour", "assigned", 4, GEFORP, "agent-geforp"),
}

#: Real people named in the seed: the demo must not use their names.
SEED_SURNAMES = {
    "Richet",
    "Anli",
    "Floret",
    "Guerin",
    "Forbeau",
    "Rigaux",
    "Fernandez-Blanco",
    "Finkbeiner",
    "Gerecke",
    "Tavernier",
    "Bonamy",
    "Saint-Georges",
    "Boulen",
    "Turbout",
    "Hutin",
    "Dupre",
    "Portella",
}


def paris(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=PARIS)


def all_counts() -> dict[str, int]:
    """Rows of every installed model, historical records and accounts included."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def ticket(ref: str) -> Ticket:
    kind = Kind.INCIDENT if ref[0] == "I" else Kind.USER_REQUEST
    return Ticket.objects.select_related("agent__user", "service").get(
        kind=kind, number=int(ref[2:])
    )


def user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """The demo hashes six passwords per load: a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db) -> dict[str, int]:
    return demo_load()


def test_first_load_creates_the_seed_world(demo):
    assert demo["organisations"] == 13
    assert demo["services"] == 3
    assert demo["subcategories"] == 8
    assert demo["tickets"] == 7
    assert demo["FAQs"] == 5
    assert demo["persons"] >= 6
    # service levels: one of each per provider (esup, amu, paris1)
    for kind in ("service hours", "holiday calendars", "SLAs", "SLA settings", "mail inboxes"):
        assert demo[kind] == 3, kind
    # Toulon's three contract × service pairs, La Rochelle's two
    assert demo["SLAs chosen"] == 5
    assert demo["SLA clocks replayed"] == 7
    # TTR 75 % and 100 % of the five tickets still open, all crossed in 2020
    assert demo["SLA thresholds recorded"] == 10


def test_second_load_writes_nothing(demo):
    before = all_counts()
    tickets_before = list(Ticket.objects.order_by("pk").values())
    again = demo_load()
    assert set(again.values()) == {0}
    assert all_counts() == before
    assert list(Ticket.objects.order_by("pk").values()) == tickets_before


def test_command_is_idempotent_and_prints_a_summary(db):
    first, second = StringIO(), StringIO()
    call_command("load_demo", stdout=first)
    counts = all_counts()
    call_command("load_demo", stdout=second)
    assert "7 tickets" in first.getvalue()
    assert "nothing to create" in second.getvalue()
    assert all_counts() == counts


def test_seed_tickets_with_titles_statuses_priorities_and_agents(demo):
    toulon = Organisation.objects.get(code="toulon")
    pcu = Person.objects.get(user__username="pcu")
    assert Ticket.objects.count() == 7
    for ref, (title, status, priority, service, agent_login) in SEED_TICKETS.items():
        t = ticket(ref)
        assert (t.title, t.status, t.priority, t.service.name) == (
            title,
            status,
            priority,
            service,
        ), ref
        assert t.organisation == toulon and t.caller == pcu, ref
        if agent_login is None:
            assert t.agent is not None and t.agent.user is None, ref
            assert t.team is not None and t.team.name == "Equipe ESUP Coordination Technique"
        else:
            assert t.agent.user.username == agent_login, ref


def test_seed_dates_and_the_story_of_i7_and_r4(demo):
    i7 = ticket("I-000007")
    assert i7.start_date == paris("2020-01-30 12:21:05")
    assert i7.assignment_date == paris("2020-01-30 14:35:51")
    assert i7.last_update == paris("2020-01-30 14:35:51")
    assert (i7.impact, i7.urgency, i7.origin) == (3, 3, "portal")
    assert i7.description == "Bonjour,<br>Pas de connexion depuis ce matin !"
    assert i7.team.name == "Equipe ESUP Coordination Technique"

    r1 = ticket("R-000001")
    assert (r1.impact, r1.urgency, r1.start_date) == (1, 3, paris("2020-01-30 12:08:47"))
    assert (
        r1.description == "Possibilité d'ajouter automatiquement le titre du cours pour les retards"
    )

    r4 = ticket("R-000004")
    assert r4.start_date == paris("2020-01-30 12:15:56")
    assert r4.resolution_date == paris("2020-01-30 14:44:32")
    assert r4.close_date == paris("2020-01-30 14:46:02")
    assert r4.last_update == paris("2020-01-30 14:46:02")
    assert r4.solution == "Mise à jour du code pour répondre à la demande."
    assert (r4.satisfaction, r4.customer_comment) == (1, "Très satisfait :-)")
    assert (r4.impact, r4.urgency) == (1, 4)
    logs = list(LogEntry.objects.filter(ticket=r4).values_list("visibility", "created_at", "body"))
    assert logs == [("public", paris("2020-01-30 14:44:12"), "Traitement de la demande")]
    # the history and the events tell the same story at the seed's times
    assert [h.history_date for h in r4.history.order_by("history_id")] == [
        paris("2020-01-30 12:15:56"),
        paris("2020-01-30 14:40:05"),
        paris("2020-01-30 14:44:32"),
        paris("2020-01-30 14:46:02"),
    ]
    assert list(r4.events.values_list("kind", "transition")) == [
        ("created", ""),
        ("transition", "assign"),
        ("log_public", ""),
        ("transition", "resolve"),
        ("transition", "close"),
    ]
    i3 = ticket("I-000003")
    assert i3.resolution_code and i3.solution and i3.resolution_date is not None


def test_counters_continue_after_the_seed(demo):
    assert dict(RefCounter.objects.values_list("kind", "last")) == {
        Kind.INCIDENT: 7,
        Kind.USER_REQUEST: 6,
    }
    pcu = Person.objects.get(user__username="pcu")
    sub = ticket("I-000002").subcategory
    new = ticket_create(
        caller=pcu, subcategory=sub, title="Nouveau", description="Texte.", impact=3, urgency=3
    )
    assert new.ref == "I-000008"
    request_sub = ticket("R-000006").subcategory
    new_request = ticket_create(
        caller=pcu,
        subcategory=request_sub,
        title="Autre",
        description="Texte.",
        impact=3,
        urgency=4,
    )
    assert new_request.ref == "R-000007"


def test_the_six_logins_authenticate_with_demo(demo):
    for login in LOGINS:
        # django-axes needs the request to count failures per address.
        request = RequestFactory().post("/accounts/login/")
        account = authenticate(request, username=login, password="demo")
        assert account is not None and account.username == login, login
        assert account.person is not None, login
    admin = user("admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.filter(username__in=LOGINS[1:], is_staff=True).exists()
    # The platform's six logins, plus those the offers' demo hooks add (SMS-U: a teacher
    # who sends and an approver, both of Toulon).
    offers = {"enseignant-tln", "scolarite-tln"}
    assert set(User.objects.values_list("username", flat=True)) == set(LOGINS) | offers
    assert not User.objects.filter(username__in=offers, is_staff=True).exists()


def test_people_are_invented(demo):
    surnames = set(Person.objects.values_list("last_name", flat=True))
    assert not surnames & SEED_SURNAMES
    assert all(e.endswith(".example.org") for e in Person.objects.values_list("email", flat=True))


def test_pcu_of_toulon_sees_its_seven_tickets_la_rochelle_none(demo):
    toulon_refs = {t.ref for t in tickets_for_user(user("pcu"), "portal")}
    assert toulon_refs == set(SEED_TICKETS)
    assert not tickets_for_user(user("pcu-larochelle"), "portal").exists()


def test_agent_smsu_sees_only_smsu_tickets_in_the_console(demo):
    seen = list(tickets_for_user(user("agent-smsu"), "console"))
    assert {t.ref for t in seen} == {"R-000001", "I-000003"}
    assert {t.service.name for t in seen} == {SMSU}
    geforp = {t.ref for t in tickets_for_user(user("agent-geforp"), "console")}
    assert geforp == {"I-000002", "R-000004", "R-000006"}
    # the ESUP agent works on the root: every ticket
    assert tickets_for_user(user("agent"), "console").count() == 7


def test_services_open_to_toulon_today_are_the_three(demo):
    toulon = Organisation.objects.get(code="toulon")
    larochelle = Organisation.objects.get(code="larochelle")
    assert set(services_open_to([toulon.pk]).values_list("name", flat=True)) == {
        GEFORP,
        ESUP,
        SMSU,
    }
    assert set(services_open_to([larochelle.pk]).values_list("name", flat=True)) == {ESUP, SMSU}
    # in 2019, before the conventions started, nothing was open
    assert not services_open_to([toulon.pk], on=dt.date(2019, 12, 31)).exists()


def test_conventions_of_toulon_are_the_seeds(demo):
    rows = set(
        CustomerContract.objects.filter(customer__code="toulon").values_list(
            "name", "provider__code", "start_date", "end_date", "status", "tacit_renewal"
        )
    )
    assert rows == {
        (
            "Conditions Générales d'Utilisation des Offres Hébergées ESUP",
            "esup",
            dt.date(2020, 1, 30),
            dt.date(2021, 1, 31),
            "production",
            True,
        ),
        (
            "Conditions Générales d'Utilisation Offre Hébergée GEFORP",
            "amu",
            dt.date(2020, 1, 1),
            dt.date(2023, 1, 1),
            "production",
            True,
        ),
        (
            "Conditions Générales d'Utilisation Offre Hébergée SMSU",
            "paris1",
            dt.date(2020, 1, 30),
            dt.date(2021, 1, 28),
            "production",
            True,
        ),
    }
    for contract in CustomerContract.objects.filter(customer__code="toulon"):
        assert contract.documents.filter(url__startswith="https://").count() == 1


def test_tree_support_models_and_faqs(demo):
    root = Organisation.objects.get(code="esup")
    assert root.parent is None and root.is_provider
    assert Organisation.objects.filter(parent=root).count() == 12
    assert Organisation.objects.get(uai="0830766G").code == "toulon"
    assert Organisation.objects.get(code="larochelle").email_domains == ["univ-larochelle.fr"]
    toulon_model = SupportModel.objects.get(name="Modèle de support Université de Toulon")
    assert {(line.service.name, line.team.name) for line in toulon_model.lines.all()} == {
        (ESUP, "Equipe ESUP Coordination Technique"),
        (GEFORP, "Equipe GEFORP"),
        (SMSU, "Equipe SMS-U"),
    }
    assert SupportModel.objects.filter(name="Modèle de support Université de La Rochelle").exists()
    faqs = set(Faq.objects.values_list("category__name", "title", "domains"))
    assert faqs == {
        (
            "ESUP Offres Hébergées",
            "Informations générales sur les offres hébergées ESUP",
            "Informations générales concernant les offres hébergées ESUP",
        ),
        ("GEFORP", "Conditions Générales d'Utilisation", "CGU"),
        ("SMSU", "Conditions Générales d'Utilisation", "CGU"),
        ("GEFORP", "Informations concernant l'application GEFORP", "Aides concernant GEFORP"),
        ("SMSU", "Informations concernant l'application SMS-U", "Aides concernant SMSU"),
    }
    assert all(f.services.count() == 1 for f in Faq.objects.all())


def test_history_rows_carry_the_seeds_dates(demo):
    i7 = ticket("I-000007")
    assigned = i7.history.filter(status="assigned").earliest("history_date")
    assert assigned.history_date == paris("2020-01-30 14:35:51")
    assert assigned.assignment_date == paris("2020-01-30 14:35:51")
    r4 = ticket("R-000004")
    closed = r4.history.filter(status="closed").get()
    assert closed.close_date == paris("2020-01-30 14:46:02")
    assert closed.resolution_date == paris("2020-01-30 14:44:32")


# --- service levels (issue 3) ------------------------------------------------------------------


def test_service_levels_of_the_three_providers(demo):
    for code in ("esup", "amu", "paris1"):
        hours = ServiceHours.objects.get(provider__code=code)
        assert hours.timezone == "Europe/Paris"
        intervals = [(i.weekday, i.start, i.end) for i in hours.intervals.all()]
        assert intervals == [
            (day, start, end)
            for day in range(5)
            for start, end in (
                (dt.time(8, 30), dt.time(12, 0)),
                (dt.time(13, 30), dt.time(17, 30)),
            )
        ]
        calendar = HolidayCalendar.objects.get(provider__code=code)
        assert (calendar.country, calendar.subdivision) == ("FR", "")
        sla = SLA.objects.get(provider__code=code)
        assert (sla.service_hours, sla.holiday_calendar) == (hours, calendar)
        # every priority of every request type has a TTO and a TTR goal
        assert sla.targets.count() == 4 * 3 * 2
        assert ProviderSlaSettings.objects.get(provider__code=code).auto_close_days == 7
    incident_p1 = SLA.objects.get(provider__code="esup").targets.filter(
        request_type="incident", priority=1
    )
    assert set(incident_p1.values_list("metric", "value", "unit")) == {
        ("tto", 4, "hours"),
        ("ttr", 2, "business_days"),
    }
    closures = HolidayCalendar.objects.get(provider__code="esup").closures
    assert closures.filter(first_day=dt.date(2025, 12, 24), last_day=dt.date(2025, 12, 31)).exists()
    assert not HolidayCalendar.objects.get(provider__code="amu").closures.exists()


def test_every_contract_of_toulon_and_la_rochelle_has_its_providers_sla(demo):
    coverages = CustomerContractService.objects.filter(
        contract__customer__code__in=["toulon", "larochelle"]
    ).select_related("sla", "service")
    assert coverages.count() == 5
    for coverage in coverages:
        assert coverage.sla is not None
        assert coverage.sla.provider_id == coverage.service.provider_id
    inboxes = {
        (i.address, i.service.name, i.subcategory.request_type)
        for i in MailInbox.objects.select_related("service", "subcategory")
    }
    assert inboxes == {
        ("support-esup@esup-portail.example.org", ESUP, "incident"),
        ("support-geforp@esup-portail.example.org", GEFORP, "incident"),
        ("support-smsu@esup-portail.example.org", SMSU, "incident"),
    }


def test_i7_clocks_are_the_seeds(demo):
    """I-000007, a priority 3 incident of ESUP: TTO 1 business day, TTR 5 business days.

    A business day is 7 h 30 (08:30-12:00, 13:30-17:30). Opened Thursday 30 January 2020
    12:21:05, during the lunch break: the clocks start at 13:30. Assigned at 14:35:51: the
    TTO stops after 1 h 05 min 51 s = 3,951 s of 27,000 ("SLA TTO dépassé ? non",
    "Dépassement SLA TTO 0s", as in the seed). The TTR runs on: 37 h 30 of business time =
    Thursday 30 13:30-17:30 (4 h) + Friday 31 (7 h 30) + Monday 3, Tuesday 4, Wednesday 5
    February (22 h 30) + Thursday 6 08:30-12:00 (3 h 30) → Thursday 6 February 2020 12:00
    Paris. Its 75 % (28 h 07 min 30 s) falls on Wednesday 5 February at 08:30 + 1 h 37 min
    30 s = 10:07:30.
    """
    i7 = ticket("I-000007")
    assert i7.status == "assigned"  # the seed's status: old breaches escalate nothing
    assert i7.ttr_deadline == paris("2020-02-06 12:00:00")
    assert i7.tto_deadline is None  # stopped at the assignment
    tto = SlaClock.objects.get(ticket=i7, metric="tto")
    assert (tto.goal_seconds, tto.elapsed_seconds, tto.running_since) == (27000, 3951, None)
    ttr = SlaClock.objects.get(ticket=i7, metric="ttr")
    assert ttr.goal_seconds == 5 * 27000
    assert ttr.running_since == paris("2020-01-30 14:35:51")
    assert ttr.warning_at == paris("2020-02-05 10:07:30")
    assert ttr.deadline == paris("2020-02-06 12:00:00")
    states = ticket_sla_states(i7)
    assert (states["tto"].passed, states["tto"].overrun_seconds) == (False, 0)
    assert states["ttr"].passed and states["ttr"].overrun_seconds > 0
    # the thresholds of 2020 are recorded at the instants they were crossed, quietly
    thresholds = set(
        SlaThresholdEvent.objects.filter(ticket=i7).values_list("metric", "threshold", "at")
    )
    assert thresholds == {
        ("ttr", 75, paris("2020-02-05 10:07:30")),
        ("ttr", 100, paris("2020-02-06 12:00:00")),
    }
    assert (ttr.warned_at, ttr.breached_at) == (ttr.warning_at, ttr.deadline)
    assert not TicketEvent.objects.filter(kind="sla_threshold").exists()


def test_the_first_periodic_run_after_the_demo_floods_nothing(
    demo, django_capture_on_commit_callbacks
):
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_threshold_sweep() == {"warnings": 0, "breaches": 0}
        assert notify_pending() == 0
        # I-000003 was resolved "yesterday": it stays resolved, like the seed shows it.
        assert auto_close_sweep() == 0
    assert dict(Ticket.objects.values_list("pk", "status")) == statuses
    assert ticket("I-000003").status == "resolved"
    assert OutgoingMail.objects.count() == 0


def test_loading_over_a_demo_made_before_the_service_levels(db):
    """A database loaded before issue 3 (tickets, no SLA): the clocks are replayed too."""
    demo_load()
    SlaThresholdEvent.objects.all().delete()
    SlaClock.objects.all().delete()
    CustomerContractService.objects.update(sla=None)
    Ticket.objects.update(tto_deadline=None, ttr_deadline=None)
    for model in (MailInbox, ProviderSlaSettings, SLA, ServiceHours, HolidayCalendar):
        model.objects.all().delete()
    again = demo_load()
    assert again["tickets"] == 0
    assert again["SLAs"] == 3 and again["SLA clocks replayed"] == 7
    assert ticket("I-000007").ttr_deadline == paris("2020-02-06 12:00:00")
    assert SlaThresholdEvent.objects.count() == 10
