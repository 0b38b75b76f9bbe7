"""The ``esup-saas`` command: Django's management commands with our settings preselected.

``esup-saas migrate``, ``esup-saas load_demo``, ``esup-saas runserver`` … behave exactly as
``python -m django`` would with ``DJANGO_SETTINGS_MODULE=esup_saas.settings``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run the management command named in ``argv`` (default: ``sys.argv``)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esup_saas.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
