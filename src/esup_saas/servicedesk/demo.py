"""The demo data: the seed's own iTop screens, rebuilt through the service layer.

What the seed (``seed/000_d008791beb8bbfe3.txt``, last third) shows is loaded as data tables
below: the organisation tree of the consortium, the three hosted services and their eight
subcategories, the three conventions (CGU) of the customer "Université de Toulon", the support
models of La Rochelle and Toulon, the seven tickets of Toulon with their dates, statuses and
priorities, and the five FAQs. People are invented (DESIGN.md section 6): no name of the seed
is used, e-mail addresses are on ``example.org`` and phone numbers in the range ARCEP keeps for
fiction (01 99 00 xx xx).

Service levels (issue 3) are invented too, since iTop's screens show none: each provider
(ESUP, Aix-Marseille for GEFORP, Paris 1 for SMS-U) works Monday-Friday 08:30-12:00 /
13:30-17:30 Europe/Paris outside French public holidays (ESUP also closes the Christmas
week), commits to :data:`SLA_TARGETS` on every contract × service of Toulon and La Rochelle,
closes resolved tickets after 7 days, and has one service address per service
(``support-smsu@esup-portail.example.org`` …) for mail in. The seed's tickets date from
January 2020: their clocks are replayed at the seed's times (``sla.ticket_sla_replay``), so
I-000007's TTO shows "SLA TTO dépassé ? non / Dépassement SLA TTO 0s" as in the seed, while
the TTR of the tickets still open has been breached for years. Those old thresholds are
recorded quietly (``sla.sla_thresholds_mark_passed``): the first periodic sweep after
``make demo`` sends no mail and escalates nothing, and the tickets keep the seed's statuses.
The mail templates need no row: the French and English defaults of the triggers are in
force until someone edits them at ``/console/notifications/``.

Loading is idempotent: every object is found by its natural key (organisation code, names,
ticket kind + number, username) and created only when missing; an object already there is
left as it is, so a second run writes nothing (no duplicated log, contact or history row).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from esup_saas.catalog.models import (
    CguAcceptance,
    ContractStatus,
    CustomerContract,
    CustomerContractService,
    Document,
    LifecycleStatus,
    ProviderContract,
    RequestType,
    Service,
    ServiceFamily,
    ServiceSubcategory,
    SupportModel,
    SupportModelLine,
)
from esup_saas.catalog.models_sla import SLA, HolidayCalendar, ProviderSlaSettings, ServiceHours
from esup_saas.catalog.registry import registered_offers
from esup_saas.catalog.services_sla import (
    coverage_sla_set,
    holiday_calendar_save,
    provider_sla_settings_set,
    service_hours_save,
    sla_save,
)
from esup_saas.knowledge.models import Faq, FaqCategory, KnownError
from esup_saas.lib.html import sanitize_html
from esup_saas.tenancy.models import Organisation, Person, Role, Team, User
from esup_saas.tenancy.services import (
    membership_grant,
    organisation_create,
    person_create,
    team_create,
)

from .models import (
    Impact,
    LogEntry,
    MailInbox,
    PriorityMatrix,
    ResolutionCode,
    Satisfaction,
    SlaClock,
    Ticket,
    TicketEvent,
    Urgency,
)
from .selectors import DEFAULT_PRIORITY_MATRIX, parse_ref
from .services import log_entry_add, priority_matrix_set, ticket_create, ticket_transition
from .sla import sla_thresholds_mark_passed, ticket_sla_replay

#: The password of every demo account.
DEMO_PASSWORD = "demo"
#: The seed's screens show local times of the platform (Europe/Paris).
PARIS = ZoneInfo("Europe/Paris")
#: A step dated the day before the demo is loaded.
YESTERDAY = "yesterday"

# --- organisations --------------------------------------------------------------------------
# (code, name, parent code, UAI, e-mail domains, provider, customer)
ORGANISATIONS: list[tuple[str, str, str | None, str, list[str], bool, bool]] = [
    ("esup", "ESUP Offres Hébergées", None, "", ["esup-portail.org"], True, False),
    ("esup-coordination-generale", "ESUP Coordination Générale", "esup", "", [], False, False),
    ("esup-coordination-technique", "ESUP Coordination Technique", "esup", "", [], False, False),
    ("esup-groupe-etudes", "ESUP Groupe Études", "esup", "", [], False, False),
    ("esup-groupe-offres", "ESUP Groupe Offres", "esup", "", [], False, False),
    ("amu", "Université Aix Marseille", "esup", "0134009M", ["univ-amu.fr"], True, True),
    ("caen", "Université de Caen Normandie", "esup", "0141408E", ["unicaen.fr"], False, True),
    (
        "larochelle",
        "La Rochelle Université",
        "esup",
        "0171463Y",
        ["univ-larochelle.fr"],
        False,
        True,
    ),
    (
        "paris1",
        "Université Paris 1 - Panthéon Sorbonne",
        "esup",
        "0751717J",
        ["univ-paris1.fr"],
        True,
        False,
    ),
    ("rennes2", "Université Rennes 2", "esup", "0350937D", ["univ-rennes2.fr"], False, True),
    ("rouen", "Université de Rouen Normandie", "esup", "0761904G", ["univ-rouen.fr"], False, True),
    ("strasbourg", "Université de Strasbourg", "esup", "0673021V", ["unistra.fr"], False, True),
    ("toulon", "Université de Toulon", "esup", "0830766G", ["univ-tln.fr"], False, True),
]

# --- catalogue ------------------------------------------------------------------------------
# (name, description, Bootstrap icon)
FAMILIES = [
    ("ESUP GEFORP", "Gestion des offres de formation des personnels.", "mortarboard"),
    ("ESUP Offres Hébergées", "Les offres hébergées du consortium ESUP-Portail.", "cloud"),
    ("ESUP SMS-U", "Envoi de SMS aux étudiants et aux personnels.", "chat-dots"),
]

GEFORP = "Offre Hébergée GEFORP"
ESUP = "Offres Hébergées ESUP"
SMSU = "Offre Hébergée SMSU"

SERVICES: list[dict[str, Any]] = [
    {
        "name": GEFORP,
        "family": "ESUP GEFORP",
        "provider": "amu",
        "offer_code": "training",
        "icon": "mortarboard",
        "description": "Demandes concernant l'application GEFORP en mode hébergé",
        "documents": [
            ("Wiki GEFORP", "https://www.esup-portail.org/wiki/geforp"),
            ("Code source GEFORP", "https://github.com/EsupPortail/esup-geforp"),
        ],
        "contacts": ["isabelle.morel", "agent-geforp"],
    },
    {
        "name": ESUP,
        "family": "ESUP Offres Hébergées",
        "provider": "esup",
        "offer_code": "",
        "icon": "cloud",
        "description": "Demandes concernant les offres hébergées ESUP",
        "documents": [
            ("Wiki ESUP-Portail", "https://www.esup-portail.org/wiki/"),
            ("Codes sources ESUP-Portail", "https://github.com/EsupPortail"),
        ],
        "contacts": ["agent"],
    },
    {
        "name": SMSU,
        "family": "ESUP SMS-U",
        "provider": "paris1",
        "offer_code": "sms",
        "icon": "chat-dots",
        "description": "Demandes concernant l'application SMSU en mode hébergé",
        "documents": [
            ("Wiki SMS-U", "https://www.esup-portail.org/wiki/smsu"),
            ("Code source SMS-U", "https://github.com/EsupPortail/esup-smsu"),
        ],
        "contacts": ["nathalie.perrin", "agent-smsu"],
    },
]

INC, SR, CR = RequestType.INCIDENT, RequestType.SERVICE_REQUEST, RequestType.CHANGE_REQUEST
# (service, name, request type). The seed's "Effectuer une de service" lacks "demande".
SUBCATEGORIES = [
    (GEFORP, "Déclarer un incident sur GEFORP", INC),
    (SMSU, "Déclarer un incident sur SMSU", INC),
    (ESUP, "Déclarer une anomalie concernant les offres hébergées ESUP", INC),
    (GEFORP, "Effectuer une demande de service concernant GEFORP", SR),
    (SMSU, "Effectuer une demande de service concernant SMSU", SR),
    (GEFORP, "Effectuer une demande de changement / évolution concernant GEFORP", CR),
    (SMSU, "Effectuer une demande de changement / évolution concernant SMSU", CR),
    (ESUP, "Effectuer une demande générale concernant les offres hébergées ESUP", SR),
]

# --- people ---------------------------------------------------------------------------------
TEAM_ESUP = "Equipe ESUP Coordination Technique"
TEAM_SMSU = "Equipe SMS-U"
TEAM_GEFORP = "Equipe GEFORP"
# (name, organisation code)
TEAMS = [
    (TEAM_ESUP, "esup-coordination-technique"),
    (TEAM_SMSU, "paris1"),
    (TEAM_GEFORP, "amu"),
]

# key: the login when the person has one, else an internal key. Every person is invented.
PEOPLE: list[dict[str, Any]] = [
    {
        "key": "admin",
        "login": True,
        "first_name": "Hélène",
        "last_name": "Garnier",
        "organisation": "esup-coordination-generale",
        "function": "Coordinatrice des offres hébergées",
        "phone": "01 99 00 10 01",
        "roles": [(Role.COORDINATOR, "esup")],
        "teams": [],
    },
    {
        "key": "agent",
        "login": True,
        "first_name": "Claire",
        "last_name": "Lemaire",
        "organisation": "esup-coordination-technique",
        "function": "Intervenante technique",
        "phone": "01 99 00 10 02",
        "roles": [(Role.AGENT, "esup")],
        "teams": [TEAM_ESUP],
    },
    {
        "key": "antoine.mercier",
        "login": False,
        "first_name": "Antoine",
        "last_name": "Mercier",
        "organisation": "esup-coordination-technique",
        "function": "Intervenant technique",
        "phone": "01 99 00 10 03",
        "roles": [(Role.AGENT, "esup")],
        "teams": [TEAM_ESUP],
    },
    {
        "key": "agent-smsu",
        "login": True,
        "first_name": "Karim",
        "last_name": "Haddad",
        "organisation": "paris1",
        "function": "Développeur SMS-U",
        "phone": "01 99 00 20 01",
        "roles": [(Role.AGENT, "paris1")],
        "teams": [TEAM_SMSU],
    },
    {
        "key": "nathalie.perrin",
        "login": False,
        "first_name": "Nathalie",
        "last_name": "Perrin",
        "organisation": "paris1",
        "function": "Responsable du service SMS-U",
        "phone": "01 99 00 20 02",
        "roles": [(Role.SERVICE_MANAGER, "paris1")],
        "teams": [],
    },
    {
        "key": "agent-geforp",
        "login": True,
        "first_name": "Lucas",
        "last_name": "Fontaine",
        "organisation": "amu",
        "function": "Développeur GEFORP",
        "phone": "01 99 00 30 01",
        "roles": [(Role.AGENT, "amu")],
        "teams": [TEAM_GEFORP],
    },
    {
        "key": "isabelle.morel",
        "login": False,
        "first_name": "Isabelle",
        "last_name": "Morel",
        "organisation": "amu",
        "function": "Responsable du service GEFORP",
        "phone": "01 99 00 30 02",
        "roles": [(Role.SERVICE_MANAGER, "amu")],
        "teams": [],
    },
    {
        "key": "pcu",
        "login": True,
        "first_name": "Camille",
        "last_name": "Roussel",
        "organisation": "toulon",
        "function": "Point de contact unique",
        "phone": "01 99 00 40 01",
        "roles": [(Role.PCU, "toulon")],
        "teams": [],
    },
    {
        "key": "pcu-larochelle",
        "login": True,
        "first_name": "Sophie",
        "last_name": "Marchand",
        "organisation": "larochelle",
        "function": "Point de contact unique",
        "phone": "01 99 00 50 01",
        "roles": [(Role.PCU, "larochelle")],
        "teams": [],
    },
]
#: Accounts that get the superuser and staff flags (the Django admin).
SUPERUSERS = ("admin",)

# --- contracts ------------------------------------------------------------------------------
CGU_ESUP = "Conditions Générales d'Utilisation des Offres Hébergées ESUP"
CGU_GEFORP = "Conditions Générales d'Utilisation Offre Hébergée GEFORP"
CGU_SMSU = "Conditions Générales d'Utilisation Offre Hébergée SMSU"
CGU_URLS = {
    CGU_ESUP: "https://www.esup-portail.org/wiki/offres-hebergees/cgu",
    CGU_GEFORP: "https://www.esup-portail.org/wiki/geforp/cgu",
    CGU_SMSU: "https://www.esup-portail.org/wiki/smsu/cgu",
}

# The seed's conventions of Toulon; all renew tacitly, so they are in force today.
CUSTOMER_CONTRACTS: list[dict[str, Any]] = [
    {
        "customer": "toulon",
        "name": CGU_ESUP,
        "provider": "esup",
        "description": "Utilisation des offres hébergées ESUP",
        "start": dt.date(2020, 1, 30),
        "end": dt.date(2021, 1, 31),
        "services": [ESUP],
        "contacts": ["pcu"],
    },
    {
        "customer": "toulon",
        "name": CGU_GEFORP,
        "provider": "amu",
        "description": "Utilisation de l'offre hébergée GEFORP",
        "start": dt.date(2020, 1, 1),
        "end": dt.date(2023, 1, 1),
        "services": [GEFORP],
        "contacts": ["pcu"],
    },
    {
        "customer": "toulon",
        "name": CGU_SMSU,
        "provider": "paris1",
        "description": "Utilisation de l'offre hébergée SMSU",
        "start": dt.date(2020, 1, 30),
        "end": dt.date(2021, 1, 28),
        "services": [SMSU],
        "contacts": ["pcu"],
    },
    {
        "customer": "larochelle",
        "name": CGU_ESUP,
        "provider": "esup",
        "description": "Utilisation des offres hébergées ESUP et de l'offre hébergée SMSU",
        "start": dt.date(2020, 1, 30),
        "end": dt.date(2021, 1, 31),
        "services": [ESUP, SMSU],
        "contacts": ["pcu-larochelle"],
    },
]

# (customer, contract name, version, accepted by, accepted at (Paris time))
CGU_ACCEPTANCES = [
    ("toulon", CGU_ESUP, "2020-01", "pcu", "2020-01-30 11:55:00"),
]

PROVIDER_CONTRACTS: list[dict[str, Any]] = [
    {
        "provider": "paris1",
        "name": "Convention Fournisseur de Service SMS-U",
        "description": "Fourniture de l'offre hébergée SMS-U aux adhérents du consortium.",
        "start": dt.date(2019, 10, 1),
        "services": [SMSU],
        "contacts": ["nathalie.perrin"],
    },
    {
        "provider": "amu",
        "name": "Convention Fournisseur de Service GEFORP",
        "description": "Fourniture de l'offre hébergée GEFORP aux adhérents du consortium.",
        "start": dt.date(2019, 10, 1),
        "services": [GEFORP],
        "contacts": ["isabelle.morel"],
    },
]

# (name, customer, [(service, team)])
SUPPORT_MODELS = [
    (
        "Modèle de support Université de La Rochelle",
        "larochelle",
        [(ESUP, TEAM_ESUP), (SMSU, TEAM_SMSU)],
    ),
    (
        "Modèle de support Université de Toulon",
        "toulon",
        [(ESUP, TEAM_ESUP), (GEFORP, TEAM_GEFORP), (SMSU, TEAM_SMSU)],
    ),
]

# --- service levels (issue 3) ----------------------------------------------------------------
SLA_PROVIDERS = ("esup", "amu", "paris1")
HOURS_NAME = "Heures ouvrées"
#: Monday-Friday 08:30-12:00 and 13:30-17:30 (7 h 30 a day: one business day).
HOURS_INTERVALS = [
    (day, start, end)
    for day in range(5)
    for start, end in ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))
]
HOURS_TIMEZONE = "Europe/Paris"
CALENDAR_NAME = "Jours fériés France"
#: ESUP's own closure: the Christmas week, every year the demo may be shown.
CLOSURES = {
    "esup": [
        (f"Fermeture de fin d'année {year}", dt.date(year, 12, 24), dt.date(year, 12, 31))
        for year in range(2019, 2031)
    ]
}
SLA_NAME = "SLA standard"
SLA_DESCRIPTION = (
    "Engagements de service des offres hébergées, en heures ouvrées (lundi-vendredi "
    "8 h 30-12 h, 13 h 30-17 h 30, hors jours fériés)."
)
H, D = "hours", "business_days"
#: (request type, priorities, TTO (value, unit), TTR (value, unit)). A business day is 7 h 30.
SLA_TARGETS: list[tuple[str, tuple[int, ...], tuple[int, str], tuple[int, str]]] = [
    (INC, (1, 2), (4, H), (2, D)),
    (INC, (3, 4), (1, D), (5, D)),
    (SR, (1, 2), (1, D), (5, D)),
    (SR, (3, 4), (2, D), (10, D)),
    (CR, (1, 2), (2, D), (20, D)),
    (CR, (3, 4), (5, D), (40, D)),
]
#: The customers whose every contract × service gets its provider's SLA.
SLA_CUSTOMERS = ("toulon", "larochelle")
AUTO_CLOSE_DAYS = 7
# (address, service, subcategory of the tickets it opens)
MAIL_INBOXES = [
    (
        "support-esup@esup-portail.example.org",
        ESUP,
        "Déclarer une anomalie concernant les offres hébergées ESUP",
    ),
    ("support-geforp@esup-portail.example.org", GEFORP, "Déclarer un incident sur GEFORP"),
    ("support-smsu@esup-portail.example.org", SMSU, "Déclarer un incident sur SMSU"),
]


def _sla_targets() -> list[dict[str, Any]]:
    """:data:`SLA_TARGETS` as ``sla_save``'s rows."""
    rows = []
    for request_type, priorities, tto, ttr in SLA_TARGETS:
        for priority in priorities:
            for metric, (value, unit) in (("tto", tto), ("ttr", ttr)):
                rows.append(
                    {
                        "priority": priority,
                        "request_type": request_type,
                        "metric": metric,
                        "value": value,
                        "unit": unit,
                    }
                )
    return rows


# --- knowledge ------------------------------------------------------------------------------
FAQ_CATEGORIES = ["ESUP Offres Hébergées", "GEFORP", "SMSU"]

_CGU_PREAMBLE = (
    "<p><strong>Préambule</strong></p>"
    "<p>Les présentes conditions générales d'utilisation de l'offre hébergée ESUP-Portail "
    "{offer} (ci-après les « CGU ») sont applicables aux adhérents du consortium ESUP-Portail "
    "dès leur date d'entrée en vigueur.</p>"
    "<p><a href=\"{url}\">Conditions Générales d'Utilisation (CGU) de l'offre hébergée {offer} "
    "du consortium ESUP-Portail</a></p>"
)


def _app_help(offer: str, wiki: str, code: str, features: list[str]) -> str:
    items = "".join(f"<li>{f}</li>" for f in features)
    return (
        f"<p>Le wiki officiel de l'application {offer} :</p>"
        f'<ul><li><a href="{wiki}">{wiki}</a></li></ul>'
        "<p><strong>Accès au code source de l'application</strong></p>"
        f'<ul><li><a href="{code}">{code}</a></li></ul>'
        "<p><strong>Informations générales concernant l'application :</strong></p>"
        f"<ul>{items}</ul>"
    )


FAQS: list[dict[str, Any]] = [
    {
        "category": "ESUP Offres Hébergées",
        "title": "Informations générales sur les offres hébergées ESUP",
        "domains": "Informations générales concernant les offres hébergées ESUP",
        "keywords": "offres hébergées, PCU, CGU",
        "summary": "Ce que sont les offres hébergées du consortium ESUP-Portail et comment "
        "les demander.",
        "description": (
            "<p>Un adhérent du consortium (le <em>fournisseur</em>) exploite une application "
            "ESUP-Portail pour les autres adhérents (les <em>utilisateurs</em>), qui l'utilisent "
            "dans le cadre des Conditions Générales d'Utilisation de l'offre.</p>"
            "<p>Chaque établissement utilisateur désigne un point de contact unique (PCU), qui "
            "dépose et suit ses requêtes sur ce portail.</p>"
            '<ul><li><a href="https://www.esup-portail.org/">Le site du consortium '
            "ESUP-Portail</a></li>"
            '<li><a href="https://github.com/EsupPortail">Les codes sources des applications '
            "ESUP-Portail</a></li></ul>"
        ),
        "services": [ESUP],
    },
    {
        "category": "GEFORP",
        "title": "Conditions Générales d'Utilisation",
        "domains": "CGU",
        "keywords": "CGU",
        "summary": "Conditions Générales d'Utilisation de l'application hébergée GEFORP",
        "description": _CGU_PREAMBLE.format(offer="GEFORP", url=CGU_URLS[CGU_GEFORP]),
        "services": [GEFORP],
    },
    {
        "category": "GEFORP",
        "title": "Informations concernant l'application GEFORP",
        "domains": "Aides concernant GEFORP",
        "keywords": "GEFORP, formation, wiki",
        "summary": "Résumé des informations disponibles concernant l'application hébergée GEFORP",
        "description": _app_help(
            "GEFORP",
            "https://www.esup-portail.org/wiki/geforp",
            "https://github.com/EsupPortail/esup-geforp",
            [
                "Catalogue des formations des personnels et sessions",
                "Inscriptions avec copie au responsable hiérarchique",
                "Convocations, émargement et attestations",
            ],
        ),
        "services": [GEFORP],
    },
    {
        "category": "SMSU",
        "title": "Conditions Générales d'Utilisation",
        "domains": "CGU",
        "keywords": "CGU",
        "summary": "Conditions Générales d'Utilisation de l'application hébergée SMS-U",
        "description": _CGU_PREAMBLE.format(offer="SMS-U", url=CGU_URLS[CGU_SMSU]),
        "services": [SMSU],
    },
    {
        "category": "SMSU",
        "title": "Informations concernant l'application SMS-U",
        "domains": "Aides concernant SMSU",
        "keywords": "SMS-U, SMS, wiki",
        "summary": "Résumé des informations disponibles concernant l'application hébergée SMS-U",
        "description": _app_help(
            "SMS-U",
            "https://www.esup-portail.org/wiki/smsu",
            "https://github.com/EsupPortail/esup-smsu",
            [
                "Adhésion des étudiants et des personnels au service d'information par SMS",
                "Envoi de SMS aux utilisateurs de l'annuaire, à des groupes, à des numéros libres",
                "Approbation des envois en grand nombre et quotas par établissement",
            ],
        ),
        "services": [SMSU],
    },
]

KNOWN_ERRORS: list[dict[str, str]] = [
    {
        "name": "Envoi de SMS bloqué « en attente »",
        "service": SMSU,
        "symptom": "Les SMS d'un envoi restent à l'état « en attente », sans message d'erreur.",
        "root_cause": "Le quota d'envoi de l'établissement est atteint.",
        "workaround": "Relever le quota de l'établissement dans l'administration de SMS-U, "
        "puis relancer l'envoi.",
        "error_code": "SMSU-QUOTA",
    },
]

# --- tickets --------------------------------------------------------------------------------
# The seven tickets of Université de Toulon, called by its PCU. Impact × urgency are chosen
# so that DEFAULT_PRIORITY_MATRIX gives the seed's priority (haute 2, moyenne 3, basse 4).
# Steps, in order, each at a Paris local time:
#   ("assign", at, team, agent key, by key) · ("log", at, author key, body)
#   ("resolve", at, by key, resolution code, solution) · ("close", at, satisfaction, comment)
SUB_GEFORP_INC = "Déclarer un incident sur GEFORP"
SUB_SMSU_INC = "Déclarer un incident sur SMSU"
SUB_ESUP_INC = "Déclarer une anomalie concernant les offres hébergées ESUP"
SUB_SMSU_SR = "Effectuer une demande de service concernant SMSU"
SUB_GEFORP_CR = "Effectuer une demande de changement / évolution concernant GEFORP"
SUB_ESUP_SR = "Effectuer une demande générale concernant les offres hébergées ESUP"

TICKETS: list[dict[str, Any]] = [
    {
        "ref": "R-000001",
        "subcategory": SUB_SMSU_SR,
        "title": "Possibilité d'ajouter un paramètre dans les SMS",
        "description": "Possibilité d'ajouter automatiquement le titre du cours pour les retards",
        "impact": Impact.DEPARTMENT,
        "urgency": Urgency.MEDIUM,
        "start": "2020-01-30 12:08:47",
        "steps": [("assign", "2020-01-30 14:30:12", TEAM_SMSU, "agent-smsu", "agent-smsu")],
    },
    {
        "ref": "I-000002",
        "subcategory": SUB_GEFORP_INC,
        "title": "Blocage de l'application",
        "description": "Bonjour,\nL'application GEFORP ne répond plus : la page des sessions "
        "de formation reste blanche pour tous les gestionnaires.",
        "impact": Impact.DEPARTMENT,
        "urgency": Urgency.MEDIUM,
        "start": "2020-01-30 12:13:32",
        "steps": [("assign", "2020-01-30 14:33:02", TEAM_GEFORP, "agent-geforp", "agent-geforp")],
    },
    {
        "ref": "I-000003",
        "subcategory": SUB_SMSU_INC,
        "title": "Problème lors de l'envoi d'un message",
        "description": "Bonjour,\nUn envoi de SMS à un groupe d'étudiants reste « en attente » "
        "depuis ce matin, sans message d'erreur.",
        "impact": Impact.SERVICE,
        "urgency": Urgency.MEDIUM,
        "start": "2020-01-30 12:14:48",
        "steps": [
            ("assign", "2020-01-30 14:31:27", TEAM_SMSU, "agent-smsu", "agent-smsu"),
            (
                # Resolved "yesterday" (the seed gives no date): the 7-day automatic close
                # would otherwise close the seed's only resolved ticket as the demo starts.
                "resolve",
                YESTERDAY,
                "agent-smsu",
                ResolutionCode.CONFIGURATION,
                "Le quota d'envoi de l'établissement était atteint : il a été relevé et les "
                "messages en attente sont partis.",
            ),
        ],
    },
    {
        "ref": "R-000004",
        "subcategory": SUB_GEFORP_CR,
        "title": "Possibilité d'avoir un champs de saisie supplémentaire",
        "description": "Bonjour,\n\nSerait-il possible d'ajouter un champs sur la disponibilité "
        "de la formation dans le planning ?",
        "impact": Impact.DEPARTMENT,
        "urgency": Urgency.LOW,
        "start": "2020-01-30 12:15:56",
        "steps": [
            ("assign", "2020-01-30 14:40:05", TEAM_GEFORP, "agent-geforp", "agent-geforp"),
            ("log", "2020-01-30 14:44:12", "agent-geforp", "Traitement de la demande"),
            (
                "resolve",
                "2020-01-30 14:44:32",
                "agent-geforp",
                ResolutionCode.SOFTWARE_PATCH,
                "Mise à jour du code pour répondre à la demande.",
            ),
            ("close", "2020-01-30 14:46:02", Satisfaction.VERY_SATISFIED, "Très satisfait :-)"),
        ],
    },
    {
        "ref": "R-000005",
        "subcategory": SUB_ESUP_SR,
        "title": "Demande d'accès à une nouvelle offre",
        "description": "Bonjour,\nNous souhaiterions utiliser l'offre hébergée EVA (MECC) dès "
        "son ouverture au catalogue. Quelle est la démarche ?",
        "impact": Impact.PERSON,
        "urgency": Urgency.LOW,
        "start": "2020-01-30 12:18:32",
        "steps": [("assign", "2020-01-30 14:34:18", TEAM_ESUP, "antoine.mercier", "agent")],
    },
    {
        "ref": "R-000006",
        "subcategory": SUB_GEFORP_CR,
        "title": "Bouton de mise à jour",
        "description": "Bonjour,\nPourriez-vous ajouter un bouton de mise à jour de la liste des "
        "inscrits sur la page d'une session ?",
        "impact": Impact.SERVICE,
        "urgency": Urgency.LOW,
        "start": "2020-01-30 12:20:00",
        "steps": [("assign", "2020-01-30 14:36:40", TEAM_GEFORP, "agent-geforp", "agent-geforp")],
    },
    {
        "ref": "I-000007",
        "subcategory": SUB_ESUP_INC,
        "title": "Problème d'accès au portail de gestion des offres hébergées",
        "description": "Bonjour,\nPas de connexion depuis ce matin !",
        "impact": Impact.PERSON,
        "urgency": Urgency.MEDIUM,
        "start": "2020-01-30 12:21:05",
        "steps": [("assign", "2020-01-30 14:35:51", TEAM_ESUP, "agent", "agent")],
    },
]
TICKET_CUSTOMER = "toulon"
TICKET_CALLER = "pcu"


# --- loading --------------------------------------------------------------------------------


def _at(local: str) -> dt.datetime:
    """An aware instant from a Paris local time ``YYYY-MM-DD HH:MM:SS`` (or ``YESTERDAY``)."""
    if local == YESTERDAY:
        return (timezone.now() - dt.timedelta(days=1)).replace(microsecond=0)
    return dt.datetime.strptime(local, "%Y-%m-%d %H:%M:%S").replace(tzinfo=PARIS)


class _Loader:
    """Creates what is missing and counts it; ``people`` maps a person key to the person."""

    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.orgs: dict[str, Organisation] = {}
        self.people: dict[str, Person] = {}
        self.teams: dict[str, Team] = {}
        self.services: dict[str, Service] = {}
        self.slas: dict[str, SLA] = {}
        self.new_tickets: list[Ticket] = []

    def organisations(self) -> None:
        for code, name, parent, uai, domains, provider, customer in ORGANISATIONS:
            org = Organisation.objects.filter(code=code).first()
            if org is None:
                org = organisation_create(
                    name=name,
                    code=code,
                    parent=self.orgs[parent] if parent else None,
                    uai=uai,
                    email_domains=domains,
                    is_provider=provider,
                    is_customer=customer,
                )
                self.created["organisations"] += 1
            self.orgs[code] = org

    def persons(self) -> None:
        for spec in PEOPLE:
            self.people[spec["key"]] = self._person(spec)
        User.objects.filter(username__in=SUPERUSERS).update(is_staff=True, is_superuser=True)
        for name, org_code in TEAMS:
            team = Team.objects.filter(name=name, organisation=self.orgs[org_code]).first()
            members = [self.people[p["key"]] for p in PEOPLE if name in p["teams"]]
            if team is None:
                team = team_create(name=name, organisation=self.orgs[org_code], members=members)
                self.created["teams"] += 1
            else:
                present = set(team.members.values_list("pk", flat=True))
                missing = [p for p in members if p.pk not in present]
                if missing:
                    team.members.add(*missing)
            self.teams[name] = team
        for spec in PEOPLE:
            for role, org_code in spec["roles"]:
                membership_grant(
                    person=self.people[spec["key"]], organisation=self.orgs[org_code], role=role
                )

    def _person(self, spec: dict[str, Any]) -> Person:
        org = self.orgs[spec["organisation"]]
        if spec["login"]:
            found = Person.objects.filter(user__username=spec["key"]).first()
        else:
            found = Person.objects.filter(
                first_name=spec["first_name"], last_name=spec["last_name"], organisation=org
            ).first()
        if found is not None:
            return found
        email = _email(spec["first_name"], spec["last_name"], spec["organisation"])
        username = spec["key"] if spec["login"] else None
        account = User.objects.filter(username=username).first() if username else None
        person = person_create(
            first_name=spec["first_name"],
            last_name=spec["last_name"],
            organisation=org,
            email=email,
            phone=spec["phone"],
            function=spec["function"],
            username=None if account else username,
            password=DEMO_PASSWORD,
        )
        if account is not None:  # an account made before (createsuperuser): link it
            person.user = account
            person.save(update_fields=["user"])
        self.created["persons"] += 1
        return person

    def catalogue(self) -> None:
        families = {}
        for name, description, icon in FAMILIES:
            family, made = ServiceFamily.objects.get_or_create(
                name=name, defaults={"description": description, "icon": icon}
            )
            families[name] = family
            self.created["service families"] += made
        for spec in SERVICES:
            service = Service.objects.filter(name=spec["name"]).first()
            if service is None:
                service = Service(
                    name=spec["name"],
                    family=families[spec["family"]],
                    provider=self.orgs[spec["provider"]],
                    status=LifecycleStatus.PRODUCTION,
                    description=spec["description"],
                    icon=spec["icon"],
                    offer_code=spec["offer_code"],
                )
                service.full_clean()
                service.save()
                service.contacts.set([self.people[k] for k in spec["contacts"]])
                self.created["services"] += 1
            self.services[spec["name"]] = service
            for title, url in spec["documents"]:
                self._document(title, url, service=service)
        for service_name, name, request_type in SUBCATEGORIES:
            service = self.services[service_name]
            if not ServiceSubcategory.objects.filter(service=service, name=name).exists():
                sub = ServiceSubcategory(service=service, name=name, request_type=request_type)
                sub.full_clean()
                sub.save()
                self.created["subcategories"] += 1

    def _document(self, title: str, url: str, **owner: Any) -> None:
        if Document.objects.filter(title=title, **owner).exists():
            return
        doc = Document(title=title, kind=Document.Kind.LINK, url=url, **owner)
        doc.full_clean()
        doc.save()
        self.created["documents"] += 1

    def contracts(self) -> None:
        for spec in CUSTOMER_CONTRACTS:
            customer = self.orgs[spec["customer"]]
            contract = CustomerContract.objects.filter(customer=customer, name=spec["name"]).first()
            if contract is None:
                contract = CustomerContract(
                    name=spec["name"],
                    description=spec["description"],
                    customer=customer,
                    provider=self.orgs[spec["provider"]],
                    status=ContractStatus.PRODUCTION,
                    start_date=spec["start"],
                    end_date=spec["end"],
                    tacit_renewal=True,
                )
                contract.full_clean()
                contract.save()
                contract.contacts.set([self.people[k] for k in spec["contacts"]])
                self.created["customer contracts"] += 1
            for name in spec["services"]:
                _, made = CustomerContractService.objects.get_or_create(
                    contract=contract, service=self.services[name]
                )
                self.created["covered services"] += made
            self._document(
                f"CGU — {spec['name']}", CGU_URLS[spec["name"]], customer_contract=contract
            )
        for customer_key, name, version, by, at in CGU_ACCEPTANCES:
            contract = CustomerContract.objects.get(customer=self.orgs[customer_key], name=name)
            if not CguAcceptance.objects.filter(contract=contract, version=version).exists():
                acceptance = CguAcceptance(
                    organisation=self.orgs[customer_key],
                    contract=contract,
                    version=version,
                    accepted_by=self.people[by],
                )
                acceptance.full_clean()
                acceptance.save()
                CguAcceptance.objects.filter(pk=acceptance.pk).update(accepted_at=_at(at))
                self.created["CGU acceptances"] += 1
        for spec in PROVIDER_CONTRACTS:
            provider = self.orgs[spec["provider"]]
            if ProviderContract.objects.filter(provider=provider, name=spec["name"]).exists():
                continue
            pcontract = ProviderContract(
                name=spec["name"],
                description=spec["description"],
                provider=provider,
                consortium=self.orgs["esup"],
                status=ContractStatus.PRODUCTION,
                start_date=spec["start"],
                tacit_renewal=True,
            )
            pcontract.full_clean()
            pcontract.save()
            pcontract.services.set([self.services[n] for n in spec["services"]])
            pcontract.contacts.set([self.people[k] for k in spec["contacts"]])
            self.created["provider contracts"] += 1
        for name, customer_key, lines in SUPPORT_MODELS:
            model = SupportModel.objects.filter(name=name).first()
            if model is None:
                model = SupportModel(name=name, customer=self.orgs[customer_key])
                model.full_clean()
                model.save()
                self.created["support models"] += 1
            for service_name, team_name in lines:
                SupportModelLine.objects.get_or_create(
                    support_model=model,
                    service=self.services[service_name],
                    defaults={"team": self.teams[team_name]},
                )
        if not PriorityMatrix.objects.filter(provider__isnull=True).exists():
            priority_matrix_set(provider=None, cells=dict(DEFAULT_PRIORITY_MATRIX))
            self.created["priority matrices"] += 1

    def service_levels(self) -> None:
        """Hours, calendars, SLAs, their choice per contract × service, settings, addresses."""
        for code in SLA_PROVIDERS:
            provider = self.orgs[code]
            hours = ServiceHours.objects.filter(provider=provider, name=HOURS_NAME).first()
            if hours is None:
                hours = service_hours_save(
                    actor=None,
                    provider=provider,
                    name=HOURS_NAME,
                    timezone=HOURS_TIMEZONE,
                    intervals=HOURS_INTERVALS,
                )
                self.created["service hours"] += 1
            calendar = HolidayCalendar.objects.filter(provider=provider, name=CALENDAR_NAME).first()
            if calendar is None:
                calendar = holiday_calendar_save(
                    actor=None,
                    provider=provider,
                    name=CALENDAR_NAME,
                    country=HolidayCalendar.Country.FRANCE,
                    subdivision=HolidayCalendar.Subdivision.NONE,
                    closures=CLOSURES.get(code, []),
                )
                self.created["holiday calendars"] += 1
            sla = SLA.objects.filter(provider=provider, name=SLA_NAME).first()
            if sla is None:
                sla = sla_save(
                    actor=None,
                    provider=provider,
                    name=SLA_NAME,
                    description=SLA_DESCRIPTION,
                    service_hours=hours,
                    holiday_calendar=calendar,
                    targets=_sla_targets(),
                )
                self.created["SLAs"] += 1
            self.slas[code] = sla
            if not ProviderSlaSettings.objects.filter(provider=provider).exists():
                provider_sla_settings_set(
                    actor=None, provider=provider, auto_close_days=AUTO_CLOSE_DAYS
                )
                self.created["SLA settings"] += 1
        coverages = CustomerContractService.objects.filter(
            contract__customer__code__in=SLA_CUSTOMERS, sla__isnull=True
        ).select_related("service__provider", "contract")
        for coverage in coverages.order_by("pk"):
            sla = self.slas.get(coverage.service.provider.code)
            if sla is not None:
                coverage_sla_set(actor=None, coverage=coverage, sla=sla)
                self.created["SLAs chosen"] += 1
        for address, service_name, subcategory_name in MAIL_INBOXES:
            if MailInbox.objects.filter(address=address).exists():
                continue
            service = self.services[service_name]
            inbox = MailInbox(
                address=address,
                service=service,
                subcategory=ServiceSubcategory.objects.get(service=service, name=subcategory_name),
            )
            inbox.full_clean()
            inbox.save()
            self.created["mail inboxes"] += 1

    def knowledge(self) -> None:
        categories = {}
        for name in FAQ_CATEGORIES:
            categories[name], made = FaqCategory.objects.get_or_create(name=name)
            self.created["FAQ categories"] += made
        for spec in FAQS:
            category = categories[spec["category"]]
            if Faq.objects.filter(category=category, title=spec["title"]).exists():
                continue
            faq = Faq(
                category=category,
                title=spec["title"],
                summary=spec["summary"],
                description=sanitize_html(spec["description"]),
                keywords=spec["keywords"],
                domains=spec["domains"],
            )
            faq.full_clean()
            faq.save()
            faq.services.set([self.services[n] for n in spec["services"]])
            self.created["FAQs"] += 1
        for spec in KNOWN_ERRORS:
            if KnownError.objects.filter(name=spec["name"]).exists():
                continue
            known = KnownError(**{**spec, "service": self.services[spec["service"]]})
            known.full_clean()
            known.save()
            self.created["known errors"] += 1

    def tickets(self) -> None:
        caller = self.people[TICKET_CALLER]
        customer = self.orgs[TICKET_CUSTOMER]
        for spec in TICKETS:
            parsed = parse_ref(spec["ref"])
            if parsed is None:  # pragma: no cover - a typo in the tables above
                raise ValueError(f"bad demo ticket ref {spec['ref']!r}")
            kind, number = parsed
            if Ticket.objects.filter(kind=kind, number=number).exists():
                continue
            subcategory = ServiceSubcategory.objects.get(name=spec["subcategory"])
            start = _at(spec["start"])
            mark = _mark()
            ticket = ticket_create(
                caller=caller,
                subcategory=subcategory,
                title=spec["title"],
                description=spec["description"],
                impact=spec["impact"],
                urgency=spec["urgency"],
                organisation=customer,
                actor=caller.user,
                start_date=start,
                number=number,
            )
            _backdate(ticket, mark, start)
            for step in spec["steps"]:
                self._ticket_step(ticket, step)
            self.new_tickets.append(ticket)
            self.created["tickets"] += 1

    def sla_clocks(self) -> None:
        """The seed tickets' clocks at the seed's times, their old thresholds recorded quietly.

        A ticket loaded now (its writes ran at today's time and were moved back to 2020) or
        one loaded before the service levels existed (no clock yet) has its clocks replayed
        from its history; then every threshold crossed long ago is recorded without mail or
        escalation (see the module docstring).
        """
        seed_q = Q()
        for spec in TICKETS:
            kind, number = parse_ref(spec["ref"]) or ("", 0)
            seed_q |= Q(kind=kind, number=number)
        seed = list(Ticket.objects.filter(seed_q).order_by("pk"))
        new_ids = {t.pk for t in self.new_tickets}
        with_clocks = set(SlaClock.objects.values_list("ticket_id", flat=True))
        for ticket in seed:
            replay = ticket.pk in new_ids or ticket.pk not in with_clocks
            if replay and ticket_sla_replay(ticket=ticket):
                self.created["SLA clocks replayed"] += 1
            self.created["SLA thresholds recorded"] += sla_thresholds_mark_passed(ticket=ticket)

    def _ticket_step(self, ticket: Ticket, step: tuple[Any, ...]) -> None:
        """Play one step of a ticket's story, then move what it wrote to the seed's time."""
        code, at = step[0], _at(step[1])
        mark = _mark()
        dates: dict[str, dt.datetime] = {}
        if code == "assign":
            team, agent, by = step[2:]
            ticket_transition(
                ticket=ticket,
                code="assign",
                actor=self.people[by].user,
                team=self.teams[team],
                agent=self.people[agent],
            )
            dates["assignment_date"] = at
        elif code == "log":
            author, body = step[2:]
            log_entry_add(ticket=ticket, actor=self.people[author].user, body=body)
        elif code == "resolve":
            by, resolution_code, solution = step[2:]
            ticket_transition(
                ticket=ticket,
                code="resolve",
                actor=self.people[by].user,
                resolution_code=resolution_code,
                solution=solution,
            )
            dates["resolution_date"] = at
        elif code == "close":
            satisfaction, comment = step[2:]
            ticket_transition(
                ticket=ticket,
                code="close",
                actor=ticket.caller.user,
                satisfaction=satisfaction,
                customer_comment=comment,
            )
            dates["close_date"] = at
        else:  # pragma: no cover - a typo in the tables above
            raise ValueError(f"unknown demo step {code!r}")
        _backdate(ticket, mark, at, **dates)


def _email(first_name: str, last_name: str, org_code: str) -> str:
    """An invented address, ``helene.garnier@esup-coordination-generale.example.org``."""
    local = unicodedata.normalize("NFKD", f"{first_name}.{last_name}".lower())
    local = "".join(c for c in local if not unicodedata.combining(c)).replace(" ", "-")
    return f"{local}@{org_code}.example.org"


def _mark() -> tuple[int, int, int]:
    """The newest event, ticket-history and log-entry ids: what comes after is one step's."""
    return (
        TicketEvent.objects.aggregate(m=Max("pk"))["m"] or 0,
        Ticket.history.aggregate(m=Max("history_id"))["m"] or 0,
        LogEntry.objects.aggregate(m=Max("pk"))["m"] or 0,
    )


def _backdate(
    ticket: Ticket, mark: tuple[int, int, int], at: dt.datetime, **dates: dt.datetime
) -> None:
    """Move the events, history rows and log entries written since ``mark`` to ``at``."""
    event_id, history_id, log_id = mark
    TicketEvent.objects.filter(ticket=ticket, pk__gt=event_id).update(at=at)
    rows = Ticket.history.filter(id=ticket.pk, history_id__gt=history_id)
    rows.update(history_date=at)
    # The history rows recorded the dates of the real run: give them the seed's too.
    for field, value in dates.items():
        rows.filter(**{f"{field}__isnull": False}).update(**{field: value})
    LogEntry.objects.filter(ticket=ticket, pk__gt=log_id).update(created_at=at)
    Ticket.objects.filter(pk=ticket.pk).update(last_update=at, **dates)


@transaction.atomic
def demo_load() -> dict[str, int]:
    """Load the demo data (see the module docstring); return what was created, by kind.

    The result maps a kind of object (``"organisations"``, ``"persons"``, ``"tickets"`` …)
    to the number created by this call: every value is 0 on a second run, since existing
    objects are found by their natural keys and left unchanged. The six logins (``admin``,
    ``agent``, ``agent-smsu``, ``agent-geforp``, ``pcu``, ``pcu-larochelle``) get the
    password :data:`DEMO_PASSWORD` when they are created. Everything runs in one
    transaction: on any error nothing is written.
    """
    loader = _Loader()
    loader.organisations()
    loader.persons()
    loader.catalogue()
    loader.contracts()
    loader.service_levels()
    loader.knowledge()
    loader.tickets()
    loader.sla_clocks()
    created = {kind: loader.created[kind] for kind in _KINDS}
    # Each hosted offer adds its own demo data through the registry (never imported here).
    for spec in registered_offers():
        if spec.demo is not None:
            for kind, count in spec.demo().items():
                created[kind] = created.get(kind, 0) + count
    return created


#: The kinds of :func:`demo_load`'s result, in the order the summary prints them.
_KINDS = (
    "organisations",
    "persons",
    "teams",
    "service families",
    "services",
    "subcategories",
    "documents",
    "customer contracts",
    "covered services",
    "CGU acceptances",
    "provider contracts",
    "support models",
    "priority matrices",
    "FAQ categories",
    "FAQs",
    "known errors",
    "tickets",
    "service hours",
    "holiday calendars",
    "SLAs",
    "SLA settings",
    "SLAs chosen",
    "mail inboxes",
    "SLA clocks replayed",
    "SLA thresholds recorded",
)
