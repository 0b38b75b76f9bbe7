"""The ``esup-saas`` command: Django's management commands with our settings preselected.

``esup-saas migrate``, ``esup-saas load_demo``, ``esup-saas runserver`` … behave exactly as
``python -m django`` would with ``DJANGO_SETTINGS_MODULE=esup_saas.settings``.
"""

from __future__ import annotations

import os
import sys

#: Commands also spelt with dashes (``esup-saas ingest-mail``).
ALIASES = {"ingest-mail": "ingest_mail"}


def main(argv: list[str] | None = None) -> None:
    """Run the management command named in ``argv`` (default: ``sys.argv``)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esup_saas.settings")
    from django.core.management import execute_from_command_line

    args = list(argv if argv is not None else sys.argv)
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
