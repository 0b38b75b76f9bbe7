"""Which login methods are on, read from Django settings at call time.

The settings block "identity" of ``esup_saas.settings`` fills these settings from the
environment; reading them on each call (not at import) lets a test or a deployment switch a
method without reloading code. A method is on when its minimal configuration is present:

- local accounts: ``IDENTITY_LOCAL_LOGIN`` (default on);
- CAS 3: ``CAS_SERVER_URL``;
- SAML 2: ``IDENTITY_SAML_IDP_METADATA_FILE`` or ``IDENTITY_SAML_IDP_METADATA_URL``;
- OpenID Connect: ``IDENTITY_OIDC_ISSUER`` (discovery) or ``OIDC_OP_AUTHORIZATION_ENDPOINT``,
  with ``OIDC_RP_CLIENT_ID``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _


def local_enabled() -> bool:
    """True when local accounts (username + password) may log in."""
    return bool(getattr(settings, "IDENTITY_LOCAL_LOGIN", True))


def cas_enabled() -> bool:
    """True when a CAS server is configured (``CAS_SERVER_URL``)."""
    return bool(getattr(settings, "CAS_SERVER_URL", ""))


def saml_enabled() -> bool:
    """True when the identity providers' SAML metadata is configured (file or URL)."""
    return bool(
        getattr(settings, "IDENTITY_SAML_IDP_METADATA_FILE", "")
        or getattr(settings, "IDENTITY_SAML_IDP_METADATA_URL", "")
    )


def oidc_enabled() -> bool:
    """True when an OpenID provider (issuer or explicit endpoints) and a client id are set."""
    provider = getattr(settings, "IDENTITY_OIDC_ISSUER", "") or getattr(
        settings, "OIDC_OP_AUTHORIZATION_ENDPOINT", ""
    )
    return bool(provider and getattr(settings, "OIDC_RP_CLIENT_ID", ""))


@dataclass(frozen=True)
class LoginMethodLink:
    """One single sign-on button of the login page."""

    code: str
    label: str
    url: str


def sso_methods() -> list[LoginMethodLink]:
    """The enabled single sign-on methods, in page order (CAS, SAML, OIDC), with labels.

    Labels come from ``IDENTITY_CAS_LABEL`` / ``IDENTITY_SAML_LABEL`` /
    ``IDENTITY_OIDC_LABEL`` when set, else a French default.
    """
    methods: list[LoginMethodLink] = []
    if cas_enabled():
        methods.append(
            LoginMethodLink(
                "cas",
                getattr(settings, "IDENTITY_CAS_LABEL", "")
                or _("Connexion CAS de mon établissement"),
                reverse("cas_ng_login"),
            )
        )
    if saml_enabled():
        methods.append(
            LoginMethodLink(
                "saml",
                getattr(settings, "IDENTITY_SAML_LABEL", "")
                or _("Fédération d'identités Éducation-Recherche (RENATER)"),
                reverse("saml2_login"),
            )
        )
    if oidc_enabled():
        methods.append(
            LoginMethodLink(
                "oidc",
                getattr(settings, "IDENTITY_OIDC_LABEL", "") or _("Connexion OpenID Connect"),
                reverse("oidc_authentication_init"),
            )
        )
    return methods
