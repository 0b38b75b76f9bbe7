"""Fixtures of the SMS-U tests: the shared world with SMS-U open to Customer One and Two,
opted-in people in a local group, and a real SMPP simulator on 127.0.0.1.

``Service A`` (provider P1) becomes the SMS-U service (``offer_code`` ``sms``); both customers
hold a contract in force for it. Customer One (``c1``) gets a group "M1 Test" of 5 opted-in
students (numbers +33 6 00 00 20 01…05) plus one who did not opt in; ``owner`` (PCU of c1)
is an SMS-U administrator; ``member`` (end user) is a teacher with the role "Enseignant".
Deliveries are manual (``SMS_DELIVERY = "manual"``): tests call the workers themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from esup_saas.offers.sms.models import (
    BillingAccount,
    Function,
    RecipientGroup,
    RoleAssignment,
    SenderGroup,
    SmsRole,
    SmsSettings,
    Subscriber,
)
from esup_saas.offers.sms.smsc_sim import SimConfig, Simulator
from esup_saas.offers.sms.transports import SmppConfig, SmppTransport
from esup_saas.tenancy.models import Person
from esup_saas.tenancy.services import person_create
from tests.conftest import World


@dataclass
class SmsWorld:
    world: World
    settings: SmsSettings
    account: BillingAccount
    group: RecipientGroup
    teachers: SenderGroup
    students: list[Person]
    other_group: RecipientGroup
    other_account: BillingAccount


def student_phone(n: int) -> str:
    return f"+336000020{n:02d}"


def build_sms_world(world: World) -> SmsWorld:
    world.service.offer_code = "sms"
    world.service.save()
    c1, c2 = world.customer, world.other_customer
    settings = SmsSettings.objects.create(organisation=c1, sender_id="UNIV TEST", quota=1000)
    SmsSettings.objects.create(organisation=c2, sender_id="OTHER")
    account = BillingAccount.objects.create(organisation=c1, label="Scolarité", quota=500)
    other_account = BillingAccount.objects.create(organisation=c2, label="Autre")
    teachers = SenderGroup.objects.create(
        organisation=c1, name="Enseignants", quota=300, max_recipients=3, account=account
    )
    teachers.members.set([world.member])
    teachers.supervisors.set([world.owner])
    students = []
    for n in range(1, 7):
        person = person_create(
            first_name=f"Etu{n}",
            last_name=f"Test{n}",
            organisation=c1,
            email=f"etu{n}@c1.example.org",
            username=f"etu{n}",
            password="pw",
        )
        students.append(person)
        if n <= 5:
            Subscriber.objects.create(
                organisation=c1, person=person, phone=student_phone(n), general_accepted=True
            )
    group = RecipientGroup.objects.create(organisation=c1, name="M1 Test")
    group.members.set(students)
    group.supervisors.set([world.owner])
    other_group = RecipientGroup.objects.create(organisation=c2, name="Groupe C2")
    role = SmsRole.objects.create(
        organisation=c1,
        name="Enseignant",
        functions=[
            Function.SEND_MEMBERS,
            Function.SEND_GROUPS,
            Function.SEND_FREE,
            Function.SEND_LIST,
            Function.ADD_MAIL,
            Function.TRACK_OWN,
        ],
    )
    RoleAssignment.objects.create(role=role, person=world.member)
    return SmsWorld(world, settings, account, group, teachers, students, other_group, other_account)


@pytest.fixture(autouse=True)
def _manual_delivery(settings):
    settings.SMS_DELIVERY = "manual"


@pytest.fixture
def sms(world) -> SmsWorld:
    return build_sms_world(world)


@pytest.fixture
def simulator():
    sim = Simulator(config=SimConfig(receipt_delay=0.02)).start()
    yield sim
    sim.stop()


@pytest.fixture
def smpp(simulator):
    link = SmppTransport(
        SmppConfig(port=simulator.port, backoff_initial=0.01, window=5, rate=1000, timeout=5)
    )
    yield link
    link.close()


# The identity tests' real OpenLDAP (Debian slapd), started once per session when needed.
from tests.identity.peers.fixtures import slapd  # noqa: E402, F401
