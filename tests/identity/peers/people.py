"""Invented people known to the test peers (CAS, SAML, OIDC), with their SUPANN attributes.

``c1.example.org`` / UAI ``0000003C`` is Customer One of the shared test world;
``unknown-univ.example.net`` is an institution the platform does not know.
"""

PASSWORD = "peer-secret"

PEOPLE: dict[str, dict[str, list[str]]] = {
    "jdupont": {
        "eduPersonPrincipalName": ["jdupont@c1.example.org"],
        "mail": ["jeanne.dupont@c1.example.org"],
        "givenName": ["Jeanne"],
        "sn": ["Dupont"],
        "displayName": ["Jeanne Dupont"],
        "eduPersonAffiliation": ["staff", "employee", "member"],
        "supannEtablissement": ["{UAI}0000003C"],
        "supannEntiteAffectationPrincipale": ["DSI"],
        "supannEmpCorps": ["{NCORPS}300"],
        "supannActivite": ["{BAP}E"],
        "supannOIDCDateDeNaissance": ["1980-05-17"],
    },
    "lmartin": {
        # No supannEtablissement: the institution comes from the eppn's domain.
        "eduPersonPrincipalName": ["lmartin@c1.example.org"],
        "mail": ["louis.martin@c1.example.org"],
        "givenName": ["Louis"],
        "sn": ["Martin"],
        "eduPersonAffiliation": ["student", "member"],
    },
    "intrus": {
        "eduPersonPrincipalName": ["intrus@unknown-univ.example.net"],
        "mail": ["intrus@unknown-univ.example.net"],
        "givenName": ["Ines"],
        "sn": ["Trus"],
        "supannEtablissement": ["{UAI}9999999Z"],
    },
}
