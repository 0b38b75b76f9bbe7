"""``esup-saas sms-simulator``: the local SMSC simulator (real SMPP 3.4 PDUs) on 127.0.0.1,
for trying the SMPP transport with no operator (``ESUP_SAAS_SMS_TRANSPORT=smpp``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Démarre le simulateur de SMSC (SMPP 3.4) pour essayer SMS-U sans opérateur."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=2775)
        parser.add_argument("--receipt-delay", type=float, default=1.0)
        parser.add_argument("--invalid", nargs="*", default=[], help="numbers (digits) to UNDELIV")

    def handle(self, *args: Any, **options: Any) -> None:
        from esup_saas.offers.sms.smsc_sim import main

        main(
            [
                "--port",
                str(options["port"]),
                "--receipt-delay",
                str(options["receipt_delay"]),
                "--invalid",
                *options["invalid"],
            ]
        )
