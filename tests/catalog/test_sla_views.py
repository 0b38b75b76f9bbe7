"""Console pages of the service levels, from the right and from the wrong tenant."""

from __future__ import annotations

import pytest

from esup_saas.catalog.models import CustomerContractService
from esup_saas.catalog.models_sla import SLA, HolidayCalendar, ServiceHours
from esup_saas.catalog.services_sla import sla_save
from esup_saas.tenancy.models import Role
from esup_saas.tenancy.services import membership_grant, person_create
from tests.conftest import PASSWORD


def manager_of(org, username):
    person = person_create(
        first_name="Gérante",
        last_name=username,
        organisation=org,
        email=f"{username}@example.org",
        username=username,
        password=PASSWORD,
    )
    membership_grant(person=person, organisation=org, role=Role.SERVICE_MANAGER)
    return person


@pytest.fixture
def managers(world):
    return manager_of(world.provider, "mgr1"), manager_of(world.other_provider, "mgr2")


FIELDS = {
    "iv": ("weekday", "start", "end"),
    "cl": ("label", "first_day", "last_day"),
    "slt": ("priority", "request_type", "metric", "value", "unit"),
}


def formset(prefix, rows, total=None):
    """POST data of a formset as a browser sends it: the extra rows come back empty."""
    total = total or len(rows)
    rows = list(rows) + [dict.fromkeys(FIELDS[prefix], "")] * (total - len(rows))
    data = {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def test_home_lists_only_my_providers_objects(world, managers, as_user):
    mine = sla_save(actor=None, provider=world.provider, name="Mine", targets=[])
    sla_save(actor=None, provider=world.other_provider, name="Theirs", targets=[])
    response = as_user(managers[0]).get("/console/sla/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"/console/sla/{mine.pk}/" in body
    assert "Theirs" not in body
    assert "Convention c1 p2" not in body  # another provider's contracts
    assert "Convention c1 p1" in body


def test_home_puts_the_colons_of_each_language(world, managers, as_user, settings):
    """French "TTO P1 Incident : 4 heures", English "TTO P1 Incident: 4 hours"."""
    target = {"priority": 1, "request_type": "incident", "metric": "tto", "value": 4}
    sla_save(actor=None, provider=world.provider, name="Mine", targets=[target | {"unit": "hours"}])
    client = as_user(managers[0])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the navbar switch's cookie
    english = client.get("/console/sla/").content.decode()
    assert "TTO P1 Incident: 4 hours" in english
    assert "Provider One: <a" in english
    # French last: a request leaves its language active in the thread for the next tests.
    french = as_user(managers[0]).get("/console/sla/").content.decode()
    assert "TTO P1 Incident : 4 heures" in french
    assert "Provider One : <a" in french


@pytest.mark.parametrize("who", ["owner", "agent", "outsider"])
def test_people_who_do_not_manage_levels_get_404(world, as_user, who):
    assert as_user(getattr(world, who)).get("/console/sla/").status_code == 404


def test_another_providers_objects_answer_404(world, managers, as_user):
    theirs = sla_save(actor=None, provider=world.other_provider, name="Theirs", targets=[])
    hours = ServiceHours.objects.create(provider=world.other_provider, name="H")
    cal = HolidayCalendar.objects.create(provider=world.other_provider, name="C")
    coverage = CustomerContractService.objects.get(
        contract__customer=world.customer, service=world.other_service
    )
    client = as_user(managers[0])
    for url in (
        f"/console/sla/{theirs.pk}/",
        f"/console/sla/hours/{hours.pk}/",
        f"/console/sla/calendars/{cal.pk}/",
        f"/console/sla/coverages/{coverage.pk}/",
        "/console/sla/providers/p2/",
        "/console/sla/999999/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_create_hours_calendar_and_sla_then_choose_it(world, managers, as_user):
    client = as_user(managers[0])
    data = {"provider": world.provider.pk, "name": "Bureau", "timezone": "Europe/Paris"}
    data |= formset(
        "iv",
        [
            {"weekday": "0", "start": "08:00", "end": "12:00"},
            {"weekday": "0", "start": "13:30", "end": "17:30"},
        ],
        total=5,
    )
    assert client.post("/console/sla/hours/new/", data).status_code == 302
    hours = ServiceHours.objects.get(name="Bureau")
    assert [str(i) for i in hours.intervals.all()] == ["lundi 08:00-12:00", "lundi 13:30-17:30"]

    data = {"provider": world.provider.pk, "name": "Strasbourg", "country": "FR"}
    data |= {"subdivision": "alsace-moselle"}
    data |= formset(
        "cl", [{"label": "Noël", "first_day": "2026-12-24", "last_day": "2026-12-31"}], total=3
    )
    assert client.post("/console/sla/calendars/new/", data).status_code == 302
    cal = HolidayCalendar.objects.get(name="Strasbourg")
    assert cal.subdivision == "alsace-moselle"
    assert cal.closures.get().label == "Noël"

    data = {
        "provider": world.provider.pk,
        "name": "Or",
        "service_hours": hours.pk,
        "holiday_calendar": cal.pk,
    }
    data |= formset(
        "slt",
        [
            {
                "priority": "1",
                "request_type": "incident",
                "metric": "tto",
                "value": "15",
                "unit": "minutes",
            },
            {
                "priority": "1",
                "request_type": "incident",
                "metric": "ttr",
                "value": "2",
                "unit": "business_days",
            },
        ],
        total=6,
    )
    assert client.post("/console/sla/new/", data).status_code == 302
    sla = SLA.objects.get(name="Or")
    assert sorted(sla.targets.values_list("metric", "value", "unit")) == [
        ("tto", 15, "minutes"),
        ("ttr", 2, "business_days"),
    ]
    coverage = CustomerContractService.objects.get(
        contract__customer=world.customer, service=world.service
    )
    response = client.post(f"/console/sla/coverages/{coverage.pk}/", {"sla": sla.pk})
    assert response.status_code == 302
    coverage.refresh_from_db()
    assert coverage.sla == sla
    response = client.post("/console/sla/providers/p1/", {"auto_close_days": "3"})
    assert response.status_code == 302
    assert world.provider.sla_settings.auto_close_days == 3


def test_bad_input_is_shown_and_nothing_written(world, managers, as_user):
    client = as_user(managers[0])
    data = {"provider": world.provider.pk, "name": "Chevauchement", "timezone": "Europe/Paris"}
    data |= formset(
        "iv",
        [
            {"weekday": "0", "start": "08:00", "end": "12:00"},
            {"weekday": "0", "start": "11:00", "end": "14:00"},
        ],
    )
    response = client.post("/console/sla/hours/new/", data)
    assert response.status_code == 200
    assert "se chevauchent" in response.content.decode()
    assert not ServiceHours.objects.exists()
    # Another provider's SLA cannot be chosen: it is not among the choices.
    theirs = sla_save(actor=None, provider=world.other_provider, name="Theirs", targets=[])
    coverage = CustomerContractService.objects.get(
        contract__customer=world.customer, service=world.service
    )
    response = client.post(f"/console/sla/coverages/{coverage.pk}/", {"sla": theirs.pk})
    assert response.status_code == 200
    coverage.refresh_from_db()
    assert coverage.sla is None
    # Two targets for the same goal.
    row = {
        "priority": "1",
        "request_type": "incident",
        "metric": "tto",
        "value": "5",
        "unit": "minutes",
    }
    data = {"provider": world.provider.pk, "name": "Doublon"} | formset("slt", [row, row])
    response = client.post("/console/sla/new/", data)
    assert response.status_code == 200
    assert "même priorité" in response.content.decode()
    assert not SLA.objects.filter(name="Doublon").exists()


def test_sla_targets_use_singular_and_plural_units(world, managers, as_user):
    from tests.servicedesk.sla_helpers import target

    sla_save(
        actor=None,
        provider=world.provider,
        name="Pluriels",
        targets=[
            target(1, "tto", 1, "minutes"),
            target(1, "ttr", 1),
            target(2, "tto", 30, "minutes"),
            target(2, "ttr", 4),
            target(4, "tto", 1, "business_days"),
            target(4, "ttr", 5, "business_days"),
        ],
    )
    body = as_user(managers[0]).get("/console/sla/").content.decode()
    for shown in (
        "TTO P1 Incident : 1 minute<",
        "TTR P1 Incident : 1 heure<",
        "TTO P2 Incident : 30 minutes<",
        "TTR P2 Incident : 4 heures<",
        "TTO P4 Incident : 1 jour ouvré<",
        "TTR P4 Incident : 5 jours ouvrés<",
    ):
        assert shown in body, shown
    assert "1 jours" not in body and "1 heures" not in body


def test_slt_amount_agrees_in_number():
    from esup_saas.catalog.selectors_sla import slt_amount

    assert [slt_amount(n, "business_days") for n in (1, 2)] == ["1 jour ouvré", "2 jours ouvrés"]
    assert [slt_amount(n, "hours") for n in (1, 8)] == ["1 heure", "8 heures"]
    assert [slt_amount(n, "minutes") for n in (1, 15)] == ["1 minute", "15 minutes"]


def test_sla_target_units_agree_in_number_in_english(world, managers, as_user, settings):
    from tests.servicedesk.sla_helpers import target

    sla_save(
        actor=None,
        provider=world.provider,
        name="Plurals",
        targets=[
            target(1, "ttr", 1),
            target(4, "tto", 1, "business_days"),
            target(4, "ttr", 5, "business_days"),
        ],
    )
    client = as_user(managers[0])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/console/sla/").content.decode()
    assert "TTR P1 Incident: 1 hour<" in body
    assert "TTO P4 Incident: 1 business day<" in body
    assert "TTR P4 Incident: 5 business days<" in body
