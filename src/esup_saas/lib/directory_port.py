"""The directory as the offers see it: a small interface that the identity app implements.

DESIGN.md's arrows let an offer use ``servicedesk``, ``catalog``, ``tenancy`` and ``lib``, not
``identity``, where the LDAP layer lives (``identity/directory.py``). So the interface is
declared here (no Django, no LDAP), ``identity`` registers its implementation in its
``AppConfig.ready()`` (:func:`register_directory`), and an offer asks :func:`get_directory`.
With no identity app installed, :func:`get_directory` returns ``None`` and offers fall back to
what they keep locally.

Consent to SMS-U is stored the SUPANN way, as values of the terms-of-use attribute
(``supannCGUAcceptee``): the general conditions as ``{SMSU}CG`` (the directory's configured
value) and a service's special conditions as ``{SMSU}<SERVICE_KEY>`` (same prefix).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol


class DirectoryPortError(Exception):
    """The directory failed (bad group, bind refused…); ``str()`` says what, in French."""


class DirectoryPortUnavailable(DirectoryPortError):
    """The directory could not be reached or did not answer in time."""


@dataclass(frozen=True)
class DirectoryPerson:
    """One person of an organisation's directory, as an offer needs it.

    ``mobile`` is the raw value of the directory's mobile attribute (``""`` when none; not
    checked); ``general_terms`` says whether the general conditions are accepted;
    ``service_terms`` holds the keys of the services whose special conditions are accepted
    (``"ALERT"`` for a ``{SMSU}ALERT`` value); ``attributes`` every attribute read (name →
    values), for personalisation.
    """

    uid: str
    eppn: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    mobile: str = ""
    general_terms: bool = False
    service_terms: frozenset[str] = frozenset()
    attributes: dict[str, list[str]] = field(default_factory=dict, compare=False)


class DirectoryPort(Protocol):
    """What an offer may ask of an organisation's directory (ids are ``Organisation.pk``).

    Every method raises :class:`DirectoryPortUnavailable` when the server is down or silent
    and :class:`DirectoryPortError` for any other failure (unknown group, refused write).
    """

    def available(self, organisation_id: int) -> bool:
        """True when the organisation has a directory configured."""
        ...

    def group_members(self, organisation_id: int, group: str) -> list[DirectoryPerson]:
        """The members of ``group`` (a name such as ``cn`` or a DN), whatever the group
        style (``member``, ``memberUid``, ``memberOf``) the directory uses."""
        ...

    def search(self, organisation_id: int, ldap_filter: str) -> list[DirectoryPerson]:
        """The people matching ``ldap_filter`` (RFC 4515, e.g. ``(eduPersonAffiliation=staff)``)
        within the directory's people filter."""
        ...

    def person(self, organisation_id: int, uid: str) -> DirectoryPerson | None:
        """The person whose identifier is ``uid``, or ``None``."""
        ...

    def uid_for_eppn(self, organisation_id: int, eppn: str) -> str | None:
        """The directory identifier of the person with this eppn, or ``None``."""
        ...

    def is_member(self, organisation_id: int, group: str, uid: str) -> bool:
        """True when the person ``uid`` belongs to ``group``."""
        ...

    def write_sms(
        self,
        organisation_id: int,
        uid: str,
        *,
        mobile: str | None = None,
        general_terms: bool | None = None,
        add_services: Iterable[str] = (),
        remove_services: Iterable[str] = (),
    ) -> DirectoryPerson:
        """Write the person's mobile (``None``: unchanged, ``""``: removed) and terms of use
        in one LDAP modify; return the person as read back."""
        ...


_directory: DirectoryPort | None = None


def register_directory(port: DirectoryPort) -> None:
    """Install ``port`` as the directory implementation (the identity app does, once)."""
    global _directory
    _directory = port


def get_directory() -> DirectoryPort | None:
    """The registered directory implementation, or ``None`` when none is installed."""
    return _directory
