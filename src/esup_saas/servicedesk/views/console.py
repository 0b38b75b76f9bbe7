"""The agents' console (specs/platform.md item 16), namespace ``console``, under ``/console/``.

For providers' agents, service managers and coordinators (``tenancy.models.CONSOLE_ROLES``)
and superusers; anyone else gets ``servicedesk/no_role.html`` with status 403
(``tenancy.views.console_required``). Tickets come from
``selectors.tickets_for_user(user, "console")`` / ``get_ticket_for_user``: another
provider's ticket answers 404 exactly like a missing one, for every URL below it. Lists are
further restricted to the organisation chosen in the picker
(``tenancy.views.console_organisation_ids``). Every write is one service call; its
``ValidationError`` / ``TransitionNotAllowed`` / ``PermissionDenied`` becomes a French
message and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from esup_saas.catalog.models import RequestType, ServiceSubcategory
from esup_saas.catalog.selectors import subcategories_open_to
from esup_saas.tenancy.selectors import person_for_user, teams_for_user
from esup_saas.tenancy.views import console_organisation_ids, console_required

from .. import services
from ..filters import TicketFilter
from ..forms_console import (
    AttachmentForm,
    LogEntryForm,
    QualificationForm,
    SavedSearchForm,
    TeamAgentForm,
    transition_form_class,
)
from ..models import Kind, LogEntry, Ticket
from ..selectors import (
    agents_of_team,
    get_saved_search_for_user,
    get_ticket_for_user,
    tickets_for_user,
)
from ..sla import ticket_sla_states
from ..workflow import ONGOING_STATES, Side, Status, get_transition, transitions_from

PAGE_SIZE = 25

#: Labels of the fields named in service errors that are not ticket fields.
_EXTRA_LABELS = {
    "body": gettext_lazy("Message"),
    "attachments": gettext_lazy("Pièce jointe"),
    "__all__": "",
}

#: Labels of ``TicketEvent.kind`` in the ticket's history.
_EVENT_LABELS = {
    "created": gettext_lazy("Création"),
    "transition": gettext_lazy("Changement d'état"),
    "log_public": gettext_lazy("Journal public"),
    "log_private": gettext_lazy("Journal privé"),
    "attachment": gettext_lazy("Pièce jointe"),
    "updated": gettext_lazy("Qualification modifiée"),
    "sla_threshold": gettext_lazy("Seuil SLA franchi"),
}


# --- helpers -------------------------------------------------------------------------------


def _console_tickets(request: HttpRequest) -> QuerySet[Ticket]:
    """The user's console tickets, restricted to the organisation chosen in the picker."""
    tickets = tickets_for_user(request.user, "console")
    org_ids = console_organisation_ids(request)
    if org_ids is not None:
        tickets = tickets.filter(
            Q(organisation_id__in=org_ids) | Q(service__provider_id__in=org_ids)
        )
    return tickets


def _clean_query(data: QueryDict) -> str:
    """A list's query string without its page number (what a saved search keeps)."""
    query = data.copy()
    for key in ("page", "csrfmiddlewaretoken"):
        query.pop(key, None)
    return query.urlencode()


def _field_label(name: str) -> str:
    if name in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[name])
    try:
        field = Ticket._meta.get_field(name)
    except FieldDoesNotExist:  # an unknown name is shown as is
        return name
    return str(getattr(field, "verbose_name", name)).capitalize()


def _error_messages(exc: ValidationError) -> list[str]:
    """French messages for a service error, each prefixed by the field's label."""
    if hasattr(exc, "error_dict"):
        out = []
        for field, errors in exc.message_dict.items():
            label = _field_label(field)
            text = " ".join(errors)
            out.append(
                # Translators: a field's label, then its error messages.
                _("%(label)s : %(text)s") % {"label": label, "text": text} if label else text
            )
        return out
    return list(exc.messages)


def _form_error_messages(form: Any) -> list[str]:
    out = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(str(e) for e in errors)
        # Translators: a field's label, then its error messages.
        out.append(_("%(label)s : %(text)s") % {"label": label, "text": text} if label else text)
    return out


def _report(request: HttpRequest, texts: list[str], prefix: str = "") -> None:
    for text in texts:
        messages.error(request, f"{prefix}{text}")


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _ticket_url(ticket: Ticket) -> str:
    return reverse("console:ticket_detail", args=[ticket.ref])


# --- dashboard -----------------------------------------------------------------------------


@console_required
def home(request: HttpRequest) -> HttpResponse:
    """Tableau de bord: ongoing tickets by status, mine, unassigned, by customer and agent."""
    ongoing = _console_tickets(request).filter(status__in=list(ONGOING_STATES))
    counts = {
        row["status"]: row["n"]
        for row in ongoing.order_by().values("status").annotate(n=Count("pk"))
    }
    by_status = [(s, counts[s.value]) for s in Status if counts.get(s.value)]
    person = person_for_user(request.user)
    mine = ongoing.filter(agent=person) if person else ongoing.none()
    unassigned = ongoing.filter(agent__isnull=True)
    by_customer = (
        ongoing.values("organisation__name", "organisation_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation__name")
    )
    by_agent = (
        ongoing.filter(agent__isnull=False)
        .values("agent_id", "agent__first_name", "agent__last_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "agent__last_name")
    )
    context = {
        "total": ongoing.count(),
        "by_status": by_status,
        "mine": mine.order_by("priority", "start_date")[:10],
        "mine_count": mine.count(),
        "person": person,
        "unassigned": unassigned.order_by("priority", "start_date")[:10],
        "unassigned_count": unassigned.count(),
        "by_customer": by_customer,
        "by_agent": by_agent,
    }
    return render(request, "servicedesk/console/home.html", context)


# --- ticket list, saved searches, bulk assignment -----------------------------------------


@console_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    """Filtered, paginated ticket list (25 a page), with saved searches and bulk assignment."""
    filterset = TicketFilter(request.GET, queryset=_console_tickets(request), request=request)
    tickets = filterset.qs.order_by("-start_date", "-pk")
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    query = _clean_query(request.GET)
    kind = request.GET.get("kind", "")
    if kind == Kind.INCIDENT:
        heading = _("Incidents")
    elif kind == Kind.USER_REQUEST:
        heading = _("Demandes utilisateurs")
    else:
        heading = _("Toutes les requêtes")
    context = {
        "filter": filterset,
        "page": page,
        "heading": heading,
        "default_status": not request.GET.getlist("status"),
        "query": query,
        "list_url": request.get_full_path(),
        "bulk_form": TeamAgentForm(teams=teams_for_user(request.user), auto_id="bulk_%s"),
        "save_form": SavedSearchForm(initial={"query": query}, auto_id="save_%s"),
        "now": timezone.now(),
    }
    return render(request, "servicedesk/console/ticket_list.html", context)


@require_POST
@console_required
def ticket_bulk_assign(request: HttpRequest) -> HttpResponse:
    """POST ``tickets`` (ids), ``team`` and ``agent``: assign (or reassign) each ticket.

    Each ticket goes through ``services.ticket_transition`` in its own transaction; one
    message per ticket says what was done or why it was refused. Ids outside the user's
    console scope are ignored.
    """
    back = _next_url(request, reverse("console:ticket_list"))
    form = TeamAgentForm(request.POST, teams=teams_for_user(request.user))
    # ASCII digits only ("²".isdigit() is true) and within a 64-bit id: anything else is ignored.
    ids = [int(x) for x in request.POST.getlist("tickets") if x.isascii() and x.isdigit()]
    ids = [i for i in ids if i < 2**63]
    tickets = list(
        tickets_for_user(request.user, "console").filter(pk__in=ids).order_by("kind", "number")
    )
    if not tickets:
        messages.error(request, _("Sélectionnez au moins un ticket."))
        return HttpResponseRedirect(back)
    if not form.is_valid():
        _report(request, _form_error_messages(form))
        return HttpResponseRedirect(back)
    team, agent = form.cleaned_data["team"], form.cleaned_data["agent"]
    reassign = get_transition("reassign")
    for ticket in tickets:
        code = "reassign" if reassign and ticket.status in reassign.sources else "assign"
        try:
            services.ticket_transition(
                ticket=ticket, code=code, actor=request.user, team=team, agent=agent
            )
        except (ValidationError, PermissionDenied) as exc:
            reasons = (
                _error_messages(exc)
                if isinstance(exc, ValidationError)
                else [str(exc) or _("Accès refusé.")]
            )
            messages.error(
                request,
                _("%(ref)s : refusé — %(reason)s")
                % {"ref": ticket.ref, "reason": " ".join(reasons)},
            )
        else:
            messages.success(
                request,
                _("%(ref)s : assigné à %(agent)s (%(team)s).")
                % {"ref": ticket.ref, "agent": agent.full_name, "team": team.name},
            )
    return HttpResponseRedirect(back)


@require_POST
@console_required
def saved_search_create(request: HttpRequest) -> HttpResponse:
    """POST ``name`` and ``query``: save the list's filters under that name (or replace them)."""
    form = SavedSearchForm(request.POST)
    if not form.is_valid():
        _report(request, _form_error_messages(form))
        return HttpResponseRedirect(_next_url(request, reverse("console:ticket_list")))
    query = _clean_query(QueryDict(form.cleaned_data["query"] or ""))
    try:
        search = services.saved_search_save(
            owner=request.user, name=form.cleaned_data["name"], query=query
        )
    except ValidationError as exc:
        _report(request, _error_messages(exc))
        return HttpResponseRedirect(_next_url(request, reverse("console:ticket_list")))
    messages.success(request, _("Recherche « %(name)s » enregistrée.") % {"name": search.name})
    url = reverse("console:ticket_list")
    return HttpResponseRedirect(f"{url}?{search.query}" if search.query else url)


@require_POST
@console_required
def saved_search_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: delete one of the user's saved searches (another user's answers 404)."""
    search = get_saved_search_for_user(request.user, pk)
    name = search.name
    services.saved_search_delete(search=search, actor=request.user)
    messages.success(request, _("Recherche « %(name)s » supprimée.") % {"name": name})
    return HttpResponseRedirect(_next_url(request, reverse("console:ticket_list")))


@require_GET
@console_required
def team_agents(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the ``<option>``s of the agents of team ``pk`` (404 outside the user's teams)."""
    team = get_object_or_404(teams_for_user(request.user), pk=pk)
    return render(
        request,
        "servicedesk/console/_agent_options.html",
        {"team": team, "agents": agents_of_team(team.pk)},
    )


# --- ticket page ---------------------------------------------------------------------------


def _display_value(field_name: str, value: Any, cache: dict[tuple[str, Any], str]) -> str:
    """A history value as shown to a person (choice label, related object, local date)."""
    if value in (None, ""):
        return "—"
    try:
        field = Ticket._meta.get_field(field_name)
    except FieldDoesNotExist:
        return str(value)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))  # type: ignore[union-attr]
    if field.is_relation and field.related_model is not None:
        key = (field_name, value)
        if key not in cache:
            obj = field.related_model._default_manager.filter(pk=value).first()  # type: ignore[union-attr]
            if obj is None:
                cache[key] = f"#{value}"
            elif isinstance(obj, Ticket):
                cache[key] = obj.ref
            else:
                cache[key] = str(obj)
        return cache[key]
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return Truncator(strip_tags(str(value))).chars(200)


def _history_rows(ticket: Ticket) -> list[dict[str, Any]]:
    """The ticket's field history, newest first: date, who, and (field, old, new) changes."""
    records = list(ticket.history.select_related("history_user", "history_user__person"))  # type: ignore[attr-defined]
    cache: dict[tuple[str, Any], str] = {}
    rows = []
    for index, record in enumerate(records):
        user = record.history_user
        person = getattr(user, "person", None) if user is not None else None
        who = person.full_name if person else (user.get_username() if user else _("Système"))
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                changes.append(
                    (
                        _field_label(change.field),
                        _display_value(change.field, change.old, cache),
                        _display_value(change.field, change.new, cache),
                    )
                )
        rows.append(
            {
                "date": record.history_date,
                "who": who,
                "created": previous is None,
                "changes": changes,
            }
        )
    return rows


def _event_rows(ticket: Ticket) -> list[dict[str, Any]]:
    rows = []
    for event in ticket.events.select_related("actor"):
        transition = get_transition(event.transition) if event.transition else None
        detail = ""
        if event.kind == "sla_threshold":
            data = event.data or {}
            detail = f"{str(data.get('metric', '')).upper()} {data.get('threshold', '')} %"
        rows.append(
            {
                "at": event.at,
                "kind": _EVENT_LABELS.get(event.kind, event.kind),
                "detail": detail,
                "transition": transition.label if transition else "",
                "from_status": Status(event.from_status).label if event.from_status else "",
                "to_status": Status(event.to_status).label if event.to_status else "",
                "actor": event.actor.full_name if event.actor else _("Système"),
            }
        )
    return rows


def _subcategories_for(ticket: Ticket) -> Any:
    subs = subcategories_open_to([ticket.organisation_id])
    if ticket.is_incident:
        subs = subs.filter(request_type=RequestType.INCIDENT)
    else:
        subs = subs.exclude(request_type=RequestType.INCIDENT)
    return ServiceSubcategory.objects.filter(
        Q(pk__in=subs.values("pk")) | Q(pk=ticket.subcategory_id)
    ).order_by("service__name", "name")


def _transition_form(request: HttpRequest, code: str, data: Any = None, **kwargs: Any) -> Any:
    form_class = transition_form_class(code)
    if form_class is TeamAgentForm:
        kwargs["teams"] = teams_for_user(request.user)
    return form_class(data, **kwargs)


@console_required
def ticket_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """The ticket page: fields grouped like iTop, logs, files, history, transition buttons,
    and the seed's "Rapport SLA" (the TTO and TTR clocks) in its "Résolution" section."""
    ticket = get_ticket_for_user(request.user, ref, "console")
    visible = tickets_for_user(request.user, "console")
    transitions = []
    for transition in transitions_from(
        ticket.status, is_incident=ticket.is_incident, side=Side.AGENT
    ):
        initial = {}
        if transition.code == "reassign":
            initial = {"team": ticket.team_id, "agent": ticket.agent_id}
        form = _transition_form(request, transition.code, initial=initial)
        transitions.append((transition, form))
    closed = ticket.status == Status.CLOSED
    context = {
        "ticket": ticket,
        "transitions": transitions,
        "qualification_form": None
        if closed
        else QualificationForm(
            subcategories=_subcategories_for(ticket),
            initial={
                "title": ticket.title,
                "impact": ticket.impact,
                "urgency": ticket.urgency,
                "subcategory": ticket.subcategory_id,
            },
            auto_id="qualif_%s",
        ),
        "contacts": ticket.contact_links.select_related("person"),
        "parent": visible.filter(pk=ticket.parent_id).first() if ticket.parent_id else None,
        "children": visible.filter(parent=ticket),
        "related": visible.filter(pk__in=ticket.related.values("pk")),
        "public_log": ticket.log_entries.filter(
            visibility=LogEntry.Visibility.PUBLIC
        ).select_related("author"),
        "private_log": ticket.log_entries.filter(
            visibility=LogEntry.Visibility.PRIVATE
        ).select_related("author"),
        "public_form": LogEntryForm(auto_id="public_%s"),
        "private_form": LogEntryForm(auto_id="private_%s"),
        "attachments": ticket.attachments.select_related("uploaded_by"),
        "attachment_form": AttachmentForm(auto_id="att_%s"),
        "history": _history_rows(ticket),
        "events": _event_rows(ticket),
        "sla_states": ticket_sla_states(ticket),
    }
    return render(request, "servicedesk/console/ticket_detail.html", context)


@require_POST
@console_required
def ticket_transition(request: HttpRequest, ref: str, code: str) -> HttpResponse:
    """POST the fields of transition ``code`` → ``services.ticket_transition``.

    404 for a ticket outside the user's scope or a code that is not an agent's transition;
    a transition impossible from the ticket's state, a bad field or a refusal of the
    service layer gives an error message and changes nothing.
    """
    ticket = get_ticket_for_user(request.user, ref, "console")
    transition = get_transition(code)
    if transition is None or transition.side != Side.AGENT:
        raise Http404("transition")
    available = {
        t.code
        for t in transitions_from(ticket.status, is_incident=ticket.is_incident, side=Side.AGENT)
    }
    if code not in available:
        messages.error(
            request,
            _("« %(action)s » est impossible depuis l'état « %(status)s ».")
            % {"action": transition.label, "status": Status(ticket.status).label},
        )
        return redirect(_ticket_url(ticket))
    form = _transition_form(request, code, request.POST)
    if not form.is_valid():
        _report(request, _form_error_messages(form))
        return redirect(_ticket_url(ticket))
    try:
        saved = services.ticket_transition(
            ticket=ticket, code=code, actor=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        _report(request, _error_messages(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Vous ne pouvez pas agir sur ce ticket."))
    else:
        messages.success(
            request,
            _("« %(action)s » : le ticket %(ref)s est maintenant « %(status)s ».")
            % {
                "action": transition.label,
                "ref": saved.ref,
                "status": Status(saved.status).label,
            },
        )
    return redirect(_ticket_url(ticket))


@require_POST
@console_required
def ticket_qualify(request: HttpRequest, ref: str) -> HttpResponse:
    """POST title, impact, urgency and subcategory → ``services.ticket_update``.

    The priority is recomputed by the service, never typed.
    """
    ticket = get_ticket_for_user(request.user, ref, "console")
    form = QualificationForm(request.POST, subcategories=_subcategories_for(ticket))
    if not form.is_valid():
        _report(request, _form_error_messages(form))
        return redirect(_ticket_url(ticket))
    try:
        saved = services.ticket_update(ticket=ticket, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _report(request, _error_messages(exc))
        return redirect(_ticket_url(ticket))
    except PermissionDenied:
        raise Http404("ticket") from None
    messages.success(
        request,
        _("Qualification enregistrée ; priorité : %(priority)s.")
        % {"priority": saved.get_priority_display()},
    )
    if not tickets_for_user(request.user, "console").filter(pk=saved.pk).exists():
        messages.info(
            request, _("Le ticket a changé de service et n'est plus dans votre périmètre.")
        )
        return redirect("console:ticket_list")
    return redirect(_ticket_url(saved))


@require_POST
@console_required
def ticket_log_add(request: HttpRequest, ref: str, visibility: str) -> HttpResponse:
    """POST ``body`` to the public or the private log (``visibility``) of a ticket."""
    ticket = get_ticket_for_user(request.user, ref, "console")
    if visibility not in LogEntry.Visibility.values:
        raise Http404("log")
    form = LogEntryForm(request.POST)
    if not form.is_valid():
        _report(request, _form_error_messages(form))
        return redirect(_ticket_url(ticket))
    try:
        services.log_entry_add(
            ticket=ticket, actor=request.user, body=form.cleaned_data["body"], visibility=visibility
        )
    except ValidationError as exc:
        _report(request, _error_messages(exc))
    except PermissionDenied:
        raise Http404("ticket") from None
    else:
        messages.success(
            request,
            _("Message ajouté au %(log)s.")
            % {"log": LogEntry.Visibility(visibility).label.lower()},
        )
    return redirect(_ticket_url(ticket) + f"#log-{visibility}")


@require_POST
@console_required
def ticket_attachment_add(request: HttpRequest, ref: str) -> HttpResponse:
    """POST ``file`` (and ``private``): attach a file to the ticket."""
    ticket = get_ticket_for_user(request.user, ref, "console")
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        _report(request, _form_error_messages(form))
        return redirect(_ticket_url(ticket))
    try:
        atts = services.attachment_add(
            ticket=ticket,
            files=[form.cleaned_data["file"]],
            actor=request.user,
            private=form.cleaned_data["private"],
        )
    except ValidationError as exc:
        _report(request, _error_messages(exc))
    except PermissionDenied:
        raise Http404("ticket") from None
    else:
        messages.success(request, _("Fichier « %(name)s » ajouté.") % {"name": atts[0].filename})
    return redirect(_ticket_url(ticket) + "#attachments")


@require_GET
@console_required
def ticket_attachment_download(request: HttpRequest, ref: str, pk: int) -> FileResponse:
    """Download an attachment of a ticket in the user's console scope (else 404)."""
    ticket = get_ticket_for_user(request.user, ref, "console")
    attachment = get_object_or_404(ticket.attachments, pk=pk)
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
