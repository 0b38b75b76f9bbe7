"""Benchmark of SMS-U's sending path (issue 5, item 11); not run by the test suite.

    .venv/bin/python bench/sms.py                          # 50,000 recipients, 5,000 SMS
    .venv/bin/python bench/sms.py --recipients 10000 --messages 2000 --window 20
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/esup_bench .venv/bin/python bench/sms.py

Prints:

1. the time to prepare a 50,000-recipient send (``services.message_create`` on a pasted list:
   parsing and deduplicating the numbers, the blacklist, the length of each personalised
   text, the quotas under row locks, and the outbox rows), split into the number parsing
   alone and the rest, per recipient too;
2. messages per second submitted to the local SMSC simulator (real SMPP 3.4 PDUs over TCP
   on 127.0.0.1, ``--window`` unanswered submit_sm, no rate limit) by ``deliver_pending``,
   and the rate at which delivery receipts came back and were applied, until every
   recipient is ``delivered``; with the per-part database writes that make a killed worker
   safe, against the bare link (the same PDUs with no database) as the reference.

The database is migrated first; with no ``DATABASE_URL`` a temporary SQLite file is used.
Do not point it at a database you care about.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def setup_world():  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.core.management import call_command

    from esup_saas.catalog.models import (
        ContractStatus,
        CustomerContract,
        CustomerContractService,
        Service,
        ServiceFamily,
    )
    from esup_saas.offers.sms.models import SmsSettings
    from esup_saas.tenancy.models import Organisation, Person

    call_command("migrate", verbosity=0)
    provider = Organisation.objects.create(name="Bench provider", code="bench-p", is_provider=True)
    customer = Organisation.objects.create(name="Bench customer", code="bench-c", is_customer=True)
    family = ServiceFamily.objects.create(name="Bench family")
    service = Service.objects.create(
        name="Bench SMS-U", family=family, provider=provider, offer_code="sms"
    )
    contract = CustomerContract.objects.create(
        name="Bench convention",
        customer=customer,
        provider=provider,
        status=ContractStatus.PRODUCTION,
        start_date=dt.date(2020, 1, 1),
    )
    CustomerContractService.objects.create(contract=contract, service=service)
    SmsSettings.objects.create(organisation=customer, sender_id="BENCH")
    sender = Person.objects.create(first_name="Bench", last_name="Sender", organisation=customer)
    return customer, sender


def numbers(count: int, offset: int = 0) -> list[str]:
    """Invented metropolitan mobiles 06 00 xx xx xx."""
    return [f"06{(offset + n) % 100_000_000:08d}" for n in range(count)]


def prepare_bench(customer, sender, count: int) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    from esup_saas.lib.phone import parse_mobile
    from esup_saas.offers.sms import services

    listing = numbers(count)
    t0 = time.perf_counter()
    for raw in listing:
        parse_mobile(raw)
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    message = services.message_create(
        organisation=customer,
        sender=sender,
        recipient_type="list",
        value="\n".join(listing),
        content="Bench : fermeture exceptionnelle du campus demain, {prenom}.",
    )
    total_s = time.perf_counter() - t0
    assert message.recipients.count() == count, "every recipient in the outbox"
    print(f"1. Preparing a {count:,}-recipient send ({connection.vendor})")
    print(
        f"   total (resolution, quotas, outbox): {total_s:6.2f} s  "
        f"({total_s / count * 1e6:6.1f} µs/recipient)"
    )
    print(
        f"   of which parsing the numbers:       {parse_s:6.2f} s  ({parse_s / total_s:5.1%} of it)"
    )
    print(f"   rest (lengths, blacklist, quota, rows): {total_s - parse_s:6.2f} s")
    # The send stays unsent: what is measured is preparing it.
    from esup_saas.offers.sms.models import Message, MessageState

    Message.objects.filter(pk=message.pk).update(state=MessageState.CANCELLED)


def delivery_bench(customer, sender, count: int, window: int) -> None:  # type: ignore[no-untyped-def]
    from esup_saas.lib.gsm import encode
    from esup_saas.offers.sms import services
    from esup_saas.offers.sms.delivery import apply_receipts, deliver_pending
    from esup_saas.offers.sms.models import Recipient, RecipientState
    from esup_saas.offers.sms.smsc_sim import SimConfig, Simulator
    from esup_saas.offers.sms.transports import OutgoingPart, SmppConfig, SmppTransport

    config = SmppConfig(window=window, rate=0, timeout=10)
    print(f"\n2. Delivery of {count:,} SMS to the local SMSC simulator (window {window})")
    # Reference: the bare link, same PDUs, no database.
    with Simulator(config=SimConfig(receipt_delay=0.0, receipts=False)) as sim:
        link = SmppTransport(SmppConfig(port=sim.port, window=window, rate=0, timeout=10))
        (part,) = encode("Bench : fermeture exceptionnelle du campus demain.")
        parts = [
            OutgoingPart(n, f"+336{n:08d}", "BENCH", part.payload, part.data_coding, False)
            for n in range(count)
        ]
        done: list[int] = []
        t0 = time.perf_counter()
        link.submit(parts, lambda result: done.append(result.key))
        bare_s = time.perf_counter() - t0
        link.close()
    bare_rate = count / bare_s
    print(f"   bare SMPP link (no database):       {bare_rate:8,.0f} msg/s ({bare_s:.2f} s)")
    with Simulator(config=SimConfig(receipt_delay=0.0)) as sim:
        config.port = sim.port
        message = services.message_create(
            organisation=customer,
            sender=sender,
            recipient_type="list",
            value="\n".join(numbers(count, offset=50_000_000)),
            content="Bench : fermeture exceptionnelle du campus demain.",
        )
        link = SmppTransport(config)
        t0 = time.perf_counter()
        report = deliver_pending(transport=link, limit=count)
        submit_s = time.perf_counter() - t0
        assert report.accepted == count, report
        delivered = 0
        while delivered < count and time.perf_counter() - t0 < 600:
            apply_receipts(link.poll(0.2).receipts)
            delivered = Recipient.objects.filter(
                message=message, state=RecipientState.DELIVERED
            ).count()
        total_s = time.perf_counter() - t0
        link.close()
    rate = count / submit_s
    print(
        f"   deliver_pending (leases, parts, batched commits): "
        f"{rate:8,.0f} msg/s ({submit_s:.2f} s), {rate / bare_rate:5.2f}× the bare link"
    )
    print(
        f"   until every receipt is applied:     {count / total_s:8,.0f} msg/s end to end "
        f"({total_s:.2f} s, {delivered:,} delivered)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--window", type=int, default=10)
    args = parser.parse_args()
    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.TemporaryDirectory(prefix="esup-sms-bench-")
        os.environ["ESUP_SAAS_VAR_DIR"] = tmp.name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esup_saas.settings")
    os.environ["ESUP_SAAS_SMS_DELIVERY"] = "manual"  # the bench drives the worker itself
    os.environ.pop("REDIS_URL", None)
    import logging

    logging.disable(logging.WARNING)
    try:
        import django

        django.setup()
        customer, sender = setup_world()
        prepare_bench(customer, sender, args.recipients)
        delivery_bench(customer, sender, args.messages, args.window)
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
