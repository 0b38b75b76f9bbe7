"""SMS-U's pages (namespace ``sms``), under ``/sms/<institution code>/``: the seed's menu
(Accueil, Adhésion, Envoi SMS, Suivi des envois, Approbation des envois, Modèles, Rôles,
Groupes, Conditions particulières, A propos de) plus quotas, client applications, the
blacklist, reports and settings.

Thin views: the institution comes from ``selectors.get_organisation_for_user`` (another
tenant's, or one whose SMS-U contract is not in force, is a 404), a send from
``get_message_for_user`` (404 likewise), rights from ``functions_for`` (403 page otherwise);
every write is one service call whose ``ValidationError`` / ``PermissionDenied`` becomes a
French message with nothing written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from esup_saas.lib.phone import format_national
from esup_saas.tenancy.models import Organisation
from esup_saas.tenancy.selectors import person_for_user

from . import forms, reports, services
from .models import (
    BillingAccount,
    ClientApplication,
    Function,
    MessageState,
    PhoneConfirmation,
    RecipientGroup,
    RecipientState,
    SenderGroup,
    SmsRole,
    SpecialCondition,
    Template,
)
from .recipients import ResolutionError
from .selectors import (
    blacklist_for,
    functions_for,
    get_message_for_user,
    get_organisation_for_user,
    is_admin,
    message_counts,
    messages_for_user,
    messages_to_approve,
    organisations_for_user,
    recipients_for,
    settings_for,
    uses_directory,
)

PAGE_SIZE = 25


class Ctx:
    """What every SMS-U page knows: the institution, the user's functions, their person."""

    def __init__(self, request: HttpRequest, organisation: Organisation) -> None:
        self.request = request
        self.organisation = organisation
        self.functions = functions_for(request.user, organisation)
        self.person = person_for_user(request.user)
        self.admin = is_admin(request.user, organisation)

    def has(self, function: str) -> bool:
        return function in self.functions

    def render(
        self, template: str, context: dict[str, Any] | None = None, status: int = 200
    ) -> HttpResponse:
        base = {
            "org": self.organisation,
            "functions": self.functions,
            "sms_admin": self.admin,
            "section": context.get("section", "") if context else "",
        }
        return render(self.request, template, {**base, **(context or {})}, status=status)


def sms_view(
    function: str | None = None, *, any_of: tuple[str, ...] = ()
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Resolve ``org`` (404 for another tenant) and require ``function`` (or one of
    ``any_of``), else the 403 page."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, org: str, *args: Any, **kwargs: Any) -> HttpResponse:
            ctx = Ctx(request, get_organisation_for_user(request.user, org))
            needed = ((function,) if function else ()) + any_of
            if needed and not any(ctx.has(f) for f in needed):
                return ctx.render("sms/forbidden.html", {}, status=403)
            return view(request, ctx, *args, **kwargs)

        return wrapper

    return decorate


def _errors(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or _("Action non permise."))
        return
    for text in exc.messages:
        messages.error(request, text)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for text in exc.messages:
            form.add_error(None, text)


# --- entry and home ---------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """``/sms/``: straight to the user's institution, or the list when there are several."""
    orgs = list(organisations_for_user(request.user))
    if len(orgs) == 1:
        return redirect("sms:home", org=orgs[0].code)
    return render(request, "sms/index.html", {"organisations": orgs}, status=200 if orgs else 404)


@sms_view()
def home(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    consent = (
        services.consent_read(organisation=ctx.organisation, person=ctx.person)
        if ctx.person
        else None
    )
    recent = messages_for_user(request.user, ctx.organisation)[:5]
    waiting = messages_to_approve(request.user, ctx.organisation).count()
    return ctx.render(
        "sms/home.html",
        {"section": "home", "consent": consent, "recent": recent, "waiting": waiting},
    )


@sms_view()
def about(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    return ctx.render("sms/about.html", {"section": "about"})


# --- opt-in -------------------------------------------------------------------------------------


@sms_view()
def optin(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    """Adhésion: accept the conditions and give one's mobile; withdraw at any time."""
    if ctx.person is None:
        raise Http404("person")
    org = ctx.organisation
    consent = services.consent_read(organisation=org, person=ctx.person)
    services_qs = SpecialCondition.objects.filter(organisation=org)
    initial = {
        "accept_general": consent.general,
        "phone": format_national(consent.phone) if consent.phone else "",
        "services": [s for s in services_qs if s.key in consent.services],
    }
    form = forms.OptInForm(request.POST or None, organisation=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.optin_save(
                organisation=org,
                person=ctx.person,
                phone=form.cleaned_data["phone"],
                accept_general=form.cleaned_data["accept_general"],
                services=list(form.cleaned_data["services"]),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if isinstance(result, PhoneConfirmation):
                messages.info(request, _("Un code vient de vous être envoyé par SMS."))
                return redirect("sms:optin_confirm", org=org.code)
            messages.success(request, _("Votre adhésion est enregistrée."))
            return redirect("sms:optin", org=org.code)
    return ctx.render(
        "sms/optin.html",
        {
            "section": "optin",
            "form": form,
            "consent": consent,
            "settings": settings_for(org),
            "conditions": services_qs,
        },
    )


@sms_view()
def optin_confirm(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    if ctx.person is None:
        raise Http404("person")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.optin_confirm(
                organisation=ctx.organisation, person=ctx.person, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Numéro confirmé : votre adhésion est enregistrée."))
            return redirect("sms:optin", org=ctx.organisation.code)
    return ctx.render("sms/optin_confirm.html", {"section": "optin", "form": form})


@require_POST
@sms_view()
def optin_withdraw(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    if ctx.person is None:
        raise Http404("person")
    try:
        services.optin_withdraw(organisation=ctx.organisation, person=ctx.person)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Vous ne recevrez plus de SMS de l'établissement."))
    return redirect("sms:optin", org=ctx.organisation.code)


# --- send ---------------------------------------------------------------------------------------

_SEND_FUNCTIONS = (
    Function.SEND_MEMBERS,
    Function.SEND_GROUPS,
    Function.SEND_FREE,
    Function.SEND_LIST,
    Function.SEND_FILTER,
)


def _send_form(request: HttpRequest, ctx: Ctx) -> forms.SendForm:
    return forms.SendForm(
        request.POST or None, organisation=ctx.organisation, functions=ctx.functions
    )


@sms_view(any_of=_SEND_FUNCTIONS)
def send(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    """Envoi SMS (the seed's form); on success, to the new send's tracking page."""
    form = _send_form(request, ctx)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = services.message_create(
                organisation=ctx.organisation,
                recipient_type=data["recipient_type"],
                value=form.recipients_value(),
                content=data["content"],
                actor=request.user,
                account=data.get("account"),
                special_condition=data.get("special_condition"),
                mail_subject=data.get("mail_subject", ""),
                mail_body=data.get("mail_body", ""),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if message.state == MessageState.QUOTA_ERROR:
                messages.error(request, message.stats.get("quota_error", _("Quota dépassé.")))
            elif message.state == MessageState.WAITING_FOR_APPROVAL:
                messages.info(request, _("Envoi %s en attente d'approbation.") % message.reference)
            else:
                messages.success(request, _("Envoi %s en cours.") % message.reference)
            return redirect("sms:message_detail", org=ctx.organisation.code, pk=message.pk)
    cfg = settings_for(ctx.organisation)
    templates = Template.objects.filter(organisation=ctx.organisation)
    return ctx.render(
        "sms/send.html",
        {
            "section": "send",
            "form": form,
            "settings": cfg,
            "templates_json": json.dumps({t.pk: t.body for t in templates}),
            "tags": services.TAGS,
            "directory": uses_directory(ctx.organisation, cfg),
        },
    )


@sms_view(any_of=_SEND_FUNCTIONS)
def send_count(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    """The live count (htmx): "Cette sélection correspondrait à N numéros."."""
    form = _send_form(request, ctx)
    form.is_valid()  # partial data is fine: only the recipient fields are read
    data = getattr(form, "cleaned_data", {})
    recipient_type = data.get("recipient_type") or request.POST.get("recipient_type", "")
    value = form.recipients_value() if "recipient_type" in data else ""
    context: dict[str, Any] = {"count": None}
    if recipient_type and value:
        try:
            preview = services.send_preview(
                organisation=ctx.organisation,
                recipient_type=recipient_type,
                value=value,
                content=data.get("content") or "",
                special_condition=data.get("special_condition"),
            )
        except ResolutionError as exc:
            context["error"] = str(exc)
        else:
            context.update(
                count=preview.resolution.count,
                blacklisted=len(preview.resolution.blacklisted),
                skipped=preview.resolution.skipped,
                sms=preview.sms,
            )
    return render(request, "sms/_count.html", context)


# --- tracking -----------------------------------------------------------------------------------


def _rows(request: HttpRequest, ctx: Ctx) -> Any:
    qs = messages_for_user(request.user, ctx.organisation)
    state = request.GET.get("state", "")
    if state in MessageState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(m, message_counts(m)) for m in page.object_list]
    live = any(
        m.state in (MessageState.WAITING_FOR_SENDING, MessageState.WAITING_FOR_APPROVAL)
        or c.get(RecipientState.CREATED)
        or c.get(RecipientState.IN_PROGRESS)
        for m, c in rows
    )
    return page, rows, live


@sms_view(any_of=(Function.TRACK_OWN, Function.TRACK_ALL, Function.APPROVE))
def message_list(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    """Suivi des envois; refreshed by htmx polling (``?partial=1``) while anything moves."""
    page, rows, live = _rows(request, ctx)
    context = {
        "section": "track",
        "page": page,
        "rows": rows,
        "live": live,
        "states": MessageState.choices,
        "state": request.GET.get("state", ""),
    }
    if request.GET.get("partial"):
        return ctx.render("sms/_message_rows.html", context)
    return ctx.render("sms/message_list.html", context)


@sms_view(any_of=(Function.TRACK_OWN, Function.TRACK_ALL, Function.APPROVE))
def message_detail(request: HttpRequest, ctx: Ctx, pk: int) -> HttpResponse:
    message = get_message_for_user(request.user, ctx.organisation, pk)
    counts = message_counts(message)
    live = message.state in (
        MessageState.WAITING_FOR_SENDING,
        MessageState.WAITING_FOR_APPROVAL,
    ) or bool(counts.get(RecipientState.CREATED) or counts.get(RecipientState.IN_PROGRESS))
    recipients = recipients_for(message)[:200]
    context = {
        "section": "track",
        "message": message,
        "counts": counts,
        "live": live,
        "recipients": recipients,
        "report_form": forms.ReportIncidentForm(),
        "may_cancel": message.state == MessageState.WAITING_FOR_APPROVAL
        and (ctx.admin or (ctx.person is not None and message.sender_id == ctx.person.pk)),
    }
    if request.GET.get("partial"):
        return ctx.render("sms/_message_live.html", context)
    return ctx.render("sms/message_detail.html", context)


@require_POST
@sms_view(any_of=(Function.TRACK_OWN, Function.TRACK_ALL, Function.APPROVE))
def message_report(request: HttpRequest, ctx: Ctx, pk: int) -> HttpResponse:
    """ "Signaler un problème": an incident on the SMS-U service, with the send's figures."""
    message = get_message_for_user(request.user, ctx.organisation, pk)
    form = forms.ReportIncidentForm(request.POST)
    form.is_valid()
    try:
        ticket = services.incident_report(
            message=message,
            actor=request.user,
            description=form.cleaned_data.get("description", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("Incident %(ref)s ouvert : le support SMS-U le prend en charge.")
            % {"ref": ticket.ref},
        )
    return redirect("sms:message_detail", org=ctx.organisation.code, pk=message.pk)


@require_POST
@sms_view(any_of=(Function.TRACK_OWN, Function.TRACK_ALL, Function.APPROVE))
def message_cancel(request: HttpRequest, ctx: Ctx, pk: int) -> HttpResponse:
    message = get_message_for_user(request.user, ctx.organisation, pk)
    try:
        services.message_cancel(message=message, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Envoi annulé ; son quota est rendu."))
    return redirect("sms:message_detail", org=ctx.organisation.code, pk=message.pk)


# --- approval -----------------------------------------------------------------------------------


@sms_view(Function.APPROVE)
def approval_list(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    waiting = messages_to_approve(request.user, ctx.organisation)
    return ctx.render(
        "sms/approval_list.html",
        {"section": "approve", "waiting": waiting, "refuse_form": forms.RefuseForm()},
    )


@require_POST
@sms_view(Function.APPROVE)
def approval_decide(request: HttpRequest, ctx: Ctx, pk: int) -> HttpResponse:
    message = messages_to_approve(request.user, ctx.organisation).filter(pk=pk).first()
    if message is None:
        raise Http404("message")
    try:
        if request.POST.get("decision") == "approve":
            services.message_approve(message=message, actor=request.user)
            messages.success(request, _("Envoi %s approuvé.") % message.reference)
        else:
            services.message_refuse(
                message=message, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Envoi %s refusé.") % message.reference)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect("sms:approval_list", org=ctx.organisation.code)


# --- management (templates, roles, groups, accounts, conditions, applications, settings) ------


class Kind:
    """One managed list: model, form, the right it needs, its labels and columns."""

    def __init__(
        self,
        model: Any,
        form: Any,
        function: str,
        title: Any,
        columns: list[tuple[str, Any]],
        section: str,
    ) -> None:
        self.model, self.form, self.function = model, form, function
        self.title, self.columns, self.section = title, columns, section


KINDS: dict[str, Kind] = {
    "modeles": Kind(
        Template,
        forms.TemplateForm,
        Function.MANAGE_TEMPLATES,
        gettext_lazy("Modèles"),
        [("label", gettext_lazy("Libellé")), ("body", gettext_lazy("Texte"))],
        "templates",
    ),
    "roles": Kind(
        SmsRole,
        forms.RoleForm,
        Function.MANAGE_ROLES,
        gettext_lazy("Rôles"),
        [("name", gettext_lazy("Nom")), ("functions_display", gettext_lazy("Fonctions"))],
        "roles",
    ),
    "groupes": Kind(
        RecipientGroup,
        forms.RecipientGroupForm,
        Function.MANAGE_GROUPS,
        gettext_lazy("Groupes de destinataires"),
        [
            ("name", gettext_lazy("Nom")),
            ("directory_group", gettext_lazy("Groupe de l'annuaire")),
            ("members_count", gettext_lazy("Membres locaux")),
        ],
        "groups",
    ),
    "expediteurs": Kind(
        SenderGroup,
        forms.SenderGroupForm,
        Function.MANAGE_GROUPS,
        gettext_lazy("Groupes d'expéditeurs et quotas"),
        [
            ("name", gettext_lazy("Nom")),
            ("quota_display", gettext_lazy("Quota")),
            ("max_recipients", gettext_lazy("Destinataires sans approbation")),
        ],
        "groups",
    ),
    "comptes": Kind(
        BillingAccount,
        forms.AccountForm,
        Function.MANAGE_GROUPS,
        gettext_lazy("Comptes d'imputation"),
        [("label", gettext_lazy("Libellé")), ("quota_display", gettext_lazy("Quota"))],
        "groups",
    ),
    "conditions": Kind(
        SpecialCondition,
        forms.ConditionForm,
        Function.MANAGE_SERVICES,
        gettext_lazy("Conditions particulières"),
        [("key", gettext_lazy("Clé")), ("name", gettext_lazy("Nom"))],
        "conditions",
    ),
    "applications": Kind(
        ClientApplication,
        forms.ApplicationForm,
        Function.MANAGE_APPLICATIONS,
        gettext_lazy("Applications clientes"),
        [
            ("name", gettext_lazy("Identifiant")),
            ("account", gettext_lazy("Compte")),
            ("quota_display", gettext_lazy("Quota")),
            ("is_active", gettext_lazy("Active")),
        ],
        "applications",
    ),
}


def _kind(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise Http404("kind")
    return kind


def _cell(obj: Any, name: str) -> Any:
    if name == "functions_display":
        labels = dict(Function.choices)
        return ", ".join(str(labels.get(f, f)) for f in obj.functions)
    if name == "members_count":
        return obj.members.count()
    if name == "quota_display":
        return _("%(used)s / %(quota)s") % {
            "used": obj.used,
            "quota": obj.quota if obj.quota is not None else "∞",
        }
    value = getattr(obj, name)
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return value if value not in (None, "") else "—"


def _save_managed(kind: Kind, form: Any, ctx: Ctx) -> Any:
    if kind.model is SmsRole:
        role = form.save(commit=False)
        return services.role_save(
            role=role, persons=form.cleaned_data["persons"], groups=form.group_list()
        )
    if kind.model is ClientApplication and not form.instance.pk:
        app, secret = services.application_create(
            organisation=ctx.organisation,
            name=form.cleaned_data["name"],
            account=form.cleaned_data["account"],
            quota=form.cleaned_data["quota"],
        )
        messages.warning(
            ctx.request,
            _("Secret de l'application « %(name)s », affiché une seule fois : %(secret)s")
            % {"name": app.name, "secret": secret},
        )
        return app
    instance = form.save(commit=False)
    m2m = {
        name: form.cleaned_data[name]
        for name in ("members", "supervisors")
        if name in form.cleaned_data
    }
    return services.managed_save(instance=instance, m2m=m2m)


def _manage(request: HttpRequest, ctx: Ctx, kind_name: str, pk: int | None) -> HttpResponse:
    kind = _kind(kind_name)
    if not ctx.has(kind.function):
        return ctx.render("sms/forbidden.html", {}, status=403)
    qs = kind.model.objects.filter(organisation=ctx.organisation)
    instance = None
    if pk is not None:
        instance = qs.filter(pk=pk).first()
        if instance is None:
            raise Http404(kind_name)
    form = kind.form(request.POST or None, instance=instance, organisation=ctx.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            _save_managed(kind, form, ctx)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Enregistré."))
            return redirect("sms:manage", org=ctx.organisation.code, kind=kind_name)
    rows = [(obj, [_cell(obj, c) for c, _label in kind.columns]) for obj in qs]
    return ctx.render(
        "sms/manage.html",
        {
            "section": kind.section,
            "kind": kind,
            "kind_name": kind_name,
            "rows": rows,
            "form": form,
            "editing": instance,
            "kinds": [(k, v) for k, v in KINDS.items() if v.section == kind.section],
        },
    )


@sms_view()
def manage(request: HttpRequest, ctx: Ctx, kind: str) -> HttpResponse:
    return _manage(request, ctx, kind, None)


@sms_view()
def manage_edit(request: HttpRequest, ctx: Ctx, kind: str, pk: int) -> HttpResponse:
    return _manage(request, ctx, kind, pk)


@require_POST
@sms_view()
def manage_delete(request: HttpRequest, ctx: Ctx, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    if not ctx.has(spec.function):
        return ctx.render("sms/forbidden.html", {}, status=403)
    instance = spec.model.objects.filter(organisation=ctx.organisation, pk=pk).first()
    if instance is None:
        raise Http404(kind)
    try:
        services.managed_delete(instance=instance)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Supprimé."))
    return redirect("sms:manage", org=ctx.organisation.code, kind=kind)


@require_POST
@sms_view(Function.MANAGE_APPLICATIONS)
def application_secret(request: HttpRequest, ctx: Ctx, pk: int) -> HttpResponse:
    app = ClientApplication.objects.filter(organisation=ctx.organisation, pk=pk).first()
    if app is None:
        raise Http404("application")
    secret = services.application_rotate_secret(application=app)
    messages.warning(
        request,
        _("Nouveau secret de « %(name)s », affiché une seule fois : %(secret)s")
        % {"name": app.name, "secret": secret},
    )
    return redirect("sms:manage", org=ctx.organisation.code, kind="applications")


@sms_view()
def settings_edit(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    if not ctx.admin:
        return ctx.render("sms/forbidden.html", {}, status=403)
    instance = services.settings_ensure(organisation=ctx.organisation)
    form = forms.SettingsForm(
        request.POST or None, instance=instance, organisation=ctx.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.managed_save(instance=form.save(commit=False))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Paramètres enregistrés."))
            return redirect("sms:settings", org=ctx.organisation.code)
    return ctx.render("sms/settings.html", {"section": "settings", "form": form})


# --- blacklist ----------------------------------------------------------------------------------


@sms_view(Function.MANAGE_BLACKLIST)
def blacklist(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    if request.method == "POST":
        try:
            services.blacklist_remove(
                organisation=ctx.organisation,
                phone=request.POST.get("phone", ""),
                actor=request.user,
            )
        except PermissionDenied as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Numéro retiré de la liste noire."))
        return redirect("sms:blacklist", org=ctx.organisation.code)
    page = Paginator(blacklist_for(ctx.organisation), 50).get_page(request.GET.get("page"))
    return ctx.render("sms/blacklist.html", {"section": "blacklist", "page": page})


# --- reports ------------------------------------------------------------------------------------


@sms_view(Function.REPORTS)
def report(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    """Consolidated report (by month, billing account, application); CSV / XLSX export."""
    try:
        period = reports.Period.from_query(request.GET)
    except ValueError as exc:
        messages.error(request, str(exc))
        period = reports.Period.from_query({})
    rows = reports.consolidated(organisation=ctx.organisation, period=period)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return reports.export_response(
            rows=rows,
            headers=reports.CONSOLIDATED_HEADERS,
            filename=f"sms-{ctx.organisation.code}-{period.slug}",
            fmt=fmt,
        )
    return ctx.render(
        "sms/report.html",
        {
            "section": "reports",
            "rows": rows,
            "period": period,
            "headers": reports.CONSOLIDATED_HEADERS,
        },
    )


@sms_view(Function.REPORTS)
def report_detail(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    """Detail per send (CSV / XLSX)."""
    try:
        period = reports.Period.from_query(request.GET)
    except ValueError:
        period = reports.Period.from_query({})
    rows = reports.detail(organisation=ctx.organisation, period=period)
    return reports.export_response(
        rows=rows,
        headers=reports.DETAIL_HEADERS,
        filename=f"sms-envois-{ctx.organisation.code}-{period.slug}",
        fmt=request.GET.get("format", "csv"),
    )
