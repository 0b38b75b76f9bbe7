"""The LDAP directory of a customer organisation (SUPANN schema), through ``ldap3``.

One :class:`Directory` per :class:`~esup_saas.identity.models.DirectoryConfig`:

- people: :meth:`Directory.search_people` (paged, RFC 2696 "simple paged results", so a
  branch larger than the server's size limit is read whole), :meth:`Directory.find_person`,
  :meth:`Directory.find_by_eppn`;
- groups, in the three styles found in SUPANN directories: ``member`` (the group lists its
  members' DNs, ``groupOfNames`` / RFC 4519), ``memberUid`` (the group lists uids,
  ``posixGroup`` / RFC 2307) and ``memberOf`` (each person lists their groups' DNs, as
  OpenLDAP's memberof overlay and Active Directory maintain it):
  :meth:`Directory.group_members`;
- SMS-U's attributes: the mobile number (``mobile`` or ``pager``, per directory) and the
  terms of use (a value such as ``{SMSU}CG`` in ``supannCGUAcceptee``):
  :meth:`Directory.read_sms_attributes`, :meth:`Directory.write_sms_attributes`.

Connections are pooled per directory (one thread-safe ``SAFE_SYNC`` connection, reopened
once when the server dropped it) and bounded by the configured timeouts. A server that
cannot be reached, or does not answer in time, raises :class:`DirectoryUnavailable` before
anything is written; a refused bind or a bad base raises :class:`DirectoryError`.
"""

from __future__ import annotations

import contextlib
import math
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from django.utils.translation import gettext as _
from ldap3 import (
    BASE,
    MODIFY_ADD,
    MODIFY_DELETE,
    MODIFY_REPLACE,
    NONE,
    SAFE_SYNC,
    SUBTREE,
    Connection,
    Server,
)
from ldap3.core import exceptions as ldap_exc
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn

from .models import DirectoryConfig, GroupStyle

#: Attributes read for a person (the SUPANN / eduPerson set of specs/identity.md item 2).
PERSON_ATTRIBUTES = (
    "eduPersonPrincipalName",
    "mail",
    "givenName",
    "sn",
    "displayName",
    "eduPersonAffiliation",
    "eduPersonPrimaryAffiliation",
    "supannEtablissement",
    "supannEntiteAffectationPrincipale",
    "supannEmpCorps",
    "supannActivite",
    "supannOIDCDateDeNaissance",
)

#: How many values go in one ``(|(uid=a)(uid=b)…)`` filter when resolving a group.
_OR_CHUNK = 100


class DirectoryError(Exception):
    """The directory answered, but not as configured (bind refused, no such base, bad
    filter…). ``str()`` says which directory and what went wrong."""


class DirectoryUnavailable(DirectoryError):
    """The directory could not be reached or did not answer within its timeouts."""


@dataclass(frozen=True)
class DirectoryEntry:
    """One LDAP entry: its DN and its attributes (name → list of strings)."""

    dn: str
    attributes: dict[str, list[str]]

    def first(self, name: str) -> str:
        """The first value of attribute ``name`` (case-insensitive name), or ``""``."""
        values = self.values(name)
        return values[0] if values else ""

    def values(self, name: str) -> list[str]:
        """All values of attribute ``name`` (case-insensitive name), possibly empty."""
        lowered = name.lower()
        for key, values in self.attributes.items():
            if key.lower() == lowered:
                return values
        return []


@dataclass(frozen=True)
class SmsAttributes:
    """SMS-U's view of a person: their mobile number (``""`` when none) and whether they
    accepted the service's terms of use."""

    mobile: str
    terms_accepted: bool


_UNSET: Any = object()

# --- connection pool -------------------------------------------------------------------

_pool: dict[tuple[Any, ...], Connection] = {}
_pool_lock = threading.Lock()


def _pool_key(config: DirectoryConfig) -> tuple[Any, ...]:
    return (
        config.pk,
        config.url,
        config.bind_dn,
        config.bind_password,
        config.start_tls,
        config.connect_timeout,
        config.receive_timeout,
    )


def close_all_connections() -> None:
    """Unbind every pooled connection (tests, reconfiguration)."""
    with _pool_lock:
        for conn in _pool.values():
            with contextlib.suppress(ldap_exc.LDAPException):
                conn.unbind()
        _pool.clear()


def _servers(config: DirectoryConfig) -> list[Server]:
    """One ``Server`` per URL of ``config.url`` (space-separated), in order."""
    servers = []
    for url in config.url.split():
        parsed = urlparse(url)
        if parsed.scheme not in {"ldap", "ldaps"} or not parsed.hostname:
            raise DirectoryError(
                _("Annuaire de %(org)s : URL invalide %(url)r (ldap://hôte:port attendu).")
                % {"org": config.organisation, "url": url}
            )
        servers.append(
            Server(
                parsed.hostname,
                port=parsed.port,
                use_ssl=parsed.scheme == "ldaps",
                get_info=NONE,
                connect_timeout=config.connect_timeout,
            )
        )
    if not servers:
        raise DirectoryError(_("Annuaire de %(org)s : aucune URL.") % {"org": config.organisation})
    return servers


def _unavailable(config: DirectoryConfig, exc: BaseException) -> DirectoryUnavailable:
    return DirectoryUnavailable(
        _("L'annuaire de %(org)s (%(url)s) est injoignable : %(reason)s")
        % {"org": config.organisation, "url": config.url, "reason": exc}
    )


#: Errors that mean "no usable connection": the network, a timeout, a dropped session.
_NETWORK_ERRORS = (
    ldap_exc.LDAPSocketOpenError,
    ldap_exc.LDAPSocketReceiveError,
    ldap_exc.LDAPSocketSendError,
    ldap_exc.LDAPSessionTerminatedByServerError,
    ldap_exc.LDAPResponseTimeoutError,
    ldap_exc.LDAPCommunicationError,
    ldap_exc.LDAPStartTLSError,
    ldap_exc.LDAPMaximumRetriesError,
    ldap_exc.LDAPBusyResult,
    ldap_exc.LDAPUnavailableResult,
    ldap_exc.LDAPTimeLimitExceededResult,
    TimeoutError,
    OSError,
)


def _open(config: DirectoryConfig) -> Connection:
    """A bound connection to the first server of ``config.url`` that answers (fail-over in
    order, each bounded by ``connect_timeout``); :class:`DirectoryUnavailable` if none."""
    last_error: BaseException | None = None
    for server in _servers(config):
        conn = Connection(
            server,
            user=config.bind_dn or None,
            password=config.bind_password or None,
            client_strategy=SAFE_SYNC,
            # ldap3 packs this into SO_RCVTIMEO: whole seconds only.
            receive_timeout=max(1, math.ceil(config.receive_timeout)),
            raise_exceptions=True,
            auto_referrals=False,
        )
        try:
            conn.open()
            if config.start_tls:
                conn.start_tls()
            conn.bind()
        except ldap_exc.LDAPInvalidCredentialsResult as exc:
            raise DirectoryError(
                _("Annuaire de %(org)s : connexion refusée pour %(dn)s (%(reason)s).")
                % {"org": config.organisation, "dn": config.bind_dn or "anonyme", "reason": exc}
            ) from exc
        except _NETWORK_ERRORS as exc:
            last_error = exc
            continue
        return conn
    assert last_error is not None
    raise _unavailable(config, last_error) from last_error


def _connection(config: DirectoryConfig) -> tuple[Connection, bool]:
    """The pooled connection of ``config`` (``reused=True``) or a new one (``False``)."""
    key = _pool_key(config)
    with _pool_lock:
        conn = _pool.get(key)
        if conn is not None and not conn.closed:
            return conn, True
        _pool.pop(key, None)
    conn = _open(config)
    with _pool_lock:
        _pool[key] = conn
    return conn, False


def _discard(config: DirectoryConfig, conn: Connection) -> None:
    with _pool_lock:
        if _pool.get(_pool_key(config)) is conn:
            del _pool[_pool_key(config)]
    with contextlib.suppress(ldap_exc.LDAPException, OSError):
        conn.unbind()


class Directory:
    """Operations on one organisation's directory. Cheap to build; connections are pooled.

    Every method raises :class:`DirectoryUnavailable` when the server cannot be reached or
    does not answer within ``config.receive_timeout`` seconds, and :class:`DirectoryError`
    for any other LDAP failure; a write either happens whole or not at all (one LDAP modify
    operation is atomic, RFC 4511 §4.6).
    """

    def __init__(self, config: DirectoryConfig) -> None:
        self.config = config

    # -- plumbing -------------------------------------------------------------------------

    def _run(self, operation):  # type: ignore[no-untyped-def]
        """Run ``operation(conn)`` on the pooled connection, retrying on a new one if
        the pooled connection turns out dead; map ldap3's errors to ours."""
        while True:
            conn, reused = _connection(self.config)
            try:
                return operation(conn)
            except _NETWORK_ERRORS as exc:
                _discard(self.config, conn)
                if not reused:
                    raise _unavailable(self.config, exc) from exc
                # The pooled connection was dead (server restarted, idle timeout): retry
                # once on a new one, which raises DirectoryUnavailable if the server is down.
            except ldap_exc.LDAPOperationResult as exc:
                raise DirectoryError(
                    _("Annuaire de %(org)s : %(reason)s")
                    % {"org": self.config.organisation, "reason": exc}
                ) from exc
            except ldap_exc.LDAPException as exc:
                raise DirectoryError(
                    _("Annuaire de %(org)s : %(reason)s")
                    % {"org": self.config.organisation, "reason": exc}
                ) from exc

    def _person_attributes(self) -> list[str]:
        c = self.config
        names = [c.uid_attribute, c.eppn_attribute, *PERSON_ATTRIBUTES]
        names += [c.mobile_attribute, c.terms_attribute]
        return list(dict.fromkeys(names))

    @staticmethod
    def _entries(response: list[dict[str, Any]]) -> list[DirectoryEntry]:
        out = []
        for item in response or []:
            if item.get("type") != "searchResEntry":
                continue
            attrs = {
                name: [
                    v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                    for v in (vals if isinstance(vals, list) else [vals])
                ]
                for name, vals in (item.get("attributes") or {}).items()
            }
            out.append(DirectoryEntry(dn=item["dn"], attributes=attrs))
        return out

    def _search(
        self, base: str, search_filter: str, attributes: list[str], *, scope: str = SUBTREE
    ) -> list[DirectoryEntry]:
        """A single (unpaged) search: for lookups known to return few entries."""

        def op(conn: Connection) -> list[DirectoryEntry]:
            _status, _result, response, _request = conn.search(
                base, search_filter, search_scope=scope, attributes=attributes
            )
            return self._entries(response)

        try:
            return self._run(op)
        except DirectoryError as exc:
            if isinstance(exc.__cause__, ldap_exc.LDAPNoSuchObjectResult) and scope == BASE:
                return []
            raise

    def _paged(self, base: str, search_filter: str, attributes: list[str]) -> list[DirectoryEntry]:
        """A paged search (RFC 2696) read to the end; pages of ``config.page_size``."""

        def op(conn: Connection) -> list[DirectoryEntry]:
            entries: list[dict[str, Any]] = list(
                conn.extend.standard.paged_search(
                    base,
                    search_filter,
                    search_scope=SUBTREE,
                    attributes=attributes,
                    paged_size=self.config.page_size,
                    generator=True,
                )
            )
            return self._entries(entries)

        return self._run(op)

    def _people_filter(self, extra: str = "") -> str:
        base = self.config.people_filter.strip() or "(objectClass=*)"
        if not base.startswith("("):
            base = f"({base})"
        return f"(&{base}{extra})" if extra else base

    # -- people ---------------------------------------------------------------------------

    def ping(self) -> None:
        """Open (or reuse) a bound connection; raises like every other method."""
        self._run(lambda conn: conn.bound)

    def search_people(self, extra_filter: str = "") -> list[DirectoryEntry]:
        """Every person of the people branch matching ``people_filter`` (and
        ``extra_filter``, an LDAP filter such as ``(eduPersonAffiliation=staff)``), read
        page by page. Entries in server order."""
        return self._paged(
            self.config.people_dn, self._people_filter(extra_filter), self._person_attributes()
        )

    def find_person(self, uid: str) -> DirectoryEntry | None:
        """The person whose ``uid_attribute`` is ``uid``, or ``None``."""
        found = self._search(
            self.config.people_dn,
            self._people_filter(f"({self.config.uid_attribute}={escape_filter_chars(uid)})"),
            self._person_attributes(),
        )
        return found[0] if found else None

    def find_by_eppn(self, eppn: str) -> DirectoryEntry | None:
        """The person whose eppn is ``eppn``, or ``None``."""
        found = self._search(
            self.config.people_dn,
            self._people_filter(f"({self.config.eppn_attribute}={escape_filter_chars(eppn)})"),
            self._person_attributes(),
        )
        return found[0] if found else None

    def _people_by(self, attribute: str, values: list[str]) -> list[DirectoryEntry]:
        out: list[DirectoryEntry] = []
        for start in range(0, len(values), _OR_CHUNK):
            chunk = values[start : start + _OR_CHUNK]
            ors = "".join(f"({attribute}={escape_filter_chars(v)})" for v in chunk)
            out.extend(
                self._paged(
                    self.config.people_dn,
                    self._people_filter(f"(|{ors})"),
                    self._person_attributes(),
                )
            )
        return out

    # -- groups ---------------------------------------------------------------------------

    def find_group(self, group: str) -> DirectoryEntry | None:
        """The group named ``group`` (its ``group_name_attribute``, e.g. ``cn``) or whose DN
        is ``group``; ``None`` when there is none."""
        attrs = [self.config.group_name_attribute, "member", "uniqueMember", "memberUid"]
        if "=" in group:
            found = self._search(group, "(objectClass=*)", attrs, scope=BASE)
        else:
            found = self._search(
                self.config.group_dn,
                f"({self.config.group_name_attribute}={escape_filter_chars(group)})",
                attrs,
            )
        return found[0] if found else None

    def group_members(self, group: str, *, style: str | None = None) -> list[DirectoryEntry]:
        """The people in ``group`` (a name or a DN), as directory entries sorted by uid.

        ``style`` (default: the directory's ``group_style``) is ``member`` (member /
        uniqueMember DNs in the group), ``memberUid`` (uids in the group) or ``memberOf``
        (the group's DN in each person's ``memberOf``). Raises :class:`DirectoryError`
        when the group does not exist.
        """
        style = style or self.config.group_style
        if style not in GroupStyle.values:
            raise ValueError(f"style: expected one of {GroupStyle.values}, got {style!r}")
        entry = self.find_group(group)
        if entry is None:
            raise DirectoryError(
                _("Annuaire de %(org)s : groupe %(group)r introuvable.")
                % {"org": self.config.organisation, "group": group}
            )
        uid_attr = self.config.uid_attribute
        if style == GroupStyle.MEMBER_UID:
            people = self._people_by(uid_attr, entry.values("memberUid"))
        elif style == GroupStyle.MEMBER_OF:
            people = self._paged(
                self.config.people_dn,
                self._people_filter(f"(memberOf={escape_filter_chars(entry.dn)})"),
                self._person_attributes(),
            )
        else:
            people = self._people_from_dns(entry.values("member") + entry.values("uniqueMember"))
        unique = {p.dn.lower(): p for p in people}
        return sorted(unique.values(), key=lambda p: (p.first(uid_attr), p.dn))

    def _people_from_dns(self, dns: list[str]) -> list[DirectoryEntry]:
        """Resolve member DNs: one OR filter per chunk when the DNs' first RDN is the uid
        attribute (the usual ``uid=…,ou=people,…``), else one base read per DN."""
        uid_attr = self.config.uid_attribute.lower()
        by_uid: list[str] = []
        others: list[str] = []
        for dn in dns:
            try:
                first = parse_dn(dn)[0]
            except (ldap_exc.LDAPInvalidDnError, IndexError):
                others.append(dn)
                continue
            if first[0].lower() == uid_attr:
                by_uid.append(first[1])
            else:
                others.append(dn)
        people = self._people_by(self.config.uid_attribute, by_uid) if by_uid else []
        for dn in others:
            people.extend(
                self._search(dn, self._people_filter(), self._person_attributes(), scope=BASE)
            )
        return people

    # -- SMS-U ----------------------------------------------------------------------------

    def _sms_of(self, entry: DirectoryEntry) -> SmsAttributes:
        terms = {v.lower() for v in entry.values(self.config.terms_attribute)}
        return SmsAttributes(
            mobile=entry.first(self.config.mobile_attribute),
            terms_accepted=self.config.terms_value.lower() in terms,
        )

    def read_sms_attributes(self, uid: str) -> SmsAttributes:
        """The mobile number and terms-of-use acceptance of the person ``uid``.

        Raises :class:`DirectoryError` when there is no such person.
        """
        entry = self.find_person(uid)
        if entry is None:
            raise DirectoryError(
                _("Annuaire de %(org)s : personne %(uid)r introuvable.")
                % {"org": self.config.organisation, "uid": uid}
            )
        return self._sms_of(entry)

    def write_sms_attributes(
        self, uid: str, *, mobile: str | None = _UNSET, terms_accepted: bool | None = None
    ) -> SmsAttributes:
        """Set the person's mobile (``""`` or ``None`` removes it) and/or their acceptance
        of the terms (adds or removes ``terms_value`` in ``terms_attribute``, leaving other
        values alone), in one LDAP modify; returns the attributes as read back.

        Arguments left out are not touched. Raises :class:`DirectoryError` when there is no
        such person or the bind account may not write.
        """
        entry = self.find_person(uid)
        if entry is None:
            raise DirectoryError(
                _("Annuaire de %(org)s : personne %(uid)r introuvable.")
                % {"org": self.config.organisation, "uid": uid}
            )
        changes: dict[str, list[tuple[str, list[str]]]] = {}
        current = self._sms_of(entry)
        if mobile is not _UNSET:
            if mobile:
                changes[self.config.mobile_attribute] = [(MODIFY_REPLACE, [mobile])]
            elif current.mobile:
                changes[self.config.mobile_attribute] = [(MODIFY_DELETE, [])]
        if terms_accepted is True and not current.terms_accepted:
            changes[self.config.terms_attribute] = [(MODIFY_ADD, [self.config.terms_value])]
        elif terms_accepted is False and current.terms_accepted:
            stored = next(
                v
                for v in entry.values(self.config.terms_attribute)
                if v.lower() == self.config.terms_value.lower()
            )
            changes[self.config.terms_attribute] = [(MODIFY_DELETE, [stored])]
        if changes:
            self._run(lambda conn: conn.modify(entry.dn, changes))
        return self.read_sms_attributes(uid)

    def is_member(self, group: str, uid: str, *, style: str | None = None) -> bool:
        """True when the person ``uid`` belongs to ``group`` (a name or a DN), checked with
        one search in the directory's group style (see :meth:`group_members`); ``False``
        when the group or the person does not exist."""
        style = style or self.config.group_style
        entry = self.find_group(group)
        person = self.find_person(uid)
        if entry is None or person is None:
            return False
        if style == GroupStyle.MEMBER_UID:
            return uid.lower() in {v.lower() for v in entry.values("memberUid")}
        if style == GroupStyle.MEMBER_OF:
            found = self._search(
                self.config.people_dn,
                self._people_filter(
                    f"({self.config.uid_attribute}={escape_filter_chars(uid)})"
                    f"(memberOf={escape_filter_chars(entry.dn)})"
                ),
                [self.config.uid_attribute],
            )
            return bool(found)
        members = {v.lower() for v in entry.values("member") + entry.values("uniqueMember")}
        return person.dn.lower() in members

    def write_terms(
        self,
        uid: str,
        *,
        mobile: str | None = _UNSET,
        add: list[str] | tuple[str, ...] = (),
        remove: list[str] | tuple[str, ...] = (),
    ) -> DirectoryEntry:
        """Set the person's mobile (``""`` or ``None`` removes it) and add / remove values of
        the terms-of-use attribute (compared case-insensitively; other values are left
        alone), in one LDAP modify; return the entry as read back. SMS-U keeps its consents
        there as ``{SMSU}CG`` and ``{SMSU}<SERVICE_KEY>`` (SUPANN ``supannCGUAcceptee``).

        Raises :class:`DirectoryError` when there is no such person or the bind account may
        not write.
        """
        entry = self.find_person(uid)
        if entry is None:
            raise DirectoryError(
                _("Annuaire de %(org)s : personne %(uid)r introuvable.")
                % {"org": self.config.organisation, "uid": uid}
            )
        changes: dict[str, list[tuple[str, list[str]]]] = {}
        current_mobile = entry.first(self.config.mobile_attribute)
        if mobile is not _UNSET:
            if mobile:
                changes[self.config.mobile_attribute] = [(MODIFY_REPLACE, [mobile])]
            elif current_mobile:
                changes[self.config.mobile_attribute] = [(MODIFY_DELETE, [])]
        present = {v.lower(): v for v in entry.values(self.config.terms_attribute)}
        to_add = [v for v in dict.fromkeys(add) if v.lower() not in present]
        to_remove = [present[v.lower()] for v in dict.fromkeys(remove) if v.lower() in present]
        ops: list[tuple[str, list[str]]] = []
        if to_add:
            ops.append((MODIFY_ADD, to_add))
        if to_remove:
            ops.append((MODIFY_DELETE, to_remove))
        if ops:
            changes[self.config.terms_attribute] = ops
        if changes:
            self._run(lambda conn: conn.modify(entry.dn, changes))
        found = self.find_person(uid)
        assert found is not None
        return found
