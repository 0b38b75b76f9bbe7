"""``esup-saas sync-directory ORG``: import / update an organisation's persons from its LDAP
directory, in one transaction, and print the summary."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from esup_saas.identity.directory import DirectoryError
from esup_saas.identity.models import DirectoryConfig
from esup_saas.identity.services import directory_sync
from esup_saas.tenancy.models import Organisation


class Command(BaseCommand):
    help = (
        "Importe ou met à jour les personnes d'une organisation depuis son annuaire LDAP "
        "(une seule transaction) et affiche le bilan créées / mises à jour / désactivées."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("organisation", help="code (ou UAI) de l'organisation")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        ref = options["organisation"]
        org = (
            Organisation.objects.filter(code=ref).first()
            or Organisation.objects.filter(uai=ref.upper()).first()
        )
        if org is None:
            raise CommandError(f"organisation {ref!r}: aucune organisation avec ce code ou cet UAI")
        try:
            summary = directory_sync(organisation=org)
        except DirectoryConfig.DoesNotExist:
            raise CommandError(f"organisation {ref!r}: aucun annuaire configuré") from None
        except DirectoryError as exc:
            raise CommandError(f"{exc} — rien n'a été modifié") from exc
        for dn, reason in summary.skipped:
            self.stderr.write(f"ignorée : {dn} ({reason})")
        self.stdout.write(
            f"{org.code}: created={summary.created} updated={summary.updated} "
            f"deactivated={summary.deactivated} unchanged={summary.unchanged} "
            f"skipped={len(summary.skipped)}"
        )
