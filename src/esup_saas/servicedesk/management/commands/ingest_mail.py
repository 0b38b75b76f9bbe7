"""``esup-saas ingest-mail``: read one RFC 5322 message on standard input (an MTA pipe).

Postfix, for instance: ``support: "|/srv/esup-saas/.venv/bin/esup-saas ingest-mail"`` in
``/etc/aliases``. Exit status 0 when the message was handled (threaded, ticket opened,
refused with a reply, ignored or already seen), 75 (``EX_TEMPFAIL``, sysexits.h) when it
could not be handled now, so the MTA keeps it and tries again.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one e-mail (RFC 5322) on standard input and thread it or open a ticket."

    def handle(self, *args, **options):
        from esup_saas.servicedesk.mail_in import mail_ingest

        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("no message on standard input", returncode=EX_TEMPFAIL)
        try:
            result = mail_ingest(raw=raw)
        except Exception as exc:
            raise CommandError(
                f"could not ingest the message: {exc}", returncode=EX_TEMPFAIL
            ) from exc
        self.stdout.write(f"{result.status} {result.ticket_ref} {result.reason}".strip())
