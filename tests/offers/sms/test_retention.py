"""Retention (specs/sms.md item 18): past the institution's retention period a send keeps
its counts and loses its content and numbers; reports stay right. Transliteration (item 12)
and the usage metric the platform reads through the registry (item 19)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from esup_saas.catalog.registry import get_offer
from esup_saas.offers.sms import services
from esup_saas.offers.sms.delivery import sweep
from esup_saas.offers.sms.models import ClientSendKey, Message, Recipient, RecipientState
from esup_saas.offers.sms.reports import Period, consolidated, detail
from esup_saas.offers.sms.retention import purge_expired
from esup_saas.offers.sms.selectors import message_counts

pytestmark = pytest.mark.django_db


def _send(sms, content="Rappel", numbers="0600001111\n0600001112"):
    return services.message_create(
        organisation=sms.world.customer,
        recipient_type="list",
        value=numbers,
        content=content,
        actor=sms.world.owner.user,
    )


def test_purge_keeps_counts_and_drops_content_and_numbers(sms):
    old = _send(sms)
    Recipient.objects.filter(message=old).update(state=RecipientState.DELIVERED)
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=181))
    recent = _send(sms, content="Récent")
    assert purge_expired() == 1
    old.refresh_from_db()
    assert old.purged_at is not None and old.content == "" and not old.recipients.exists()
    counts = message_counts(old)
    assert (counts["total"], counts["delivered"]) == (2, 2)
    assert old.charged == 2
    recent.refresh_from_db()
    assert recent.content == "Récent" and recent.recipients.count() == 2
    period = Period(dt.date.today() - dt.timedelta(days=400), dt.date.today() + dt.timedelta(1))
    rows = consolidated(organisation=sms.world.customer, period=period)
    assert sum(row[6] for row in rows) == 4  # SMS charged, purged send included
    purged_row = next(
        r for r in detail(organisation=sms.world.customer, period=period) if r[0] == old.reference
    )
    assert purged_row[7] == 2  # delivered, from the kept counts
    assert purge_expired() == 0  # once


def test_retention_is_per_institution_and_runs_in_the_sweeper(sms):
    sms.settings.retention_days = 30
    sms.settings.save()
    app, _secret = services.application_create(
        organisation=sms.world.customer, name="app", account=sms.account
    )
    sent = services.message_create(
        organisation=sms.world.customer,
        recipient_type="list",
        value="0600001111",
        content="API",
        application=app,
        client_id="7",
    )
    Message.objects.filter(pk=sent.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert ClientSendKey.objects.filter(message=sent).exists()
    assert sweep().purged == 1
    assert not ClientSendKey.objects.filter(message=sent).exists()


def test_transliteration_keeps_a_french_text_in_one_gsm7_sms(sms):
    text = "Réunion d’équipe « très importante » : le cœur du sujet, à 14h… Venez nombreux !"
    assert services.gsm.analyse(text).encoding == "UCS-2"
    sms.settings.transliterate = True
    sms.settings.save()
    message = _send(sms, content=text)
    assert message.encoding == "GSM-7" and message.parts == 1
    assert message.content == (
        'Réunion d\'équipe " très importante " : le coeur du sujet, à 14h... Venez nombreux !'
    )


def test_the_usage_metric_counts_sms_charged(sms):
    _send(sms)
    metric = get_offer("sms").metrics["sms_sent"]
    now = timezone.now()
    assert metric(sms.world.customer.pk, now - dt.timedelta(hours=1), now + dt.timedelta(1)) == 2
    assert metric(sms.world.other_customer.pk, now - dt.timedelta(hours=1), now) == 0
