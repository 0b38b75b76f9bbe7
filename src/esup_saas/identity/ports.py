"""The identity app's implementation of ``lib.directory_port`` (the directory as offers see it).

Registered in :meth:`esup_saas.identity.apps.IdentityConfig.ready`; offers reach the LDAP layer
only through it (DESIGN.md: an offer does not import ``identity``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from esup_saas.lib.directory_port import (
    DirectoryPerson,
    DirectoryPortError,
    DirectoryPortUnavailable,
)

from .directory import Directory, DirectoryEntry, DirectoryError, DirectoryUnavailable
from .models import DirectoryConfig

T = TypeVar("T")


def _terms_prefix(config: DirectoryConfig) -> str:
    """``{SMSU}`` for a general value ``{SMSU}CG``: the prefix of the services' values."""
    value = config.terms_value
    return value[: value.index("}") + 1] if value.startswith("{") and "}" in value else ""


def _person(config: DirectoryConfig, entry: DirectoryEntry) -> DirectoryPerson:
    values = entry.values(config.terms_attribute)
    lowered = {v.lower() for v in values}
    prefix = _terms_prefix(config)
    services = frozenset(
        v[len(prefix) :]
        for v in values
        if prefix
        and v.lower().startswith(prefix.lower())
        and v.lower() != config.terms_value.lower()
    )
    return DirectoryPerson(
        uid=entry.first(config.uid_attribute),
        eppn=entry.first(config.eppn_attribute),
        first_name=entry.first("givenName"),
        last_name=entry.first("sn"),
        email=entry.first("mail"),
        mobile=entry.first(config.mobile_attribute),
        general_terms=config.terms_value.lower() in lowered,
        service_terms=services,
        attributes=dict(entry.attributes),
    )


class IdentityDirectory:
    """:class:`~esup_saas.lib.directory_port.DirectoryPort` over ``identity.directory``."""

    @staticmethod
    def _config(organisation_id: int) -> DirectoryConfig:
        config = (
            DirectoryConfig.objects.select_related("organisation")
            .filter(organisation_id=organisation_id)
            .first()
        )
        if config is None:
            raise DirectoryPortError("Aucun annuaire n'est configuré pour cet établissement.")
        return config

    @staticmethod
    def _call(operation: Callable[[], T]) -> T:
        try:
            return operation()
        except DirectoryUnavailable as exc:
            raise DirectoryPortUnavailable(str(exc)) from exc
        except DirectoryError as exc:
            raise DirectoryPortError(str(exc)) from exc

    def available(self, organisation_id: int) -> bool:
        return DirectoryConfig.objects.filter(organisation_id=organisation_id).exists()

    def group_members(self, organisation_id: int, group: str) -> list[DirectoryPerson]:
        config = self._config(organisation_id)
        entries = self._call(lambda: Directory(config).group_members(group))
        return [_person(config, e) for e in entries]

    def search(self, organisation_id: int, ldap_filter: str) -> list[DirectoryPerson]:
        config = self._config(organisation_id)
        entries = self._call(lambda: Directory(config).search_people(ldap_filter))
        return [_person(config, e) for e in entries]

    def person(self, organisation_id: int, uid: str) -> DirectoryPerson | None:
        config = self._config(organisation_id)
        entry = self._call(lambda: Directory(config).find_person(uid))
        return _person(config, entry) if entry is not None else None

    def uid_for_eppn(self, organisation_id: int, eppn: str) -> str | None:
        config = self._config(organisation_id)
        entry = self._call(lambda: Directory(config).find_by_eppn(eppn))
        return entry.first(config.uid_attribute) if entry is not None else None

    def is_member(self, organisation_id: int, group: str, uid: str) -> bool:
        config = self._config(organisation_id)
        return self._call(lambda: Directory(config).is_member(group, uid))

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
        config = self._config(organisation_id)
        prefix = _terms_prefix(config)
        add = [f"{prefix}{key}" for key in add_services]
        remove = [f"{prefix}{key}" for key in remove_services]
        if general_terms is True:
            add.append(config.terms_value)
        elif general_terms is False:
            remove.append(config.terms_value)
        directory = Directory(config)
        if mobile is None:
            entry = self._call(lambda: directory.write_terms(uid, add=add, remove=remove))
        else:
            entry = self._call(
                lambda: directory.write_terms(uid, mobile=mobile, add=add, remove=remove)
            )
        return _person(config, entry)
