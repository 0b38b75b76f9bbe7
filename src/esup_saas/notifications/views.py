"""Pages of the notifications: triggers and templates (coordinators), the mail log
(coordinators and service managers, scoped to their organisations), and each person's own
preferences. Thin views over the selectors and services of this app.

The console pages use the console's layout (``servicedesk/console/base.html``); the mail log
is further narrowed to the organisation chosen in the console's picker."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from esup_saas.tenancy.models import Role
from esup_saas.tenancy.selectors import organisation_ids_for, person_for_user
from esup_saas.tenancy.views import console_organisation_ids

from .forms import PreferenceForm, TriggerForm
from .models import NotificationPreference, OutgoingMail
from .registry import registered_triggers
from .selectors import (
    can_manage_notifications,
    get_mail_for_user,
    get_trigger_for_user,
    mails_for_user,
    trigger_config,
    trigger_templates,
)
from .services import preference_set, trigger_configure, trigger_reset


@login_required
def triggers(request: HttpRequest) -> HttpResponse:
    """The triggers, their recipients and whether they are customised."""
    if not can_manage_notifications(request.user):
        raise Http404("notifications")
    rows = [(t, trigger_config(t), trigger_templates(t)) for t in registered_triggers()]
    return render(request, "notifications/triggers.html", {"rows": rows})


@login_required
def trigger_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit a trigger's recipients, flags and its French and English templates."""
    trigger = get_trigger_for_user(request.user, code)
    if request.method == "POST" and "reset" in request.POST:
        trigger_reset(actor=request.user, trigger=code)
        messages.success(request, _("Modèles par défaut rétablis."))
        return redirect("notifications_console:trigger_edit", code=code)
    config = trigger_config(trigger)
    templates = trigger_templates(trigger)
    initial = {
        "recipients": list(config.recipients),
        "essential": config.essential,
        "active": config.active,
    }
    for language, (subject, body, _custom) in templates.items():
        initial[f"subject_{language}"] = subject
        initial[f"body_{language}"] = body
    form = TriggerForm(request.POST or None, initial=initial, trigger=trigger)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            trigger_configure(
                actor=request.user,
                trigger=code,
                recipients=data["recipients"],
                essential=data["essential"],
                active=data["active"],
                templates={
                    lang: (data[f"subject_{lang}"], data[f"body_{lang}"]) for lang in ("fr", "en")
                },
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Enregistré."))
            return redirect("notifications_console:triggers")
    return render(
        request,
        "notifications/trigger_form.html",
        {"trigger": trigger, "form": form, "templates": templates},
    )


@login_required
def mail_log(request: HttpRequest) -> HttpResponse:
    """Every mail of the user's organisations, newest first, with status and errors."""
    if not organisation_ids_for(request.user, [Role.COORDINATOR, Role.SERVICE_MANAGER]):
        raise Http404("mails")
    mails = mails_for_user(request.user)
    picked = console_organisation_ids(request)
    if picked is not None:
        mails = mails.filter(Q(organisation_id__in=picked) | Q(provider_id__in=picked))
    status = request.GET.get("status", "")
    if status in OutgoingMail.Status.values:
        mails = mails.filter(status=status)
    page = Paginator(mails, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/mail_log.html",
        {"page": page, "status": status, "statuses": OutgoingMail.Status.choices},
    )


@login_required
def mail_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One logged mail (recipient, status, attempts, body) if it is in the user's scope."""
    return render(
        request, "notifications/mail_detail.html", {"mail": get_mail_for_user(request.user, pk)}
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The current person's mail language and opt-out."""
    person = person_for_user(request.user)
    if person is None:
        raise Http404("person")
    pref = NotificationPreference.objects.filter(person=person).first()
    initial = {"language": pref.language, "opt_out": pref.opt_out} if pref else {"language": "fr"}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        preference_set(person=person, **form.cleaned_data)
        messages.success(request, _("Préférences enregistrées."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
