"""The e-mail complement of a send always goes out, on one subject line.

Its subject defaults to the SMS's first 80 characters, which often hold a line break; a
subject typed with one (``Objet\\nBcc: x@…``, a header injection attempt) was kept too.
Django refuses such a header (``BadHeaderError``): the worker's after-commit step raised,
and the mail was marked sent but never went. Line breaks become spaces."""

from __future__ import annotations

import pytest

from esup_saas.offers.sms import services
from esup_saas.offers.sms.delivery import deliver_pending
from esup_saas.offers.sms.transports import ConsoleTransport
from tests.offers.sms.conftest import build_sms_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(world):
    return build_sms_world(world)


@pytest.mark.parametrize(
    "subject, expected",
    [
        ("", "Bonjour, Cours annulé demain."),
        ("Objet\r\nBcc: spy@evil.example", "Objet Bcc: spy@evil.example"),
    ],
)
def test_mail_complement_has_a_one_line_subject(
    sms, mailoutbox, django_capture_on_commit_callbacks, tmp_path, subject, expected
):
    with django_capture_on_commit_callbacks(execute=False):
        services.message_create(
            organisation=sms.world.customer,
            recipient_type="members",
            value="etu1 etu2",
            content="Bonjour,\nCours annulé demain.",
            actor=sms.world.owner.user,
            mail_subject=subject,
            mail_body="Le cours de demain est annulé.",
        )
    with django_capture_on_commit_callbacks(execute=True):
        deliver_pending(transport=ConsoleTransport(tmp_path / "sms.log"))
    [sent] = mailoutbox
    assert sent.subject == expected
    assert sent.bcc == ["etu1@c1.example.org", "etu2@c1.example.org"]
    assert "\n" not in str(sent.message()["Subject"])
    assert sent.body == "Le cours de demain est annulé."
