"""Notifications: editable mail templates, per-person preferences and the log of every mail.

A *trigger* (``ticket_created``, ``sla_breach`` …) is declared in code by the app that fires
it (:mod:`esup_saas.notifications.registry`), with its default recipients, whether it is
*essential* (sent even to people who opted out) and default templates in French and English.
Administrators override them here: :class:`TriggerSetting` (recipients, essential, active)
and :class:`MailTemplate` (subject and body per language, Django template syntax).
:class:`OutgoingMail` logs every mail, with its status, attempts and last error; its
``message_id`` threads the replies that come back (specs/platform.md items 21-22).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from esup_saas.tenancy.models import Organisation, Person


class Language(models.TextChoices):
    FRENCH = "fr", _("Français")
    ENGLISH = "en", _("English")


class TriggerSetting(models.Model):
    """The administrator's choices for one trigger (overrides the registry's defaults)."""

    trigger = models.CharField(_("déclencheur"), max_length=50, unique=True)
    recipients = models.JSONField(_("destinataires (rôles)"), default=list, blank=True)
    essential = models.BooleanField(
        _("essentiel"),
        default=False,
        help_text=_("Un courriel essentiel est envoyé même à qui a refusé les notifications."),
    )
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["trigger"]
        verbose_name = _("réglage de déclencheur")
        verbose_name_plural = _("réglages de déclencheurs")

    def __str__(self) -> str:
        return self.trigger


class MailTemplate(models.Model):
    """Subject and body of a trigger's mail in one language (Django template syntax)."""

    trigger = models.CharField(_("déclencheur"), max_length=50)
    language = models.CharField(_("langue"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("corps"))
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        ordering = ["trigger", "language"]
        verbose_name = _("modèle de courriel")
        verbose_name_plural = _("modèles de courriel")
        constraints = [
            models.UniqueConstraint(fields=["trigger", "language"], name="mail_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.trigger} ({self.language})"


class NotificationPreference(models.Model):
    """A person's language for mails and their opt-out of non-essential mail."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(
        _("langue des courriels"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    opt_out = models.BooleanField(_("ne recevoir que les courriels essentiels"), default=False)

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self) -> str:
        return str(self.person)


class OutgoingMail(models.Model):
    """One mail to one recipient, from its queueing to its delivery (or giving up)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En file")
        SENDING = "sending", _("En cours d'envoi")
        RETRY = "retry", _("À réessayer")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")
        SKIPPED = "skipped", _("Non envoyé (refus du destinataire)")

    created_at = models.DateTimeField(_("créé le"), auto_now_add=True, db_index=True)
    trigger = models.CharField(_("déclencheur"), max_length=50)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="mails"
    )
    to_email = models.EmailField(_("destinataire"))
    language = models.CharField(_("langue"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("corps"))
    essential = models.BooleanField(_("essentiel"), default=False)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    thread_ref = models.CharField(_("fil"), max_length=50, blank=True, db_index=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organisation"),
    )
    provider = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("fournisseur"),
    )
    dedup_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("courriel envoyé")
        verbose_name_plural = _("courriels envoyés")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="mail_due_idx")]

    def __str__(self) -> str:
        return f"{self.to_email}: {self.subject}"
