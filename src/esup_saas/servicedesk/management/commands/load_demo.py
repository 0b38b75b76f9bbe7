"""``esup-saas load_demo``: load the demo data (idempotent; see ``servicedesk.demo``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from esup_saas.servicedesk.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (organisations, services, conventions, tickets "
        "et FAQ de la présentation ESUP). Sans effet sur ce qui existe déjà."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = demo_load()
        made = {kind: n for kind, n in created.items() if n}
        if made:
            summary = ", ".join(f"{n} {kind}" for kind, n in made.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already loaded: nothing to create."))
        self.stdout.write(
            "Logins (password "
            f"'{DEMO_PASSWORD}'): admin, agent, agent-smsu, agent-geforp, pcu, pcu-larochelle."
        )
