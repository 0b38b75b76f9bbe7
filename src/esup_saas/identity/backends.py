"""Authentication backends: local accounts, CAS 3, SAML 2 and OpenID Connect.

All are listed in ``AUTHENTICATION_BACKENDS`` and check at call time whether their method is
on (:mod:`esup_saas.identity.conf`). The single sign-on backends turn what the protocol
delivered into :class:`~esup_saas.identity.supann.Claims` and hand them to
:func:`~esup_saas.identity.services.external_login`; a refusal is raised as
:class:`~esup_saas.identity.exceptions.LoginRefused`, which the protocol views show.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from xml.etree.ElementTree import ParseError

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest
from djangosaml2.backends import Saml2Backend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from . import conf
from .exceptions import LoginRefused
from .models import LoginMethod
from .services import external_login
from .supann import AttributeMappingError, claims_from_attributes

logger = logging.getLogger(__name__)


def is_single_sign_on_attempt(request: HttpRequest | None, credentials: dict | None) -> bool:
    """``AXES_WHITELIST_CALLABLE``: keep django-axes' lockout for local passwords only.

    A CAS ticket, a SAML assertion or an OIDC code carries no user name; counting their
    failures would lock a whole campus (one NAT address) out of single sign-on.
    """
    if credentials:
        return not credentials.get("username")
    post = getattr(request, "POST", None) or {}
    return not post.get("username")


class LocalAccountBackend(ModelBackend):
    """Django's user name + password check, refused when local accounts are switched off
    (``IDENTITY_LOCAL_LOGIN``). Permissions are Django's, for every account."""

    def authenticate(self, request, username=None, password=None, **kwargs):  # type: ignore[override]
        if not conf.local_enabled():
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _claims_or_refuse(attributes: dict[str, Any], *, eppn: str | None = None):  # type: ignore[no-untyped-def]
    try:
        return claims_from_attributes(attributes, eppn=eppn)
    except AttributeMappingError as exc:
        raise LoginRefused("missing_attribute", str(exc)) from exc


class TimeoutSession(requests.Session):
    """A ``requests`` session whose calls time out (python-cas sets none): a CAS server
    that does not answer must not hold a web worker forever."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(*args, **kwargs)


class CASBackend(ModelBackend):
    """CAS 3.0 (Apereo CAS protocol specification, ``/p3/serviceValidate``).

    The ticket is validated over HTTP with the CAS server (django-cas-ng's client, which
    follows the protocol: a service ticket is single use, so a replayed ticket is refused
    by the server). The eppn comes from the ``eduPersonPrincipalName`` attribute, else
    from the CAS user when it has the form ``user@domain``.
    """

    def authenticate(self, request: HttpRequest, ticket: str, service: str):  # type: ignore[override]
        if not conf.cas_enabled():
            return None
        from django_cas_ng.utils import get_cas_client

        client = get_cas_client(service_url=service, request=request)
        client.session = TimeoutSession(float(getattr(settings, "IDENTITY_CAS_TIMEOUT", 10)))
        try:
            username, attributes, _pgtiou = client.verify_ticket(ticket)
        except (requests.RequestException, ParseError) as exc:
            raise LoginRefused("provider_error", f"CAS validation failed: {exc}") from exc
        if not username:
            raise LoginRefused("invalid_ticket", f"CAS refused ticket {ticket[:12]}…")
        attrs = dict(attributes or {})
        has_eppn = any(k.lower() in {"edupersonprincipalname", "eppn"} for k in attrs)
        eppn = None if has_eppn else (username if "@" in username else None)
        claims = _claims_or_refuse(attrs, eppn=eppn)
        return external_login(claims=claims, method=LoginMethod.CAS)


class SAMLBackend(Saml2Backend):
    """SAML 2.0 Web Browser SSO (SAML 2.0 profiles §4.1), through djangosaml2 / pysaml2.

    By the time this runs pysaml2 has checked the response (signature, audience,
    ``InResponseTo``, validity window: SAML 2.0 core §2.5.1, §2.7.2); the attributes
    (``ava``) are named by our attribute maps (``saml_attributemaps/``).
    """

    def authenticate(  # type: ignore[override]
        self,
        request,
        session_info=None,
        attribute_mapping=None,
        create_unknown_user=True,
        assertion_info=None,
        **kwargs,
    ):
        if session_info is None or not conf.saml_enabled():
            return None
        claims = _claims_or_refuse(dict(session_info.get("ava") or {}))
        return external_login(claims=claims, method=LoginMethod.SAML)


# --- OpenID Connect ---------------------------------------------------------------------

#: Settings that may come from the provider's discovery document (OpenID Connect Discovery
#: 1.0 §3) when not set explicitly.
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
#: ID token claims about the token itself, not the person (RFC 7519 §4.1, OIDC Core §2).
_JWT_TECHNICAL_CLAIMS = frozenset(
    {
        "iss",
        "aud",
        "exp",
        "iat",
        "nbf",
        "jti",
        "nonce",
        "auth_time",
        "at_hash",
        "c_hash",
        "azp",
        "acr",
        "amr",
        "sid",
    }
)
_discovery_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_discovery_lock = threading.Lock()


def oidc_discovery(issuer: str) -> dict[str, Any]:
    """The provider's ``/.well-known/openid-configuration`` (cached for
    ``IDENTITY_OIDC_DISCOVERY_TTL`` seconds, default 3600).

    Raises :class:`LoginRefused` (``provider_error``) when it cannot be read, and when its
    ``issuer`` differs from ``issuer`` (OpenID Connect Discovery 1.0 §4.3).
    """
    ttl = float(getattr(settings, "IDENTITY_OIDC_DISCOVERY_TTL", 3600))
    with _discovery_lock:
        cached = _discovery_cache.get(issuer)
        if cached and time.monotonic() - cached[0] < ttl:
            return cached[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=float(getattr(settings, "OIDC_TIMEOUT", 10) or 10))
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise LoginRefused("provider_error", f"OIDC discovery {url}: {exc}") from exc
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise LoginRefused(
            "provider_error", f"OIDC discovery {url}: issuer {document.get('issuer')!r}"
        )
    with _discovery_lock:
        _discovery_cache[issuer] = (time.monotonic(), document)
    return document


def oidc_setting(attr: str, *args: Any) -> Any:
    """mozilla-django-oidc's ``get_settings``, completed by discovery for the endpoints."""
    value = getattr(settings, attr, None)
    issuer = getattr(settings, "IDENTITY_OIDC_ISSUER", "")
    if not value and attr in _DISCOVERED and issuer:
        value = oidc_discovery(issuer).get(_DISCOVERED[attr])
    if value in (None, ""):
        return import_from_settings(attr, *args)
    return value


class OIDCBackend(OIDCAuthenticationBackend):
    """OpenID Connect Core 1.0, authorization code flow, through mozilla-django-oidc.

    Settings are read when a login happens (not when Django builds the backend list), so
    the backend costs nothing while OIDC is off. Besides the signature and ``nonce``
    checked by the library, the ID token's ``iss`` and ``aud`` are checked (Core 1.0
    §3.1.3.7). The person's claims are the userinfo answer over the ID token's.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def authenticate(self, request, **kwargs):  # type: ignore[override]
        if request is None or not conf.oidc_enabled():
            return None
        if not request.GET.get("code") or not request.GET.get("state"):
            return None
        try:
            super().__init__()
        except ImproperlyConfigured as exc:
            raise LoginRefused("provider_error", str(exc)) from exc
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation, ValueError) as exc:
            raise LoginRefused("provider_error", f"OIDC: {exc}") from exc

    def verify_token(self, token, **kwargs):  # type: ignore[override]
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation(f"ID token audience {audience!r} is not this client")
        issuer = getattr(settings, "IDENTITY_OIDC_ISSUER", "")
        if issuer and str(payload.get("iss", "")).rstrip("/") != issuer.rstrip("/"):
            raise SuspiciousOperation(f"ID token issuer {payload.get('iss')!r} unexpected")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):  # type: ignore[override]
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") and payload.get("sub") and userinfo["sub"] != payload["sub"]:
            # OpenID Connect Core 1.0 §5.3.2: the userinfo sub must match the ID token's.
            raise LoginRefused("provider_error", "userinfo sub differs from the ID token's")
        token_claims = {k: v for k, v in payload.items() if k not in _JWT_TECHNICAL_CLAIMS}
        claims = _claims_or_refuse({**token_claims, **userinfo})
        return external_login(claims=claims, method=LoginMethod.OIDC)
