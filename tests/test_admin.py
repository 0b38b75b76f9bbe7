"""The Django admin: every page loads for a superuser, and nobody else gets in."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from esup_saas.catalog.models import CustomerContract
from esup_saas.knowledge.models import Faq
from esup_saas.servicedesk.demo import demo_load
from esup_saas.servicedesk.models import (
    Attachment,
    Kind,
    LogEntry,
    PriorityMatrix,
    RefCounter,
    Ticket,
    TicketEvent,
)
from esup_saas.tenancy.models import Person, User

#: Records the admin shows but never adds (tickets are opened through the service layer).
NO_ADD_PAGE = {Ticket, LogEntry, Attachment, TicketEvent, RefCounter}


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db) -> None:
    demo_load()


@pytest.fixture
def superuser_client(demo) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="admin")
    return request


def test_record_only_admins_refuse_the_add_page(demo):
    assert {
        m for m, a in admin.site._registry.items() if not a.has_add_permission(_superuser_request())
    } >= NO_ADD_PAGE


def _url(model, page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def test_every_registered_model_of_ours_is_in_the_admin():
    ours = {"tenancy", "catalog", "knowledge", "servicedesk", "notifications"}
    expected = {
        m
        for m in apps.get_models()
        if m._meta.app_label in ours and not m.__name__.startswith("Historical")
    }
    assert expected <= set(admin.site._registry)


def test_every_changelist_add_change_and_history_page_loads_for_the_superuser(superuser_client):
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        response = superuser_client.get(_url(model, "changelist"))
        assert response.status_code == 200, label
        response = superuser_client.get(_url(model, "add"))
        no_add = not model_admin.has_add_permission(_superuser_request())
        assert response.status_code == (403 if no_add else 200), label
        obj = model._default_manager.first()
        if obj is None:
            continue
        response = superuser_client.get(_url(model, "change", obj.pk))
        assert response.status_code == 200, label
        if hasattr(model_admin, "history_view"):
            response = superuser_client.get(_url(model, "history", obj.pk))
            assert response.status_code == 200, label


def test_ticket_change_page_shows_the_ref_read_only(superuser_client):
    ticket = Ticket.objects.get(kind=Kind.INCIDENT, number=7)
    response = superuser_client.get(_url(Ticket, "change", ticket.pk))
    content = response.content.decode()
    assert "I-000007" in content
    assert 'name="number"' not in content
    assert 'name="priority"' not in content
    assert 'name="status"' not in content


def test_ticket_search_by_ref(superuser_client):
    response = superuser_client.get(_url(Ticket, "changelist"), {"q": "r-000004"})
    assert [t.ref for t in response.context["cl"].result_list] == ["R-000004"]


def _ticket_post(ticket: Ticket, **changes) -> dict:
    data = {
        "title": ticket.title,
        "description": ticket.description,
        "caller": ticket.caller_id,
        "origin": ticket.origin,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "team": ticket.team_id or "",
        "agent": ticket.agent_id or "",
        "parent": "",
        "pending_reason": "",
        "rejection_reason": "",
        "resolution_code": ticket.resolution_code,
        "solution": ticket.solution,
        "time_spent": ticket.time_spent,
        "satisfaction": ticket.satisfaction or "",
        "customer_comment": ticket.customer_comment,
    }
    for prefix in ("contact_links", "log_entries", "attachments"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    data.update(changes)
    return data


def test_ticket_edit_recomputes_the_priority(superuser_client):
    ticket = Ticket.objects.get(kind=Kind.USER_REQUEST, number=1)
    assert (ticket.impact, ticket.urgency, ticket.priority) == (1, 3, 2)
    response = superuser_client.post(
        _url(Ticket, "change", ticket.pk), _ticket_post(ticket, urgency=4)
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.urgency, ticket.priority) == (4, 4)
    assert ticket.ref == "R-000001"


def test_ticket_edit_refuses_an_agent_outside_the_team(superuser_client):
    ticket = Ticket.objects.get(kind=Kind.USER_REQUEST, number=1)  # team Equipe SMS-U
    outsider = Person.objects.get(user__username="agent-geforp")
    response = superuser_client.post(
        _url(Ticket, "change", ticket.pk), _ticket_post(ticket, agent=outsider.pk)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Equipe SMS-U" in errors["agent"][0]
    ticket.refresh_from_db()
    assert ticket.agent.user.username == "agent-smsu"


def test_faq_description_is_sanitised_on_save(superuser_client):
    faq = Faq.objects.get(title="Informations concernant l'application SMS-U")
    response = superuser_client.post(
        _url(Faq, "change", faq.pk),
        {
            "category": faq.category_id,
            "title": faq.title,
            "summary": faq.summary,
            "description": '<p>Aide</p><script>alert("x")</script>',
            "keywords": "",
            "domains": faq.domains,
            "error_code": "",
            "services": [s.pk for s in faq.services.all()],
        },
    )
    assert response.status_code == 302
    faq.refresh_from_db()
    assert faq.description == "<p>Aide</p>"


def test_superuser_gets_the_admin_index(superuser_client):
    assert superuser_client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("username", ["staff", "pcu", "agent"])
def test_anyone_but_a_superuser_is_sent_to_the_admin_login(demo, username):
    if username == "staff":
        account = User.objects.create_user("staff", password="pw", is_staff=True)
    else:
        account = User.objects.get(username=username)
    client = Client()
    client.force_login(account)
    index = reverse("admin:index")
    response = client.get(index)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={index}"
    people = _url(Person, "changelist")
    response = client.get(people)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={people}"


def test_staff_login_through_the_admin_form_still_gets_no_admin(demo):
    User.objects.create_user("staff", password="pw", is_staff=True)
    client = Client()
    response = client.post(
        reverse("admin:login"),
        {"username": "staff", "password": "pw", "next": reverse("admin:index")},
    )
    # the form accepts staff credentials, but the site's permission does not follow
    assert response.status_code == 302
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_is_sent_to_the_admin_login(db):
    response = Client().get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={reverse('admin:index')}"


def test_inlines_documents_once_the_owner_exists_memberships_and_matrix_cells(superuser_client):
    add = superuser_client.get(_url(CustomerContract, "add")).content.decode()
    assert 'name="covered-TOTAL_FORMS"' in add
    assert 'name="documents-TOTAL_FORMS"' not in add
    contract = CustomerContract.objects.get(customer__code="toulon", provider__code="amu")
    change = superuser_client.get(_url(CustomerContract, "change", contract.pk)).content.decode()
    assert 'name="documents-TOTAL_FORMS"' in change
    assert "https://www.esup-portail.org/wiki/geforp/cgu" in change
    person = Person.objects.get(user__username="pcu")
    page = superuser_client.get(_url(Person, "change", person.pk)).content.decode()
    assert 'name="memberships-TOTAL_FORMS" value="1"' in page
    matrix_add = superuser_client.get(_url(PriorityMatrix, "add")).content.decode()
    assert 'name="cells-TOTAL_FORMS" value="12"' in matrix_add
