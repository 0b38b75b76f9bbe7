"""Pure helpers for SUPANN / eduPerson attributes, whatever protocol carried them.

No Django import: the same code reads a CAS 3 ``<cas:attributes>`` block, a SAML 2.0
``AttributeStatement`` (after pysaml2's name mapping), an OpenID Connect userinfo answer and
an LDAP entry.

Sources of the rules:

- SUPANN recommendations (RENATER, version 2021), "valeurs étiquetées": a tagged value is
  ``{TAG}code``, the tag naming the referential of the code, e.g. ``{UAI}0751717J`` (the
  national register of institutions), ``{NCORPS}300`` (the ministry's corps nomenclature),
  ``{BAP}A`` (branches d'activité professionnelle), ``{SUPANN}S401`` (SUPANN's own lists).
  ``supannOIDCDateDeNaissance`` is a date ``AAAA-MM-JJ``.
- eduPerson (REFEDS): ``eduPersonPrincipalName`` is ``user@scope`` where the scope is a DNS
  domain of the institution; it is the stable identifier of a person across services.
- OpenID Connect Core 1.0 §5.1 for the standard claims (``given_name``, ``family_name``,
  ``email``, ``name``, ``birthdate``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: A tagged SUPANN value: ``{TAG}code``; the tag is letters, digits, ``:``, ``_`` or ``-``.
_TAGGED = re.compile(r"^\{(?P<tag>[A-Za-z0-9:_\-]+)\}(?P<code>.*)$")

#: ``local@domain``: one ``@``, a non-empty local part, a DNS domain with at least one dot.
_EPPN = re.compile(
    r"^(?P<local>[^@\s]+)@(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+)$"
)

#: The attribute names we read, with the other names the same value arrives under (OIDC
#: standard claims, RENATER's OIDC claim names). Matching ignores case and underscores, so
#: ``eduperson_principal_name`` is ``eduPersonPrincipalName``.
ALIASES: dict[str, tuple[str, ...]] = {
    "eduPersonPrincipalName": ("eppn",),
    "mail": ("email",),
    "givenName": ("given_name",),
    "sn": ("family_name", "surname"),
    "displayName": ("name",),
    "eduPersonAffiliation": ("affiliation",),
    "eduPersonPrimaryAffiliation": (),
    "supannEtablissement": (),
    "supannEntiteAffectationPrincipale": (),
    "supannEmpCorps": (),
    "supannActivite": (),
    "supannOIDCDateDeNaissance": ("birthdate",),
}

#: eduPerson affiliations (eduPerson 2021, ``eduPersonAffiliation`` controlled vocabulary).
AFFILIATIONS = frozenset(
    {
        "faculty",
        "student",
        "staff",
        "alum",
        "member",
        "affiliate",
        "employee",
        "library-walk-in",
        # SUPANN adds these two values for French higher education.
        "researcher",
        "retired",
        "emeritus",
        "teacher",
        "registered-reader",
    }
)


class AttributeMappingError(ValueError):
    """An attribute is missing or malformed; ``str()`` names the attribute and the value."""


@dataclass(frozen=True)
class TaggedValue:
    """A SUPANN tagged value split into its tag (upper case) and its code."""

    tag: str
    code: str

    def __str__(self) -> str:
        return f"{{{self.tag}}}{self.code}"


@dataclass(frozen=True)
class Claims:
    """What we know of a person after a login or a directory read, protocol-free.

    ``eppn`` is lower-cased (eduPerson: case-insensitive); lists keep the order received.
    ``establishment_uais`` are the UAI codes of ``supannEtablissement`` (``{UAI}`` tag only);
    ``corps`` the ``{NCORPS}`` codes of ``supannEmpCorps``; ``activities`` the tagged values
    of ``supannActivite`` (e.g. ``{BAP}A``) as strings; ``raw`` the attributes as received.
    """

    eppn: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    affiliations: tuple[str, ...] = ()
    primary_affiliation: str = ""
    establishment_uais: tuple[str, ...] = ()
    primary_entity: str = ""
    corps: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    birth_date: dt.date | None = None
    raw: Mapping[str, list[str]] = field(default_factory=dict)

    @property
    def eppn_domain(self) -> str:
        """The scope of the eppn (the part after ``@``), lower case."""
        return self.eppn.rpartition("@")[2]

    def profile(self) -> dict[str, Any]:
        """The parsed SUPANN profile as JSON-ready data (dates as ``AAAA-MM-JJ``)."""
        return {
            "affiliations": list(self.affiliations),
            "primary_affiliation": self.primary_affiliation,
            "establishment_uais": list(self.establishment_uais),
            "primary_entity": self.primary_entity,
            "corps": list(self.corps),
            "activities": list(self.activities),
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
        }


def parse_tagged(value: str) -> TaggedValue | None:
    """Split a SUPANN tagged value ``{TAG}code`` → ``TaggedValue(tag, code)``.

    The tag is upper-cased (``{uai}0751717j`` and ``{UAI}0751717J`` are the same tag);
    the code keeps its case and loses surrounding blanks. A value without a leading
    ``{TAG}`` returns ``None``. Source: SUPANN 2021, "valeurs étiquetées".
    """
    match = _TAGGED.match(value.strip())
    if match is None:
        return None
    return TaggedValue(tag=match["tag"].upper(), code=match["code"].strip())


def tagged_codes(values: Iterable[str], tag: str) -> list[str]:
    """The codes of ``values`` carrying ``tag`` (case-insensitive), in order, no repeats.

    ``tagged_codes(["{UAI}0751717J", "{SIRET}123"], "UAI") == ["0751717J"]``. Untagged
    values are ignored.
    """
    wanted = tag.upper()
    out: list[str] = []
    for value in values:
        parsed = parse_tagged(value)
        if parsed is not None and parsed.tag == wanted and parsed.code and parsed.code not in out:
            out.append(parsed.code)
    return out


def parse_eppn(value: str) -> str:
    """Validate an eduPersonPrincipalName and return it lower-cased.

    Raises :class:`AttributeMappingError` when the value is not ``local@domain.tld``.
    """
    candidate = value.strip()
    if not _EPPN.match(candidate):
        raise AttributeMappingError(f"eduPersonPrincipalName: expected user@domain, got {value!r}")
    return candidate.lower()


def parse_birth_date(value: str) -> dt.date:
    """Parse ``supannOIDCDateDeNaissance`` (``AAAA-MM-JJ``, SUPANN 2021; also OIDC
    ``birthdate``). ``AAAAMMJJ`` (the LDAP generalized-date habit) is accepted too.

    Raises :class:`AttributeMappingError` naming the attribute for any other value.
    """
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise AttributeMappingError(f"supannOIDCDateDeNaissance: expected AAAA-MM-JJ, got {value!r}")


def _key(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def normalise_attributes(attributes: Mapping[str, Any]) -> dict[str, list[str]]:
    """Map received attributes onto our canonical names, each a list of strings.

    Scalars become one-element lists, ``None`` and empty strings are dropped, bytes are
    decoded as UTF-8. Names are matched ignoring case and underscores, then through
    :data:`ALIASES`; attributes we do not read are kept under their received name.
    """
    lookup: dict[str, str] = {}
    for canonical, aliases in ALIASES.items():
        lookup[_key(canonical)] = canonical
        for alias in aliases:
            lookup.setdefault(_key(alias), canonical)
    out: dict[str, list[str]] = {}
    for name, value in attributes.items():
        values = value if isinstance(value, list | tuple) else [value]
        texts: list[str] = []
        for item in values:
            if item is None:
                continue
            text = item.decode("utf-8") if isinstance(item, bytes) else str(item)
            if text.strip():
                texts.append(text.strip())
        if not texts:
            continue
        canonical = lookup.get(_key(name), name)
        bucket = out.setdefault(canonical, [])
        bucket.extend(t for t in texts if t not in bucket)
    return out


def _first(attrs: Mapping[str, list[str]], name: str) -> str:
    values = attrs.get(name) or []
    return values[0] if values else ""


def claims_from_attributes(attributes: Mapping[str, Any], *, eppn: str | None = None) -> Claims:
    """Build :class:`Claims` from the attributes of a login or a directory entry.

    ``eppn`` overrides the ``eduPersonPrincipalName`` attribute (e.g. a CAS user name that
    is the eppn). Raises :class:`AttributeMappingError` when the eppn is missing or
    malformed, or a birth date cannot be read; other attributes are optional. Unknown
    affiliations are kept (lower-cased): the vocabulary grows.
    """
    attrs = normalise_attributes(attributes)
    raw_eppn = eppn if eppn is not None else _first(attrs, "eduPersonPrincipalName")
    if not raw_eppn:
        raise AttributeMappingError("eduPersonPrincipalName: missing")
    birth = _first(attrs, "supannOIDCDateDeNaissance")
    given = _first(attrs, "givenName")
    family = _first(attrs, "sn")
    display = _first(attrs, "displayName")
    if display and not (given or family):
        # Only a display name: take the last word as the family name (best effort).
        head, _, tail = display.rpartition(" ")
        given, family = (head, tail) if head else ("", tail)
    affiliations = tuple(dict.fromkeys(a.lower() for a in attrs.get("eduPersonAffiliation", [])))
    return Claims(
        eppn=parse_eppn(raw_eppn),
        email=_first(attrs, "mail").lower(),
        first_name=given,
        last_name=family,
        display_name=display or " ".join(p for p in (given, family) if p),
        affiliations=affiliations,
        primary_affiliation=_first(attrs, "eduPersonPrimaryAffiliation").lower(),
        establishment_uais=tuple(
            code.upper() for code in tagged_codes(attrs.get("supannEtablissement", []), "UAI")
        ),
        primary_entity=_first(attrs, "supannEntiteAffectationPrincipale"),
        corps=tuple(tagged_codes(attrs.get("supannEmpCorps", []), "NCORPS")),
        activities=tuple(
            str(parsed)
            for parsed in (parse_tagged(v) for v in attrs.get("supannActivite", []))
            if parsed is not None
        ),
        birth_date=parse_birth_date(birth) if birth else None,
        raw=attrs,
    )


def domain_matches(domain: str, known: Iterable[str]) -> str | None:
    """The entry of ``known`` that ``domain`` equals or is a subdomain of, longest first.

    ``domain_matches("etu.univ-a.fr", ["univ-a.fr"]) == "univ-a.fr"``; comparison is
    case-insensitive; ``None`` when nothing matches.
    """
    domain = domain.lower().strip(".")
    best: str | None = None
    for candidate in known:
        cand = candidate.lower().strip(".")
        if not cand:
            continue
        if (domain == cand or domain.endswith("." + cand)) and (
            best is None or len(cand) > len(best)
        ):
            best = cand
    return best
