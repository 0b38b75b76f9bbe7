"""Console pages of the service levels (/console/sla/…): SLAs and their targets, service
hours, holiday calendars, the SLA of each contract × service, the provider's settings.

Thin views: every object is fetched through the user-scoped selectors of
``selectors_sla`` (another provider's object answers 404, as a missing one), then one
service function writes. Only coordinators and providers' service managers get here.
The pages use the console's layout; their lists are further narrowed to the organisation
chosen in the console's picker (``tenancy.views.console_organisation_ids``), which can only
hide rows, never show another tenant's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from esup_saas.tenancy.views import console_organisation_ids

from . import selectors_sla as sel
from . import services_sla as svc
from .forms_sla import (
    ClosureFormSet,
    CoverageSlaForm,
    HolidayCalendarForm,
    IntervalFormSet,
    ProviderSettingsForm,
    ServiceHoursForm,
    SlaForm,
    SltFormSet,
    apply_errors,
    filled,
)

T = "catalog/sla/"


def _manager(request: HttpRequest) -> None:
    if not sel.sla_provider_ids(request.user):
        raise Http404("sla")


def _picked(request: HttpRequest, rows: QuerySet, *fields: str) -> QuerySet:
    """``rows`` whose ``fields`` (organisation ids) fall in the picker's subtree, if any."""
    ids = console_organisation_ids(request)
    if ids is None:
        return rows
    match = Q()
    for name in fields:
        match |= Q(**{f"{name}__in": ids})
    return rows.filter(match)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The SLAs, the SLA of each contract × service and the automatic-close delays."""
    _manager(request)
    user = request.user
    providers = _picked(request, sel.sla_providers_for_user(user), "id")
    slas = _picked(request, sel.slas_for_user(user), "provider_id")
    coverages = _picked(
        request, sel.coverages_for_user(user), "contract__customer_id", "service__provider_id"
    )
    return render(
        request,
        T + "home.html",
        {
            "providers": [(p, sel.auto_close_days(p.pk)) for p in providers],
            "slas": slas.prefetch_related("targets"),
            "coverages": coverages,
        },
    )


@login_required
def hours_list(request: HttpRequest) -> HttpResponse:
    """The coverage windows (service hours) of the providers the user manages."""
    _manager(request)
    hours = _picked(request, sel.service_hours_for_user(request.user), "provider_id")
    return render(request, T + "hours_list.html", {"hours": hours.prefetch_related("intervals")})


@login_required
def calendar_list(request: HttpRequest) -> HttpResponse:
    """The holiday calendars (and closures) of the providers the user manages."""
    _manager(request)
    calendars = _picked(request, sel.holiday_calendars_for_user(request.user), "provider_id")
    return render(
        request, T + "calendar_list.html", {"calendars": calendars.prefetch_related("closures")}
    )


def _save(request, form, formset, save, done: str = "sla:home") -> HttpResponse | None:
    if form.is_valid() and formset.is_valid():
        try:
            save(form.cleaned_data, filled(formset))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Enregistré."))
            return redirect(done)
    return None


@login_required
def sla_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (no ``pk``) or edit an SLA and its whole set of targets."""
    _manager(request)
    user = request.user
    sla = sel.get_sla_for_user(user, pk) if pk is not None else None
    kwargs = {
        "providers": sel.sla_providers_for_user(user),
        "hours": sel.service_hours_for_user(user),
        "calendars": sel.holiday_calendars_for_user(user),
    }
    if request.method == "POST":
        form = SlaForm(request.POST, **kwargs)
        formset = SltFormSet(request.POST, prefix="slt")

        def save(data, rows):
            svc.sla_save(actor=user, sla=sla, targets=rows, **data)

        if (response := _save(request, form, formset, save)) is not None:
            return response
    else:
        initial = {}
        rows = []
        if sla is not None:
            initial = {
                "provider": sla.provider,
                "name": sla.name,
                "description": sla.description,
                "service_hours": sla.service_hours,
                "holiday_calendar": sla.holiday_calendar,
            }
            rows = list(sla.targets.values("priority", "request_type", "metric", "value", "unit"))
        form = SlaForm(initial=initial, **kwargs)
        formset = SltFormSet(initial=rows, prefix="slt")
    return render(request, T + "sla_form.html", {"form": form, "formset": formset, "sla": sla})


@login_required
def hours_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a coverage window and its intervals."""
    _manager(request)
    user = request.user
    hours = sel.get_service_hours_for_user(user, pk) if pk is not None else None
    providers = sel.sla_providers_for_user(user)
    if request.method == "POST":
        form = ServiceHoursForm(request.POST, providers=providers)
        formset = IntervalFormSet(request.POST, prefix="iv")

        def save(data, rows):
            svc.service_hours_save(
                actor=user,
                hours=hours,
                intervals=[(r["weekday"], r["start"], r["end"]) for r in rows],
                **data,
            )

        if (response := _save(request, form, formset, save, "sla:hours_list")) is not None:
            return response
    else:
        initial = (
            {"provider": hours.provider, "name": hours.name, "timezone": hours.timezone}
            if hours
            else {}
        )
        rows = list(hours.intervals.values("weekday", "start", "end")) if hours else []
        form = ServiceHoursForm(initial=initial, providers=providers)
        formset = IntervalFormSet(initial=rows, prefix="iv")
    return render(
        request, T + "hours_form.html", {"form": form, "formset": formset, "hours": hours}
    )


@login_required
def calendar_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a holiday calendar and its closures."""
    _manager(request)
    user = request.user
    calendar = sel.get_holiday_calendar_for_user(user, pk) if pk is not None else None
    providers = sel.sla_providers_for_user(user)
    if request.method == "POST":
        form = HolidayCalendarForm(request.POST, providers=providers)
        formset = ClosureFormSet(request.POST, prefix="cl")

        def save(data, rows):
            svc.holiday_calendar_save(
                actor=user,
                calendar=calendar,
                closures=[(r["label"], r["first_day"], r["last_day"]) for r in rows],
                **data,
            )

        if (response := _save(request, form, formset, save, "sla:calendar_list")) is not None:
            return response
    else:
        initial = (
            {
                "provider": calendar.provider,
                "name": calendar.name,
                "country": calendar.country,
                "subdivision": calendar.subdivision,
            }
            if calendar
            else {}
        )
        rows = list(calendar.closures.values("label", "first_day", "last_day")) if calendar else []
        form = HolidayCalendarForm(initial=initial, providers=providers)
        formset = ClosureFormSet(initial=rows, prefix="cl")
    return render(
        request,
        T + "calendar_form.html",
        {"form": form, "formset": formset, "calendar": calendar},
    )


@login_required
def coverage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the SLA of one contract × service."""
    _manager(request)
    coverage = sel.get_coverage_for_user(request.user, pk)
    slas = sel.slas_for_user(request.user).filter(provider_id=coverage.service.provider_id)
    form = CoverageSlaForm(request.POST or None, initial={"sla": coverage.sla}, slas=slas)
    if request.method == "POST" and form.is_valid():
        try:
            svc.coverage_sla_set(
                actor=request.user, coverage=coverage, sla=form.cleaned_data["sla"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("SLA enregistré pour %(c)s.") % {"c": coverage})
            return redirect("sla:home")
    return render(request, T + "coverage_form.html", {"form": form, "coverage": coverage})


@login_required
def provider_settings(request: HttpRequest, code: str) -> HttpResponse:
    """The provider's automatic-close delay."""
    _manager(request)
    provider = sel.get_sla_provider_for_user(request.user, code)
    form = ProviderSettingsForm(
        request.POST or None, initial={"auto_close_days": sel.auto_close_days(provider.pk)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.provider_sla_settings_set(
                actor=request.user,
                provider=provider,
                auto_close_days=form.cleaned_data["auto_close_days"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Enregistré."))
            return redirect("sla:home")
    return render(request, T + "settings_form.html", {"form": form, "provider": provider})
