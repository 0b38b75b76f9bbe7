"""``esup-saas merge-persons KEEP DROP``: merge the person DROP into KEEP (ids, or an eppn /
a user name), moving their tickets, logs, contacts, memberships and identities."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from esup_saas.identity.selectors import person_for_eppn
from esup_saas.identity.services import person_merge
from esup_saas.tenancy.models import Person


def _person(ref: str) -> Person:
    if ref.isdigit():
        person = Person.objects.filter(pk=int(ref)).first()
    else:
        person = person_for_eppn(ref) or Person.objects.filter(user__username=ref).first()
    if person is None:
        raise CommandError(f"{ref!r}: aucune personne (id, eppn ou identifiant de compte)")
    return person


class Command(BaseCommand):
    help = "Fusionne la personne DROP dans KEEP (tickets, journaux, contacts, rôles, identités)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("keep", help="personne conservée : id, eppn ou identifiant")
        parser.add_argument("drop", help="personne fusionnée puis supprimée")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        keep, drop = _person(options["keep"]), _person(options["drop"])
        label = f"{drop} (#{drop.pk}) → {keep} (#{keep.pk})"
        try:
            summary = person_merge(keep=keep, drop=drop)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        moved = ", ".join(f"{k}={v}" for k, v in sorted(summary.moved.items())) or "-"
        self.stdout.write(f"{label}: moved {moved}")
        if summary.removed_duplicates:
            dups = ", ".join(f"{k}={v}" for k, v in sorted(summary.removed_duplicates.items()))
            self.stdout.write(f"duplicates removed: {dups}")
        if summary.account_moved:
            self.stdout.write("account moved to the kept person")
        if summary.account_deactivated:
            self.stdout.write("dropped person's account deactivated")
