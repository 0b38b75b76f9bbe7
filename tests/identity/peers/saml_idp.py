"""A SAML 2.0 identity provider built with pysaml2, for the identity tests.

Run: ``python -m tests.identity.peers.saml_idp PORT KEY CERT WRONG_KEY WRONG_CERT SP_METADATA_URL``

- ``GET /metadata``: the IdP's metadata (its signing certificate ``CERT``);
- ``GET /sso/redirect?SAMLRequest=…``: an AuthnRequest (HTTP-Redirect binding, signature
  checked against the SP's metadata, fetched from ``SP_METADATA_URL`` at each request) →
  a login form;
- ``POST /login`` (``username``, ``password``, ``key``, ``mode``): checks the password of
  :mod:`tests.identity.peers.people`, answers with the HTTP-POST binding form carrying a
  Response whose Assertion is signed. ``mode`` lets a test ask for a faulty answer:
  ``normal``; ``bad-signature`` (signed with ``WRONG_KEY``, a key that is not in the
  metadata); ``expired`` (the assertion's NotOnOrAfter 10 minutes in the past).

Attributes are sent with the SAML 2.0 URI name format (``urn:oid:…``), as RENATER's IdPs do.
"""

from __future__ import annotations

import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.authn_context import PASSWORD
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server

from tests.identity.peers.people import PASSWORD as PEER_PASSWORD
from tests.identity.peers.people import PEOPLE

PORT, KEY, CERT, WRONG_KEY, WRONG_CERT, SP_METADATA_URL = (
    int(sys.argv[1]),
    *sys.argv[2:7],
)
BASE = f"http://127.0.0.1:{PORT}"
ENTITY_ID = f"{BASE}/idp"
#: The application's map plus a test OID (see ``saml_idp_maps/idp_uri.py``).
ATTRIBUTE_MAP_DIR = str(Path(__file__).resolve().parent / "saml_idp_maps")
_pending: dict[str, dict] = {}
_lock = threading.Lock()


def _config(*, with_sp: bool, key: str = KEY, cert: str = CERT, lifetime: int = 15) -> IdPConfig:
    conf = IdPConfig()
    conf.load(
        {
            "entityid": ENTITY_ID,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "attribute_map_dir": ATTRIBUTE_MAP_DIR,
            "service": {
                "idp": {
                    "name": "IdP de test (Customer One)",
                    "endpoints": {
                        "single_sign_on_service": [(f"{BASE}/sso/redirect", BINDING_HTTP_REDIRECT)]
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": lifetime},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                    "want_authn_requests_signed": True,
                }
            },
            "key_file": key,
            "cert_file": cert,
            "metadata": {"remote": [{"url": SP_METADATA_URL}]} if with_sp else {},
        }
    )
    return conf


def _metadata_xml() -> bytes:
    return str(entity_descriptor(_config(with_sp=False))).encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        sys.stderr.write("saml-idp: " + (format % args) + "\n")

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path == "/metadata":
            self._send(200, _metadata_xml(), "application/samlmetadata+xml")
            return
        if url.path == "/sso/redirect":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            server = Server(config=_config(with_sp=True))
            try:
                request = server.parse_authn_request(
                    query["SAMLRequest"],
                    BINDING_HTTP_REDIRECT,
                    relay_state=query.get("RelayState"),
                    sigalg=query.get("SigAlg"),
                    signature=query.get("Signature"),
                )
            except Exception as exc:  # the peer tells the test what went wrong
                self._send(400, f"bad AuthnRequest: {exc!r}".encode())
                return
            message = request.message
            key = secrets.token_urlsafe(16)
            with _lock:
                _pending[key] = {
                    "id": message.id,
                    "sp": message.issuer.text,
                    "acs": message.assertion_consumer_service_url,
                    "relay_state": query.get("RelayState", ""),
                }
            form = (
                "<!doctype html><title>IdP de test</title><form method='post' action='/login'>"
                f"<input type='hidden' name='key' value='{key}'>"
                "<input name='username'><input type='password' name='password'>"
                "<input type='hidden' name='mode' value='normal'>"
                "<button>Se connecter</button></form>"
            )
            self._send(200, form.encode())
            return
        self._send(404, b"not found")

    def do_POST(self) -> None:
        if urlparse(self.path).path != "/login":
            self._send(404, b"not found")
            return
        length = int(self.headers.get("Content-Length", "0"))
        fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        with _lock:
            pending = _pending.pop(fields.get("key", ""), None)
        if pending is None:
            self._send(400, b"unknown or used login key")
            return
        username = fields.get("username", "")
        if username not in PEOPLE or fields.get("password") != PEER_PASSWORD:
            self._send(403, b"wrong password")
            return
        mode = fields.get("mode", "normal")
        if mode == "bad-signature":
            conf = _config(with_sp=True, key=WRONG_KEY, cert=WRONG_CERT)
        elif mode == "expired":
            conf = _config(with_sp=True, lifetime=-10)
        else:
            conf = _config(with_sp=True)
        server = Server(config=conf)
        response = server.create_authn_response(
            identity=PEOPLE[username],
            in_response_to=pending["id"],
            destination=pending["acs"],
            sp_entity_id=pending["sp"],
            name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text=secrets.token_hex(16)),
            authn={"class_ref": PASSWORD, "authn_auth": ENTITY_ID},
            sign_assertion=True,
            sign_response=False,
        )
        http_args = server.apply_binding(
            BINDING_HTTP_POST,
            str(response),
            pending["acs"],
            pending["relay_state"],
            response=True,
        )
        self._send(
            200,
            http_args["data"].encode() if isinstance(http_args["data"], str) else http_args["data"],
        )


def main() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    print("ready", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
