"""First login creates, later logins update, unknown institutions are refused."""

import pytest

from esup_saas.identity.exceptions import LoginRefused, UnknownInstitution
from esup_saas.identity.models import ExternalIdentity, LoginMethod
from esup_saas.identity.selectors import organisation_for_claims
from esup_saas.identity.services import external_login
from esup_saas.identity.supann import claims_from_attributes
from esup_saas.tenancy.models import Membership, Person, Role, User


def _claims(**attrs):
    base = {
        "eduPersonPrincipalName": "jdupont@c1.example.org",
        "givenName": "Jeanne",
        "sn": "Dupont",
        "mail": "jeanne.dupont@c1.example.org",
    }
    base.update(attrs)
    return claims_from_attributes({k: v for k, v in base.items() if v is not None})


def test_institution_from_uai_before_domain(world):
    # The eppn says c1, supannEtablissement says c2: the UAI wins (specs item 2).
    claims = _claims(supannEtablissement=["{UAI}0000004D"])
    assert organisation_for_claims(claims) == world.other_customer


def test_institution_from_eppn_domain_when_uai_unknown(world):
    claims = _claims(supannEtablissement=["{UAI}9999999Z"])
    assert organisation_for_claims(claims) == world.customer


def test_institution_from_subdomain(world):
    claims = _claims(eduPersonPrincipalName="etu1@etu.c2.example.org")
    assert organisation_for_claims(claims) == world.other_customer


def test_unknown_institution_creates_nothing(world):
    persons, users = Person.objects.count(), User.objects.count()
    claims = _claims(eduPersonPrincipalName="x@elsewhere.example.net", mail="x@elsewhere.net")
    with pytest.raises(UnknownInstitution):
        external_login(claims=claims, method=LoginMethod.CAS)
    assert (Person.objects.count(), User.objects.count()) == (persons, users)
    assert not ExternalIdentity.objects.exists()


def test_first_login_creates_person_account_identity_and_end_user_role(world):
    claims = _claims(
        supannEtablissement=["{UAI}0000003C"],
        eduPersonAffiliation=["staff", "member"],
        supannEmpCorps=["{NCORPS}300"],
        supannActivite=["{BAP}E"],
        supannOIDCDateDeNaissance="1980-05-17",
    )
    user = external_login(claims=claims, method=LoginMethod.SAML)
    assert user.username == "jdupont@c1.example.org"
    assert not user.has_usable_password()
    person = user.person
    assert (person.first_name, person.last_name, person.email) == (
        "Jeanne",
        "Dupont",
        "jeanne.dupont@c1.example.org",
    )
    assert person.organisation == world.customer
    assert list(Membership.objects.filter(person=person).values_list("organisation", "role")) == [
        (world.customer.pk, Role.END_USER)
    ]
    identity = ExternalIdentity.objects.get(eppn="jdupont@c1.example.org")
    assert identity.person == person
    assert identity.last_method == LoginMethod.SAML
    assert identity.profile["corps"] == ["300"]
    assert identity.profile["activities"] == ["{BAP}E"]
    assert identity.profile["birth_date"] == "1980-05-17"
    assert identity.attributes["supannEtablissement"] == ["{UAI}0000003C"]


def test_later_login_updates_and_same_eppn_by_another_protocol_is_the_same_account(world):
    first = external_login(claims=_claims(), method=LoginMethod.CAS)
    again = external_login(
        claims=_claims(sn="Durand", mail="jeanne.durand@c1.example.org"), method=LoginMethod.SAML
    )
    assert again.pk == first.pk
    person = Person.objects.get(user=again)
    assert (person.last_name, person.email) == ("Durand", "jeanne.durand@c1.example.org")
    again.refresh_from_db()
    assert (again.last_name, again.email) == ("Durand", "jeanne.durand@c1.example.org")
    assert ExternalIdentity.objects.get().last_method == LoginMethod.SAML
    assert Person.objects.filter(last_name__in=["Dupont", "Durand"]).count() == 1


def test_agent_of_a_provider_and_pcu_of_own_university_is_one_account(world):
    """specs item 3: one login, both roles."""
    from esup_saas.tenancy.selectors import can_use_console, can_use_portal
    from esup_saas.tenancy.services import membership_grant

    user = external_login(claims=_claims(), method=LoginMethod.CAS)
    person = user.person
    membership_grant(person=person, organisation=world.provider, role=Role.AGENT)
    membership_grant(person=person, organisation=world.customer, role=Role.PCU)
    again = external_login(claims=_claims(), method=LoginMethod.OIDC)
    assert again.pk == user.pk
    assert can_use_console(again) and can_use_portal(again)


def test_inactive_person_is_refused(world):
    user = external_login(claims=_claims(), method=LoginMethod.CAS)
    Person.objects.filter(user=user).update(status=Person.Status.INACTIVE)
    with pytest.raises(LoginRefused) as refused:
        external_login(claims=_claims(), method=LoginMethod.CAS)
    assert refused.value.reason == "inactive_account"


def test_username_taken_by_a_local_account_gets_a_suffix(world):
    User.objects.create_user(username="jdupont@c1.example.org", password="x")
    user = external_login(claims=_claims(), method=LoginMethod.CAS)
    assert user.username == "jdupont@c1.example.org-2"


def test_unknown_method_is_a_programming_error(world):
    with pytest.raises(ValueError, match="unknown login method"):
        external_login(claims=_claims(), method="kerberos")


def test_two_simultaneous_first_logins_end_on_one_account(world, monkeypatch):
    """The loser of the race on the unique eppn is run again and finds the winner's."""
    from django.db import IntegrityError

    from esup_saas.identity import services

    real = services._external_login
    calls = []

    def racing(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            real(**kwargs)  # the other request wins the race…
            raise IntegrityError("duplicate key value violates unique constraint (eppn)")
        return real(**kwargs)

    monkeypatch.setattr(services, "_external_login", racing)
    user = external_login(claims=_claims(), method=LoginMethod.CAS)
    assert len(calls) == 2
    assert User.objects.filter(username__startswith="jdupont").count() == 1
    assert user.person == ExternalIdentity.objects.get().person


def test_first_login_joins_a_contact_without_account_by_mail(world):
    from esup_saas.tenancy.services import person_create

    contact = person_create(
        first_name="Jeanne",
        last_name="Dupont",
        organisation=world.customer,
        email="jeanne.dupont@c1.example.org",
    )
    user = external_login(claims=_claims(), method=LoginMethod.CAS)
    assert user.person.pk == contact.pk


def test_first_login_never_takes_over_an_account_by_mail(world):
    # The PCU "owner" has a local account; an SSO login with the same mail is another person.
    claims = _claims(mail=world.owner.email, eduPersonPrincipalName="imposter@c1.example.org")
    user = external_login(claims=claims, method=LoginMethod.SAML)
    assert user.person.pk != world.owner.pk
    world.owner.refresh_from_db()
    assert world.owner.user.username == "owner"
    assert not world.owner.memberships.filter(person__user=user).exists()
