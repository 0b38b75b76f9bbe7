"""Knowledge: FAQ categories, FAQs shown in the portal, known errors for agents.

A FAQ concerns one or more services; the portal shows it to the customers of those services
(whose contract is in force). A FAQ with no service is shown to every customer.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from esup_saas.catalog.models import Service


class FaqCategory(models.Model):
    """A heading of the FAQ list (e.g. "SMSU")."""

    name = models.CharField(_("nom"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("catégorie de FAQ")
        verbose_name_plural = _("catégories de FAQ")

    def __str__(self) -> str:
        return self.name


class Faq(models.Model):
    """A frequently asked question; ``description`` is sanitised rich text."""

    category = models.ForeignKey(
        FaqCategory, verbose_name=_("catégorie"), on_delete=models.PROTECT, related_name="faqs"
    )
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("résumé"), blank=True)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(_("mots clés"), max_length=300, blank=True)
    domains = models.CharField(_("domaines"), max_length=300, blank=True)
    error_code = models.CharField(_("code d'erreur"), max_length=100, blank=True)
    services = models.ManyToManyField(
        Service, verbose_name=_("services concernés"), blank=True, related_name="faqs"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["category__name", "title"]
        verbose_name = _("FAQ")
        verbose_name_plural = _("FAQs")
        constraints = [
            models.UniqueConstraint(fields=["category", "title"], name="faq_unique_title")
        ]

    def __str__(self) -> str:
        return self.title


class KnownError(models.Model):
    """A known error (ITIL problem management): symptom, root cause and workaround."""

    name = models.CharField(_("nom"), max_length=200)
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="known_errors",
    )
    symptom = models.TextField(_("symptôme"))
    root_cause = models.TextField(_("cause racine"), blank=True)
    workaround = models.TextField(_("contournement"), blank=True)
    error_code = models.CharField(_("code d'erreur"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("erreur connue")
        verbose_name_plural = _("erreurs connues")

    def __str__(self) -> str:
        return self.name
