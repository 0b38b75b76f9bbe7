"""Typed readers for settings taken from the environment.

Each helper returns the embedded default when the variable is unset or empty, and raises
``ImproperlyConfigured``-style ``ValueError`` naming the variable when its value cannot be
read, so a typo in a deployment fails at start-up rather than at the first request.
"""

from __future__ import annotations

import os

_TRUE = {"1", "true", "yes", "on", "oui"}
_FALSE = {"0", "false", "no", "off", "non"}


def env_str(name: str, default: str = "") -> str:
    """Return the variable ``name`` as a string, or ``default`` when unset or empty."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable ``name`` as a boolean (1/0, true/false, yes/no, on/off, oui/non).

    Raises ``ValueError`` naming the variable for any other value.
    """
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}: expected a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    """Return the variable ``name`` as an integer; ``ValueError`` naming it if not one."""
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name}: expected an integer, got {value!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return the comma-separated variable ``name`` as a list of stripped, non-empty items."""
    value = os.environ.get(name, "")
    if value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]
