"""The pure SUPANN / eduPerson attribute helpers."""

import datetime as dt

import pytest

from esup_saas.identity.supann import (
    AttributeMappingError,
    TaggedValue,
    claims_from_attributes,
    domain_matches,
    normalise_attributes,
    parse_birth_date,
    parse_eppn,
    parse_tagged,
    tagged_codes,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{UAI}0751717J", TaggedValue("UAI", "0751717J")),
        ("{NCORPS}300", TaggedValue("NCORPS", "300")),
        ("{BAP}A", TaggedValue("BAP", "A")),
        ("{uai}0751717J", TaggedValue("UAI", "0751717J")),
        (" {SUPANN}S401 ", TaggedValue("SUPANN", "S401")),
        ("{CNRS:CORPS}IR", TaggedValue("CNRS:CORPS", "IR")),
        ("0751717J", None),
        ("{}x", None),
        ("", None),
    ],
)
def test_parse_tagged(value, expected):
    assert parse_tagged(value) == expected


def test_tagged_value_prints_back():
    assert str(parse_tagged("{BAP}A")) == "{BAP}A"


def test_tagged_codes_keep_order_and_drop_other_tags_and_repeats():
    values = ["{SIRET}19751717100010", "{UAI}0751717J", "{UAI}0000003C", "{uai}0751717J"]
    assert tagged_codes(values, "UAI") == ["0751717J", "0000003C"]
    assert tagged_codes(values, "siret") == ["19751717100010"]
    assert tagged_codes(["0751717J"], "UAI") == []


def test_parse_eppn_lowercases_and_refuses_malformed():
    assert parse_eppn(" JDupont@Univ-Exemple.FR ") == "jdupont@univ-exemple.fr"
    for bad in ("jdupont", "jdupont@", "@univ.fr", "a@b", "a b@univ.fr", "a@univ..fr"):
        with pytest.raises(AttributeMappingError, match="eduPersonPrincipalName"):
            parse_eppn(bad)


def test_parse_birth_date_accepts_supann_and_ldap_forms():
    assert parse_birth_date("1999-11-01") == dt.date(1999, 11, 1)
    assert parse_birth_date("19991101") == dt.date(1999, 11, 1)
    with pytest.raises(AttributeMappingError, match="supannOIDCDateDeNaissance"):
        parse_birth_date("01/11/1999")


def test_normalise_matches_oidc_and_renater_claim_names():
    attrs = normalise_attributes(
        {
            "eduperson_principal_name": "a@c1.example.org",
            "given_name": "Anne",
            "family_name": "Exemple",
            "email": "Anne.Exemple@c1.example.org",
            "birthdate": "2001-02-03",
            "supann_etablissement": ["{UAI}0000003C"],
            "custom": None,
            "empty": "",
        }
    )
    assert attrs == {
        "eduPersonPrincipalName": ["a@c1.example.org"],
        "givenName": ["Anne"],
        "sn": ["Exemple"],
        "mail": ["Anne.Exemple@c1.example.org"],
        "supannOIDCDateDeNaissance": ["2001-02-03"],
        "supannEtablissement": ["{UAI}0000003C"],
    }


def test_claims_from_a_full_supann_set():
    claims = claims_from_attributes(
        {
            "eduPersonPrincipalName": ["JDupont@c1.example.org"],
            "mail": ["Jeanne.Dupont@c1.example.org"],
            "givenName": ["Jeanne"],
            "sn": ["Dupont"],
            "displayName": ["Jeanne Dupont"],
            "eduPersonAffiliation": ["staff", "employee", "member", "STAFF"],
            "eduPersonPrimaryAffiliation": "staff",
            "supannEtablissement": ["{SIRET}123", "{UAI}0000003c"],
            "supannEntiteAffectationPrincipale": ["DSI"],
            "supannEmpCorps": ["{NCORPS}300"],
            "supannActivite": ["{BAP}E", "{REFERENS}E1C24", "libre"],
            "supannOIDCDateDeNaissance": ["1980-05-17"],
        }
    )
    assert claims.eppn == "jdupont@c1.example.org"
    assert claims.eppn_domain == "c1.example.org"
    assert claims.email == "jeanne.dupont@c1.example.org"
    assert (claims.first_name, claims.last_name) == ("Jeanne", "Dupont")
    assert claims.affiliations == ("staff", "employee", "member")
    assert claims.primary_affiliation == "staff"
    assert claims.establishment_uais == ("0000003C",)
    assert claims.primary_entity == "DSI"
    assert claims.corps == ("300",)
    assert claims.activities == ("{BAP}E", "{REFERENS}E1C24")
    assert claims.birth_date == dt.date(1980, 5, 17)
    assert claims.profile() == {
        "affiliations": ["staff", "employee", "member"],
        "primary_affiliation": "staff",
        "establishment_uais": ["0000003C"],
        "primary_entity": "DSI",
        "corps": ["300"],
        "activities": ["{BAP}E", "{REFERENS}E1C24"],
        "birth_date": "1980-05-17",
    }


def test_claims_need_an_eppn():
    with pytest.raises(AttributeMappingError, match="eduPersonPrincipalName: missing"):
        claims_from_attributes({"mail": "x@c1.example.org"})


def test_claims_eppn_override_and_display_name_only():
    claims = claims_from_attributes({"displayName": "Jean Paul Martin"}, eppn="jpm@univ.fr")
    assert claims.eppn == "jpm@univ.fr"
    assert (claims.first_name, claims.last_name) == ("Jean Paul", "Martin")


def test_domain_matches_exact_or_subdomain_longest_first():
    known = ["example.org", "c1.example.org"]
    assert domain_matches("c1.example.org", known) == "c1.example.org"
    assert domain_matches("etu.c1.example.org", known) == "c1.example.org"
    assert domain_matches("C2.Example.org", known) == "example.org"
    assert domain_matches("notexample.org", known) is None
