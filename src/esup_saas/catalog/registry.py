"""The offer registry: how the platform finds the hosted-offer modules without importing them.

An offer module (``esup_saas.offers.<code>``) calls :func:`register_offer` from its
``AppConfig.ready()``; the platform lists offers with :func:`registered_offers` and never
imports an offer package (DESIGN.md section 2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OfferSpec:
    """What an offer module declares about itself.

    ``code`` matches ``Service.offer_code``; ``url_namespace`` is the namespace of its URLs;
    ``urls`` the dotted path of its URLconf module, mounted by the root URLconf at
    ``/<code>/`` (empty: no pages); ``metrics`` maps a metric name to a callable
    ``(organisation_id, start, end) -> number`` used for per-tenant usage reports; ``roles``
    lists the offer's own role codes; ``demo`` is an optional callable that ``load_demo``
    runs after the platform's demo data (in the same transaction), returning what it created
    by kind (``{"SMS sends": 3}``) and creating nothing on a second run.
    """

    code: str
    name: str
    url_namespace: str
    urls: str = ""
    metrics: dict[str, Callable[..., float]] = field(default_factory=dict)
    roles: tuple[str, ...] = ()
    demo: Callable[[], dict[str, int]] | None = None


_REGISTRY: dict[str, OfferSpec] = {}


def register_offer(spec: OfferSpec) -> None:
    """Register ``spec``; registering the same code twice with another spec is a ``ValueError``."""
    existing = _REGISTRY.get(spec.code)
    if existing is not None and existing != spec:
        raise ValueError(f"offer {spec.code!r} is already registered")
    _REGISTRY[spec.code] = spec


def registered_offers() -> list[OfferSpec]:
    """Every registered offer, by code."""
    return [_REGISTRY[code] for code in sorted(_REGISTRY)]


def get_offer(code: str) -> OfferSpec | None:
    """The offer registered under ``code``, or ``None``."""
    return _REGISTRY.get(code)
