"""The customers' portal (specs/platform.md item 15): pages, flows and tenancy.

Each page is tested on its happy path as the PCU of Customer One (``world.owner``); the end
user (``world.member``) sees only their own tickets; the PCU of Customer Two
(``world.outsider``) gets 404 on every object URL of Customer One and never sees its tickets
in a list; an agent without a portal role gets the "no role" page (403).
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from esup_saas.catalog.models import (
    CustomerContract,
    CustomerContractService,
    Document,
    RequestType,
    Service,
    ServiceSubcategory,
)
from esup_saas.knowledge.models import Faq, FaqCategory
from esup_saas.servicedesk import services
from esup_saas.servicedesk.models import Attachment, LogEntry, Ticket
from esup_saas.servicedesk.workflow import Status
from tests.conftest import make_ticket

PDF = b"%PDF-1.4\n% test\n"


def _pdf(name: str = "capture.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _txt(name: str = "notes.txt", body: bytes = b"quelques notes\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="text/plain")


def _resolve(world, ticket: Ticket) -> Ticket:
    """Assign to world.team / world.agent and resolve, as the agent (service layer)."""
    services.ticket_transition(
        ticket=ticket, code="assign", actor=world.agent.user, team=world.team, agent=world.agent
    )
    return services.ticket_transition(
        ticket=ticket,
        code="resolve",
        actor=world.agent.user,
        resolution_code="assistance",
        solution="Redémarrage du service.",
    )


def _text(response) -> str:
    """The response's HTML with entities decoded (``'`` is escaped as ``&#x27;``)."""
    return html_lib.unescape(response.content.decode())


def _reload(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def c1_only_sub(world) -> ServiceSubcategory:
    """A subcategory of "Service C", covered by Customer One's contract only (not c2's)."""
    svc = Service.objects.create(
        name="Service C", family=world.service.family, provider=world.provider
    )
    sub = ServiceSubcategory.objects.create(
        service=svc, name="Incident on C", request_type=RequestType.INCIDENT
    )
    contract = CustomerContract.objects.get(customer=world.customer, provider=world.provider)
    CustomerContractService.objects.create(contract=contract, service=svc)
    return sub


# --- access -----------------------------------------------------------------------------------

PAGES = [
    ("portal:home", {}),
    ("portal:new", {}),
    ("portal:ongoing", {}),
    ("portal:closed", {}),
    ("portal:faq", {}),
    ("portal:contracts", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_every_page_has_the_sidebar_menu_and_the_persons_name(world, as_user, name, kwargs):
    response = as_user(world.owner).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    html = _text(response)
    assert 'data-testid="portal-menu"' in html
    for label in (
        "Accueil",
        "Nouvelle requête",
        "Requêtes en cours",
        "FAQ",
        "Requêtes fermées",
        "Mes conventions",
    ):
        assert label in html
    assert "Olivia Owner" in html
    assert 'aria-current="page"' in html


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_agent_without_portal_role_gets_403(world, as_user, name, kwargs):
    response = as_user(world.agent).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 403
    assert "Votre compte travaille dans la console" in _text(response)


def test_agent_gets_403_on_ticket_page_too(world, as_user):
    ticket = make_ticket(world)
    response = as_user(world.agent).get(reverse("portal:ticket", args=[ticket.ref]))
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- home -------------------------------------------------------------------------------------


def test_home_shows_the_three_tiles(world, as_user):
    html = _text(as_user(world.owner).get(reverse("portal:home")))
    assert "Besoin d'assistance ?" in html
    assert "Suivez vos requêtes en cours." in html
    assert "Foire Aux Questions" in html
    assert "Vous êtes pressé ?" in html
    assert reverse("portal:new") in html
    assert reverse("portal:ongoing") in html
    assert reverse("portal:faq") in html


# --- new request ------------------------------------------------------------------------------


def test_browse_lists_open_subcategories_grouped_by_family(world, as_user):
    response = as_user(world.owner).get(reverse("portal:new"))
    html = _text(response)
    assert response.status_code == 200
    assert "Family" in html
    for sub in ("Incident on A", "Request on A", "Change on A", "Incident on B"):
        assert sub in html
    assert reverse("portal:new_form", args=[world.request_sub.pk]) in html


def test_browse_text_filter(world, as_user):
    html = _text(as_user(world.owner).get(reverse("portal:new"), {"q": "change"}))
    assert "Change on A" in html
    assert "Incident on A" not in html
    assert "Incident on B" not in html


def test_browse_hides_services_not_open_to_the_user(world, as_user, c1_only_sub):
    owner_html = _text(as_user(world.owner).get(reverse("portal:new")))
    outsider_html = _text(as_user(world.outsider).get(reverse("portal:new")))
    assert "Incident on C" in owner_html
    assert "Incident on C" not in outsider_html


def test_new_request_form_shows_fields_and_contacts(world, as_user):
    response = as_user(world.owner).get(reverse("portal:new_form", args=[world.request_sub.pk]))
    html = _text(response)
    assert response.status_code == 200
    for label in ("Impact", "Urgence", "Titre", "Description", "Contacts", "Pièces jointes"):
        assert label in html
    assert 'type="file"' in html
    assert "multiple" in html
    assert "Marc Member" in html  # same organisation
    assert "Oscar Outsider" not in html  # another tenant
    assert "Service A" in html


def test_new_request_creates_ticket_with_contacts_and_attachments(world, as_user):
    client = as_user(world.owner)
    response = client.post(
        reverse("portal:new_form", args=[world.request_sub.pk]),
        {
            "impact": 2,
            "urgency": 2,
            "title": "Ajouter un paramètre",
            "description": "Ligne 1\nLigne 2",
            "contacts": [world.member.pk],
            "attachments": [_pdf(), _txt()],
        },
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert ticket.ref == "R-000001"
    assert response.redirect_chain[-1][0] == reverse("portal:ticket", args=["R-000001"])
    assert "Votre requête R-000001 a été enregistrée." in _text(response)
    assert ticket.caller == world.owner
    assert ticket.organisation == world.customer
    assert ticket.subcategory == world.request_sub
    assert ticket.priority == 2
    assert list(ticket.contacts.all()) == [world.member]
    assert sorted(a.filename for a in ticket.attachments.all()) == ["capture.pdf", "notes.txt"]
    assert all(not a.private for a in ticket.attachments.all())


def test_new_request_description_is_sanitised(world, as_user):
    as_user(world.owner).post(
        reverse("portal:new_form", args=[world.incident_sub.pk]),
        {
            "impact": 3,
            "urgency": 3,
            "title": "XSS",
            "description": "<p>Bonjour</p><script>alert('x')</script>",
        },
    )
    ticket = Ticket.objects.get()
    assert "<script" not in ticket.description
    assert "alert" not in ticket.description
    assert "<p>Bonjour</p>" in ticket.description


def test_new_request_missing_title_shows_error_and_creates_nothing(world, as_user):
    response = as_user(world.owner).post(
        reverse("portal:new_form", args=[world.incident_sub.pk]),
        {"impact": 3, "urgency": 3, "title": "", "description": "x"},
    )
    html = _text(response)
    assert response.status_code == 200
    assert 'data-testid="error-title"' in html
    assert 'class="form-control is-invalid"' in html
    assert not Ticket.objects.exists()


def test_end_user_opens_a_request_for_themself(world, as_user):
    response = as_user(world.member).post(
        reverse("portal:new_form", args=[world.incident_sub.pk]),
        {"impact": 3, "urgency": 1, "title": "Panne", "description": "Plus rien."},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket", args=[ticket.ref])
    assert ticket.caller == world.member
    assert ticket.priority == 2


def test_new_request_attachment_too_big_shows_error(world, as_user, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("gros.txt", b"x" * (1024 * 1024 + 1), content_type="text/plain")
    response = as_user(world.owner).post(
        reverse("portal:new_form", args=[world.incident_sub.pk]),
        {"impact": 3, "urgency": 3, "title": "Gros", "description": "x", "attachments": [big]},
    )
    html = _text(response)
    assert response.status_code == 200
    assert 'data-testid="error-attachments"' in html
    assert "« gros.txt » dépasse la taille maximale" in html
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_new_request_wrong_file_type_shows_error(world, as_user):
    exe = SimpleUploadedFile("outil.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = as_user(world.owner).post(
        reverse("portal:new_form", args=[world.incident_sub.pk]),
        {
            "impact": 3,
            "urgency": 3,
            "title": "Type",
            "description": "x",
            "attachments": [_pdf(), exe],
        },
    )
    html = _text(response)
    assert 'data-testid="error-attachments"' in html
    assert "ce type de fichier n'est pas accepté" in html
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_new_request_refuses_contact_of_another_tenant(world, as_user):
    response = as_user(world.owner).post(
        reverse("portal:new_form", args=[world.incident_sub.pk]),
        {
            "impact": 3,
            "urgency": 3,
            "title": "Contact",
            "description": "x",
            "contacts": [world.outsider.pk],
        },
    )
    assert 'data-testid="error-contacts"' in _text(response)
    assert not Ticket.objects.exists()


def test_new_request_form_for_subcategory_not_open_is_404(world, as_user, c1_only_sub):
    url = reverse("portal:new_form", args=[c1_only_sub.pk])
    assert as_user(world.owner).get(url).status_code == 200
    outsider = as_user(world.outsider)
    assert outsider.get(url).status_code == 404
    response = outsider.post(url, {"impact": 3, "urgency": 3, "title": "t", "description": "d"})
    assert response.status_code == 404
    assert not Ticket.objects.exists()
    assert as_user(world.owner).get(reverse("portal:new_form", args=[999999])).status_code == 404


# --- lists ------------------------------------------------------------------------------------


def test_ongoing_requests_tables_and_counts(world, as_user):
    inc1 = make_ticket(world, title="Panne un")
    inc2 = make_ticket(world, title="Panne deux", caller=world.member)
    req = make_ticket(world, sub=world.request_sub, title="Demande trois")
    _resolve(world, inc1)
    done = make_ticket(world, title="Panne close")
    _resolve(world, done)
    services.ticket_transition(ticket=done, code="close", actor=world.owner.user, satisfaction=2)

    response = as_user(world.owner).get(reverse("portal:ongoing"))
    html = _text(response)
    assert response.status_code == 200
    assert 'Requêtes en cours (<span data-testid="count-total">3</span>)' in html
    assert '<strong data-testid="count-open">2</strong>' in html
    assert '<strong data-testid="count-resolved">1</strong>' in html
    for ref in (inc1.ref, inc2.ref, req.ref):
        assert ref in html
    assert done.ref not in html
    for column in (
        "Référence",
        "Titre",
        "Date de début",
        "Statut",
        "Service",
        "Sous-catégorie de service",
        "Priorité",
        "Demandeur",
    ):
        assert column in html
    assert 'data-testid="table-incident"' in html
    assert 'data-testid="table-user_request"' in html
    incident_table = html.split('data-testid="table-incident"')[1].split("</table>")[0]
    request_table = html.split('data-testid="table-user_request"')[1].split("</table>")[0]
    assert inc1.ref in incident_table and req.ref not in incident_table
    assert req.ref in request_table and inc1.ref not in request_table
    assert "Marc Member" in incident_table  # the PCU sees the end user's ticket
    assert 'data-testid="status-resolved"' in html


def test_ticket_lists_keep_reference_title_and_status_on_phones(world, as_user):
    make_ticket(world)
    html = _text(as_user(world.owner).get(reverse("portal:ongoing")))
    table = html.split('data-testid="table-incident"')[1].split("</table>")[0]
    headers = re.findall(r'<th scope="col"( class="[^"]*")?>([^<]+)</th>', table)
    hidden = {name for css, name in headers if "d-none d-md-table-cell" in css}
    shown = {name for css, name in headers if "d-none" not in css}
    assert shown == {"Référence", "Titre", "Statut"}
    assert hidden == {
        "Date de début",
        "Service",
        "Sous-catégorie de service",
        "Priorité",
        "Demandeur",
    }
    row = table.split("<tbody>")[1]
    assert row.count('class="d-none d-md-table-cell"') + row.count(
        'class="text-nowrap d-none d-md-table-cell"'
    ) == len(hidden)


def test_closed_requests_list(world, as_user):
    done = make_ticket(world, title="Panne close")
    _resolve(world, done)
    services.ticket_transition(ticket=done, code="close", actor=world.owner.user, satisfaction=1)
    open_ticket = make_ticket(world, title="Toujours ouverte")
    response = as_user(world.owner).get(reverse("portal:closed"))
    html = _text(response)
    assert response.status_code == 200
    assert 'Requêtes fermées (<span data-testid="count-total">1</span>)' in html
    assert done.ref in html
    assert open_ticket.ref not in html
    assert 'data-testid="status-closed"' in html


def test_end_user_sees_only_their_own_tickets(world, as_user):
    own = make_ticket(world, caller=world.member, title="La mienne")
    others = make_ticket(world, caller=world.owner, title="Celle du PCU")
    member = as_user(world.member)
    html = _text(member.get(reverse("portal:ongoing")))
    assert own.ref in html
    assert others.ref not in html
    assert member.get(reverse("portal:ticket", args=[own.ref])).status_code == 200
    assert member.get(reverse("portal:ticket", args=[others.ref])).status_code == 404


def test_outsider_never_sees_owners_tickets_in_lists(world, as_user):
    ticket = make_ticket(world, title="Secret de c1")
    closed = make_ticket(world, title="Close de c1")
    _resolve(world, closed)
    services.ticket_transition(ticket=closed, code="close", actor=world.owner.user, satisfaction=1)
    mine = make_ticket(world, caller=world.outsider, title="Chez c2")
    outsider = as_user(world.outsider)
    ongoing = _text(outsider.get(reverse("portal:ongoing")))
    finished = _text(outsider.get(reverse("portal:closed")))
    assert mine.ref in ongoing
    assert ticket.ref not in ongoing and "Secret de c1" not in ongoing
    assert closed.ref not in finished and "Close de c1" not in finished
    assert '<strong data-testid="count-open">1</strong>' in ongoing


# --- ticket page ------------------------------------------------------------------------------


def test_ticket_page_shows_information_public_log_and_public_attachments(world, as_user):
    ticket = services.ticket_create(
        caller=world.owner,
        subcategory=world.incident_sub,
        title="Blocage de l'application",
        description="Décrit en détail.",
        impact=3,
        urgency=3,
        contacts=[world.member],
    )
    services.log_entry_add(ticket=ticket, actor=world.agent.user, body="Nous regardons.")
    services.log_entry_add(
        ticket=ticket,
        actor=world.agent.user,
        body="NOTE INTERNE à ne pas montrer",
        visibility=LogEntry.Visibility.PRIVATE,
        files=[_txt("interne.txt")],
    )
    services.attachment_add(ticket=ticket, files=[_pdf("publique.pdf")], actor=world.owner.user)

    response = as_user(world.owner).get(reverse("portal:ticket", args=[ticket.ref]))
    html = _text(response)
    assert response.status_code == 200
    for label in (
        "Informations générales",
        "Titre",
        "Demandeur",
        "Statut",
        "Date de début",
        "Service",
        "Sous-catégorie de service",
        "Impact",
        "Urgence",
        "Priorité",
        "Dernière mise à jour",
        "Description",
        "Journal public",
        "Pièces jointes",
        "Contacts (1)",
    ):
        assert label in html
    assert "Décrit en détail." in html
    assert "Nous regardons." in html
    assert "NOTE INTERNE" not in html
    assert "publique.pdf" in html
    assert "interne.txt" not in html
    assert "Marc Member" in html
    assert 'data-testid="comment-form"' in html
    assert 'data-testid="accept-form"' not in html  # not resolved
    assert 'data-testid="status-new"' in html


def test_attachment_download_public_only(world, as_user):
    ticket = make_ticket(world)
    (public,) = services.attachment_add(ticket=ticket, files=[_pdf()], actor=world.owner.user)
    (private,) = services.attachment_add(
        ticket=ticket, files=[_txt("interne.txt")], actor=world.agent.user, private=True
    )
    owner = as_user(world.owner)
    response = owner.get(reverse("portal:attachment", args=[ticket.ref, public.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "capture.pdf" in response["Content-Disposition"]
    assert owner.get(reverse("portal:attachment", args=[ticket.ref, private.pk])).status_code == 404
    # an attachment of another ticket, reached through a visible ticket's URL
    other = make_ticket(world)
    (elsewhere,) = services.attachment_add(ticket=other, files=[_pdf()], actor=world.owner.user)
    url = reverse("portal:attachment", args=[ticket.ref, elsewhere.pk])
    assert owner.get(url).status_code == 404


def test_comment_adds_public_entry_with_files(world, as_user):
    ticket = make_ticket(world)
    response = as_user(world.owner).post(
        reverse("portal:comment", args=[ticket.ref]),
        {"body": "Voici une capture.", "attachments": [_pdf()]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("portal:ticket", args=[ticket.ref])
    entry = LogEntry.objects.get(ticket=ticket)
    assert entry.visibility == LogEntry.Visibility.PUBLIC
    assert entry.author == world.owner
    assert "Voici une capture." in entry.body
    assert ticket.attachments.get().filename == "capture.pdf"
    html = _text(response)
    assert "Votre commentaire a été ajouté." in html
    assert "Voici une capture." in html


def test_empty_comment_shows_error(world, as_user):
    ticket = make_ticket(world)
    response = as_user(world.owner).post(reverse("portal:comment", args=[ticket.ref]), {"body": ""})
    assert response.status_code == 400
    assert 'data-testid="error-body"' in _text(response)
    assert not LogEntry.objects.exists()


def test_comment_with_bad_file_shows_error_and_adds_nothing(world, as_user):
    ticket = make_ticket(world)
    fake = SimpleUploadedFile("faux.pdf", b"pas un pdf", content_type="application/pdf")
    response = as_user(world.owner).post(
        reverse("portal:comment", args=[ticket.ref]), {"body": "Fichier", "attachments": [fake]}
    )
    assert response.status_code == 400
    assert "le contenu ne correspond pas à son extension" in _text(response)
    assert not LogEntry.objects.exists()
    assert not Attachment.objects.exists()


def test_comment_on_closed_ticket_is_refused(world, as_user):
    ticket = make_ticket(world)
    _resolve(world, ticket)
    services.ticket_transition(ticket=ticket, code="close", actor=world.owner.user, satisfaction=1)
    response = as_user(world.owner).post(
        reverse("portal:comment", args=[ticket.ref]), {"body": "Encore ?"}, follow=True
    )
    assert "Ce ticket est fermé." in _text(response)
    assert not LogEntry.objects.filter(body__contains="Encore").exists()
    assert 'data-testid="comment-form"' not in _text(response)


# --- accept / reopen --------------------------------------------------------------------------


def test_resolved_ticket_offers_accept_and_reopen(world, as_user):
    ticket = make_ticket(world)
    _resolve(world, ticket)
    html = _text(as_user(world.owner).get(reverse("portal:ticket", args=[ticket.ref])))
    assert 'data-testid="accept-form"' in html
    assert 'data-testid="reopen-form"' in html
    assert "Accepter la solution" in html
    assert "Ré-ouvrir" in html
    for label in ("Très satisfait", "Satisfait", "Insatisfait", "Très insatisfait"):
        assert label in html
    assert "Redémarrage du service." in html  # the solution


def test_accept_flow_closes_with_satisfaction(world, as_user):
    ticket = make_ticket(world)
    _resolve(world, ticket)
    response = as_user(world.owner).post(
        reverse("portal:accept", args=[ticket.ref]),
        {"satisfaction": "1", "customer_comment": "Parfait, merci."},
        follow=True,
    )
    ticket = _reload(ticket)
    assert ticket.status == Status.CLOSED
    assert ticket.satisfaction == 1
    assert ticket.customer_comment == "Parfait, merci."
    assert ticket.close_date is not None
    html = _text(response)
    assert response.redirect_chain[-1][0] == reverse("portal:ticket", args=[ticket.ref])
    assert 'data-testid="ticket-satisfaction">Très satisfait' in html
    assert "Parfait, merci." in html
    assert 'data-testid="accept-form"' not in html
    closed_html = _text(as_user(world.owner).get(reverse("portal:closed")))
    assert ticket.ref in closed_html


def test_accept_without_satisfaction_shows_error_and_changes_nothing(world, as_user):
    ticket = make_ticket(world)
    _resolve(world, ticket)
    response = as_user(world.owner).post(
        reverse("portal:accept", args=[ticket.ref]), {"customer_comment": "?"}
    )
    assert response.status_code == 400
    html = _text(response)
    assert 'data-testid="error-satisfaction"' in html
    assert "Indiquez votre satisfaction." in html
    ticket = _reload(ticket)
    assert ticket.status == Status.RESOLVED
    assert ticket.satisfaction is None


def test_accept_on_non_resolved_ticket_shows_error_and_changes_nothing(world, as_user):
    ticket = make_ticket(world)
    before = _reload(ticket).last_update
    response = as_user(world.owner).post(
        reverse("portal:accept", args=[ticket.ref]), {"satisfaction": "1"}, follow=True
    )
    html = _text(response)
    assert response.status_code == 200
    assert "est impossible depuis l'état « Nouveau »" in html
    ticket = _reload(ticket)
    assert ticket.status == Status.NEW
    assert ticket.satisfaction is None
    assert ticket.last_update == before


def test_reopen_flow(world, as_user):
    ticket = make_ticket(world)
    _resolve(world, ticket)
    response = as_user(world.owner).post(
        reverse("portal:reopen", args=[ticket.ref]),
        {"comment": "Le problème revient."},
        follow=True,
    )
    ticket = _reload(ticket)
    assert ticket.status == Status.ASSIGNED
    assert ticket.resolution_date is None
    entry = LogEntry.objects.get(ticket=ticket)
    assert entry.visibility == LogEntry.Visibility.PUBLIC
    assert "Le problème revient." in entry.body
    html = _text(response)
    assert f"La requête {ticket.ref} est ré-ouverte." in html
    assert 'data-testid="reopen-form"' not in html


def test_reopen_on_open_ticket_shows_error(world, as_user):
    ticket = make_ticket(world)
    response = as_user(world.owner).post(
        reverse("portal:reopen", args=[ticket.ref]), {"comment": "x"}, follow=True
    )
    assert "est impossible" in _text(response)
    assert _reload(ticket).status == Status.NEW
    assert not LogEntry.objects.exists()


def test_rejected_request_can_be_reopened(world, as_user):
    ticket = make_ticket(world, sub=world.request_sub)
    services.ticket_transition(ticket=ticket, code="wait_for_approval", actor=world.agent.user)
    services.ticket_transition(
        ticket=ticket, code="reject", actor=world.agent.user, rejection_reason="Hors périmètre."
    )
    owner = as_user(world.owner)
    html = _text(owner.get(reverse("portal:ticket", args=[ticket.ref])))
    assert 'data-testid="reopen-form"' in html
    assert 'data-testid="accept-form"' not in html
    assert "Hors périmètre." in html
    owner.post(
        reverse("portal:reopen", args=[ticket.ref]), {"comment": "C'est dans la convention."}
    )
    assert _reload(ticket).status == Status.NEW
    assert LogEntry.objects.get(ticket=ticket).body == "C'est dans la convention."


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopen_without_a_reason_shows_the_error_and_changes_nothing(world, as_user, reason):
    ticket = make_ticket(world)
    _resolve(world, ticket)
    response = as_user(world.owner).post(
        reverse("portal:reopen", args=[ticket.ref]), {"comment": reason}
    )
    assert response.status_code == 400
    html = _text(response)
    assert 'data-testid="error-comment"' in html
    assert "Indiquez pourquoi vous ré-ouvrez la requête." in html
    assert 'data-testid="reopen-form"' in html
    assert _reload(ticket).status == Status.RESOLVED
    assert not LogEntry.objects.filter(ticket=ticket).exists()


def test_reopen_form_marks_the_reason_required(world, as_user):
    ticket = make_ticket(world)
    _resolve(world, ticket)
    html = _text(as_user(world.owner).get(reverse("portal:ticket", args=[ticket.ref])))
    form = html[html.index('data-testid="reopen-form"') :]
    form = form[: form.index("</form>")]
    assert 'name="comment"' in form and "required" in form


def test_reopen_without_a_reason_on_an_open_ticket_is_a_message(world, as_user):
    ticket = make_ticket(world)
    response = as_user(world.owner).post(
        reverse("portal:reopen", args=[ticket.ref]), {"comment": ""}, follow=True
    )
    assert "Cette requête ne peut pas être ré-ouverte." in _text(response)
    assert _reload(ticket).status == Status.NEW


# --- internal SLA states --------------------------------------------------------------------


def test_escalated_tickets_show_the_state_they_came_from(world, as_user):
    late = make_ticket(world, title="Pas pris en charge")
    services.ticket_transition(ticket=late, code="escalate_tto")
    slow = make_ticket(world, title="Pas résolu")
    services.ticket_transition(
        ticket=slow, code="assign", actor=world.agent.user, team=world.team, agent=world.agent
    )
    services.ticket_transition(ticket=slow, code="escalate_ttr")
    owner = as_user(world.owner)
    listing = _text(owner.get(reverse("portal:ongoing")))
    rows = {t.ref: listing.split(t.ref)[2].split("</tr>")[0] for t in (late, slow)}
    assert 'data-testid="status-new">Nouveau<' in rows[late.ref]
    assert 'data-testid="status-assigned">Assigné<' in rows[slow.ref]
    page = _text(owner.get(reverse("portal:ticket", args=[slow.ref])))
    assert page.count('data-testid="status-assigned">Assigné<') == 2  # heading and details
    for html in (listing, page):
        assert "Escalad" not in html and "escalated" not in html


def test_a_customer_is_not_told_of_the_escalated_state_in_errors(world, as_user):
    ticket = make_ticket(world)
    services.ticket_transition(ticket=ticket, code="escalate_tto")
    response = as_user(world.owner).post(
        reverse("portal:accept", args=[ticket.ref]), {"satisfaction": "1"}, follow=True
    )
    html = _text(response)
    assert "est impossible depuis l'état « Nouveau »" in html
    assert "Escalad" not in html


# --- the other tenant ------------------------------------------------------------------------


def test_outsider_gets_404_on_every_object_url(world, as_user):
    ticket = make_ticket(world)
    (att,) = services.attachment_add(ticket=ticket, files=[_pdf()], actor=world.owner.user)
    _resolve(world, ticket)
    outsider = as_user(world.outsider)
    assert outsider.get(reverse("portal:ticket", args=[ticket.ref])).status_code == 404
    assert (
        outsider.post(reverse("portal:comment", args=[ticket.ref]), {"body": "x"}).status_code
        == 404
    )
    assert (
        outsider.post(
            reverse("portal:accept", args=[ticket.ref]), {"satisfaction": "1"}
        ).status_code
        == 404
    )
    assert outsider.post(reverse("portal:reopen", args=[ticket.ref]), {}).status_code == 404
    assert outsider.get(reverse("portal:attachment", args=[ticket.ref, att.pk])).status_code == 404
    ticket = _reload(ticket)
    assert ticket.status == Status.RESOLVED
    assert ticket.satisfaction is None
    assert not LogEntry.objects.filter(ticket=ticket, body__contains="x").exists()
    # a missing ticket answers the same
    assert outsider.get(reverse("portal:ticket", args=["I-999999"])).status_code == 404
    assert outsider.get(reverse("portal:ticket", args=["pas-une-ref"])).status_code == 404


def test_write_urls_refuse_get(world, as_user):
    ticket = make_ticket(world)
    owner = as_user(world.owner)
    for name in ("portal:comment", "portal:accept", "portal:reopen"):
        assert owner.get(reverse(name, args=[ticket.ref])).status_code == 405


# --- FAQ --------------------------------------------------------------------------------------


@pytest.fixture
def faqs(world, c1_only_sub):
    cat = FaqCategory.objects.create(name="GEFORP")
    general = FaqCategory.objects.create(name="ESUP Offres Hébergées")
    about_a = Faq.objects.create(
        category=cat,
        title="Informations sur A",
        summary="Résumé A",
        description="<p>Voir le <a href='https://wiki.example.org'>wiki</a></p>"
        "<script>alert(1)</script>",
        keywords="aide",
        domains="Aides concernant A",
        error_code="E-42",
    )
    about_a.services.add(world.service)
    about_c = Faq.objects.create(category=cat, title="Informations sur C", domains="C")
    about_c.services.add(c1_only_sub.service)
    everyone = Faq.objects.create(category=general, title="Informations générales")
    return {"a": about_a, "c": about_c, "general": everyone}


def test_faq_list_grouped_by_category(world, as_user, faqs):
    response = as_user(world.owner).get(reverse("portal:faq"))
    html = _text(response)
    assert response.status_code == 200
    for column in ("Catégorie de FAQ", "FAQ", "Code d'erreur", "Domaines"):
        assert column in html
    for faq in faqs.values():
        assert faq.title in html
        assert reverse("portal:faq_detail", args=[faq.pk]) in html
    assert html.count('data-testid="faq-category"') == 2
    assert html.index("ESUP Offres Hébergées</td>") < html.index("GEFORP</td>")
    assert "E-42" in html


def test_faq_text_filter(world, as_user, faqs):
    html = _text(as_user(world.owner).get(reverse("portal:faq"), {"q": "E-42"}))
    assert "Informations sur A" in html
    assert "Informations sur C" not in html
    assert "Informations générales" not in html


def test_faq_detail_sanitises_description(world, as_user, faqs):
    response = as_user(world.owner).get(reverse("portal:faq_detail", args=[faqs["a"].pk]))
    html = _text(response)
    assert response.status_code == 200
    for label in ("Nom catégorie", "Titre", "Résumé", "Description", "Mots clés", "Domaines"):
        assert label in html
    assert "GEFORP" in html and "Résumé A" in html and "aide" in html
    assert 'href="https://wiki.example.org"' in html
    assert "alert(1)" not in html


def test_faq_of_a_service_not_open_is_404_for_outsider(world, as_user, faqs):
    outsider = as_user(world.outsider)
    html = _text(outsider.get(reverse("portal:faq")))
    assert "Informations sur A" in html  # Service A is open to both customers
    assert "Informations sur C" not in html
    assert outsider.get(reverse("portal:faq_detail", args=[faqs["c"].pk])).status_code == 404
    owner = as_user(world.owner)
    assert owner.get(reverse("portal:faq_detail", args=[faqs["c"].pk])).status_code == 200
    assert owner.get(reverse("portal:faq_detail", args=[999999])).status_code == 404


# --- contracts --------------------------------------------------------------------------------


@pytest.fixture
def contract_docs(world):
    contract = CustomerContract.objects.get(customer=world.customer, provider=world.provider)
    link = Document.objects.create(
        title="CGU de l'offre",
        kind=Document.Kind.LINK,
        url="https://example.org/cgu",
        customer_contract=contract,
    )
    signed = Document(
        title="Convention signée", kind=Document.Kind.FILE, customer_contract=contract
    )
    signed.file.save("convention.pdf", SimpleUploadedFile("convention.pdf", PDF), save=True)
    wiki = Document.objects.create(
        title="Wiki du service A",
        kind=Document.Kind.LINK,
        url="https://wiki.example.org/a",
        service=world.service,
    )
    return {"contract": contract, "link": link, "signed": signed, "wiki": wiki}


def test_contracts_page_lists_contracts_services_and_documents(world, as_user, contract_docs):
    response = as_user(world.owner).get(reverse("portal:contracts"))
    html = _text(response)
    assert response.status_code == 200
    assert "Mes conventions (2)" in html
    assert "Convention c1 p1" in html and "Convention c1 p2" in html
    assert "Convention c2" not in html
    assert "Service A" in html and "Service B" in html
    assert "https://example.org/cgu" in html
    assert "Wiki du service A" in html
    assert reverse("portal:document", args=[contract_docs["signed"].pk]) in html


def test_contract_document_download_is_scoped(world, as_user, contract_docs):
    url = reverse("portal:document", args=[contract_docs["signed"].pk])
    response = as_user(world.owner).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    outsider = as_user(world.outsider)
    assert outsider.get(url).status_code == 404
    html = _text(outsider.get(reverse("portal:contracts")))
    assert "Convention c1" not in html
    assert "Convention signée" not in html


def test_contract_out_of_dates_is_not_listed(world, as_user):
    import datetime as dt

    CustomerContract.objects.filter(customer=world.customer, provider=world.provider).update(
        end_date=dt.date(2020, 12, 31)
    )
    html = _text(as_user(world.owner).get(reverse("portal:contracts")))
    assert "Convention c1 p1" not in html
    assert "Convention c1 p2" in html
