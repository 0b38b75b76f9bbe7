"""Managers' reports (specs/sms.md item 18): consolidated per month, billing account and
client application, and detail per send, in CSV (French Excel dialect: ``;`` separator,
UTF-8 with a BOM so Excel reads the accents) or XLSX (openpyxl).

They read the counters kept on each send (``Message.charged``, ``nb_recipients`` and, once
purged, ``stats``), so they stay right after the retention purge.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from esup_saas.lib.spreadsheet import csv_row, xlsx_as_text
from esup_saas.tenancy.models import Organisation

from .models import Message, MessageState
from .selectors import message_counts


class ExcelFr(csv.excel):
    """The CSV dialect French Excel expects: ``;`` between fields, CRLF line ends."""

    delimiter = ";"


@dataclass(frozen=True)
class Period:
    """``[start, end)`` dates (local); ``slug`` names export files."""

    start: dt.date
    end: dt.date

    @property
    def slug(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> Period:
        """From ``?start=YYYY-MM-DD&end=YYYY-MM-DD`` (end included); default: the last 12
        months. Raises ``ValueError`` naming the field in French for a bad date."""
        today = timezone.localdate()
        values: dict[str, dt.date] = {}
        for name in ("start", "end"):
            raw = (query.get(name) or "").strip()
            if raw:
                try:
                    values[name] = dt.date.fromisoformat(raw)
                    # Year 1 or 9999: the bounds (a day later, in UTC) overflow a datetime.
                    if not dt.MINYEAR < values[name].year < dt.MAXYEAR:
                        raise ValueError(raw)
                except ValueError:
                    raise ValueError(
                        _("%(field)s : date invalide %(value)r (AAAA-MM-JJ attendu).")
                        % {"field": name, "value": raw}
                    ) from None
        start = values.get("start", (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1))
        end = values.get("end", today) + dt.timedelta(days=1)
        if end <= start:
            raise ValueError(_("La fin de la période précède son début."))
        return cls(start, end)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time(), tzinfo=tz),
            dt.datetime.combine(self.end, dt.time(), tzinfo=tz),
        )


CONSOLIDATED_HEADERS = [
    gettext_lazy("Établissement"),
    gettext_lazy("Mois"),
    gettext_lazy("Compte d'imputation"),
    gettext_lazy("Application"),
    gettext_lazy("Envois"),
    gettext_lazy("Destinataires"),
    gettext_lazy("SMS décomptés"),
    gettext_lazy("Refusés pour quota"),
]

DETAIL_HEADERS = [
    gettext_lazy("Référence"),
    gettext_lazy("Date"),
    gettext_lazy("Expéditeur"),
    gettext_lazy("Application"),
    gettext_lazy("Compte d'imputation"),
    gettext_lazy("État"),
    gettext_lazy("Destinataires"),
    gettext_lazy("Remis"),
    gettext_lazy("En erreur"),
    gettext_lazy("Liste noire"),
    gettext_lazy("SMS décomptés"),
]


def consolidated(*, organisation: Organisation, period: Period) -> list[list[Any]]:
    """One row per month × billing account × application: sends, recipients, SMS charged,
    sends refused for quota. Months as ``YYYY-MM``."""
    start, end = period.bounds()
    rows = (
        Message.objects.filter(organisation=organisation, created_at__gte=start, created_at__lt=end)
        .annotate(month=TruncMonth("created_at"))
        .values("month", "account__label", "application__name")
        .annotate(
            sends=Count("pk", filter=~Q(state=MessageState.QUOTA_ERROR)),
            nb_people=Sum("nb_recipients", filter=~Q(state=MessageState.QUOTA_ERROR)),
            sms=Sum("charged"),
            quota_errors=Count("pk", filter=Q(state=MessageState.QUOTA_ERROR)),
        )
        .order_by("month", "account__label", "application__name")
    )
    return [
        [
            organisation.name,
            f"{row['month']:%Y-%m}",
            row["account__label"] or "",
            row["application__name"] or "",
            row["sends"],
            row["nb_people"] or 0,
            row["sms"] or 0,
            row["quota_errors"],
        ]
        for row in rows
    ]


def detail(*, organisation: Organisation, period: Period) -> list[list[Any]]:
    """One row per send of the period, with its recipients by outcome."""
    start, end = period.bounds()
    out = []
    qs = (
        Message.objects.filter(organisation=organisation, created_at__gte=start, created_at__lt=end)
        .select_related("sender", "application", "account")
        .order_by("created_at")
    )
    for message in qs:
        counts = message_counts(message)
        errors = counts.get("error", 0) + counts.get("error_post_blacklist", 0)
        out.append(
            [
                message.reference,
                timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M"),
                message.sender.full_name if message.sender else "",
                message.application.name if message.application else "",
                message.account.label if message.account else "",
                message.get_state_display(),
                message.nb_recipients,
                counts.get("delivered", 0),
                errors,
                counts.get("error_pre_blacklist", 0),
                message.charged,
            ]
        )
    return out


def to_csv(rows: Sequence[Sequence[Any]], headers: Sequence[Any]) -> bytes:
    """CSV in the French Excel dialect, UTF-8 with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect=ExcelFr)
    writer.writerow([str(h) for h in headers])
    writer.writerows(csv_row(row) for row in rows)  # user text is never a formula
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[Sequence[Any]], headers: Sequence[Any]) -> bytes:
    """An XLSX workbook of one sheet (openpyxl)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "SMS-U"
    sheet.append([str(h) for h in headers])
    for row in rows:
        sheet.append(list(row))
        xlsx_as_text(sheet[sheet.max_row])  # user text is never a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_response(
    *, rows: Sequence[Sequence[Any]], headers: Sequence[Any], filename: str, fmt: str
) -> HttpResponse:
    """A download of ``rows`` as ``fmt`` (``csv`` or ``xlsx``)."""
    if fmt == "xlsx":
        response = HttpResponse(
            to_xlsx(rows, headers),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    response = HttpResponse(to_csv(rows, headers), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
