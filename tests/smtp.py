"""A real SMTP server (``aiosmtpd``) on 127.0.0.1 for the tests that send mail.

``smtp_server`` starts it on a free port, points Django's SMTP backend at it and yields an
:class:`Inbox` whose ``messages`` are the parsed ``email.message.EmailMessage`` received.
Import the fixture into a test module: ``from tests.smtp import smtp_server  # noqa: F401``.
"""

from __future__ import annotations

import email
import email.policy
import socket
import time
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    port: int
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if msg["Subject"] is not None:
            # As a mail reader shows it: Django folds a long encoded subject onto a
            # continuation line, which Python's parser keeps as a leading space.
            msg.replace_header("Subject", " ".join(str(msg["Subject"]).split()))
        self.messages.append(msg)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[email.message.EmailMessage]:
        """Wait until ``count`` messages arrived (for mail sent by another process)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp_server(settings):
    port = free_port()
    inbox = Inbox(port=port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "support@esup.example.org"
    try:
        yield inbox
    finally:
        controller.stop()
