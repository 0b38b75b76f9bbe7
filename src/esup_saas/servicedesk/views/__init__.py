"""Views of the service desk: the customers' portal and the agents' console.

Views stay thin: they fetch through the tenancy-scoped selectors (404 for another tenant),
call one service function, and render.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from esup_saas.tenancy.selectors import can_use_console, can_use_portal


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the console (agents) or the portal (customers)."""
    if can_use_console(request.user):
        return redirect("console:home")
    if can_use_portal(request.user):
        return redirect("portal:home")
    return render(request, "servicedesk/no_role.html", status=403)
