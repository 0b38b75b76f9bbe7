"""Mail in (issue 3, specs item 22): the service addresses and the log of received mails."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from esup_saas.catalog.models import Service, ServiceSubcategory


class MailInbox(models.Model):
    """A service's address: a new mail sent there opens a ticket of ``subcategory``."""

    address = models.EmailField(_("adresse"), unique=True)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="mail_inboxes"
    )
    subcategory = models.ForeignKey(
        ServiceSubcategory,
        verbose_name=_("sous-catégorie des tickets ouverts"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    impact = models.PositiveSmallIntegerField(_("impact"), default=3)
    urgency = models.PositiveSmallIntegerField(_("urgence"), default=3)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["address"]
        verbose_name = _("adresse de service")
        verbose_name_plural = _("adresses de service")

    def __str__(self) -> str:
        return self.address

    def clean(self) -> None:
        if (
            self.subcategory_id
            and self.service_id
            and self.subcategory.service_id != self.service_id
        ):
            raise ValidationError({"subcategory": _("La sous-catégorie doit être du service.")})


class InboundMail(models.Model):
    """A received mail (by ``Message-ID``, once) and what became of it."""

    class Status(models.TextChoices):
        THREADED = "threaded", _("Ajouté au ticket")
        CREATED = "created", _("Ticket créé")
        REFUSED = "refused", _("Refusé (réponse envoyée)")
        IGNORED = "ignored", _("Ignoré (réponse automatique)")

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    received_at = models.DateTimeField(_("reçu le"), auto_now_add=True)
    from_email = models.CharField(_("expéditeur"), max_length=255, blank=True)
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("motif"), max_length=255, blank=True)
    ticket = models.ForeignKey(
        "servicedesk.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_mails",
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("courriel reçu")
        verbose_name_plural = _("courriels reçus")

    def __str__(self) -> str:
        return f"{self.from_email}: {self.subject}"
