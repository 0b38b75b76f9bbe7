"""The English translation of the UI (``src/esup_saas/locale/en``) and its catalog's health.

The UI's source strings are French; English is chosen through the navbar switch
(``set_language``, which stores the language cookie). French first: without that choice the
UI stays French (``LANGUAGE_CODE = "fr"``), whatever the browser's ``Accept-Language``
(``lib.language.ChosenLanguageMiddleware``).

The catalog tests check the committed ``django.po``: every entry translated, nothing fuzzy,
placeholders and HTML tags kept, the committed ``django.mo`` compiled from it, and (when GNU
gettext is installed) no msgid of the source missing from it.

Run as a script (``python tests/test_i18n.py``) to list the untranslated or fuzzy entries.
"""

from __future__ import annotations

import ast
import gettext
import html
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE_DIR = Path(__file__).resolve().parent.parent / "src" / "esup_saas" / "locale"
PO_PATH = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"


# --- A tiny .po reader (no dependency) -----------------------------------------------------


@dataclass
class PoEntry:
    """One catalog entry: ``msgstr`` holds one string, or one per plural form."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0
    obsolete: bool = False


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def parse_po(path: Path) -> list[PoEntry]:
    """Read the entries of a .po file (the header, msgid ``""``, included).

    Handles flags (``#, fuzzy, python-format``), multi-line strings, plurals and obsolete
    (``#~``) entries. Raises ``ValueError`` on a line it does not understand.
    """
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    target: tuple[str, int] | None = None
    pending_flags: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            entry, target = None, None
            continue
        if line.startswith("#,"):
            pending_flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            value = ast.literal_eval(literal)
            if keyword in ("msgctxt", "msgid") and (entry is None or entry.msgstr):
                entry = PoEntry(line=number, flags=pending_flags, obsolete=obsolete)
                entries.append(entry)
                pending_flags = set()
            assert entry is not None
            if keyword == "msgctxt":
                target = None
            elif keyword == "msgid":
                entry.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                entry.msgstr.append(value)
                target = ("msgstr", int(index or 0))
            continue
        if line.startswith('"') and entry is not None and target is not None:
            value = ast.literal_eval(line)
            kind, index = target
            if kind == "msgid":
                entry.msgid += value
            elif kind == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + value
            else:
                entry.msgstr[index] += value
            continue
        raise ValueError(f"{path}:{number}: unexpected line {raw!r}")
    return entries


def problems(entries: list[PoEntry]) -> list[str]:
    """Describe every live entry that is fuzzy or has an empty translation."""
    found = []
    for e in entries:
        if e.obsolete or e.msgid == "":
            continue
        if "fuzzy" in e.flags:
            found.append(f"line {e.line}: fuzzy: {e.msgid!r}")
        if not e.msgstr or any(not s for s in e.msgstr):
            found.append(f"line {e.line}: untranslated: {e.msgid!r}")
    return found


def live_entries() -> list[PoEntry]:
    return [e for e in parse_po(PO_PATH) if not e.obsolete and e.msgid]


# --- The catalog ---------------------------------------------------------------------------


def test_catalog_has_no_untranslated_or_fuzzy_entry():
    entries = parse_po(PO_PATH)
    header = next(e for e in entries if e.msgid == "")
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert len(live_entries()) > 500  # every app's strings, not a stub
    assert problems(entries) == []


def test_catalog_covers_every_app_and_the_base_templates():
    references = {
        ref.rsplit(":", 1)[0]
        for line in PO_PATH.read_text(encoding="utf-8").splitlines()
        if line.startswith("#:")
        for ref in line[2:].split()
    }
    folders = {ref.split("/", 1)[0] for ref in references}
    assert {"tenancy", "catalog", "knowledge", "servicedesk", "templates"} <= folders
    assert {"templates/base.html", "templates/registration/login.html"} <= references
    assert not [ref for ref in references if "/migrations/" in ref or "vendor/" in ref]


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{.*?\}\}|\{\w*\}")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def test_translations_keep_placeholders_and_html_tags():
    for e in live_entries():
        sources = [e.msgid] + ([e.msgid_plural] if e.msgid_plural else [])
        expected = sorted(_PLACEHOLDER.findall(sources[-1]))
        tags = sorted(_TAG.findall(e.msgid))
        for translated in e.msgstr:
            assert sorted(_PLACEHOLDER.findall(translated)) == expected, e.msgid
            assert sorted(_TAG.findall(translated)) == tags, e.msgid


def test_plural_entries_have_both_english_forms():
    plurals = [e for e in live_entries() if e.msgid_plural]
    assert plurals
    for e in plurals:
        assert len(e.msgstr) == 2 and e.msgstr[0] != e.msgstr[1], e.msgid


def test_committed_mo_is_compiled_from_the_po():
    """The .mo is committed so that machines without gettext get English; it must be current."""
    with MO_PATH.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    for e in live_entries():
        if e.msgid_plural:
            assert catalog.ngettext(e.msgid, e.msgid_plural, 1) == e.msgstr[0], e.msgid
            assert catalog.ngettext(e.msgid, e.msgid_plural, 5) == e.msgstr[1], e.msgid
        else:
            assert catalog.gettext(e.msgid) == e.msgstr[0], e.msgid


_FORMAT_DIRECTIVE = re.compile(r"%(\(\w+\))?[sdifr]|%%")  # the ones our strings use


def test_python_format_only_where_the_msgid_has_placeholders():
    """A percentage ("75 %") is not a placeholder: ``# xgettext:no-python-format`` in the source."""
    for e in live_entries():
        if "python-format" in e.flags:
            rest = _FORMAT_DIRECTIVE.sub("", e.msgid + (e.msgid_plural or ""))
            assert "%" not in rest, e.msgid
    sla = next(e for e in live_entries() if e.msgid == "SLA : 75 % du délai atteint")
    assert "python-format" not in sla.flags
    assert sla.msgstr == ["SLA: 75% of the time limit reached"]


def test_translations_use_english_punctuation():
    """French puts a space before ":;?!"; the colon belongs inside the translated string."""
    for e in live_entries():
        for translated in e.msgstr:
            assert not re.search(r" [:;?!](\s|$)", translated), (e.msgid, translated)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_catalog_holds_every_msgid_of_the_source(tmp_path, settings, monkeypatch):
    """Re-extract the source into a copy: a msgid missing means makemessages must be rerun."""
    from django.core.management import call_command

    source = LOCALE_DIR.parent
    copy = tmp_path / "esup_saas"
    shutil.copytree(
        source,
        copy,
        ignore=shutil.ignore_patterns("migrations", "vendor", "__pycache__", "locale"),
    )
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], verbosity=0, ignore_patterns=["*/migrations/*"])
    fresh = {
        (e.msgid, e.msgid_plural)
        for e in parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
        if not e.obsolete and e.msgid
    }
    committed = {(e.msgid, e.msgid_plural) for e in live_entries()}
    missing = sorted(m for m, _ in fresh - committed)
    assert missing == [], "run makemessages -l en and translate: " + repr(missing)
    assert sorted(m for m, _ in committed - fresh) == []


# --- The pages -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _back_to_default_language():
    """A request activates its language for the thread: do not leak English to other tests."""
    yield
    from django.utils import translation

    translation.deactivate()


def page(client, url: str, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


LOGIN_EN = [
    "Welcome to the “ESUP Hosted Offers” management portal",
    "Please log in.",
    ">Username<",
    ">Password<",
    "Log in to the portal",
    "Forgotten your password?",
    '<html lang="en">',
]
LOGIN_FR = [
    "Bienvenue dans le portail de gestion « ESUP Offres Hébergées »",
    "Merci de vous identifier.",
    ">Identifiant<",
    ">Mot de passe<",
    "Accéder au portail",
    "Mot de passe oublié ?",
    '<html lang="fr">',
]


def assert_shows(body: str, present: list[str], absent: list[str]) -> None:
    for phrase in present:
        assert phrase in body, phrase
    for phrase in absent:
        assert phrase not in body, phrase


@pytest.mark.django_db
def test_login_page_is_french_without_a_preference(client):
    assert_shows(page(client, "/accounts/login/"), LOGIN_FR, LOGIN_EN)


@pytest.mark.django_db
def test_login_page_stays_french_for_an_english_browser(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert_shows(html.unescape(response.content.decode()), LOGIN_FR, LOGIN_EN)
    assert response["Content-Language"] == "fr"
    assert "Cookie" in response["Vary"] and "Accept-Language" not in response["Vary"]


@pytest.mark.django_db
def test_the_switch_wins_over_the_browser_language(client, settings):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    body = page(client, "/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert_shows(body, LOGIN_EN, LOGIN_FR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-GB"  # a variant of English
    assert_shows(page(client, "/accounts/login/"), LOGIN_EN, LOGIN_FR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"  # not offered: French
    body = page(client, "/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert_shows(body, LOGIN_FR, LOGIN_EN)


@pytest.mark.django_db
def test_language_switch_turns_the_login_page_english_then_back(client, settings):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert_shows(page(client, "/accounts/login/"), LOGIN_EN, LOGIN_FR)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"})
    assert_shows(page(client, "/accounts/login/"), LOGIN_FR, LOGIN_EN)


PORTAL_EN = [
    "Hosted offers portal",
    "New request",
    "Need help?",
    "Follow your ongoing requests.",
    "Frequently Asked Questions",
    "In a hurry?",
    "Log out",
    ">Français</button>",
]
PORTAL_FR = [
    "Portail des offres hébergées",
    "Nouvelle requête",
    "Besoin d'assistance ?",
    "Suivez vos requêtes en cours.",
    "Foire Aux Questions",
    "Vous êtes pressé ?",
    "Se déconnecter",
    ">English</button>",
]


def test_portal_home_in_english_with_the_language_cookie(world, as_user, settings):
    client = as_user(world.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert_shows(page(client, "/portal/"), PORTAL_EN, PORTAL_FR)


def test_portal_home_stays_french_by_default(world, as_user):
    assert_shows(page(as_user(world.owner), "/portal/"), PORTAL_FR, PORTAL_EN)


CONSOLE_EN = [
    '<h1 class="h3 mb-3">Dashboard</h1>',
    "Ongoing requests by status",
    "Ongoing requests by customer",
    "My tickets",
    "Unassigned tickets",
    "View the list",
]
CONSOLE_FR = [
    "Tableau de bord",
    "Requêtes en cours par statut",
    "Requêtes en cours par client",
    "Mes tickets",
    "Tickets non assignés",
    "Voir la liste",
]


def test_console_home_in_english_with_the_switch(world, as_user):
    from tests.conftest import make_ticket

    make_ticket(world)
    client = as_user(world.agent)
    client.post("/i18n/setlang/", {"language": "en", "next": "/console/"})
    body = page(client, "/console/")
    assert_shows(body, [*CONSOLE_EN, "1 ongoing request.", ">New</a>"], CONSOLE_FR)


def test_console_home_stays_french_by_default(world, as_user):
    from tests.conftest import make_ticket

    make_ticket(world)
    body = page(as_user(world.agent), "/console/", HTTP_ACCEPT_LANGUAGE="en")
    assert_shows(body, [*CONSOLE_FR, "1 requête en cours.", ">Nouveau</a>"], CONSOLE_EN)


def test_console_ticket_page_colons_follow_the_language(world, as_user, settings):
    from tests.conftest import make_ticket

    ticket = make_ticket(world)
    url = f"/console/tickets/{ticket.ref}/"
    english_client = as_user(world.agent)
    english_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = page(english_client, url)
    assert_shows(english, ["Priority: <strong"], ["Priority : ", "Priorité"])
    french = page(as_user(world.agent), url)
    assert_shows(french, ["Priorité : <strong"], ["Priority"])


def test_dates_are_british_in_english_and_unchanged_in_french():
    import datetime as dt

    from django.template import Context, Template
    from django.utils import translation

    at = dt.datetime(2006, 10, 25, 14, 30)
    template = Template(
        '{{ at|date }}|{{ at|date:"SHORT_DATE_FORMAT" }}|{{ at|date:"DATETIME_FORMAT" }}|'
        '{{ at|date:"SHORT_DATETIME_FORMAT" }}|{{ at|time }}'
    )
    with translation.override("en"):
        english = template.render(Context({"at": at}))
    with translation.override("fr"):
        french = template.render(Context({"at": at}))
    assert english == "25 October 2006|25/10/2006|25 October 2006, 14:30|25/10/2006 14:30|14:30"
    assert french == "25 octobre 2006|25/10/2006|25 octobre 2006 14:30|25/10/2006 14:30|14:30"


def test_english_request_does_not_leak_into_the_next_french_one(world, as_user, settings):
    english = as_user(world.owner)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "New request" in page(english, "/portal/")
    assert "Nouvelle requête" in page(as_user(world.owner), "/portal/")


if __name__ == "__main__":
    found = problems(parse_po(PO_PATH))
    print("\n".join(found) or f"{PO_PATH}: no untranslated or fuzzy entry")
    sys.exit(1 if found else 0)
