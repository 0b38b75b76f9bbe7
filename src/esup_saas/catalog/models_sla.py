"""Service levels: targets, agreements, service hours and holiday calendars (issue 3).

ITIL 4 *service level management*: a **service level target** (:class:`SLT`) is one goal,
e.g. "a priority 1 incident is taken in charge (TTO, *time to own*) within 30 minutes"; a
**service level agreement** (:class:`SLA`) is the set of targets a provider commits to, and
is chosen per customer contract × service (``CustomerContractService.sla``). Goals are
counted in business time (specs/platform.md items 17-18): only inside the SLA's
:class:`ServiceHours` (weekly coverage window, several intervals a day, in a time zone) and
outside its :class:`HolidayCalendar` (French public holidays, the Alsace-Moselle ones where
the provider sits there, plus the provider's :class:`Closure` days). The arithmetic is
:mod:`esup_saas.lib.business_time`; the ticket clocks live in ``servicedesk.sla``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from esup_saas.tenancy.models import Organisation


def validate_timezone(value: str) -> None:
    """Refuse a name that is not an IANA time zone (``Europe/Paris``, ``America/Cayenne``)."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("« %(tz)s » n'est pas un fuseau horaire connu (ex. Europe/Paris)."),
            params={"tz": value},
        ) from None


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("lundi")
    TUESDAY = 1, _("mardi")
    WEDNESDAY = 2, _("mercredi")
    THURSDAY = 3, _("jeudi")
    FRIDAY = 4, _("vendredi")
    SATURDAY = 5, _("samedi")
    SUNDAY = 6, _("dimanche")


class Metric(models.TextChoices):
    """TTO: time to own (taken in charge, assigned); TTR: time to resolve."""

    TTO = "tto", _("TTO (délai de prise en charge)")
    TTR = "ttr", _("TTR (délai de résolution)")


class TimeUnit(models.TextChoices):
    """Unit of a target's value; all are counted in business time."""

    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("heures")
    BUSINESS_DAYS = "business_days", _("jours ouvrés")


class SltPriority(models.IntegerChoices):
    """Ticket priority a target applies to (same values as the service desk's)."""

    CRITICAL = 1, _("critique")
    HIGH = 2, _("haute")
    MEDIUM = 3, _("moyenne")
    LOW = 4, _("basse")


class SltRequestType(models.TextChoices):
    """Request type a target applies to (the catalogue's ``RequestType`` values)."""

    INCIDENT = "incident", _("Incident")
    SERVICE_REQUEST = "service_request", _("Demande de service")
    CHANGE_REQUEST = "change_request", _("Demande de changement")


class ServiceHours(models.Model):
    """A provider's coverage window: weekly intervals in a time zone (*heures ouvrées*)."""

    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("fournisseur"),
        on_delete=models.CASCADE,
        related_name="service_hours",
    )
    name = models.CharField(_("nom"), max_length=200)
    timezone = models.CharField(
        _("fuseau horaire"),
        max_length=64,
        default="Europe/Paris",
        validators=[validate_timezone],
    )

    class Meta:
        ordering = ["provider__name", "name"]
        verbose_name = _("plage de couverture")
        verbose_name_plural = _("plages de couverture")
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="service_hours_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ServiceHoursInterval(models.Model):
    """One interval of a weekday, e.g. Monday 08:00-12:00. An end of 00:00 means midnight."""

    hours = models.ForeignKey(ServiceHours, on_delete=models.CASCADE, related_name="intervals")
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    start = models.TimeField(_("début"))
    end = models.TimeField(_("fin"))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("intervalle")
        verbose_name_plural = _("intervalles")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def clean(self) -> None:
        if (
            self.start is not None
            and self.end is not None
            and self.end != dt.time(0, 0)
            and self.end <= self.start
        ):
            raise ValidationError({"end": _("La fin doit suivre le début.")})


class HolidayCalendar(models.Model):
    """Public holidays of a country (``holidays`` package) plus the provider's closures."""

    class Country(models.TextChoices):
        FRANCE = "FR", _("France")

    class Subdivision(models.TextChoices):
        NONE = "", _("France (droit commun)")
        ALSACE_MOSELLE = "alsace-moselle", _("Alsace-Moselle (Vendredi saint, 26 décembre)")

    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("fournisseur"),
        on_delete=models.CASCADE,
        related_name="holiday_calendars",
    )
    name = models.CharField(_("nom"), max_length=200)
    country = models.CharField(
        _("pays"), max_length=2, choices=Country.choices, default=Country.FRANCE
    )
    subdivision = models.CharField(
        _("subdivision"), max_length=20, choices=Subdivision.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["provider__name", "name"]
        verbose_name = _("calendrier des jours fériés")
        verbose_name_plural = _("calendriers des jours fériés")
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="holiday_calendar_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Closure(models.Model):
    """Days the provider closes (e.g. the Christmas week), first and last day included."""

    calendar = models.ForeignKey(HolidayCalendar, on_delete=models.CASCADE, related_name="closures")
    label = models.CharField(_("libellé"), max_length=200)
    first_day = models.DateField(_("premier jour"))
    last_day = models.DateField(_("dernier jour"))

    class Meta:
        ordering = ["first_day"]
        verbose_name = _("fermeture")
        verbose_name_plural = _("fermetures")

    def __str__(self) -> str:
        return f"{self.label} ({self.first_day} → {self.last_day})"

    #: The longest closure, in days: longer ones (up to 9999-12-31) broke every calendar
    #: built with them, hence the provider's tickets and the SLA sweep of all tenants.
    MAX_DAYS = 366

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("Le dernier jour précède le premier.")})
        if (
            self.first_day
            and self.last_day
            and (self.last_day - self.first_day).days >= (self.MAX_DAYS)
        ):
            raise ValidationError({"last_day": _("Une fermeture dure au plus un an.")})


class SLA(models.Model):
    """A service level agreement: a provider's set of targets, hours and holidays.

    No ``service_hours``: the clock runs round the clock; no ``holiday_calendar``: no day off.
    """

    provider = models.ForeignKey(
        Organisation, verbose_name=_("fournisseur"), on_delete=models.CASCADE, related_name="slas"
    )
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    service_hours = models.ForeignKey(
        ServiceHours,
        verbose_name=_("plage de couverture"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slas",
    )
    holiday_calendar = models.ForeignKey(
        HolidayCalendar,
        verbose_name=_("calendrier des jours fériés"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slas",
    )

    class Meta:
        ordering = ["provider__name", "name"]
        verbose_name = _("SLA")
        verbose_name_plural = _("SLA")
        constraints = [models.UniqueConstraint(fields=["provider", "name"], name="sla_unique_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for field in ("service_hours", "holiday_calendar"):
            other = getattr(self, field)
            if other is not None and self.provider_id and other.provider_id != self.provider_id:
                raise ValidationError({field: _("Elle doit appartenir au même fournisseur.")})


class SLT(models.Model):
    """A service level target: for (priority, request type), the metric must hold ``value``."""

    sla = models.ForeignKey(SLA, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(_("priorité"), choices=SltPriority.choices)
    request_type = models.CharField(
        _("type de requête"), max_length=20, choices=SltRequestType.choices
    )
    metric = models.CharField(_("mesure"), max_length=3, choices=Metric.choices)
    value = models.PositiveIntegerField(
        _("valeur"), validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    unit = models.CharField(_("unité"), max_length=20, choices=TimeUnit.choices)

    class Meta:
        ordering = ["metric", "request_type", "priority"]
        verbose_name = _("SLT (objectif de niveau de service)")
        verbose_name_plural = _("SLT (objectifs de niveau de service)")
        constraints = [
            models.UniqueConstraint(
                fields=["sla", "priority", "request_type", "metric"], name="slt_unique_goal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} P{self.priority} {self.value} {self.unit}"


class ProviderSlaSettings(models.Model):
    """A provider's service-desk settings: days before a resolved ticket closes by itself."""

    provider = models.OneToOneField(
        Organisation,
        verbose_name=_("fournisseur"),
        on_delete=models.CASCADE,
        related_name="sla_settings",
    )
    auto_close_days = models.PositiveSmallIntegerField(
        _("clôture automatique des tickets résolus (jours calendaires)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        verbose_name = _("réglages SLA du fournisseur")
        verbose_name_plural = _("réglages SLA des fournisseurs")

    def __str__(self) -> str:
        return str(self.provider)
