"""An institution's SMS-U settings cannot break the sweeper of every institution.

``delivery.sweep`` (every 5 minutes, for all institutions at once) subtracts each
institution's ``in_progress_timeout_hours`` and ``retention_days`` from now: a PCU who typed
2147483647 made ``now - timedelta(...)`` overflow, and the sweep (leases, overdue receipts,
retention purge) failed for every tenant at every run. The settings are bounded (30 days
of waiting for a receipt, ten years of retention) and the largest values sweep fine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from esup_saas.offers.sms import services
from esup_saas.offers.sms.delivery import sweep
from esup_saas.offers.sms.models import Message, SmsSettings
from tests.offers.sms.conftest import build_sms_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(world):
    return build_sms_world(world)


def _form(**changes):
    data = {
        "sender_id": "UNIV TEST",
        "max_parts": 1,
        "consent_storage": "local",
        "general_conditions": "CG",
        "retention_days": 180,
        "in_progress_timeout_hours": 12,
        "quota": 1000,
    }
    return {**data, **changes}


@pytest.mark.parametrize("field", ["in_progress_timeout_hours", "retention_days"])
@pytest.mark.parametrize("value", [2147483647, 999999999])
def test_settings_page_refuses_a_delay_beyond_the_bound(sms, as_user, field, value):
    response = as_user(sms.world.owner).post("/sms/c1/parametres/", _form(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].has_error(field)
    saved = SmsSettings.objects.get(organisation=sms.world.customer)
    assert getattr(saved, field) in (12, 180)


def test_the_largest_settings_sweep_fine(sms):
    SmsSettings.objects.filter(organisation=sms.world.customer).update(
        in_progress_timeout_hours=SmsSettings.MAX_IN_PROGRESS_HOURS,
        retention_days=SmsSettings.MAX_RETENTION_DAYS,
    )
    message = services.message_create(
        organisation=sms.world.other_customer,
        recipient_type="free",
        value="0600002001",
        content="Bonjour",
    )
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    old = services.message_create(
        organisation=sms.world.customer,
        recipient_type="free",
        value="0600002002",
        content="Bonjour",
    )
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    report = sweep()
    assert report.purged == 1  # the other institution's send, by its default retention
    assert Message.objects.get(pk=message.pk).purged_at is not None
    assert Message.objects.get(pk=old.pk).purged_at is None


def test_a_value_stored_before_the_bound_does_not_stop_the_sweep_of_the_others(sms):
    SmsSettings.objects.filter(organisation=sms.world.customer).update(
        in_progress_timeout_hours=2147483647, retention_days=2147483647
    )
    message = services.message_create(
        organisation=sms.world.other_customer,
        recipient_type="free",
        value="0600002001",
        content="Bonjour",
    )
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    mine = services.message_create(
        organisation=sms.world.customer,
        recipient_type="free",
        value="0600002002",
        content="Bonjour",
    )
    Message.objects.filter(pk=mine.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    assert sweep().purged == 1
    assert Message.objects.get(pk=message.pk).purged_at is not None
