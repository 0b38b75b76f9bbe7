"""The REST API of SMS-U answers with the user's rights, as its pages do.

``blacklist/<phone>/`` told anyone of the institution (a student with no SMS-U function)
whether a number is on its blacklist; like ``quota/``, it now needs a right to send, or
the one to manage the blacklist."""

from __future__ import annotations

import pytest

from esup_saas.offers.sms.models import BlacklistedNumber
from esup_saas.tenancy.models import Role
from esup_saas.tenancy.services import membership_grant, person_create
from tests.conftest import PASSWORD
from tests.offers.sms.conftest import build_sms_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(world):
    built = build_sms_world(world)
    BlacklistedNumber.objects.create(
        organisation=world.customer, phone="+33600007777", source="admin"
    )
    return built


@pytest.fixture
def student(sms):
    person = person_create(
        first_name="Sam",
        last_name="Student",
        organisation=sms.world.customer,
        email="sam@c1.example.org",
        username="sam",
        password=PASSWORD,
    )
    membership_grant(person=person, organisation=sms.world.customer, role=Role.END_USER)
    return person


URLS = ["/sms/api/c1/blacklist/0600007777/", "/sms/api/c1/quota/?recipients=1"]


@pytest.mark.parametrize("url", URLS)
def test_a_user_without_sms_functions_is_refused(student, as_user, url):
    assert as_user(student).get(url).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_a_sender_may_ask(sms, as_user, url):
    assert as_user(sms.world.member).get(url).status_code == 200


def test_the_answer_is_unchanged_for_a_sender(sms, as_user):
    response = as_user(sms.world.owner).get(URLS[0])
    assert response.json() == {"phone": "+33600007777", "blacklisted": True}
