"""The test IdP's attribute map: the application's URI map plus a test-only OID for
``supannOIDCDateDeNaissance`` (the UUID OID of ``ldap/supann-test.schema``), which the
application reads through ``IDENTITY_SAML_ATTRIBUTE_OIDS``."""

from esup_saas.identity.saml_attributemaps import esup_saml_uri as _app

BIRTH_DATE_OID = "urn:oid:2.25.132220633543538179687217001647801926221"

MAP = {
    "identifier": _app.MAP["identifier"],
    "fro": {**_app.MAP["fro"], BIRTH_DATE_OID: "supannOIDCDateDeNaissance"},
    "to": {**_app.MAP["to"], "supannOIDCDateDeNaissance": BIRTH_DATE_OID},
}
