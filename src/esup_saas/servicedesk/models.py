"""Tickets of the ITIL service desk: incidents and user requests, their logs and files.

An *incident* (ref ``I-000007``) is an unplanned interruption or degradation of a service;
a *user request* (ref ``R-000001``) asks for something normal: a service request or a change
request (ITIL 4, service request management). Refs are numbered per kind from
:class:`RefCounter`, six digits, never reused.

The priority is never typed: it comes from impact × urgency through the provider's
:class:`PriorityMatrix` (specs/platform.md item 12). ``tto_deadline`` and ``ttr_deadline``
(time to own, time to resolve) are filled by the SLA engine; :class:`TicketEvent` records
what happened, for notifications and reports.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from esup_saas.catalog.models import RequestType, Service, ServiceSubcategory
from esup_saas.tenancy.models import Organisation, Person, Team

from .workflow import Status


class Kind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    USER_REQUEST = "user_request", _("Demande utilisateur")


#: Prefix of a ref per kind.
REF_PREFIX = {Kind.INCIDENT: "I", Kind.USER_REQUEST: "R"}


class Impact(models.IntegerChoices):
    """How widely the problem is felt (iTop's values, 1 = widest)."""

    DEPARTMENT = 1, _("Un établissement")
    SERVICE = 2, _("Un service")
    PERSON = 3, _("Une personne")


class Urgency(models.IntegerChoices):
    """How fast it must be handled (1 = critical)."""

    CRITICAL = 1, _("critique")
    HIGH = 2, _("haute")
    MEDIUM = 3, _("moyenne")
    LOW = 4, _("basse")


class Priority(models.IntegerChoices):
    """Priority, computed from impact × urgency (1 = critical)."""

    CRITICAL = 1, _("critique")
    HIGH = 2, _("haute")
    MEDIUM = 3, _("moyenne")
    LOW = 4, _("basse")


class Origin(models.TextChoices):
    PORTAL = "portal", _("Portail")
    MAIL = "mail", _("Courriel")
    PHONE = "phone", _("Téléphone")
    MONITORING = "monitoring", _("Supervision")
    OFFER = "offer", _("Offre hébergée")


class ResolutionCode(models.TextChoices):
    ASSISTANCE = "assistance", _("Assistance")
    BUG_FIXED = "bug_fixed", _("Correction d'anomalie")
    HARDWARE_REPAIR = "hardware_repair", _("Réparation matérielle")
    OTHER = "other", _("Autre")
    SOFTWARE_PATCH = "software_patch", _("Correctif logiciel")
    SYSTEM_UPDATE = "system_update", _("Mise à jour système")
    TRAINING = "training", _("Formation")
    CONFIGURATION = "configuration", _("Paramétrage")
    DUPLICATE = "duplicate", _("Doublon")


class Satisfaction(models.IntegerChoices):
    VERY_SATISFIED = 1, _("Très satisfait")
    SATISFIED = 2, _("Satisfait")
    DISSATISFIED = 3, _("Insatisfait")
    VERY_DISSATISFIED = 4, _("Très insatisfait")


class RefCounter(models.Model):
    """The last number given per ticket kind; rows are locked to allocate the next one."""

    kind = models.CharField(max_length=20, choices=Kind.choices, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de références")
        verbose_name_plural = _("compteurs de références")

    def __str__(self) -> str:
        return f"{self.kind}: {self.last}"


class Ticket(models.Model):
    """An incident or a user request (one table; ``kind`` tells which)."""

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    number = models.PositiveIntegerField(_("numéro"))
    title = models.CharField(_("titre"), max_length=255)
    description = models.TextField(_("description"))
    caller = models.ForeignKey(
        Person, verbose_name=_("demandeur"), on_delete=models.PROTECT, related_name="called_tickets"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("client"), on_delete=models.PROTECT, related_name="tickets"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="tickets"
    )
    subcategory = models.ForeignKey(
        ServiceSubcategory,
        verbose_name=_("sous-catégorie de service"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    request_type = models.CharField(
        _("type de requête"), max_length=20, choices=RequestType.choices
    )
    origin = models.CharField(
        _("origine"), max_length=20, choices=Origin.choices, default=Origin.PORTAL
    )
    status = models.CharField(
        _("statut"), max_length=30, choices=Status.choices, default=Status.NEW, db_index=True
    )
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices)
    urgency = models.PositiveSmallIntegerField(_("urgence"), choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(_("priorité"), choices=Priority.choices)
    team = models.ForeignKey(
        Team,
        verbose_name=_("équipe"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    agent = models.ForeignKey(
        Person,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
    )
    contacts = models.ManyToManyField(
        Person,
        verbose_name=_("contacts"),
        blank=True,
        through="TicketContact",
        related_name="contact_tickets",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("ticket parent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    related = models.ManyToManyField("self", verbose_name=_("tickets liés"), blank=True)
    start_date = models.DateTimeField(_("date de début"))
    assignment_date = models.DateTimeField(_("date d'assignation"), null=True, blank=True)
    resolution_date = models.DateTimeField(_("date de résolution"), null=True, blank=True)
    close_date = models.DateTimeField(_("date de fermeture"), null=True, blank=True)
    last_update = models.DateTimeField(_("dernière mise à jour"))
    pending_reason = models.TextField(_("raison de la mise en attente"), blank=True)
    rejection_reason = models.TextField(_("raison du rejet"), blank=True)
    resolution_code = models.CharField(
        _("code de résolution"), max_length=30, blank=True, choices=ResolutionCode.choices
    )
    solution = models.TextField(_("solution"), blank=True)
    time_spent = models.PositiveIntegerField(_("temps passé (minutes)"), default=0)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction client"), null=True, blank=True, choices=Satisfaction.choices
    )
    customer_comment = models.TextField(_("commentaire client"), blank=True)
    # Filled by the SLA engine (absolute instants); empty until it runs.
    tto_deadline = models.DateTimeField(_("échéance TTO"), null=True, blank=True)
    ttr_deadline = models.DateTimeField(_("échéance TTR"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_update"])

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="ticket_ref_unique"),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=4),
                name="ticket_satisfaction_range",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["service", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        """The public reference, e.g. ``I-000007``."""
        return format_ref(self.kind, self.number)

    @property
    def is_incident(self) -> bool:
        return self.kind == Kind.INCIDENT


def format_ref(kind: str, number: int) -> str:
    """``I-000007`` / ``R-000001`` from a kind and a number."""
    return f"{REF_PREFIX[Kind(kind)]}-{number:06d}"


class TicketContact(models.Model):
    """A person kept informed of a ticket; ``notify`` says whether they get its mails."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="contact_links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, verbose_name=_("personne"))
    notify = models.BooleanField(_("notifier"), default=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "person"], name="ticket_contact_unique")
        ]

    def __str__(self) -> str:
        return str(self.person)


class LogEntry(models.Model):
    """An entry of a ticket's public log (seen by the customer) or private log (agents)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Journal public")
        PRIVATE = "private", _("Journal privé")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="log_entries")
    visibility = models.CharField(_("journal"), max_length=10, choices=Visibility.choices)
    author = models.ForeignKey(
        Person,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"))
    body = models.TextField(_("message"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("entrée de journal")
        verbose_name_plural = _("entrées de journal")

    def __str__(self) -> str:
        return f"{self.get_visibility_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A file attached to a ticket (size and type checked on upload)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("fichier"), upload_to="attachments/%Y/%m/")
    filename = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        Person, verbose_name=_("déposé par"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    private = models.BooleanField(_("privé (agents seulement)"), default=False)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """Something that happened to a ticket: created, a transition, a log entry, a threshold.

    ``kind`` is ``created``, ``transition``, ``log_public``, ``log_private``, ``attachment``,
    ``updated``; ``data`` holds the details (JSON object). Notifications and reports read it.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    transition = models.CharField(max_length=30, blank=True)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    actor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("événement de ticket")
        verbose_name_plural = _("événements de ticket")

    def __str__(self) -> str:
        return f"{self.kind} {self.transition}".strip()


class PriorityMatrix(models.Model):
    """Impact × urgency → priority, per provider (``provider`` empty: the platform default)."""

    provider = models.OneToOneField(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="priority_matrix",
        verbose_name=_("fournisseur"),
    )

    class Meta:
        verbose_name = _("matrice de priorité")
        verbose_name_plural = _("matrices de priorité")

    def __str__(self) -> str:
        return str(self.provider) if self.provider_id else str(_("Matrice par défaut"))


class PriorityMatrixCell(models.Model):
    """One cell of a priority matrix."""

    matrix = models.ForeignKey(PriorityMatrix, on_delete=models.CASCADE, related_name="cells")
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices)
    urgency = models.PositiveSmallIntegerField(_("urgence"), choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(
        _("priorité"),
        choices=Priority.choices,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )

    class Meta:
        verbose_name = _("cellule")
        verbose_name_plural = _("cellules")
        constraints = [
            models.UniqueConstraint(fields=["matrix", "impact", "urgency"], name="matrix_cell")
        ]

    def __str__(self) -> str:
        return f"{self.impact}×{self.urgency} → {self.priority}"


class SavedSearch(models.Model):
    """A console ticket search kept by an agent under a name (the list's query string)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("nom"), max_length=100)
    query = models.CharField(_("filtres"), max_length=1000)

    class Meta:
        ordering = ["name"]
        verbose_name = _("recherche enregistrée")
        verbose_name_plural = _("recherches enregistrées")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_search_unique")
        ]

    def __str__(self) -> str:
        return self.name


# SLA and mail in (issue 3): their models live in their own modules, registered here.
from .models_mail import InboundMail, MailInbox  # noqa: E402, F401
from .models_sla import SlaClock, SlaThresholdEvent, TicketEventNotified  # noqa: E402, F401
