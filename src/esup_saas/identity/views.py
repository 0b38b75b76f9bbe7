"""Views of the identity app: the protocol endpoints, thin wrappers over the libraries.

Each wrapper adds two things to the library's view: a 404 while its method is off, and the
refusal page (:func:`refusal_response`) instead of a bare 403 when a login is refused, with
the session emptied so that nothing of the attempt survives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import TypeVar, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from django_cas_ng import views as cas_views
from djangosaml2 import views as saml_views
from mozilla_django_oidc import views as oidc_views

from . import conf
from .exceptions import LoginRefused

logger = logging.getLogger(__name__)


def refusal_response(
    request: HttpRequest, refusal: LoginRefused, status: int = 403
) -> HttpResponse:
    """Log the refusal, end any session, and render ``identity/refused.html``."""
    logger.warning("login refused (%s): %s", refusal.reason, refusal.detail)
    auth.logout(request)  # flushes the session: no account, no half-open login
    return render(
        request,
        "identity/refused.html",
        {"reason": refusal.reason, "message": refusal.message},
        status=status,
    )


def _method_required(enabled: Callable[[], bool]) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not enabled():
                raise Http404("login method disabled")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


local_required = _method_required(conf.local_enabled)


# --- CAS --------------------------------------------------------------------------------


def _drop_off_site_next(request: HttpRequest) -> None:
    """Remove an off-site ``next`` from the query before django-cas-ng reads it.

    django-cas-ng 5.1 checks ``next`` only through ``CAS_LOGIN_NEXT_PAGE`` (unset), then
    reads the raw ``?next=`` again in ``get_redirect_url`` and redirects there after the
    login or logout: an open redirect (``?next=https://evil…``, ``/\\evil…``). Allowed:
    this host, and the public host of ``CAS_ROOT_PROXIED_AS`` behind a proxy."""
    target = request.GET.get("next")
    if target is None:
        return
    hosts = {request.get_host()}
    public = getattr(settings, "CAS_ROOT_PROXIED_AS", None)
    if public:
        hosts.add(urlsplit(public).netloc)
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts=hosts, require_https=request.is_secure()
    ):
        query = request.GET.copy()
        del query["next"]
        query._mutable = False
        request.GET = query  # type: ignore[assignment]  # an immutable QueryDict, as before


@method_decorator(csrf_exempt, name="dispatch")
class CASLoginView(cas_views.LoginView):
    """django-cas-ng's login (redirect to the CAS server, then ticket validation; POST
    receives the CAS server's single logout requests, hence no CSRF token)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not conf.cas_enabled():
            raise Http404("CAS disabled")
        _drop_off_site_next(request)
        try:
            return super().dispatch(request, *args, **kwargs)
        except LoginRefused as refusal:
            return refusal_response(request, refusal)
        except PermissionDenied as exc:
            return refusal_response(request, LoginRefused("invalid_ticket", str(exc)))


class CASLogoutView(cas_views.LogoutView):
    """Local logout, then the CAS server's logout (CAS 3 protocol §2.3)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not conf.cas_enabled():
            raise Http404("CAS disabled")
        _drop_off_site_next(request)
        return super().dispatch(request, *args, **kwargs)


# --- SAML -------------------------------------------------------------------------------


V = TypeVar("V", bound=type[View])


def _saml_required(view_class: V) -> V:
    class Wrapped(view_class):  # type: ignore[valid-type, misc]
        def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            if not conf.saml_enabled():
                raise Http404("SAML disabled")
            try:
                return super().dispatch(request, *args, **kwargs)
            except LoginRefused as refusal:  # e.g. the federation metadata is unreachable
                return refusal_response(request, refusal)

    Wrapped.__name__ = view_class.__name__
    Wrapped.__doc__ = view_class.__doc__
    return cast(V, Wrapped)


SAMLLoginView = _saml_required(saml_views.LoginView)
SAMLMetadataView = _saml_required(saml_views.MetadataView)


@method_decorator(csrf_exempt, name="dispatch")
class SAMLAssertionConsumerView(_saml_required(saml_views.AssertionConsumerServiceView)):  # type: ignore[misc]
    """The SAML 2.0 assertion consumer service (HTTP-POST binding: the identity provider's
    page posts here cross-site, so no CSRF token; the response's signature and
    ``InResponseTo`` protect it)."""

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):  # type: ignore[override]
        refusal = exception if isinstance(exception, LoginRefused) else None
        if refusal is None and isinstance(getattr(exception, "__cause__", None), LoginRefused):
            refusal = exception.__cause__
        if refusal is not None:
            return refusal_response(request, refusal, status=403)
        return refusal_response(
            request, LoginRefused("invalid_assertion", repr(exception)), status=403
        )

    def authenticate_user(self, request, *args, **kwargs):  # type: ignore[override]
        try:
            return super().authenticate_user(request, *args, **kwargs)
        except LoginRefused as refusal:
            # djangosaml2 only turns PermissionDenied into a failure page; ours carry the
            # reason, so wrap them the same way.
            raise PermissionDenied(refusal.reason) from refusal


# --- OpenID Connect ---------------------------------------------------------------------


class OIDCAuthenticateView(oidc_views.OIDCAuthenticationRequestView):
    """Redirect to the OpenID provider's authorization endpoint (Core 1.0 §3.1.2.1)."""

    def __init__(self, *args, **kwargs) -> None:
        # The library reads its settings here; defer to the request (they may come from
        # the provider's discovery document, and OIDC may be off).
        super(oidc_views.OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr, *args):  # type: ignore[no-untyped-def]
        from .backends import oidc_setting

        return oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if not conf.oidc_enabled():
            raise Http404("OIDC disabled")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
            self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        except LoginRefused as refusal:
            return refusal_response(request, refusal)
        return super().get(request)


class OIDCCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The redirect URI: code → tokens → userinfo → our account (Core 1.0 §3.1.2.5)."""

    @staticmethod
    def get_settings(attr, *args):  # type: ignore[no-untyped-def]
        from .backends import oidc_setting

        return oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if not conf.oidc_enabled():
            raise Http404("OIDC disabled")
        try:
            return super().get(request)
        except LoginRefused as refusal:
            return refusal_response(request, refusal)
        except (PermissionDenied, SuspiciousOperation) as exc:
            # SuspiciousOperation: a state that is not (or no longer) in the session, e.g.
            # the same callback URL opened twice.
            return refusal_response(request, LoginRefused("provider_error", str(exc)))

    def login_failure(self) -> HttpResponse:
        return refusal_response(
            self.request, LoginRefused("provider_error", "OIDC callback without a valid code")
        )


# --- local accounts: password reset -----------------------------------------------------

password_reset = local_required(
    auth_views.PasswordResetView.as_view(
        template_name="identity/password_reset_form.html",
        email_template_name="identity/password_reset_email.txt",
        subject_template_name="identity/password_reset_subject.txt",
        success_url=reverse_lazy("password_reset_done"),
    )
)
password_reset_done = local_required(
    auth_views.PasswordResetDoneView.as_view(template_name="identity/password_reset_done.html")
)
password_reset_confirm = local_required(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="identity/password_reset_confirm.html",
        success_url=reverse_lazy("password_reset_complete"),
    )
)
password_reset_complete = local_required(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="identity/password_reset_complete.html"
    )
)
