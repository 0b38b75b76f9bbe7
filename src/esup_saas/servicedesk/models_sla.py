"""The SLA clocks of tickets and the thresholds they crossed (issue 3).

A ticket has at most one :class:`SlaClock` per metric (TTO, TTR). The clock stores the
business seconds already counted (``elapsed_seconds``, up to ``running_since``) and, while it
runs, the absolute instants of its 75 % warning and of its deadline; a pause (pending) folds
the running period into ``elapsed_seconds``, so pauses are exact. :class:`SlaThresholdEvent`
rows are inserted *before* anything is notified, and their unique key (ticket, metric,
threshold) makes the periodic check idempotent on any number of workers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from esup_saas.catalog.models_sla import SLA, Metric


class SlaClock(models.Model):
    """The TTO or TTR stopwatch of a ticket (business seconds, under the ticket's SLA)."""

    ticket = models.ForeignKey(
        "servicedesk.Ticket", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    metric = models.CharField(_("mesure"), max_length=3, choices=Metric.choices)
    sla = models.ForeignKey(
        SLA, verbose_name=_("SLA"), null=True, blank=True, on_delete=models.SET_NULL
    )
    goal_seconds = models.FloatField(_("objectif (secondes ouvrées)"), null=True, blank=True)
    elapsed_seconds = models.FloatField(_("temps écoulé (secondes ouvrées)"), default=0)
    running_since = models.DateTimeField(_("en cours depuis"), null=True, blank=True)
    warning_at = models.DateTimeField(_("alerte à 75 %"), null=True, blank=True)
    deadline = models.DateTimeField(_("échéance"), null=True, blank=True)
    warned_at = models.DateTimeField(_("alerte levée le"), null=True, blank=True)
    breached_at = models.DateTimeField(_("dépassé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("chronomètre SLA")
        verbose_name_plural = _("chronomètres SLA")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="sla_clock_unique")
        ]
        indexes = [
            models.Index(fields=["warning_at"], name="sla_clock_warning_idx"),
            models.Index(fields=["deadline"], name="sla_clock_deadline_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric}"


class SlaThresholdEvent(models.Model):
    """A threshold crossed by a clock: 75 (warning) or 100 (breach), once per ticket."""

    ticket = models.ForeignKey(
        "servicedesk.Ticket", on_delete=models.CASCADE, related_name="sla_thresholds"
    )
    metric = models.CharField(_("mesure"), max_length=3, choices=Metric.choices)
    threshold = models.PositiveSmallIntegerField(_("seuil (%)"))
    at = models.DateTimeField(_("date"))
    overrun_seconds = models.PositiveIntegerField(_("dépassement (s)"), default=0)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("seuil SLA franchi")
        verbose_name_plural = _("seuils SLA franchis")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "metric", "threshold"], name="sla_threshold_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.threshold} %"


class TicketEventNotified(models.Model):
    """Marks a ticket event whose notifications were queued (inserted first: at most once)."""

    event = models.OneToOneField(
        "servicedesk.TicketEvent", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("événement notifié")
        verbose_name_plural = _("événements notifiés")

    def __str__(self) -> str:
        return str(self.event_id)
