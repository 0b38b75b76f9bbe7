"""SMS-U against the real OpenLDAP of the identity tests (issue item 9): opted-in members of
a directory group are found, whatever the group style; non-consenting ones are not; opting
in and out writes ``{SMSU}CG`` / ``{SMSU}<KEY>`` and the mobile the SUPANN way; rights given
to a directory group reach its members.

The directory (``tests/identity/peers/fixtures.py``): group ``all-staff`` holds the 128
even-numbered people ``p0002``…``p0256``; even ones have a mobile, multiples of 3 accepted
``{SMSU}CG``, so 42 of them (multiples of 6) count. ``dsi`` holds jdupont (mobile and
``{SMSU}CG``), p0001 (neither), p0002 (mobile only) and a person without either.
"""

from __future__ import annotations

import pytest
from ldap3 import MODIFY_REPLACE, Connection, Server

from esup_saas.identity.directory import close_all_connections
from esup_saas.identity.models import DirectoryConfig, GroupStyle
from esup_saas.offers.sms import services
from esup_saas.offers.sms.models import (
    ConsentStorage,
    RecipientGroup,
    RoleAssignment,
    SmsRole,
    SpecialCondition,
)
from esup_saas.offers.sms.recipients import resolve
from esup_saas.offers.sms.selectors import functions_for
from esup_saas.tenancy.services import person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(sms, slapd):
    close_all_connections()
    config = DirectoryConfig.objects.create(
        organisation=sms.world.customer,
        url=slapd.url,
        bind_dn=slapd.service_dn,
        bind_password=slapd.service_password,
        base_dn=slapd.base,
        people_base="ou=people",
        group_base="ou=groups",
        page_size=40,
    )
    sms.settings.consent_storage = ConsentStorage.DIRECTORY
    sms.settings.save()
    yield config
    close_all_connections()


@pytest.fixture
def ldap_admin(slapd):
    conn = Connection(Server(slapd.url), slapd.admin_dn, slapd.admin_password, auto_bind=True)
    yield conn
    conn.unbind()


def _group(sms, name: str, directory_group: str) -> RecipientGroup:
    return RecipientGroup.objects.create(
        organisation=sms.world.customer, name=name, directory_group=directory_group
    )


def test_opted_in_members_of_a_group_are_found_and_the_others_not(sms, directory):
    dsi = resolve(
        organisation=sms.world.customer,
        recipient_type="group",
        value=str(_group(sms, "DSI", "dsi").pk),
    )
    assert [(c.login, c.phone) for c in dsi.recipients] == [("jdupont", "+33612345678")]
    assert dsi.recipients[0].first_name == "Jeanne"
    assert dsi.skipped == 3  # p0001, p0002 and the front desk have not opted in
    staff = resolve(
        organisation=sms.world.customer,
        recipient_type="group",
        value=str(_group(sms, "Personnels", "cn=all-staff,ou=groups," + directory.base_dn).pk),
    )
    assert staff.count == 42 and staff.skipped == 86
    assert {c.login for c in staff.recipients} == {f"p{n:04d}" for n in range(6, 257, 6)}


@pytest.mark.parametrize(
    ("style", "group", "expected"),
    [
        (GroupStyle.MEMBER, "all-staff", 42),
        (GroupStyle.MEMBER_OF, "all-staff", 42),
        (GroupStyle.MEMBER_UID, "l1-info", 1),  # p0102 only
    ],
)
def test_every_group_style(sms, directory, style, group, expected):
    directory.group_style = style
    directory.save()
    found = resolve(
        organisation=sms.world.customer,
        recipient_type="group",
        value=str(_group(sms, group, group).pk),
    )
    assert found.count == expected


def test_members_and_ldap_filter(sms, directory):
    members = resolve(
        organisation=sms.world.customer,
        recipient_type="members",
        value="jdupont p0001 p0006",
    )
    assert sorted(c.login for c in members.recipients) == ["jdupont", "p0006"]
    staff_filter = resolve(
        organisation=sms.world.customer,
        recipient_type="filter",
        value="(eduPersonAffiliation=staff)",
    )
    assert staff_filter.count == 43  # the 42 of all-staff, and jdupont


def test_opt_in_and_out_write_the_directory_the_supann_way(sms, directory, ldap_admin):
    c1 = sms.world.customer
    person = person_create(
        first_name="Prenom0012",
        last_name="Nom0012",
        organisation=c1,
        username="p0012@c1.example.org",
        password="pw",
    )
    alert = SpecialCondition.objects.create(organisation=c1, key="ALERT", name="Alertes")
    dn = "uid=p0012,ou=people," + directory.base_dn
    try:
        consent = services.optin_save(
            organisation=c1,
            person=person,
            phone="06 00 00 99 12",
            accept_general=True,
            services=[alert],
        )
        assert (consent.phone, consent.general, consent.services) == (
            "+33600009912",
            True,
            frozenset({"ALERT"}),
        )
        ldap_admin.search(dn, "(objectClass=*)", attributes=["mobile", "supannCGUAcceptee"])
        entry = ldap_admin.entries[0]
        assert entry.mobile.values == ["+33600009912"]
        assert sorted(entry.supannCGUAcceptee.values) == ["{SMSU}ALERT", "{SMSU}CG"]
        group = _group(sms, "Personnels", "all-staff")
        for_alert = resolve(
            organisation=c1,
            recipient_type="group",
            value=str(group.pk),
            special_condition=alert,
        )
        assert [(c.login, c.phone) for c in for_alert.recipients] == [("p0012", "+33600009912")]
        services.optin_withdraw(organisation=c1, person=person)
        ldap_admin.search(dn, "(objectClass=*)", attributes=["mobile", "supannCGUAcceptee"])
        entry = ldap_admin.entries[0]
        assert entry.mobile.values == [] and entry.supannCGUAcceptee.values == []
        assert resolve(organisation=c1, recipient_type="group", value=str(group.pk)).count == 41
    finally:
        ldap_admin.modify(
            dn,
            {
                "mobile": [(MODIFY_REPLACE, ["+33600000012"])],
                "supannCGUAcceptee": [(MODIFY_REPLACE, ["{SMSU}CG"])],
            },
        )


def test_a_role_given_to_a_directory_group_reaches_its_members(sms, directory):
    c1 = sms.world.customer
    role = SmsRole.objects.create(organisation=c1, name="DSI", functions=["send_filter"])
    RoleAssignment.objects.create(role=role, group="dsi")
    jeanne = person_create(
        first_name="Jeanne",
        last_name="Dupont",
        organisation=c1,
        username="jdupont@c1.example.org",
        password="pw",
    )
    louis = person_create(
        first_name="Louis",
        last_name="Martin",
        organisation=c1,
        username="lmartin@c1.example.org",
        password="pw",
    )
    assert functions_for(jeanne.user, c1) == {"send_filter"}
    assert functions_for(louis.user, c1) == frozenset()


def test_live_count_of_a_directory_group(sms, directory, as_user):
    group = _group(sms, "Personnels", "all-staff")
    response = as_user(sms.world.owner).post(
        "/sms/c1/envoi/compte/", {"recipient_type": "group", "group": group.pk}
    )
    text = response.content.decode()
    assert "Cette sélection correspondrait à 42 numéros." in text
