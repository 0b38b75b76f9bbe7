"""Triggers of notifications, declared by the apps that fire them.

An app registers a :class:`Trigger` at start-up (from its ``AppConfig.ready()``): its code,
label, the recipient roles it offers and those chosen by default, whether it is essential,
and its default French and English templates. The notifications app never imports the apps
that fire triggers (DESIGN.md arrows); they call ``services.mail_queue`` with a context.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class Trigger:
    """One kind of notification.

    ``roles`` maps each recipient role the firing app can resolve to its label;
    ``default_recipients`` are the roles used until an administrator changes them;
    ``templates`` maps a language code (``fr``, ``en``) to ``(subject, body)`` in Django
    template syntax; ``variables`` documents the context the templates receive.
    """

    code: str
    label: str | Promise
    roles: dict[str, str | Promise]
    default_recipients: tuple[str, ...]
    templates: dict[str, tuple[str, str]]
    essential: bool = False
    variables: tuple[str, ...] = field(default=())


_TRIGGERS: dict[str, Trigger] = {}


def trigger_register(trigger: Trigger) -> None:
    """Declare ``trigger``; the same code twice with another definition is a ``ValueError``."""
    existing = _TRIGGERS.get(trigger.code)
    if existing is not None and existing != trigger:
        raise ValueError(f"trigger {trigger.code!r} is already registered")
    _TRIGGERS[trigger.code] = trigger


def get_trigger(code: str) -> Trigger | None:
    return _TRIGGERS.get(code)


def registered_triggers() -> list[Trigger]:
    """Every registered trigger, in registration order."""
    return list(_TRIGGERS.values())
