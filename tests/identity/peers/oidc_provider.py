"""A minimal OpenID Connect provider for the identity tests (authorization code flow).

Run: ``python -m tests.identity.peers.oidc_provider PORT CLIENT_ID CLIENT_SECRET``

- ``GET /.well-known/openid-configuration`` (OpenID Connect Discovery 1.0);
- ``GET /authorize`` → a login form; ``POST /authorize`` (``username``, ``password`` of
  :mod:`tests.identity.peers.people`) → redirect to ``redirect_uri`` with ``code`` and
  ``state`` (Core 1.0 §3.1.2);
- ``POST /token``: client secret, single-use code, same ``redirect_uri``, PKCE S256
  (RFC 7636) → an ``id_token`` signed RS256 with jwcrypto (``iss``, ``sub``, ``aud``,
  ``exp``, ``iat``, ``nonce``) and an access token (Core 1.0 §3.1.3);
- ``GET /userinfo`` with the bearer token → the person's claims, SUPANN ones under
  RENATER-style snake_case names (Core 1.0 §5.3);
- ``GET /jwks``: the public key set.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from jwcrypto import jwk, jwt

from tests.identity.peers.people import PASSWORD, PEOPLE

PORT, CLIENT_ID, CLIENT_SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ISSUER = f"http://127.0.0.1:{PORT}"
KEY = jwk.JWK.generate(kty="RSA", size=2048, kid="test-key-1", alg="RS256", use="sig")
_codes: dict[str, dict] = {}
_tokens: dict[str, str] = {}
_lock = threading.Lock()


def _claims(username: str) -> dict:
    person = PEOPLE[username]

    def one(name: str) -> str:
        return person.get(name, [""])[0]

    claims = {
        "sub": username,
        "given_name": one("givenName"),
        "family_name": one("sn"),
        "email": one("mail"),
        "eduperson_principal_name": one("eduPersonPrincipalName"),
        "eduperson_affiliation": person.get("eduPersonAffiliation", []),
        "supann_etablissement": person.get("supannEtablissement", []),
        "supann_emp_corps": person.get("supannEmpCorps", []),
        "birthdate": one("supannOIDCDateDeNaissance"),
    }
    return {k: v for k, v in claims.items() if v}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        sys.stderr.write("oidc-op: " + (format % args) + "\n")

    def _send(self, status: int, body, ctype: str = "application/json", headers=None) -> None:
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length", "0"))
        return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self._send(
                200,
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "userinfo_endpoint": f"{ISSUER}/userinfo",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                },
            )
        elif url.path == "/jwks":
            self._send(200, {"keys": [json.loads(KEY.export_public())]})
        elif url.path == "/authorize":
            if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                self._send(400, {"error": "invalid_request"})
                return
            hidden = "".join(
                f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
                for k, v in query.items()
            )
            page = (
                "<!doctype html><title>OP de test</title><form method='post' action='/authorize'>"
                f"{hidden}<input name='username'><input type='password' name='password'>"
                "<button>Se connecter</button></form>"
            )
            self._send(200, page.encode(), "text/html; charset=utf-8")
        elif url.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            with _lock:
                username = _tokens.get(token)
            if username is None:
                self._send(401, {"error": "invalid_token"})
                return
            self._send(200, _claims(username))
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self) -> None:
        url = urlparse(self.path)
        form = self._form()
        if url.path == "/authorize":
            username = form.get("username", "")
            if username not in PEOPLE or form.get("password") != PASSWORD:
                self._send(403, b"wrong password", "text/plain")
                return
            code = secrets.token_urlsafe(24)
            with _lock:
                _codes[code] = {
                    "username": username,
                    "redirect_uri": form["redirect_uri"],
                    "nonce": form.get("nonce"),
                    "challenge": form.get("code_challenge"),
                }
            target = form["redirect_uri"] + "?" + urlencode({"code": code, "state": form["state"]})
            self._send(302, b"", "text/plain", {"Location": target})
        elif url.path == "/token":
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                self._send(401, {"error": "invalid_client"})
                return
            with _lock:
                grant = _codes.pop(form.get("code", ""), None)
            if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                self._send(400, {"error": "invalid_grant"})
                return
            if grant["challenge"]:
                digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if expected != grant["challenge"]:
                    self._send(400, {"error": "invalid_grant", "error_description": "PKCE"})
                    return
            now = int(time.time())
            claims = {
                "iss": ISSUER,
                "sub": grant["username"],
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "email": _claims(grant["username"]).get("email", ""),
            }
            if grant["nonce"]:
                claims["nonce"] = grant["nonce"]
            token = jwt.JWT(header={"alg": "RS256", "kid": KEY.kid}, claims=claims)
            token.make_signed_token(KEY)
            access = secrets.token_urlsafe(24)
            with _lock:
                _tokens[access] = grant["username"]
            self._send(
                200,
                {
                    "access_token": access,
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": token.serialize(),
                },
            )
        else:
            self._send(404, {"error": "not_found"})


def main() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    print("ready", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
