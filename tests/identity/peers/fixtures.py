"""Session fixtures that start the real peers of the identity tests on 127.0.0.1.

- ``slapd``: OpenLDAP (Debian ``slapd``) from a temporary folder, with the schema subset of
  ``ldap/supann-test.schema``, the memberof overlay, a service account limited to 100
  entries per unpaged search, and invented people and groups in the three membership styles;
- ``cas_server``: django-mama-cas in its own process (``cas_server/``);
- ``saml_idp``: a pysaml2 identity provider in its own process (``saml_idp.py``), which signs
  its assertions (Debian ``xmlsec1``);
- ``oidc_provider``: a minimal OpenID provider in its own process (``oidc_provider.py``).

A missing program fails the tests that need it with the name of the Debian package.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PEERS = Path(__file__).resolve().parent
ROOT = PEERS.parents[2]

# --- helpers ----------------------------------------------------------------------------


def require_program(name: str, package: str, *extra_dirs: str) -> str:
    """The path of program ``name``, or fail naming the Debian ``package`` to install."""
    found = shutil.which(name)
    for folder in extra_dirs:
        candidate = Path(folder) / name
        if found is None and candidate.is_file():
            found = str(candidate)
    if found is None:
        pytest.fail(
            f"{name} is missing: install the Debian package {package} "
            f"(apt-get install -y {package})",
            pytrace=False,
        )
    return found


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(
    port: int, proc: subprocess.Popen, log: Path, name: str, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"{name} exited with {proc.returncode}:\n{log.read_text()[-3000:]}", pytrace=False
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail(
        f"{name} did not listen on {port} within {timeout}s:\n{log.read_text()[-3000:]}",
        pytrace=False,
    )


def _python_process(
    module: str, *args: str, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    full_env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=full_env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- OpenLDAP ---------------------------------------------------------------------------

LDAP_BASE = "dc=c1,dc=example,dc=org"
LDAP_ADMIN = f"cn=admin,{LDAP_BASE}"
LDAP_SERVICE = f"cn=esup-saas,ou=system,{LDAP_BASE}"
#: The service account sees at most this many entries in one unpaged search.
LDAP_SIZE_LIMIT = 100
#: Numbered people ``p0001``… besides the named ones: more than two pages.
LDAP_NUMBERED = 257

SLAPD_CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include {schema}
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof

database mdb
maxsize 104857600
suffix "{base}"
rootdn "{admin}"
rootpw {admin_password}
directory {dir}/data
index objectClass eq
index uid,eduPersonPrincipalName eq
index member,memberUid,memberOf eq
limits dn.exact="{service}" size.soft={limit} size.hard={limit} size.prtotal=unlimited
access to attrs=userPassword
    by self write
    by anonymous auth
    by * none
access to attrs=mobile,pager,supannCGUAcceptee
    by dn.exact="{service}" write
    by users read
    by * none
access to *
    by users read
    by * none

overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE
"""


@dataclass(frozen=True)
class LdapPeer:
    """The running slapd: its URL, base, accounts, and what it was loaded with."""

    url: str
    base: str
    admin_dn: str
    admin_password: str
    service_dn: str
    service_password: str
    people_count: int
    size_limit: int


def ldap_people() -> list[tuple[str, dict[str, list[str]]]]:
    """The people entries (RDN, attributes) loaded into slapd; all invented."""
    people: list[tuple[str, dict[str, list[str]]]] = []

    def person(rdn: str, uid: str, given: str, family: str, **extra: list[str]) -> None:
        attrs = {
            "objectClass": ["inetOrgPerson", "eduPerson", "supannPerson"],
            "uid": [uid],
            "cn": [f"{given} {family}"],
            "givenName": [given],
            "sn": [family],
            "mail": [f"{uid}@c1.example.org"],
            "eduPersonPrincipalName": [f"{uid}@c1.example.org"],
            "supannEtablissement": ["{UAI}0000003C"],
        }
        attrs.update(extra)
        people.append((rdn, {k: v for k, v in attrs.items() if v}))

    person(
        "uid=jdupont",
        "jdupont",
        "Jeanne",
        "Dupont",
        mail=["jeanne.dupont@c1.example.org"],
        eduPersonAffiliation=["staff", "employee", "member"],
        supannEntiteAffectationPrincipale=["DSI"],
        supannEmpCorps=["{NCORPS}300"],
        supannActivite=["{BAP}E"],
        supannOIDCDateDeNaissance=["1980-05-17"],
        mobile=["+33612345678"],
        supannCGUAcceptee=["{SMSU}CG"],
    )
    person(
        "uid=lmartin",
        "lmartin",
        "Louis",
        "Martin",
        mail=["louis.martin@c1.example.org"],
        eduPersonAffiliation=["student", "member"],
        pager=["+33698765432"],
    )
    # A member whose DN does not start with uid=: resolved by reading the DN itself.
    person(
        "cn=Accueil Scolarite", "accueil", "Accueil", "Scolarite", eduPersonAffiliation=["staff"]
    )
    # An entry without eppn: skipped by the import, with the reason.
    person("uid=sanseppn", "sanseppn", "Sans", "Eppn", eduPersonPrincipalName=[])
    for n in range(1, LDAP_NUMBERED + 1):
        uid = f"p{n:04d}"
        person(
            f"uid={uid}",
            uid,
            f"Prenom{n:04d}",
            f"Nom{n:04d}",
            eduPersonAffiliation=["student" if n % 2 else "staff", "member"],
            mobile=[f"+336000{n:05d}"] if n % 2 == 0 else [],
            supannCGUAcceptee=["{SMSU}CG"] if n % 3 == 0 else [],
        )
    return people


def _people_dn(rdn: str) -> str:
    return f"{rdn},ou=people,{LDAP_BASE}"


#: Groups: (cn, object class, members). ``member`` holds DNs, ``memberUid`` holds uids.
LDAP_GROUPS = {
    "dsi": ["uid=jdupont", "uid=p0001", "uid=p0002", "cn=Accueil Scolarite"],
    "sms-senders": ["uid=lmartin", "uid=p0010"],
    "all-staff": [f"uid=p{n:04d}" for n in range(2, LDAP_NUMBERED + 1, 2)],  # 128 > one page
}
LDAP_POSIX_GROUPS = {"l1-info": ["p0100", "p0101", "p0102", "lmartin"]}


def _load_ldap(url: str, admin_password: str, service_password: str) -> int:
    from ldap3 import Connection, Server

    conn = Connection(
        Server(url), LDAP_ADMIN, admin_password, auto_bind=True, raise_exceptions=True
    )
    conn.add(LDAP_BASE, ["dcObject", "organization"], {"dc": "c1", "o": "Customer One"})
    for ou in ("people", "groups", "system"):
        conn.add(f"ou={ou},{LDAP_BASE}", ["organizationalUnit"], {"ou": ou})
    conn.add(
        LDAP_SERVICE,
        ["organizationalRole", "simpleSecurityObject"],
        {"cn": "esup-saas", "userPassword": service_password},
    )
    people = ldap_people()
    for rdn, attrs in people:
        conn.add(_people_dn(rdn), attributes=attrs)
    for cn, members in LDAP_GROUPS.items():
        conn.add(
            f"cn={cn},ou=groups,{LDAP_BASE}",
            ["groupOfNames"],
            {"cn": cn, "member": [_people_dn(m) for m in members]},
        )
    for gid, (cn, uids) in enumerate(LDAP_POSIX_GROUPS.items(), start=5001):
        conn.add(
            f"cn={cn},ou=groups,{LDAP_BASE}",
            ["posixGroup"],
            {"cn": cn, "gidNumber": str(gid), "memberUid": uids},
        )
    conn.unbind()
    return len(people)


@pytest.fixture(scope="session")
def slapd(tmp_path_factory) -> Iterator[LdapPeer]:
    """A running OpenLDAP loaded with :func:`ldap_people` and the test groups."""
    binary = require_program("slapd", "slapd", "/usr/sbin")
    if not Path("/etc/ldap/schema/inetorgperson.schema").is_file():
        pytest.fail(
            "OpenLDAP's schema files are missing: install the Debian package slapd", pytrace=False
        )
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "data").mkdir()
    admin_password = secrets.token_hex(8)
    service_password = secrets.token_hex(8)
    conf = folder / "slapd.conf"
    conf.write_text(
        SLAPD_CONF.format(
            schema=PEERS / "ldap" / "supann-test.schema",
            dir=folder,
            base=LDAP_BASE,
            admin=LDAP_ADMIN,
            admin_password=admin_password,
            service=LDAP_SERVICE,
            limit=LDAP_SIZE_LIMIT,
        )
    )
    port = free_port()
    log = folder / "slapd.log"
    proc = subprocess.Popen(
        [binary, "-f", str(conf), "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    _wait_for_port(port, proc, log, "slapd")
    url = f"ldap://127.0.0.1:{port}"
    try:
        count = _load_ldap(url, admin_password, service_password)
        yield LdapPeer(
            url=url,
            base=LDAP_BASE,
            admin_dn=LDAP_ADMIN,
            admin_password=admin_password,
            service_dn=LDAP_SERVICE,
            service_password=service_password,
            people_count=count,
            size_limit=LDAP_SIZE_LIMIT,
        )
    finally:
        _stop(proc)


# --- CAS --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def cas_server(tmp_path_factory) -> Iterator[str]:
    """The URL of a running django-mama-cas server (``http://127.0.0.1:PORT/cas/``)."""
    folder = tmp_path_factory.mktemp("cas")
    port = free_port()
    log = folder / "cas.log"
    proc = _python_process(
        "tests.identity.peers.cas_server.serve",
        str(port),
        log=log,
        env={"CAS_PEER_DB": str(folder / "cas.sqlite3")},
    )
    _wait_for_port(port, proc, log, "the CAS server (mama-cas)")
    try:
        yield f"http://127.0.0.1:{port}/cas/"
    finally:
        _stop(proc)


# --- SAML -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SamlKeys:
    """PEM files: the IdP's key pair, another (wrong) pair, and the SP's pair."""

    idp_key: str
    idp_cert: str
    wrong_key: str
    wrong_cert: str
    sp_key: str
    sp_cert: str


def _key_pair(folder: Path, name: str, common_name: str) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


@pytest.fixture(scope="session")
def saml_keys(tmp_path_factory) -> SamlKeys:
    folder = tmp_path_factory.mktemp("saml-keys")
    idp = _key_pair(folder, "idp", "idp.test")
    wrong = _key_pair(folder, "wrong", "idp.test")
    sp = _key_pair(folder, "sp", "esup-saas.test")
    return SamlKeys(*idp, *wrong, *sp)


@dataclass(frozen=True)
class SamlIdp:
    url: str
    metadata_url: str


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory, live_server, saml_keys) -> Iterator[SamlIdp]:
    """A running pysaml2 identity provider; it reads our SP metadata from the live server."""
    require_program("xmlsec1", "xmlsec1")
    folder = tmp_path_factory.mktemp("saml-idp")
    port = free_port()
    log = folder / "idp.log"
    proc = _python_process(
        "tests.identity.peers.saml_idp",
        str(port),
        saml_keys.idp_key,
        saml_keys.idp_cert,
        saml_keys.wrong_key,
        saml_keys.wrong_cert,
        f"{live_server.url}/accounts/saml2/metadata/",
        log=log,
    )
    _wait_for_port(port, proc, log, "the SAML IdP (pysaml2)")
    try:
        yield SamlIdp(
            url=f"http://127.0.0.1:{port}", metadata_url=f"http://127.0.0.1:{port}/metadata"
        )
    finally:
        _stop(proc)


# --- OpenID Connect ---------------------------------------------------------------------


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator[OidcProvider]:
    folder = tmp_path_factory.mktemp("oidc")
    port = free_port()
    log = folder / "oidc.log"
    secret = secrets.token_urlsafe(16)
    proc = _python_process(
        "tests.identity.peers.oidc_provider", str(port), "esup-saas-test", secret, log=log
    )
    _wait_for_port(port, proc, log, "the OpenID provider")
    try:
        yield OidcProvider(f"http://127.0.0.1:{port}", "esup-saas-test", secret)
    finally:
        _stop(proc)
