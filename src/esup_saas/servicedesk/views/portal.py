"""The customers' portal (specs/platform.md item 15), after iTop's user portal.

Used by a customer institution's PCU (*point de contact unique*) and its end users
(roles ``pcu`` and ``end_user``); anyone else gets the "no role" page with a 403.
Every object is fetched through a tenancy-scoped selector, so another tenant's ticket,
attachment, subcategory, FAQ or document answers 404 exactly like a missing one:

- tickets: ``tickets_for_user(user, "portal")`` / ``get_ticket_for_user(user, ref, "portal")``
  (a PCU sees their organisation's tickets, an end user the ones they called or follow);
- the catalogue: ``subcategories_open_to(org ids)`` (a contract in production, within dates);
- FAQs: ``faqs_for_organisations(org ids)``; contracts: ``contracts_in_force(org ids)``.

Writes go through one service function each and come back with POST → redirect; the
service's errors are shown in French and change nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from esup_saas.catalog.models import Document
from esup_saas.catalog.selectors import (
    contracts_in_force,
    services_open_to,
    subcategories_open_to,
)
from esup_saas.knowledge.selectors import faqs_for_organisations, get_faq_for_organisations
from esup_saas.lib.html import sanitize_html
from esup_saas.tenancy.models import PORTAL_ROLES, Person
from esup_saas.tenancy.selectors import can_use_portal, organisation_ids_for, person_for_user

from .. import services
from ..forms_portal import (
    AcceptForm,
    CommentForm,
    ReopenForm,
    TicketCreateForm,
    add_service_errors,
    uploaded_files,
)
from ..models import Kind, LogEntry, Ticket
from ..selectors import get_ticket_for_user, status_counts, tickets_for_user
from ..workflow import FINISHED_STATES, ONGOING_STATES, Side, Status, transitions_from

View = Callable[..., HttpResponseBase]  # pages and file downloads (FileResponse)


def portal_view(view: View) -> View:
    """Login required, then a portal role (PCU or end user), else the "no role" page (403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_use_portal(request.user):
            return render(request, "servicedesk/no_role.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _org_ids(request: HttpRequest) -> set[int]:
    """Organisations where the user holds a portal role (expanded down the tree)."""
    return organisation_ids_for(request.user, PORTAL_ROLES)


def _render(
    request: HttpRequest, template: str, section: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a portal page; ``section`` marks the active item of the sidebar menu."""
    return render(
        request, f"servicedesk/portal/{template}", {"section": section, **context}, status=status
    )


# --- home -----------------------------------------------------------------------------------


@portal_view
def home(request: HttpRequest) -> HttpResponse:
    """The portal's home: three tiles (new request, ongoing requests, FAQ)."""
    return _render(request, "home.html", "home", {})


# --- new request ----------------------------------------------------------------------------


@portal_view
def new_request(request: HttpRequest) -> HttpResponse:
    """Browse family → service → subcategory of the services open to the user's organisations.

    GET ``q`` filters on the family, service and subcategory names and descriptions.
    """
    q = request.GET.get("q", "").strip()
    subcategories = subcategories_open_to(_org_ids(request))
    if q:
        subcategories = subcategories.filter(
            Q(name__icontains=q)
            | Q(description__icontains=q)
            | Q(service__name__icontains=q)
            | Q(service__description__icontains=q)
            | Q(service__family__name__icontains=q)
        )
    subcategories = subcategories.order_by("service__family__name", "service__name", "name")
    families = []
    for family, in_family in itertools.groupby(subcategories, key=lambda s: s.service.family):
        family_services = [
            {"service": service, "subcategories": list(subs)}
            for service, subs in itertools.groupby(in_family, key=lambda s: s.service)
        ]
        families.append({"family": family, "services": family_services})
    return _render(request, "new_request.html", "new", {"families": families, "q": q})


def _contact_choices(person: Person) -> QuerySet[Person]:
    """Active people of ``person``'s organisation other than them, by name."""
    return (
        Person.objects.filter(organisation_id=person.organisation_id, status=Person.Status.ACTIVE)
        .exclude(pk=person.pk)
        .order_by("last_name", "first_name")
    )


@portal_view
def new_request_form(request: HttpRequest, subcategory_id: int) -> HttpResponse:
    """The form of a new request about one subcategory (404 when not open to the user).

    POST creates the ticket through ``services.ticket_create`` and redirects to its page;
    the service's ``ValidationError`` is shown on the fields it names.
    """
    subcategory = get_object_or_404(
        subcategories_open_to(_org_ids(request)).select_related("service__family"),
        pk=subcategory_id,
    )
    person = person_for_user(request.user)
    if person is None:  # a portal role always belongs to a person; be safe anyway
        raise Http404("person")
    contacts = _contact_choices(person)
    if request.method == "POST":
        form = TicketCreateForm(request.POST, request.FILES, contacts=contacts)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.ticket_create(
                    caller=person,
                    subcategory=subcategory,
                    title=data["title"],
                    description=data["description"],
                    impact=data["impact"],
                    urgency=data["urgency"],
                    contacts=list(data["contacts"]),
                    attachments=uploaded_files(form),
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Votre requête %(ref)s a été enregistrée.") % {"ref": ticket.ref}
                )
                return redirect("portal:ticket", ref=ticket.ref)
    else:
        form = TicketCreateForm(contacts=contacts)
    return _render(
        request,
        "new_request_form.html",
        "new",
        {"form": form, "subcategory": subcategory, "service": subcategory.service},
    )


# --- lists ----------------------------------------------------------------------------------


def _ticket_tables(tickets: QuerySet[Ticket]) -> list[dict[str, Any]]:
    """The two tables of a list page: incidents, then user requests (most recent first)."""
    rows = list(tickets.order_by("-start_date", "-pk"))
    return [
        {
            "kind": Kind.INCIDENT,
            "title": Kind.INCIDENT.label,
            "tickets": [t for t in rows if t.kind == Kind.INCIDENT],
        },
        {
            "kind": Kind.USER_REQUEST,
            "title": Kind.USER_REQUEST.label,
            "tickets": [t for t in rows if t.kind == Kind.USER_REQUEST],
        },
    ]


@portal_view
def ongoing_requests(request: HttpRequest) -> HttpResponse:
    """ "Requêtes en cours (N)": open and resolved tickets, with "Ouvertes N / Résolues N"."""
    visible = tickets_for_user(request.user, "portal")
    ongoing = visible.filter(status__in=list(ONGOING_STATES))
    tables = _ticket_tables(ongoing)
    return _render(
        request,
        "ticket_list.html",
        "ongoing",
        {
            "heading": _("Requêtes en cours"),
            "total": sum(len(t["tickets"]) for t in tables),
            "counts": status_counts(visible),
            "tables": tables,
        },
    )


@portal_view
def closed_requests(request: HttpRequest) -> HttpResponse:
    """ "Requêtes fermées (N)": closed tickets and rejected requests."""
    finished = tickets_for_user(request.user, "portal").filter(status__in=list(FINISHED_STATES))
    tables = _ticket_tables(finished)
    return _render(
        request,
        "ticket_list.html",
        "closed",
        {
            "heading": _("Requêtes fermées"),
            "total": sum(len(t["tickets"]) for t in tables),
            "counts": None,
            "tables": tables,
        },
    )


# --- ticket page ----------------------------------------------------------------------------


def _ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    comment_form: CommentForm | None = None,
    accept_form: AcceptForm | None = None,
    reopen_form: ReopenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the ticket page; bound forms (with their errors) replace the blank ones."""
    codes = {
        t.code
        for t in transitions_from(ticket.status, is_incident=ticket.is_incident, side=Side.CUSTOMER)
    }
    reopen_code = (
        "reopen" if "reopen" in codes else ("reopen_rejected" if "reopen_rejected" in codes else "")
    )
    context = {
        "ticket": ticket,
        "contacts": [link.person for link in ticket.contact_links.select_related("person")],
        "log_entries": ticket.log_entries.filter(
            visibility=LogEntry.Visibility.PUBLIC
        ).select_related("author"),
        "attachments": ticket.attachments.filter(private=False),
        "can_comment": ticket.status != Status.CLOSED,
        "can_accept": "close" in codes,
        "can_reopen": bool(reopen_code),
        "comment_form": comment_form or CommentForm(),
        "accept_form": accept_form or AcceptForm(),
        "reopen_form": reopen_form or ReopenForm(),
    }
    section = "closed" if ticket.status in FINISHED_STATES else "ongoing"
    return _render(request, "ticket_detail.html", section, context, status=status)


@portal_view
def ticket_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """The ticket page: information, contacts, public log, public attachments, actions."""
    ticket = get_ticket_for_user(request.user, ref, "portal")
    return _ticket_page(request, ticket)


@require_POST
@portal_view
def ticket_comment(request: HttpRequest, ref: str) -> HttpResponse:
    """Add a comment (and files) to the public log through ``services.log_entry_add``."""
    ticket = get_ticket_for_user(request.user, ref, "portal")
    form = CommentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.log_entry_add(
                ticket=ticket,
                actor=request.user,
                body=form.cleaned_data["body"],
                visibility=LogEntry.Visibility.PUBLIC,
                files=uploaded_files(form),
            )
        except PermissionDenied:
            messages.error(request, _("Vous ne pouvez pas commenter cette requête."))
            return redirect("portal:ticket", ref=ticket.ref)
        except ValidationError as error:
            if ticket.status == Status.CLOSED:  # the form is not shown on a closed ticket
                for message in error.messages:
                    messages.error(request, message)
                return redirect("portal:ticket", ref=ticket.ref)
            add_service_errors(form, error)
        else:
            messages.success(request, _("Votre commentaire a été ajouté."))
            return redirect("portal:ticket", ref=ticket.ref)
    return _ticket_page(request, ticket, comment_form=form, status=400)


def _transition(
    request: HttpRequest, ticket: Ticket, form: AcceptForm | ReopenForm, code: str, **fields: Any
) -> HttpResponse:
    """Fire the customer transition ``code``; errors come back as messages or on ``form``."""
    try:
        services.ticket_transition(ticket=ticket, code=code, actor=request.user, **fields)
    except services.TransitionNotAllowed as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied:
        messages.error(request, _("Vous ne pouvez pas effectuer cette action sur cette requête."))
    except ValidationError as error:
        add_service_errors(form, error)
        if isinstance(form, AcceptForm):
            return _ticket_page(request, ticket, accept_form=form, status=400)
        return _ticket_page(request, ticket, reopen_form=form, status=400)
    else:
        if code == "close":
            messages.success(
                request, _("Merci ! La requête %(ref)s est close.") % {"ref": ticket.ref}
            )
        else:
            messages.success(request, _("La requête %(ref)s est ré-ouverte.") % {"ref": ticket.ref})
    return redirect("portal:ticket", ref=ticket.ref)


@require_POST
@portal_view
def ticket_accept(request: HttpRequest, ref: str) -> HttpResponse:
    """Accept the solution of a resolved ticket, with satisfaction and comment (``close``)."""
    ticket = get_ticket_for_user(request.user, ref, "portal")
    form = AcceptForm(request.POST)
    if not form.is_valid():
        if ticket.status != Status.RESOLVED:
            messages.error(request, _("Cette requête n'attend pas votre validation."))
            return redirect("portal:ticket", ref=ticket.ref)
        return _ticket_page(request, ticket, accept_form=form, status=400)
    return _transition(
        request,
        ticket,
        form,
        "close",
        satisfaction=form.cleaned_data["satisfaction"],
        customer_comment=form.cleaned_data["customer_comment"],
    )


@require_POST
@portal_view
def ticket_reopen(request: HttpRequest, ref: str) -> HttpResponse:
    """Reopen a resolved ticket (``reopen``) or a rejected request (``reopen_rejected``).

    The reason is required: without it the form comes back with its error (a ticket that
    cannot be reopened gets a message instead, its form being hidden).
    """
    ticket = get_ticket_for_user(request.user, ref, "portal")
    form = ReopenForm(request.POST)
    if not form.is_valid():
        if ticket.status not in (Status.RESOLVED, Status.REJECTED):
            messages.error(request, _("Cette requête ne peut pas être ré-ouverte."))
            return redirect("portal:ticket", ref=ticket.ref)
        return _ticket_page(request, ticket, reopen_form=form, status=400)
    code = "reopen_rejected" if ticket.status == Status.REJECTED else "reopen"
    return _transition(request, ticket, form, code, comment=form.cleaned_data["comment"])


@portal_view
def attachment_download(request: HttpRequest, ref: str, attachment_id: int) -> FileResponse:
    """Download a public attachment of a visible ticket (404 otherwise, private included)."""
    ticket = get_ticket_for_user(request.user, ref, "portal")
    attachment = get_object_or_404(ticket.attachments.filter(private=False), pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("file") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )


# --- FAQ ------------------------------------------------------------------------------------


@portal_view
def faq_list(request: HttpRequest) -> HttpResponse:
    """The FAQs about the services open to the user's organisations; GET ``q`` filters."""
    q = request.GET.get("q", "").strip()
    faqs = faqs_for_organisations(_org_ids(request))
    if q:
        faqs = faqs.filter(
            Q(title__icontains=q)
            | Q(summary__icontains=q)
            | Q(description__icontains=q)
            | Q(keywords__icontains=q)
            | Q(domains__icontains=q)
            | Q(error_code__icontains=q)
            | Q(category__name__icontains=q)
        )
    return _render(request, "faq_list.html", "faq", {"faqs": list(faqs), "q": q})


@portal_view
def faq_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One FAQ (404 when about a service not open to the user); description sanitised."""
    faq = get_faq_for_organisations(_org_ids(request), pk)
    description = mark_safe(sanitize_html(faq.description))
    return _render(request, "faq_detail.html", "faq", {"faq": faq, "description": description})


# --- contracts ------------------------------------------------------------------------------


@portal_view
def contract_list(request: HttpRequest) -> HttpResponse:
    """ "Mes conventions": the customer contracts in force, covered services and documents."""
    org_ids = _org_ids(request)
    contracts = (
        contracts_in_force(org_ids)
        .select_related("customer", "provider")
        .prefetch_related("services__documents", "documents")
        .order_by("customer__name", "name")
    )
    return _render(request, "contract_list.html", "contracts", {"contracts": list(contracts)})


@portal_view
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    """Download a file document of a contract in force, or of a service open to the user."""
    org_ids = _org_ids(request)
    documents = Document.objects.filter(kind=Document.Kind.FILE).filter(
        Q(customer_contract__in=contracts_in_force(org_ids).values("pk"))
        | Q(service__in=services_open_to(org_ids).values("pk"))
    )
    document = get_object_or_404(documents, pk=document_id)
    if not document.file:
        raise Http404("document")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("file") from None
    return FileResponse(handle, as_attachment=True)
