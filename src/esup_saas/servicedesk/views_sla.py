"""Console page of SLA compliance per provider, service, customer and month, with CSV.

Thin: the rows come from ``selectors_sla.sla_compliance``, which counts only the tickets of
the user's console scope (narrowed to the organisation chosen in the console's picker); a
provider filter names one of the user's own providers or 404s.
The CSV uses the French Excel dialect (``;``, UTF-8 with BOM; DESIGN.md section 4).
"""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from esup_saas.lib.spreadsheet import csv_row
from esup_saas.tenancy.models import CONSOLE_ROLES, Organisation
from esup_saas.tenancy.selectors import can_use_console, organisation_ids_for
from esup_saas.tenancy.views import console_organisation_ids

from .selectors_sla import sla_compliance, totals


def _month(value: str | None, default: dt.date) -> dt.date:
    try:
        month = dt.datetime.strptime(value or "", "%Y-%m").date().replace(day=1)
    except ValueError:
        return default
    # Year 1 or 9999: the month's bounds (its end, in UTC) overflow a datetime.
    return month if dt.MINYEAR < month.year < dt.MAXYEAR else default


def _month_end(first: dt.date) -> dt.date:
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    """Table (and ``?format=csv`` export) of TTO / TTR goals met, by month."""
    if not can_use_console(request.user):
        raise Http404("console")
    today = timezone.localdate()
    start = _month(request.GET.get("from"), today.replace(month=1, day=1))
    end = _month_end(_month(request.GET.get("to"), today.replace(day=1)))
    providers = Organisation.objects.filter(
        id__in=organisation_ids_for(request.user, CONSOLE_ROLES), is_provider=True
    )
    provider = None
    if request.GET.get("provider"):
        provider = providers.filter(code=request.GET["provider"]).first()
        if provider is None:
            raise Http404("provider")
    rows = sla_compliance(
        request.user,
        start=start,
        end=end,
        provider_id=provider.pk if provider else None,
        organisation_ids=console_organisation_ids(request),
    )
    if request.GET.get("format") == "csv":
        return _csv(rows, start, end)
    return render(
        request,
        "servicedesk/sla/compliance.html",
        {
            "rows": rows,
            "total": totals(rows),
            "providers": providers,
            "provider": provider,
            "start": start,
            "end": end,
        },
    )


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def _csv(rows, start: dt.date, end: dt.date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"conformite-sla-{start:%Y-%m}-{end:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Mois"),
            _("Fournisseur"),
            _("Service"),
            _("Client"),
            _("TTO respectés"),
            _("TTO total"),
            _("TTO %"),
            _("TTR respectés"),
            _("TTR total"),
            _("TTR %"),
        ]
    )
    for r in rows:
        writer.writerow(
            csv_row(  # names typed by users are never formulas
                [
                    r.month,
                    r.provider,
                    r.service,
                    r.customer,
                    r.met["tto"],
                    r.total["tto"],
                    _rate(r.tto_rate),
                    r.met["ttr"],
                    r.total["ttr"],
                    _rate(r.ttr_rate),
                ]
            )
        )
    return response
