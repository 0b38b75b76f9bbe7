"""The agents' console through its views: access, lists, ticket page, transitions, tenancy.

The world (tests/conftest.py): ``agent`` works for provider P1 (Service A, team "Team P1"),
``other_agent`` for provider P2 (Service B), ``coordinator`` on the consortium root,
``owner`` is the PCU of customer C1. Every object URL of a P1 ticket must answer 404 to
``other_agent``, exactly like a missing ticket.
"""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from esup_saas.servicedesk.models import Attachment, LogEntry, SavedSearch, Ticket
from esup_saas.servicedesk.services import log_entry_add, saved_search_save, ticket_transition
from esup_saas.servicedesk.workflow import Status
from tests.conftest import make_ticket

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The response body with HTML entities decoded (French apostrophes come escaped)."""
    return html.unescape(response.content.decode())


def detail_url(ticket: Ticket) -> str:
    return reverse("console:ticket_detail", args=[ticket.ref])


def transition_url(ticket: Ticket, code: str) -> str:
    return reverse("console:ticket_transition", args=[ticket.ref, code])


def assign(ticket: Ticket, world) -> Ticket:
    return ticket_transition(
        ticket=ticket, code="assign", actor=world.agent.user, team=world.team, agent=world.agent
    )


# --- access ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("console:home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "url",
    ["/console/", "/console/tickets/", "/console/organisations/", "/console/services/"],
)
def test_customer_pcu_gets_403(world, as_user, url):
    response = as_user(world.owner).get(url)
    assert response.status_code == 403
    assert "Votre compte utilise le portail" in text(response)


def test_customer_pcu_cannot_open_a_ticket_in_the_console(world, as_user):
    ticket = make_ticket(world)
    assert as_user(world.owner).get(detail_url(ticket)).status_code == 403


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_counts_open_tickets(world, as_user):
    first = make_ticket(world, title="Premier")
    second = make_ticket(world, title="Second")
    assign(second, world)
    make_ticket(world, sub=world.other_incident_sub, title="Chez P2")
    response = as_user(world.agent).get(reverse("console:home"))
    assert response.status_code == 200
    assert dict((s.value, n) for s, n in response.context["by_status"]) == {
        Status.NEW: 1,
        Status.ASSIGNED: 1,
    }
    assert response.context["mine_count"] == 1
    assert response.context["unassigned_count"] == 1
    assert [t.ref for t in response.context["unassigned"]] == [first.ref]
    assert [(r["organisation__name"], r["n"]) for r in response.context["by_customer"]] == [
        ("Customer One", 2)
    ]
    body = text(response)
    assert "Tableau de bord" in body and "Mes tickets" in body and "Non assignés" in body
    assert "Chez P2" not in body


def test_sidebar_and_org_picker_on_every_console_page(world, as_user):
    client = as_user(world.agent)
    for url in ("/console/", "/console/tickets/", "/console/services/", "/console/contracts/"):
        body = text(client.get(url))
        for entry in (
            "Tableau de bord",
            "Incidents",
            "Demandes utilisateurs",
            "Toutes les requêtes",
            "Organisations",
            "Services",
            "Conventions",
            "Recherches enregistrées",
            "Toutes les organisations",
        ):
            assert entry in body, (url, entry)


# --- ticket list -----------------------------------------------------------------------------


def test_list_shows_only_the_providers_tickets(world, as_user):
    mine = make_ticket(world, title="Panne sur A")
    theirs = make_ticket(world, sub=world.other_incident_sub, title="Panne sur B")
    body = text(as_user(world.agent).get(reverse("console:ticket_list")))
    assert mine.ref in body and "Panne sur A" in body
    assert "Panne sur B" not in body
    other = text(as_user(world.other_agent).get(reverse("console:ticket_list")))
    assert "Panne sur A" not in other
    assert theirs.ref in other


def test_list_columns(world, as_user):
    ticket = make_ticket(world, title="Colonnes")
    response = as_user(world.agent).get(reverse("console:ticket_list"))
    body = text(response)
    for column in (
        "Référence",
        "Titre",
        "Client",
        "Demandeur",
        "Date de début",
        "Statut",
        "Priorité",
        "Équipe",
        "Agent",
    ):
        assert f">{column}</th>" in body
    assert f'href="{detail_url(ticket)}"' in body
    assert "Olivia Owner" in body and "Customer One" in body


def test_other_agent_never_sees_p1_tickets_even_with_filters(world, as_user):
    ticket = make_ticket(world, title="Secret P1")
    client = as_user(world.other_agent)
    for query in (
        "",
        f"?q={ticket.ref}",
        f"?service={world.service.pk}",
        "?status=new",
        "?kind=incident",
    ):
        response = client.get(reverse("console:ticket_list") + query)
        assert response.status_code == 200
        assert "Secret P1" not in text(response)
        assert ticket not in list(response.context["page"])


def test_kind_filter(world, as_user):
    incident = make_ticket(world, title="Un incident")
    request = make_ticket(world, sub=world.request_sub, title="Une demande")
    client = as_user(world.agent)
    incidents = list(client.get("/console/tickets/?kind=incident").context["page"])
    requests = list(client.get("/console/tickets/?kind=user_request").context["page"])
    assert incidents == [incident]
    assert requests == [request]
    assert "Demandes utilisateurs" in text(client.get("/console/tickets/?kind=user_request"))


def test_default_status_shows_ongoing_and_a_chosen_status_shows_it(world, as_user):
    open_one = make_ticket(world, sub=world.request_sub, title="Ouverte")
    rejected = make_ticket(world, sub=world.request_sub, title="Rejetée")
    ticket_transition(ticket=rejected, code="wait_for_approval", actor=world.agent.user)
    ticket_transition(
        ticket=rejected, code="reject", actor=world.agent.user, rejection_reason="Hors périmètre"
    )
    client = as_user(world.agent)
    assert list(client.get("/console/tickets/").context["page"]) == [open_one]
    assert list(client.get("/console/tickets/?status=rejected").context["page"]) == [rejected]
    both = client.get("/console/tickets/?status=rejected&status=new").context["page"]
    assert set(both) == {open_one, rejected}


def test_text_filter_matches_ref_or_title(world, as_user):
    first = make_ticket(world, title="Connexion impossible")
    second = make_ticket(world, title="Envoi de SMS")
    client = as_user(world.agent)
    assert list(client.get(f"/console/tickets/?q={second.ref}").context["page"]) == [second]
    assert list(client.get("/console/tickets/?q=connexion").context["page"]) == [first]


def test_team_agent_priority_and_unassigned_filters(world, as_user):
    assigned = assign(make_ticket(world, title="Assigné", urgency=1), world)
    waiting = make_ticket(world, title="En file", urgency=4)
    client = as_user(world.agent)
    assert list(client.get(f"/console/tickets/?team={world.team.pk}").context["page"]) == [assigned]
    assert list(client.get(f"/console/tickets/?agent={world.agent.pk}").context["page"]) == [
        assigned
    ]
    assert list(client.get("/console/tickets/?unassigned=true").context["page"]) == [waiting]
    assert list(client.get("/console/tickets/?priority=4").context["page"]) == [waiting]
    customer = client.get(f"/console/tickets/?organisation={world.customer.pk}")
    assert set(customer.context["page"]) == {assigned, waiting}


def test_filter_with_another_tenants_service_is_invalid_not_leaking(world, as_user):
    mine = make_ticket(world)
    response = as_user(world.agent).get(f"/console/tickets/?service={world.other_service.pk}")
    assert response.status_code == 200
    assert "service" in response.context["filter"].form.errors
    assert list(response.context["page"]) == [mine]


def test_pagination_by_25(world, as_user):
    for i in range(27):
        make_ticket(world, title=f"Ticket {i}")
    client = as_user(world.agent)
    first = client.get("/console/tickets/?kind=incident")
    assert len(first.context["page"]) == 25
    assert "Total : 27 éléments." in text(first)
    assert "page=2" in text(first) and "kind=incident" in text(first)
    second = client.get("/console/tickets/?kind=incident&page=2")
    assert len(second.context["page"]) == 2


# --- organisation picker ---------------------------------------------------------------------


def test_org_picker_refuses_an_organisation_outside_scope(world, as_user):
    client = as_user(world.agent)
    response = client.post(reverse("console:org_select"), {"code": world.other_provider.code})
    assert response.status_code == 404
    assert client.post(reverse("console:org_select"), {"code": "nope"}).status_code == 404
    assert "console_organisation_id" not in client.session


def test_org_picker_lists_the_users_tree_and_filters_lists(world, as_user):
    c1_ticket = make_ticket(world, title="Chez C1")
    c2_ticket = make_ticket(world, caller=world.outsider, title="Chez C2")
    p2_ticket = make_ticket(world, sub=world.other_incident_sub, title="Service B chez C1")
    client = as_user(world.coordinator)
    page = text(client.get("/console/tickets/"))
    for name in ("ESUP Test", "Provider One", "Provider Two", "Customer One", "Customer Two"):
        assert name in page
    assert set(client.get("/console/tickets/").context["page"]) == {
        c1_ticket,
        c2_ticket,
        p2_ticket,
    }

    response = client.post(
        reverse("console:org_select"), {"code": world.other_customer.code, "next": "/console/"}
    )
    assert response.status_code == 302 and response["Location"] == "/console/"
    listed = client.get("/console/tickets/")
    assert list(listed.context["page"]) == [c2_ticket]
    picker = text(listed).split('data-testid="org-picker"')[1].split("</form>")[0]
    assert re.search(r'value="c2" selected>[^<]*Customer Two</option>', picker)
    assert picker.count(" selected>") == 1 and "Customer Two" not in picker.split("</select>")[1]
    dashboard = client.get("/console/")
    assert dashboard.context["total"] == 1

    # A provider: its service's tickets, whatever the customer.
    client.post(reverse("console:org_select"), {"code": world.other_provider.code})
    assert list(client.get("/console/tickets/").context["page"]) == [p2_ticket]

    client.post(reverse("console:org_select"), {"code": "all"})
    assert len(client.get("/console/tickets/").context["page"]) == 3


def test_org_picker_for_an_agent_shows_only_their_subtree(world, as_user):
    body = text(as_user(world.agent).get("/console/"))
    assert "Provider One" in body
    assert "Provider Two" not in body
    assert "Customer Two" not in body


def test_org_picker_ignores_an_unsafe_next(world, as_user):
    response = as_user(world.agent).post(
        reverse("console:org_select"), {"code": "all", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/console/"


# --- ticket page -----------------------------------------------------------------------------


def test_ticket_page_groups_fields_like_itop(world, as_user):
    ticket = make_ticket(world, title="Problème d'accès au portail")
    log_entry_add(ticket=ticket, actor=world.owner.user, body="Vu côté client")
    log_entry_add(ticket=ticket, actor=world.agent.user, body="Note interne", visibility="private")
    response = as_user(world.agent).get(detail_url(ticket))
    assert response.status_code == 200
    body = text(response)
    for section in (
        "Informations générales",
        "Qualification",
        "Contacts",
        "Dates",
        "Relations",
        "Résolution",
        "Informations complémentaires",
        "Journal public",
        "Journal privé",
        "Pièces jointes",
        "Historique",
    ):
        assert section in body, section
    assert "Problème d'accès au portail" in body
    assert 'class="log-entry private"' in body
    assert "Note interne" in body and "Vu côté client" in body
    # The buttons of a new incident.
    assert 'data-testid="transition-assign"' in body
    assert 'data-testid="transition-resolve"' not in body
    assert 'data-testid="field-team"' in body and 'data-testid="field-agent"' in body


def test_coordinator_sees_any_ticket(world, as_user):
    ticket = make_ticket(world, sub=world.other_incident_sub)
    assert as_user(world.coordinator).get(detail_url(ticket)).status_code == 200


def test_every_ticket_url_of_another_provider_answers_404(world, as_user):
    ticket = make_ticket(world)
    att = SimpleUploadedFile("note.txt", b"bonjour", content_type="text/plain")
    from esup_saas.servicedesk.services import attachment_add

    attachment = attachment_add(ticket=ticket, files=[att], actor=world.agent.user)[0]
    client = as_user(world.other_agent)
    assert client.get(detail_url(ticket)).status_code == 404
    assert (
        client.post(
            transition_url(ticket, "assign"),
            {"team": world.other_team.pk, "agent": world.other_agent.pk},
        ).status_code
        == 404
    )
    for visibility in ("public", "private"):
        url = reverse("console:ticket_log", args=[ticket.ref, visibility])
        assert client.post(url, {"body": "Intrusion"}).status_code == 404
    upload = SimpleUploadedFile("x.txt", b"x", content_type="text/plain")
    url = reverse("console:ticket_attachment_add", args=[ticket.ref])
    assert client.post(url, {"file": upload}).status_code == 404
    url = reverse("console:ticket_attachment", args=[ticket.ref, attachment.pk])
    assert client.get(url).status_code == 404
    url = reverse("console:ticket_qualify", args=[ticket.ref])
    data = {"title": "Piraté", "impact": 1, "urgency": 1, "subcategory": world.incident_sub.pk}
    assert client.post(url, data).status_code == 404
    # Same answer as a ticket that does not exist.
    assert client.get("/console/tickets/I-999999/").status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.title == "Un problème"
    assert not ticket.log_entries.exists()
    assert ticket.attachments.count() == 1


def test_attachment_of_another_ticket_answers_404(world, as_user):
    first = make_ticket(world)
    second = make_ticket(world)
    upload = SimpleUploadedFile("a.txt", b"a", content_type="text/plain")
    from esup_saas.servicedesk.services import attachment_add

    att = attachment_add(ticket=second, files=[upload], actor=world.agent.user)[0]
    url = reverse("console:ticket_attachment", args=[first.ref, att.pk])
    assert as_user(world.agent).get(url).status_code == 404


def test_transitions_through_the_view_assign_pending_resume_resolve(world, as_user):
    ticket = make_ticket(world)
    client = as_user(world.agent)

    response = client.post(
        transition_url(ticket, "assign"),
        {"team": world.team.pk, "agent": world.agent.pk},
        follow=True,
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    assert ticket.team == world.team and ticket.agent == world.agent
    body = text(response)
    assert "« Assigner » : le ticket I-000001 est maintenant « Assigné »." in body
    assert 'data-testid="transition-pending"' in body
    assert 'data-testid="transition-reassign"' in body

    client.post(transition_url(ticket, "pending"), {"pending_reason": "Attente du client"})
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING and ticket.pending_reason == "Attente du client"

    body = text(client.post(transition_url(ticket, "resume"), follow=True))
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    assert "Reprendre" in body

    response = client.post(
        transition_url(ticket, "resolve"),
        {"resolution_code": "configuration", "solution": "Paramètre corrigé", "time_spent": 30},
        follow=True,
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.resolution_code == "configuration" and ticket.time_spent == 30
    assert ticket.resolution_date is not None
    body = text(response)
    assert "Paramètre corrigé" in body
    # The history shows who changed which field, old → new.
    assert "<strong>Statut</strong> : Assigné → Résolu" in body
    assert "Alice Agent" in body
    assert [e.transition for e in ticket.events.filter(kind="transition")] == [
        "assign",
        "pending",
        "resume",
        "resolve",
    ]


def test_reassign_through_the_view(world, as_user):
    from esup_saas.tenancy.services import team_create

    ticket = assign(make_ticket(world), world)
    second = team_create(name="Team P1 bis", organisation=world.provider, members=[world.agent])
    as_user(world.agent).post(
        transition_url(ticket, "reassign"), {"team": second.pk, "agent": world.agent.pk}
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED and ticket.team == second


def test_request_approval_transitions_through_the_view(world, as_user):
    approved = make_ticket(world, sub=world.request_sub)
    rejected = make_ticket(world, sub=world.request_sub)
    client = as_user(world.agent)
    for ticket in (approved, rejected):
        client.post(transition_url(ticket, "wait_for_approval"))
        ticket.refresh_from_db()
        assert ticket.status == Status.WAITING_FOR_APPROVAL
    client.post(transition_url(approved, "approve"))
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED

    response = client.post(transition_url(rejected, "reject"), {}, follow=True)
    rejected.refresh_from_db()
    assert rejected.status == Status.WAITING_FOR_APPROVAL
    assert "Raison du rejet : Indiquez la raison du rejet." in text(response)
    client.post(transition_url(rejected, "reject"), {"rejection_reason": "Hors convention"})
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED and rejected.rejection_reason == "Hors convention"


def test_assign_with_an_agent_outside_the_team_changes_nothing(world, as_user):
    ticket = make_ticket(world)
    # The coordinator may dispatch to both teams, so the form accepts the pair and the
    # service layer refuses it.
    response = as_user(world.coordinator).post(
        transition_url(ticket, "assign"),
        {"team": world.team.pk, "agent": world.other_agent.pk},
        follow=True,
    )
    assert "Agent : L'agent doit être membre de l'équipe « Team P1 »." in text(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.team is None and ticket.agent is None
    assert not ticket.events.filter(kind="transition").exists()


def test_assign_to_a_team_of_another_provider_is_refused(world, as_user):
    ticket = make_ticket(world)
    response = as_user(world.agent).post(
        transition_url(ticket, "assign"),
        {"team": world.other_team.pk, "agent": world.other_agent.pk},
        follow=True,
    )
    assert "Équipe : Choisissez une équipe de la liste." in text(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.team is None


def test_illegal_transition_is_refused_and_changes_nothing(world, as_user):
    ticket = make_ticket(world)
    response = as_user(world.agent).post(
        transition_url(ticket, "resolve"),
        {"resolution_code": "other", "solution": "Rien", "time_spent": 0},
        follow=True,
    )
    assert "« Marquer comme résolu » est impossible depuis l'état « Nouveau »." in text(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.solution == ""


def test_approval_transition_on_an_incident_is_refused(world, as_user):
    ticket = make_ticket(world)
    response = as_user(world.agent).post(transition_url(ticket, "wait_for_approval"), follow=True)
    assert "est impossible depuis l'état « Nouveau »" in text(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_customer_or_unknown_transition_codes_answer_404(world, as_user):
    ticket = make_ticket(world)
    client = as_user(world.agent)
    assert client.post(transition_url(ticket, "close"), {"satisfaction": 1}).status_code == 404
    assert client.post(transition_url(ticket, "explode")).status_code == 404
    assert client.get(transition_url(ticket, "assign")).status_code == 405


def test_resolve_form_names_missing_fields(world, as_user):
    ticket = assign(make_ticket(world), world)
    response = as_user(world.agent).post(transition_url(ticket, "resolve"), {}, follow=True)
    body = text(response)
    assert "Code de résolution : Choisissez un code de résolution." in body
    assert "Solution : Décrivez la solution." in body
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED


def test_team_agents_endpoint_is_scoped(world, as_user):
    client = as_user(world.agent)
    response = client.get(reverse("console:team_agents", args=[world.team.pk]))
    assert response.status_code == 200
    assert f'<option value="{world.agent.pk}">Alice Agent</option>' in text(response)
    assert client.get(reverse("console:team_agents", args=[world.other_team.pk])).status_code == 404
    coordinator = as_user(world.coordinator)
    assert "Bruno Agent" in text(
        coordinator.get(reverse("console:team_agents", args=[world.other_team.pk]))
    )


def test_qualification_recomputes_priority(world, as_user):
    ticket = make_ticket(world, impact=3, urgency=3)
    assert ticket.priority == 3
    response = as_user(world.agent).post(
        reverse("console:ticket_qualify", args=[ticket.ref]),
        {
            "title": "Titre corrigé",
            "impact": 1,
            "urgency": 1,
            "subcategory": world.incident_sub.pk,
            "priority": 4,  # never typed: ignored
        },
        follow=True,
    )
    ticket.refresh_from_db()
    assert ticket.title == "Titre corrigé"
    assert (ticket.impact, ticket.urgency, ticket.priority) == (1, 1, 1)
    assert "Qualification enregistrée ; priorité : critique." in text(response)


def test_qualification_refuses_a_subcategory_of_another_kind(world, as_user):
    ticket = make_ticket(world)
    response = as_user(world.agent).post(
        reverse("console:ticket_qualify", args=[ticket.ref]),
        {"title": "X", "impact": 3, "urgency": 3, "subcategory": world.request_sub.pk},
        follow=True,
    )
    assert "Sous-catégorie de service : Choisissez une sous-catégorie de la liste." in text(
        response
    )
    ticket.refresh_from_db()
    assert ticket.subcategory == world.incident_sub and ticket.title == "Un problème"


def test_public_and_private_log_entries(world, as_user):
    ticket = make_ticket(world)
    client = as_user(world.agent)
    client.post(reverse("console:ticket_log", args=[ticket.ref, "public"]), {"body": "Bonjour"})
    client.post(reverse("console:ticket_log", args=[ticket.ref, "private"]), {"body": "Interne"})
    entries = list(ticket.log_entries.values_list("visibility", "body"))
    assert entries == [("public", "Bonjour"), ("private", "Interne")]
    assert ticket.log_entries.get(visibility="private").author == world.agent
    response = client.post(
        reverse("console:ticket_log", args=[ticket.ref, "public"]), {"body": ""}, follow=True
    )
    assert "Message : Le message est vide." in text(response)
    assert ticket.log_entries.count() == 2
    bad = client.post(reverse("console:ticket_log", args=[ticket.ref, "secret"]), {"body": "x"})
    assert bad.status_code == 404


def test_attachment_upload_and_download(world, as_user):
    ticket = make_ticket(world)
    client = as_user(world.agent)
    upload = SimpleUploadedFile("journal.txt", b"ligne 1\n", content_type="text/plain")
    response = client.post(
        reverse("console:ticket_attachment_add", args=[ticket.ref]),
        {"file": upload, "private": "on"},
        follow=True,
    )
    assert "Fichier « journal.txt » ajouté." in text(response)
    att = Attachment.objects.get(ticket=ticket)
    assert att.private and att.uploaded_by == world.agent
    download = client.get(reverse("console:ticket_attachment", args=[ticket.ref, att.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"ligne 1\n"
    assert "journal.txt" in download["Content-Disposition"]


def test_attachment_of_a_refused_type_is_reported(world, as_user):
    ticket = make_ticket(world)
    upload = SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/octet-stream")
    response = as_user(world.agent).post(
        reverse("console:ticket_attachment_add", args=[ticket.ref]), {"file": upload}, follow=True
    )
    assert "ce type de fichier n'est pas accepté" in text(response)
    assert not Attachment.objects.exists()


# --- saved searches --------------------------------------------------------------------------


def test_saved_search_save_list_and_delete(world, as_user):
    client = as_user(world.agent)
    response = client.post(
        reverse("console:saved_search_create"),
        {"name": "Mes incidents", "query": "kind=incident&status=new&page=3"},
    )
    search = SavedSearch.objects.get(owner=world.agent.user)
    assert search.query == "kind=incident&status=new"
    assert response["Location"] == "/console/tickets/?kind=incident&status=new"
    body = text(client.get("/console/"))
    assert "Mes incidents" in body
    assert 'href="/console/tickets/?kind=incident&status=new"' in body

    client.post(reverse("console:saved_search_delete", args=[search.pk]))
    assert not SavedSearch.objects.exists()


def test_saved_search_needs_a_name(world, as_user):
    response = as_user(world.agent).post(
        reverse("console:saved_search_create"), {"name": "", "query": "kind=incident"}, follow=True
    )
    assert "Nom de la recherche : Donnez un nom à la recherche." in text(response)
    assert not SavedSearch.objects.exists()


def test_another_users_saved_search_answers_404(world, as_user):
    search = saved_search_save(owner=world.agent.user, name="À moi", query="kind=incident")
    client = as_user(world.other_agent)
    assert "À moi" not in text(client.get("/console/"))
    response = client.post(reverse("console:saved_search_delete", args=[search.pk]))
    assert response.status_code == 404
    assert SavedSearch.objects.filter(pk=search.pk).exists()


# --- bulk assignment -------------------------------------------------------------------------


def test_bulk_assign_reports_each_ticket(world, as_user):
    new = make_ticket(world, title="Nouveau")
    already = assign(make_ticket(world, title="Déjà assigné"), world)
    pending = ticket_transition(
        ticket=assign(make_ticket(world, title="En attente"), world),
        code="pending",
        actor=world.agent.user,
        pending_reason="Client absent",
    )
    foreign = make_ticket(world, sub=world.other_incident_sub, title="Chez P2")
    response = as_user(world.agent).post(
        reverse("console:ticket_bulk_assign"),
        {
            "tickets": [new.pk, already.pk, pending.pk, foreign.pk],
            "team": world.team.pk,
            "agent": world.agent.pk,
            "next": "/console/tickets/?kind=incident",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/console/tickets/?kind=incident"
    body = text(response)
    assert f"{new.ref} : assigné à Alice Agent (Team P1)." in body
    assert f"{already.ref} : assigné à Alice Agent (Team P1)." in body
    assert (
        f"{pending.ref} : refusé — « Assigner » est impossible depuis l'état « En attente »."
        in (body)
    )
    assert foreign.ref not in body
    for ticket, status in ((new, Status.ASSIGNED), (pending, Status.PENDING)):
        ticket.refresh_from_db()
        assert ticket.status == status
    foreign.refresh_from_db()
    assert foreign.status == Status.NEW and foreign.team is None
    assert [e.transition for e in already.events.filter(kind="transition")] == [
        "assign",
        "reassign",
    ]


def test_bulk_assign_with_only_foreign_tickets_does_nothing(world, as_user):
    foreign = make_ticket(world, sub=world.other_incident_sub)
    response = as_user(world.agent).post(
        reverse("console:ticket_bulk_assign"),
        {"tickets": [foreign.pk], "team": world.team.pk, "agent": world.agent.pk},
        follow=True,
    )
    assert "Sélectionnez au moins un ticket." in text(response)
    foreign.refresh_from_db()
    assert foreign.status == Status.NEW


def test_bulk_assign_refuses_an_agent_outside_the_team_per_ticket(world, as_user):
    first = make_ticket(world)
    response = as_user(world.coordinator).post(
        reverse("console:ticket_bulk_assign"),
        {"tickets": [first.pk], "team": world.team.pk, "agent": world.other_agent.pk},
        follow=True,
    )
    assert f"{first.ref} : refusé — Agent : L'agent doit être membre" in text(response)
    first.refresh_from_db()
    assert first.status == Status.NEW and first.agent is None


def test_private_log_is_not_shown_in_public_log_section(world, as_user):
    ticket = make_ticket(world)
    log_entry_add(ticket=ticket, actor=world.agent.user, body="Chut", visibility="private")
    response = as_user(world.agent).get(detail_url(ticket))
    assert [e.body for e in response.context["private_log"]] == ["Chut"]
    assert list(response.context["public_log"]) == []
    assert LogEntry.objects.count() == 1


# --- the assign forms offer only the teams that can take the ticket --------------------------


def _team_choices(form) -> set[str]:
    return {team.name for team in form.fields["team"].queryset}


def _agent_choices(form) -> set[str]:
    return {person.full_name for person in form.fields["agent"].queryset}


def _support_model_for_team_p2(world):
    from esup_saas.catalog.models import SupportModel, SupportModelLine

    model = SupportModel.objects.create(name="Support C1", customer=world.customer)
    SupportModelLine.objects.create(
        support_model=model, service=world.service, team=world.other_team
    )


def test_assign_form_offers_only_teams_that_can_take_the_ticket(world, as_user):
    ticket = make_ticket(world)  # Service A, provided by P1
    forms = dict(as_user(world.coordinator).get(detail_url(ticket)).context["transitions"])
    form = next(f for t, f in forms.items() if t.code == "assign")
    # The coordinator dispatches to every team, but Team P2 does not handle Service A.
    assert _team_choices(form) == {"Team P1"}
    assert _agent_choices(form) == {"Alice Agent"}


def test_a_support_model_adds_its_team_to_the_choices(world, as_user):
    _support_model_for_team_p2(world)
    ticket = make_ticket(world)
    forms = dict(as_user(world.coordinator).get(detail_url(ticket)).context["transitions"])
    form = next(f for t, f in forms.items() if t.code == "assign")
    assert _team_choices(form) == {"Team P1", "Team P2"}
    # Customer Two has no such support model: its tickets keep P1's team only.
    other = make_ticket(world, caller=world.outsider)
    forms = dict(as_user(world.coordinator).get(detail_url(other)).context["transitions"])
    form = next(f for t, f in forms.items() if t.code == "assign")
    assert _team_choices(form) == {"Team P1"}


def test_reassign_form_offers_only_teams_that_can_take_the_ticket(world, as_user):
    ticket = assign(make_ticket(world), world)
    forms = dict(as_user(world.coordinator).get(detail_url(ticket)).context["transitions"])
    form = next(f for t, f in forms.items() if t.code == "reassign")
    assert _team_choices(form) == {"Team P1"}
    body = text(as_user(world.coordinator).get(detail_url(ticket)))
    assert "Team P2" not in body


def test_a_forged_team_still_gets_the_services_refusal(world, as_user):
    ticket = make_ticket(world)
    response = as_user(world.coordinator).post(
        transition_url(ticket, "assign"),
        {"team": world.other_team.pk, "agent": world.other_agent.pk},
        follow=True,
    )
    assert "L'équipe « Team P2 » ne traite pas le service « Service A »." in text(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.team is None


def test_bulk_assign_offers_the_teams_of_the_listed_tickets(world, as_user):
    client = as_user(world.coordinator)
    make_ticket(world)  # Service A (P1)
    form = client.get("/console/tickets/?kind=incident").context["bulk_form"]
    assert _team_choices(form) == {"Team P1"}
    make_ticket(world, sub=world.other_incident_sub)  # Service B (P2)
    form = client.get("/console/tickets/?kind=incident").context["bulk_form"]
    assert _team_choices(form) == {"Team P1", "Team P2"}
    # Filtered to Service A's tickets, the list offers P1's team again.
    form = client.get(f"/console/tickets/?service={world.service.pk}").context["bulk_form"]
    assert _team_choices(form) == {"Team P1"}


def test_teams_handling_agrees_with_the_services_rule(world):
    from esup_saas.servicedesk.selectors import assignable_teams, team_can_handle, teams_handling
    from esup_saas.tenancy.models import Team

    _support_model_for_team_p2(world)
    tickets = [
        make_ticket(world),
        make_ticket(world, caller=world.outsider),
        make_ticket(world, sub=world.other_incident_sub),
    ]
    for ticket in tickets:
        expected = {t.pk for t in Team.objects.all() if team_can_handle(team=t, ticket=ticket)}
        assert set(teams_handling([ticket]).values_list("pk", flat=True)) == expected
    assert set(teams_handling([]).values_list("pk", flat=True)) == set()
    # The agent of P1 dispatches to P1's team only, whatever the tickets.
    assert list(assignable_teams(world.agent.user, tickets)) == [world.team]
