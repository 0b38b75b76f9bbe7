"""The SAML 2.0 service provider configuration (djangosaml2's ``SAML_CONFIG_LOADER``).

Built from settings (filled from the environment, see ``esup_saas.settings``) and the
request's host, so the entity id and the assertion consumer URL follow the public address
unless ``IDENTITY_SAML_ENTITY_ID`` / ``IDENTITY_SAML_BASE_URL`` pin them. The identity
providers' metadata comes from a file (``IDENTITY_SAML_IDP_METADATA_FILE``) or a URL
(``IDENTITY_SAML_IDP_METADATA_URL``, e.g. RENATER's federation metadata, whose signature is
checked against ``IDENTITY_SAML_IDP_METADATA_CERT`` when given). Loading large federation
metadata is slow, so a built configuration is kept ``IDENTITY_SAML_METADATA_TTL`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError
from saml2.config import SPConfig
from saml2.httpbase import ConnectionError as HttpConnectionError
from saml2.mdstore import SourceNotFound
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT

from .exceptions import LoginRefused

logger = logging.getLogger(__name__)

ATTRIBUTE_MAP_DIR = str(Path(__file__).resolve().parent / "saml_attributemaps")

_cache: dict[tuple[Any, ...], tuple[float, SPConfig]] = {}
_lock = threading.Lock()


def _setting(name: str, default: Any = "") -> Any:
    return getattr(settings, name, default)


def base_url(request: HttpRequest | None) -> str:
    """The public root URL, no trailing slash: ``IDENTITY_SAML_BASE_URL`` or the request's."""
    pinned = _setting("IDENTITY_SAML_BASE_URL")
    if pinned:
        return str(pinned).rstrip("/")
    if request is None:
        raise ImproperlyConfigured(
            "IDENTITY_SAML_BASE_URL (ESUP_SAAS_PUBLIC_URL) is needed to build the SAML "
            "configuration outside a request"
        )
    return request.build_absolute_uri("/").rstrip("/")


def config_dict(request: HttpRequest | None = None) -> dict[str, Any]:
    """The pysaml2 SP configuration as a dict (see pysaml2's "Configuration of SAML2").

    Signed assertions are required (``want_assertions_signed``); responses not asked for
    are refused (``allow_unsolicited`` off), which with djangosaml2's outstanding-request
    cache also refuses a replayed response (SAML 2.0 profiles §4.1.4.5).
    """
    root = base_url(request)
    metadata_file = _setting("IDENTITY_SAML_IDP_METADATA_FILE")
    metadata_url = _setting("IDENTITY_SAML_IDP_METADATA_URL")
    metadata: dict[str, Any] = {}
    if metadata_file:
        if not Path(metadata_file).is_file():
            raise ImproperlyConfigured(
                f"IDENTITY_SAML_IDP_METADATA_FILE: no such file {metadata_file!r}"
            )
        metadata["local"] = [str(metadata_file)]
    if metadata_url:
        remote: dict[str, Any] = {"url": metadata_url}
        if _setting("IDENTITY_SAML_IDP_METADATA_CERT"):
            remote["cert"] = _setting("IDENTITY_SAML_IDP_METADATA_CERT")
        metadata["remote"] = [remote]
    key_file = _setting("IDENTITY_SAML_KEY_FILE")
    cert_file = _setting("IDENTITY_SAML_CERT_FILE")
    sp: dict[str, Any] = {
        "name": _setting("IDENTITY_SAML_SP_NAME", "ESUP Offres Hébergées"),
        "name_id_format": [NAMEID_FORMAT_TRANSIENT, NAMEID_FORMAT_PERSISTENT],
        "allow_unsolicited": False,
        "authn_requests_signed": bool(key_file),
        "logout_requests_signed": bool(key_file),
        "want_assertions_signed": True,
        "want_response_signed": False,
        "endpoints": {
            "assertion_consumer_service": [(root + reverse("saml2_acs"), BINDING_HTTP_POST)],
        },
        "required_attributes": ["eduPersonPrincipalName"],
        "optional_attributes": [
            "mail",
            "givenName",
            "sn",
            "displayName",
            "eduPersonAffiliation",
            "supannEtablissement",
            "supannEntiteAffectationPrincipale",
            "supannEmpCorps",
            "supannActivite",
            *extra_attribute_oids(),
        ],
    }
    if _setting("SAML2_DISCO_URL"):
        sp["ds"] = [_setting("SAML2_DISCO_URL")]
    config: dict[str, Any] = {
        "entityid": _setting("IDENTITY_SAML_ENTITY_ID") or root + reverse("saml2_metadata"),
        "xmlsec_binary": _setting("IDENTITY_SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1"),
        "attribute_map_dir": ATTRIBUTE_MAP_DIR,
        "allow_unknown_attributes": True,
        "accepted_time_diff": int(_setting("IDENTITY_SAML_CLOCK_SKEW", 60)),
        "service": {"sp": sp},
        "metadata": metadata,
        "debug": False,
    }
    if key_file and cert_file:
        config["key_file"] = key_file
        config["cert_file"] = cert_file
        config["encryption_keypairs"] = [{"key_file": key_file, "cert_file": cert_file}]
    return config


def extra_attribute_oids() -> dict[str, str]:
    """``IDENTITY_SAML_ATTRIBUTE_OIDS``: attribute name → ``urn:oid:…`` for attributes the
    maps of ``saml_attributemaps`` do not know (e.g. a SUPANN 2021 attribute)."""
    return dict(_setting("IDENTITY_SAML_ATTRIBUTE_OIDS", {}) or {})


def _add_extra_oids(conf: SPConfig, extra: dict[str, str]) -> None:
    """Teach the URI-format converter of ``conf`` the ``extra`` OIDs, both ways, so they are
    read under their names and requested by name in our metadata."""
    for converter in conf.attribute_converters or []:
        if converter.name_format == NAME_FORMAT_URI:
            converter._fro.update({oid.lower(): name for name, oid in extra.items()})
            converter._to.update({name.lower(): oid for name, oid in extra.items()})


def sp_config(request: HttpRequest | None = None) -> SPConfig:
    """djangosaml2's config loader: a loaded :class:`saml2.config.SPConfig`, cached.

    Raises ``ImproperlyConfigured`` when ``xmlsec1`` (Debian package ``xmlsec1``) or the
    metadata file is missing, and :class:`~esup_saas.identity.exceptions.LoginRefused`
    (``provider_error``) when the metadata URL cannot be read and no earlier copy is kept.
    """
    xmlsec = _setting("IDENTITY_SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1")
    if not Path(xmlsec).is_file():
        raise ImproperlyConfigured(
            f"SAML needs xmlsec1 at {xmlsec!r} (Debian package xmlsec1, "
            "or set ESUP_SAAS_SAML_XMLSEC_BINARY)"
        )
    data = config_dict(request)
    key = (
        data["entityid"],
        repr(data["service"]["sp"]["endpoints"]),
        repr(data["metadata"]),
        data.get("key_file"),
        data.get("cert_file"),
        repr(data["service"]["sp"].get("ds")),
        repr(sorted(extra_attribute_oids().items())),
    )
    ttl = float(_setting("IDENTITY_SAML_METADATA_TTL", 3600))
    with _lock:
        cached = _cache.get(key)
        if cached and time.monotonic() - cached[0] < ttl:
            return cached[1]
    conf = SPConfig()
    try:
        conf.load(data)
    except (HttpConnectionError, SourceNotFound, SAMLError, OSError) as exc:
        if cached is not None:
            # The federation's metadata server is down: keep the last good copy.
            logger.warning("SAML metadata reload failed, keeping the previous one: %s", exc)
            return cached[1]
        raise LoginRefused("provider_error", f"SAML metadata could not be loaded: {exc}") from exc
    _add_extra_oids(conf, extra_attribute_oids())
    with _lock:
        _cache[key] = (time.monotonic(), conf)
    return conf


def clear_cache() -> None:
    """Forget built configurations (after the metadata changed; tests)."""
    with _lock:
        _cache.clear()


#: The AuthnRequest goes by redirect (SAML 2.0 bindings §3.4), the response comes by POST.
DEFAULT_BINDING = BINDING_HTTP_REDIRECT
