"""SMS-U's demo data, run by ``load_demo`` through the offer registry (``OfferSpec.demo``).

Université de Toulon (``toulon``), which holds the SMS-U convention of the seed, gets: its
settings and quota, two billing accounts, the sender group "Enseignants" (10 recipients at
most without approval, supervised by the approver), the group of the seed's send form
"M1H402 - Master 1 Risques et environnement" with 22 opted-in members (and 2 who did not
opt in, so the live count says 22), a special condition, a template, two roles, and a client
application. Two logins: ``enseignant-tln`` (sends) and ``scolarite-tln`` (approves), password
``demo``; the PCU ``pcu`` administers SMS-U for Toulon. Everyone is invented; numbers are in
06 00 00 xx xx. Idempotent: a second run creates nothing.
"""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.hashers import make_password

from esup_saas.tenancy.models import Organisation, Person
from esup_saas.tenancy.services import person_create

from .models import (
    BillingAccount,
    ClientApplication,
    Function,
    RecipientGroup,
    RoleAssignment,
    SenderGroup,
    SmsRole,
    SmsSettings,
    SpecialCondition,
    Subscriber,
    Template,
)

DEMO_PASSWORD = "demo"
#: The demo client application's secret (demo only: documented so the API can be tried).
DEMO_APP_SECRET = "demo-secret-apogee"
GROUP_NAME = "M1H402 - Master 1 Risques et environnement"

STUDENTS = [
    ("Adèle", "Fabre"),
    ("Bastien", "Roux"),
    ("Chloé", "Vidal"),
    ("Damien", "Colin"),
    ("Élodie", "Brun"),
    ("Florian", "Gauthier"),
    ("Gaëlle", "Perret"),
    ("Hugo", "Lacroix"),
    ("Inès", "Barbier"),
    ("Jules", "Arnaud"),
    ("Katia", "Renaud"),
    ("Léo", "Aubert"),
    ("Manon", "Giraud"),
    ("Nathan", "Leclerc"),
    ("Océane", "Moulin"),
    ("Paul", "Dumont"),
    ("Quentin", "Fleury"),
    ("Rose", "Caron"),
    ("Samuel", "Hamel"),
    ("Théa", "Lemoine"),
    ("Ulysse", "Marchal"),
    ("Valentine", "Noël"),
]
#: Members of the group who did not opt in: found, but not counted.
NOT_OPTED_IN = [("Yanis", "Besson"), ("Zoé", "Charpentier")]


def _person(org: Organisation, first: str, last: str, username: str | None = None) -> Person:
    if username:
        found = Person.objects.filter(user__username=username).first()
    else:
        found = Person.objects.filter(organisation=org, first_name=first, last_name=last).first()
    if found is not None:
        return found
    slug = f"{first}.{last}".lower()
    for a, b in (("é", "e"), ("è", "e"), ("ë", "e"), ("ï", "i"), ("ô", "o"), ("ç", "c")):
        slug = slug.replace(a, b)
    return person_create(
        first_name=first,
        last_name=last,
        organisation=org,
        email=f"{slug}@etu.toulon.example.org",
        username=username,
        password=DEMO_PASSWORD if username else None,
    )


def demo_load() -> dict[str, int]:
    """Create SMS-U's demo data for Université de Toulon (see the module docstring); return
    what was created by kind. Runs inside ``load_demo``'s transaction."""
    created: Counter[str] = Counter()
    org = Organisation.objects.filter(code="toulon").first()
    if org is None:  # the platform's demo is not loaded
        return {}

    def count(kind: str, made: bool) -> None:
        created[kind] += int(made)

    sender = _person(org, "Marion", "Delattre", "enseignant-tln")
    approver = _person(org, "Romain", "Faure", "scolarite-tln")
    cfg, made = SmsSettings.objects.get_or_create(
        organisation=org,
        defaults={"sender_id": "UNIV TLN", "quota": 20000, "default_approver": approver},
    )
    count("SMS-U settings", made)
    scolarite, made = BillingAccount.objects.get_or_create(
        organisation=org, label="Scolarité", defaults={"quota": 5000}
    )
    count("SMS-U billing accounts", made)
    _comm, made = BillingAccount.objects.get_or_create(
        organisation=org, label="Communication", defaults={"quota": 2000}
    )
    count("SMS-U billing accounts", made)
    teachers, made = SenderGroup.objects.get_or_create(
        organisation=org,
        name="Enseignants",
        defaults={"quota": 3000, "max_recipients": 10, "account": scolarite},
    )
    if made:
        teachers.members.set([sender])
        teachers.supervisors.set([approver])
    count("SMS-U sender groups", made)
    group, made = RecipientGroup.objects.get_or_create(organisation=org, name=GROUP_NAME)
    if made:
        group.supervisors.set([approver])
    count("SMS-U recipient groups", made)
    condition, made = SpecialCondition.objects.get_or_create(
        organisation=org,
        key="ALERTE",
        defaults={
            "name": "Alertes de sécurité sur le campus",
            "conditions": "Recevoir les alertes de sécurité (fermeture, intempéries).",
        },
    )
    count("SMS-U special conditions", made)
    members = []
    for n, (first, last) in enumerate(STUDENTS, start=1):
        person = _person(org, first, last)
        members.append(person)
        sub, made = Subscriber.objects.get_or_create(
            organisation=org,
            person=person,
            defaults={
                "phone": f"+336000010{n:02d}",
                "general_accepted": True,
                "phone_confirmed": True,
            },
        )
        if made and n % 2:
            sub.services.set([condition])
        count("SMS-U opt-ins", made)
    for first, last in NOT_OPTED_IN:
        members.append(_person(org, first, last))
    present = set(group.members.values_list("pk", flat=True))
    missing = [p for p in members if p.pk not in present]
    if missing:
        group.members.add(*missing)
    _tpl, made = Template.objects.get_or_create(
        organisation=org,
        label="Annulation de cours",
        defaults={
            "body": "Bonjour {prenom}, le cours de demain est annulé. Rattrapage à venir. "
            "{expediteur}"
        },
    )
    count("SMS-U templates", made)
    _tpl, made = Template.objects.get_or_create(
        organisation=org,
        label="Rappel d'examen",
        defaults={"body": "Rappel : examen lundi à 9h, amphi A. Pensez à votre carte étudiante."},
    )
    count("SMS-U templates", made)
    for name, functions, person in (
        (
            "Enseignant",
            [
                Function.SEND_MEMBERS,
                Function.SEND_GROUPS,
                Function.SEND_LIST,
                Function.ADD_MAIL,
                Function.TRACK_OWN,
            ],
            sender,
        ),
        ("Scolarité", [Function.APPROVE, Function.TRACK_ALL, Function.REPORTS], approver),
    ):
        role, made = SmsRole.objects.get_or_create(
            organisation=org, name=name, defaults={"functions": [str(f) for f in functions]}
        )
        count("SMS-U roles", made)
        if not RoleAssignment.objects.filter(role=role, person=person).exists():
            RoleAssignment.objects.create(role=role, person=person)
    if not ClientApplication.objects.filter(name="apogee-notifications").exists():
        ClientApplication.objects.create(
            organisation=org,
            name="apogee-notifications",
            account=scolarite,
            quota=1000,
            secret_hash=make_password(DEMO_APP_SECRET),
        )
        count("SMS-U client applications", True)
    del cfg
    return dict(created)
