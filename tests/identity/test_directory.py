"""The directory layer against a real OpenLDAP (slapd started by the test session)."""

from __future__ import annotations

import io
import socket
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from ldap3 import Connection, Server

from esup_saas.identity.directory import (
    Directory,
    DirectoryError,
    DirectoryUnavailable,
    close_all_connections,
)
from esup_saas.identity.models import DirectoryConfig, ExternalIdentity, GroupStyle
from esup_saas.tenancy.models import Person, User
from tests.identity.peers.fixtures import LDAP_NUMBERED, free_port


@pytest.fixture
def config(world, slapd):
    close_all_connections()
    cfg = DirectoryConfig.objects.create(
        organisation=world.customer,
        url=slapd.url,
        bind_dn=slapd.service_dn,
        bind_password=slapd.service_password,
        base_dn=slapd.base,
        people_base="ou=people",
        group_base="ou=groups",
        page_size=40,
        connect_timeout=2,
        receive_timeout=3,
    )
    yield cfg
    close_all_connections()


@pytest.fixture
def admin(slapd):
    conn = Connection(
        Server(slapd.url),
        slapd.admin_dn,
        slapd.admin_password,
        auto_bind=True,
        raise_exceptions=True,
    )
    yield conn
    conn.unbind()


def _uids(entries):
    return [e.first("uid") for e in entries]


def test_search_larger_than_the_server_size_limit_is_read_page_by_page(config, slapd):
    # Unpaged, the service account gets at most 100 entries and an error.
    raw = Connection(Server(slapd.url), slapd.service_dn, slapd.service_password, auto_bind=True)
    raw.search(config.people_dn, "(objectClass=supannPerson)", attributes=["uid"])
    assert raw.result["description"] == "sizeLimitExceeded"
    assert len(raw.entries) == slapd.size_limit
    raw.unbind()
    people = Directory(config).search_people()
    assert len(people) == slapd.people_count == LDAP_NUMBERED + 4
    assert len({p.dn for p in people}) == len(people)
    assert {"jdupont", "lmartin", "accueil", "p0001", f"p{LDAP_NUMBERED:04d}"} <= set(_uids(people))


def test_search_with_an_extra_filter(config):
    staff = Directory(config).search_people("(eduPersonAffiliation=staff)")
    assert len(staff) == LDAP_NUMBERED // 2 + 2  # even numbers, jdupont, accueil
    assert "lmartin" not in _uids(staff)


def test_find_person_reads_supann_attributes(config):
    directory = Directory(config)
    jeanne = directory.find_person("jdupont")
    assert jeanne.dn == "uid=jdupont,ou=people,dc=c1,dc=example,dc=org"
    assert jeanne.first("eduPersonPrincipalName") == "jdupont@c1.example.org"
    assert jeanne.values("supannEtablissement") == ["{UAI}0000003C"]
    assert jeanne.first("supannEmpCorps") == "{NCORPS}300"
    assert directory.find_by_eppn("lmartin@c1.example.org").first("uid") == "lmartin"
    assert directory.find_person("nobody") is None
    assert directory.find_person("*") is None  # the value is escaped, not a wildcard


def test_group_by_member_dns(config):
    members = Directory(config).group_members("dsi", style=GroupStyle.MEMBER)
    assert _uids(members) == ["accueil", "jdupont", "p0001", "p0002"]


def test_group_by_member_uid(config):
    members = Directory(config).group_members("l1-info", style=GroupStyle.MEMBER_UID)
    assert _uids(members) == ["lmartin", "p0100", "p0101", "p0102"]


def test_group_by_member_of(config):
    directory = Directory(config)
    assert _uids(directory.group_members("sms-senders", style=GroupStyle.MEMBER_OF)) == [
        "lmartin",
        "p0010",
    ]
    # 128 members: more than one page of 40 and than the 100-entry limit.
    staff = directory.group_members(
        "cn=all-staff,ou=groups,dc=c1,dc=example,dc=org", style=GroupStyle.MEMBER_OF
    )
    assert len(staff) == LDAP_NUMBERED // 2
    assert _uids(staff)[:3] == ["p0002", "p0004", "p0006"]


def test_group_style_defaults_to_the_configuration(config):
    config.group_style = GroupStyle.MEMBER_UID
    assert _uids(Directory(config).group_members("l1-info")) == [
        "lmartin",
        "p0100",
        "p0101",
        "p0102",
    ]


def test_unknown_group_is_a_clear_error(config):
    with pytest.raises(DirectoryError, match="groupe 'nope' introuvable"):
        Directory(config).group_members("nope")


def test_read_and_write_sms_attributes(config, admin):
    directory = Directory(config)
    jeanne = directory.read_sms_attributes("jdupont")
    assert (jeanne.mobile, jeanne.terms_accepted) == ("+33612345678", True)
    assert directory.read_sms_attributes("p0003").terms_accepted is True
    assert directory.read_sms_attributes("p0001") == directory.read_sms_attributes("p0005")
    try:
        after = directory.write_sms_attributes("p0001", mobile="+33611112222", terms_accepted=True)
        assert (after.mobile, after.terms_accepted) == ("+33611112222", True)
        admin.search(
            "uid=p0001,ou=people," + config.base_dn,
            "(objectClass=*)",
            attributes=["mobile", "supannCGUAcceptee"],
        )
        assert admin.entries[0].mobile.values == ["+33611112222"]
        assert admin.entries[0].supannCGUAcceptee.values == ["{SMSU}CG"]
        cleared = directory.write_sms_attributes("p0001", mobile="", terms_accepted=False)
        assert (cleared.mobile, cleared.terms_accepted) == ("", False)
    finally:
        admin.modify(
            "uid=p0001,ou=people," + config.base_dn,
            {"mobile": [("MODIFY_REPLACE", [])], "supannCGUAcceptee": [("MODIFY_REPLACE", [])]},
        )


def test_sms_attribute_names_are_per_directory(config):
    config.mobile_attribute = "pager"
    assert Directory(config).read_sms_attributes("lmartin").mobile == "+33698765432"


def test_a_bind_account_that_may_not_write_gets_a_clear_error(config, slapd):
    config.bind_dn = "uid=p0002,ou=people," + slapd.base
    config.bind_password = "wrong"
    with pytest.raises(DirectoryError, match="connexion refusée"):
        Directory(config).find_person("jdupont")


def test_unreachable_server(config):
    config.url = f"ldap://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(DirectoryUnavailable, match="injoignable"):
        Directory(config).search_people()
    assert time.monotonic() - started < 5


def test_a_server_that_never_answers_times_out(config):
    """A socket that accepts connections but never speaks LDAP: the receive timeout."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(silent.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    config.url = f"ldap://127.0.0.1:{silent.getsockname()[1]}"
    config.receive_timeout = 1
    started = time.monotonic()
    try:
        with pytest.raises(DirectoryUnavailable):
            Directory(config).find_person("jdupont")
        assert time.monotonic() - started < 6
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        silent.close()


def test_the_pooled_connection_is_reused_and_reopened(config, admin):
    directory = Directory(config)
    directory.ping()
    from esup_saas.identity import directory as module

    (conn,) = module._pool.values()
    directory.find_person("jdupont")
    assert list(module._pool.values()) == [conn]
    conn.unbind()  # the server side is gone: the next call opens a new connection
    assert directory.find_person("jdupont").first("uid") == "jdupont"


# --- sync-directory ----------------------------------------------------------------------


def test_sync_directory_creates_updates_and_deactivates(config, admin, capsys):
    before = Person.objects.count()
    call_command("sync-directory", "c1")
    out = capsys.readouterr()
    expected_people = LDAP_NUMBERED + 3  # sanseppn is skipped
    assert f"c1: created={expected_people} updated=0 deactivated=0" in out.out
    assert "sanseppn" in out.err and "eduPersonPrincipalName: missing" in out.err
    assert Person.objects.count() == before + expected_people
    jeanne = ExternalIdentity.objects.get(eppn="jdupont@c1.example.org")
    assert jeanne.person.organisation == config.organisation
    assert (jeanne.person.first_name, jeanne.person.last_name) == ("Jeanne", "Dupont")
    assert jeanne.person.user is None  # an account comes with the first login
    assert jeanne.profile["corps"] == ["300"]
    assert jeanne.directory_dn == "uid=jdupont,ou=people,dc=c1,dc=example,dc=org"

    # A name changes, a person leaves; the same run again.
    dn_changed = "uid=p0007,ou=people," + config.base_dn
    dn_gone = "uid=p0009,ou=people," + config.base_dn
    admin.search(dn_gone, "(objectClass=*)", attributes=["*"])
    gone_attrs = {k: v for k, v in admin.entries[0].entry_attributes_as_dict.items()}
    admin.modify(dn_changed, {"sn": [("MODIFY_REPLACE", ["Nouveau-Nom"])]})
    admin.delete(dn_gone)
    try:
        call_command("sync-directory", "c1")
        out = capsys.readouterr().out
        assert f"c1: created=0 updated=1 deactivated=1 unchanged={expected_people - 2}" in out
        changed = ExternalIdentity.objects.get(eppn="p0007@c1.example.org").person
        assert changed.last_name == "Nouveau-Nom"
        gone = ExternalIdentity.objects.get(eppn="p0009@c1.example.org").person
        assert gone.status == Person.Status.INACTIVE
        # People of the organisation that never came from an eppn are left alone.
        assert (
            Person.objects.get(
                pk=config.organisation.persons.get(user__username="member").pk
            ).status
            == "active"
        )
    finally:
        admin.add(dn_gone, attributes=gone_attrs)
        admin.modify(dn_changed, {"sn": [("MODIFY_REPLACE", ["Nom0007"])]})
    call_command("sync-directory", "c1")
    assert "created=0 updated=2 deactivated=0" in capsys.readouterr().out
    assert ExternalIdentity.objects.get(eppn="p0009@c1.example.org").person.status == "active"


def test_sync_directory_reactivates_the_account_too(config, world):
    call_command("sync-directory", "c1", stdout=io.StringIO(), stderr=io.StringIO())
    person = ExternalIdentity.objects.get(eppn="lmartin@c1.example.org").person
    user = User.objects.create_user(username="lmartin@c1.example.org", is_active=False)
    person.user = user
    person.status = Person.Status.INACTIVE
    person.save()
    call_command("sync-directory", "c1", stdout=io.StringIO(), stderr=io.StringIO())
    person.refresh_from_db()
    user.refresh_from_db()
    assert person.status == Person.Status.ACTIVE and user.is_active


def test_sync_directory_with_the_directory_down_writes_nothing(config):
    config.url = f"ldap://127.0.0.1:{free_port()}"
    config.save()
    before = (Person.objects.count(), ExternalIdentity.objects.count())
    with pytest.raises(CommandError, match=r"injoignable.*rien n'a été modifié"):
        call_command("sync-directory", "c1")
    assert (Person.objects.count(), ExternalIdentity.objects.count()) == before


def test_sync_directory_refuses_unknown_organisation_and_missing_config(world):
    with pytest.raises(CommandError, match="aucune organisation"):
        call_command("sync-directory", "nope")
    with pytest.raises(CommandError, match="aucun annuaire configuré"):
        call_command("sync-directory", "c2")
