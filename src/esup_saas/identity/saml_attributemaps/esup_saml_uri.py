"""pysaml2 attribute map for the SAML 2.0 URI name format (``urn:oid:…``), with SUPANN.

pysaml2 keeps one map per name format, so this map is pysaml2's own ``saml_uri`` map
(eduPerson, X.500, …) completed with the SUPANN attributes RENATER's identity providers
release. OIDs: SUPANN schema, arc 1.3.6.1.4.1.7135.1.2.1 (SUPANN 2009 and later).
Attributes without a known OID here (e.g. ``supannOIDCDateDeNaissance``) are still read
when the identity provider names them plainly (``allow_unknown_attributes``).
"""

from saml2.attributemaps import saml_uri as _saml_uri

SUPANN_OID = "urn:oid:1.3.6.1.4.1.7135.1.2.1."

_SUPANN = {
    SUPANN_OID + "2": "supannActivite",
    SUPANN_OID + "8": "supannEntiteAffectation",
    SUPANN_OID + "11": "supannEmpId",
    SUPANN_OID + "13": "supannEntiteAffectationPrincipale",
    SUPANN_OID + "14": "supannEtablissement",
    SUPANN_OID + "35": "supannEmpCorps",
}

MAP = {
    "identifier": _saml_uri.MAP["identifier"],
    "fro": {**_saml_uri.MAP["fro"], **_SUPANN},
    "to": {**_saml_uri.MAP["to"], **{name: oid for oid, name in _SUPANN.items()}},
}
