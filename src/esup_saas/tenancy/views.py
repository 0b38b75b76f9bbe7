"""Console pages of the tenancy app: the organisation picker, organisations and their roles.

Routed from ``servicedesk/urls_console.py`` (namespace ``console``) so they live under
``/console/``. Every object comes through a scoped selector: an organisation outside the
user's console organisations answers 404 exactly like a missing one.

:func:`console_required` and :func:`console_organisation_ids` are shared with the other
console views (service desk, catalogue): the first guards the pages, the second reads the
organisation chosen in the picker.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import MembershipGrantForm, OrganisationPickForm
from .models import CONSOLE_ROLES, Organisation, Person
from .selectors import (
    can_use_console,
    get_organisation_for_user,
    manageable_organisation_ids,
    organisation_descendant_ids,
    organisation_ids_for,
    organisation_tree,
)

#: Session key holding the id of the organisation chosen in the console's picker.
CONSOLE_ORGANISATION_SESSION_KEY = "console_organisation_id"

View = Callable[..., HttpResponseBase]


def console_required(view: View) -> View:
    """Decorate a console view: log in first, then a console role (or superuser) is required.

    Anyone else (a customer's PCU, an end user, an account without a role) gets the
    ``servicedesk/no_role.html`` page with status 403.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not can_use_console(request.user):
            return render(request, "servicedesk/no_role.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def console_organisation(request: HttpRequest) -> Organisation | None:
    """The organisation chosen in the console's picker, or ``None`` for "all".

    A stored choice that has left the user's scope (a role revoked since) is forgotten.
    """
    org_id = request.session.get(CONSOLE_ORGANISATION_SESSION_KEY)
    if org_id is None:
        return None
    if org_id not in organisation_ids_for(request.user, CONSOLE_ROLES):
        request.session.pop(CONSOLE_ORGANISATION_SESSION_KEY, None)
        return None
    return Organisation.objects.filter(pk=org_id).first()


def console_organisation_ids(request: HttpRequest) -> set[int] | None:
    """Ids of the chosen organisation and its subtree, or ``None`` when "all" is chosen."""
    org = console_organisation(request)
    if org is None:
        return None
    return organisation_descendant_ids([org.pk])


def _safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@require_POST
@console_required
def organisation_select(request: HttpRequest) -> HttpResponse:
    """POST ``code`` (an organisation code, or ``all``): restrict the console to its subtree.

    A code outside the user's console organisations answers 404.
    """
    form = OrganisationPickForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez une organisation."))
        return redirect("console:home")
    code = form.cleaned_data["code"]
    target = _safe_next(request, form.cleaned_data.get("next"), "/console/")
    if code == "all":
        request.session.pop(CONSOLE_ORGANISATION_SESSION_KEY, None)
        return HttpResponseRedirect(target)
    org = get_organisation_for_user(request.user, code, CONSOLE_ROLES)
    request.session[CONSOLE_ORGANISATION_SESSION_KEY] = org.pk
    return HttpResponseRedirect(target)


@console_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The tree of the organisations the user works for (indented by depth)."""
    tree = organisation_tree(organisation_ids_for(request.user, CONSOLE_ROLES))
    return render(request, "tenancy/organisation_list.html", {"tree": tree})


def _grant_form(request: HttpRequest, data: object = None) -> MembershipGrantForm:
    persons = Person.objects.filter(organisation_id__in=manageable_organisation_ids(request.user))
    return MembershipGrantForm(data, persons=persons)  # type: ignore[arg-type]


@console_required
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One organisation: persons, teams and members, roles; managers may grant and revoke."""
    org = get_organisation_for_user(request.user, code, CONSOLE_ROLES)
    can_manage = org.pk in manageable_organisation_ids(request.user)
    context = {
        "organisation": org,
        "parent": org.parent,
        "children": org.children.order_by("name"),
        "persons": org.persons.select_related("user"),
        "teams": org.teams.prefetch_related("members"),
        "memberships": org.memberships.select_related("person", "person__organisation"),
        "can_manage": can_manage,
        "grant_form": _grant_form(request) if can_manage else None,
    }
    return render(request, "tenancy/organisation_detail.html", context)


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "tenancy/forbidden.html", {"message": message}, status=403)


@require_POST
@console_required
def membership_add(request: HttpRequest, code: str) -> HttpResponse:
    """POST ``person`` and ``role``: grant that role on organisation ``code``.

    404 outside the user's console organisations; 403 for someone who neither coordinates
    nor manages it (``tenancy.services.membership_grant`` checks again).
    """
    org = get_organisation_for_user(request.user, code, CONSOLE_ROLES)
    if org.pk not in manageable_organisation_ids(request.user):
        return _forbidden(request, _("Vous ne gérez pas cette organisation."))
    form = _grant_form(request, request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(str(e) for e in errors)
            # Translators: a field's label, then its error messages.
            messages.error(request, _("%(label)s : %(text)s") % {"label": label, "text": text})
        return redirect("console:organisation_detail", code=org.code)
    try:
        membership = services.membership_grant(
            person=form.cleaned_data["person"],
            organisation=org,
            role=form.cleaned_data["role"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except PermissionDenied as exc:
        return _forbidden(request, str(exc) or _("Vous ne gérez pas cette organisation."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("console:organisation_detail", code=org.code)
    messages.success(
        request,
        _("Rôle « %(role)s » attribué à %(person)s.")
        % {"role": membership.get_role_display(), "person": membership.person.full_name},
    )
    return redirect("console:organisation_detail", code=org.code)


@require_POST
@console_required
def membership_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """POST: revoke the membership ``pk`` of organisation ``code`` (404 if not one of its)."""
    org = get_organisation_for_user(request.user, code, CONSOLE_ROLES)
    membership = org.memberships.select_related("person").filter(pk=pk).first()
    if membership is None:
        raise Http404("membership")
    if org.pk not in manageable_organisation_ids(request.user):
        return _forbidden(request, _("Vous ne gérez pas cette organisation."))
    try:
        services.membership_revoke(membership=membership, actor=request.user)  # type: ignore[arg-type]
    except PermissionDenied as exc:
        return _forbidden(request, str(exc) or _("Vous ne gérez pas cette organisation."))
    messages.success(
        request,
        _("Rôle « %(role)s » retiré à %(person)s.")
        % {"role": membership.get_role_display(), "person": membership.person.full_name},
    )
    return redirect("console:organisation_detail", code=org.code)
