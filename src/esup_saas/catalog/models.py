"""The service catalogue and the contracts around it.

Service family → :class:`Service` (a hosted offer) → :class:`ServiceSubcategory` (what a
customer may ask about it). A :class:`CustomerContract` (the *convention établissement
utilisateur*, or the CGU, *conditions générales d'utilisation*) opens services to a customer
organisation; a :class:`ProviderContract` (*contrat fournisseur*) binds a provider to the
consortium. A :class:`SupportModel` says which teams handle which services for a customer.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from esup_saas.tenancy.models import Organisation, Person, Team


class ServiceFamily(models.Model):
    """A group of services shown together in the portal (e.g. "ESUP SMS-U")."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    icon = models.CharField(
        _("icône"), max_length=50, blank=True, help_text=_("Nom d'icône Bootstrap, ex. chat-dots.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("famille de services")
        verbose_name_plural = _("familles de services")

    def __str__(self) -> str:
        return self.name


class LifecycleStatus(models.TextChoices):
    """Status of a service or subcategory (iTop's values)."""

    IMPLEMENTATION = "implementation", _("Mise en œuvre")
    PRODUCTION = "production", _("Production")
    OBSOLETE = "obsolete", _("Obsolète")


class Service(models.Model):
    """A hosted offer delivered by a provider organisation.

    ``offer_code`` names the offer module that delivers it (``sms``, ``training``, ``mecc``,
    ``timetable``), empty for a service with no module (the consortium's own support).
    """

    name = models.CharField(_("nom"), max_length=200, unique=True)
    family = models.ForeignKey(
        ServiceFamily, verbose_name=_("famille"), on_delete=models.PROTECT, related_name="services"
    )
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("fournisseur"),
        on_delete=models.PROTECT,
        related_name="provided_services",
    )
    status = models.CharField(
        _("statut"),
        max_length=20,
        choices=LifecycleStatus.choices,
        default=LifecycleStatus.PRODUCTION,
    )
    description = models.TextField(_("description"), blank=True)
    icon = models.CharField(_("icône"), max_length=50, blank=True)
    offer_code = models.SlugField(_("code du module d'offre"), max_length=30, blank=True)
    contacts = models.ManyToManyField(
        Person, verbose_name=_("contacts"), blank=True, related_name="service_contacts"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name


class RequestType(models.TextChoices):
    """What a subcategory opens: an incident, or a user request of one of two types."""

    INCIDENT = "incident", _("Incident")
    SERVICE_REQUEST = "service_request", _("Demande de service")
    CHANGE_REQUEST = "change_request", _("Demande de changement")


class ServiceSubcategory(models.Model):
    """A kind of request about a service, e.g. "Déclarer un incident sur SMSU"."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="subcategories"
    )
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    request_type = models.CharField(
        _("type de requête"), max_length=20, choices=RequestType.choices
    )
    status = models.CharField(
        _("statut"),
        max_length=20,
        choices=LifecycleStatus.choices,
        default=LifecycleStatus.PRODUCTION,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["service__name", "name"]
        verbose_name = _("sous-catégorie de service")
        verbose_name_plural = _("sous-catégories de service")
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="subcategory_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ContractStatus(models.TextChoices):
    """Status of a contract (iTop's values)."""

    DRAFT = "draft", _("Brouillon")
    IMPLEMENTATION = "implementation", _("Mise en œuvre")
    PRODUCTION = "production", _("Production")
    OBSOLETE = "obsolete", _("Obsolète")


class BillingFrequency(models.TextChoices):
    NONE = "", _("—")
    MONTHLY = "monthly", _("Mensuelle")
    QUARTERLY = "quarterly", _("Trimestrielle")
    YEARLY = "yearly", _("Annuelle")


class ContractBase(models.Model):
    """Fields shared by customer and provider contracts."""

    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    start_date = models.DateField(_("date de début"))
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    tacit_renewal = models.BooleanField(
        _("reconduction tacite"),
        default=False,
        help_text=_(
            "Reconduit d'année en année après la date de fin, sauf dénonciation (statut Obsolète)."
        ),
    )
    cost = models.DecimalField(_("coût"), max_digits=10, decimal_places=2, null=True, blank=True)
    cost_currency = models.CharField(_("devise"), max_length=3, default="EUR")
    billing_frequency = models.CharField(
        _("fréquence de facturation"), max_length=20, choices=BillingFrequency.choices, blank=True
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("La date de fin précède la date de début.")})


class CustomerContract(ContractBase):
    """A customer's convention or CGU: opens the covered services to ``customer``."""

    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="customer_contracts",
    )
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("fournisseur"),
        on_delete=models.PROTECT,
        related_name="provided_customer_contracts",
    )
    services = models.ManyToManyField(
        Service,
        verbose_name=_("services couverts"),
        through="CustomerContractService",
        related_name="customer_contracts",
    )
    contacts = models.ManyToManyField(
        Person, verbose_name=_("contacts"), blank=True, related_name="customer_contract_contacts"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer__name", "name"]
        verbose_name = _("convention établissement utilisateur")
        verbose_name_plural = _("conventions établissements utilisateurs")

    def __str__(self) -> str:
        return self.name


class CustomerContractService(models.Model):
    """A service covered by a customer contract (the SLA per pair is attached here)."""

    contract = models.ForeignKey(CustomerContract, on_delete=models.CASCADE, related_name="covered")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="coverages")
    # SLA (issue 3): the agreement that applies to this contract × service.
    sla = models.ForeignKey(
        "catalog.SLA",
        verbose_name=_("SLA"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coverages",
    )

    class Meta:
        verbose_name = _("service couvert")
        verbose_name_plural = _("services couverts")
        constraints = [
            models.UniqueConstraint(fields=["contract", "service"], name="coverage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contract} — {self.service}"


class ProviderContract(ContractBase):
    """A provider's contract with the consortium (*convention fournisseur de service*)."""

    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("fournisseur"),
        on_delete=models.PROTECT,
        related_name="provider_contracts",
    )
    consortium = models.ForeignKey(
        Organisation,
        verbose_name=_("consortium"),
        on_delete=models.PROTECT,
        related_name="consortium_provider_contracts",
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("services"), blank=True, related_name="provider_contracts"
    )
    contacts = models.ManyToManyField(
        Person, verbose_name=_("contacts"), blank=True, related_name="provider_contract_contacts"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider__name", "name"]
        verbose_name = _("contrat fournisseur")
        verbose_name_plural = _("contrats fournisseurs")

    def __str__(self) -> str:
        return self.name


class CguAcceptance(models.Model):
    """The record that an organisation accepted a version of the CGU (who, which, when)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="cgu_acceptances",
        verbose_name=_("organisation"),
    )
    contract = models.ForeignKey(
        CustomerContract,
        on_delete=models.CASCADE,
        related_name="cgu_acceptances",
        verbose_name=_("convention"),
    )
    version = models.CharField(_("version"), max_length=50)
    accepted_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, verbose_name=_("acceptée par")
    )
    accepted_at = models.DateTimeField(_("acceptée le"), auto_now_add=True)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("acceptation des CGU")
        verbose_name_plural = _("acceptations des CGU")
        constraints = [
            models.UniqueConstraint(fields=["contract", "version"], name="cgu_acceptance_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.version}"


class Document(models.Model):
    """A file or a link attached to a service, a contract or an organisation.

    Exactly one owner is set. ``kind`` is ``file`` (``file`` set) or ``link`` (``url`` set).
    """

    class Kind(models.TextChoices):
        FILE = "file", _("Fichier")
        LINK = "link", _("Lien")

    title = models.CharField(_("titre"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.LINK)
    url = models.URLField(_("adresse"), blank=True)
    file = models.FileField(_("fichier"), upload_to="documents/%Y/", blank=True)
    description = models.TextField(_("description"), blank=True)
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("service"),
    )
    customer_contract = models.ForeignKey(
        CustomerContract,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("convention"),
    )
    provider_contract = models.ForeignKey(
        ProviderContract,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("contrat fournisseur"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("organisation"),
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        owners = [
            self.service_id,
            self.customer_contract_id,
            self.provider_contract_id,
            self.organisation_id,
        ]
        if sum(1 for o in owners if o) != 1:
            raise ValidationError(
                _(
                    "Un document appartient à exactement un service, une "
                    "convention, un contrat fournisseur ou une organisation."
                )
            )
        if self.kind == self.Kind.LINK and not self.url:
            raise ValidationError({"url": _("Un lien demande une adresse.")})
        if self.kind == self.Kind.FILE and not self.file:
            raise ValidationError({"file": _("Un document de type fichier demande un fichier.")})


class SupportModel(models.Model):
    """Which teams handle which services for a customer (*modèle de support*)."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="support_models",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("modèle de support")
        verbose_name_plural = _("modèles de support")

    def __str__(self) -> str:
        return self.name


class SupportModelLine(models.Model):
    """One line of a support model: this team handles this service."""

    support_model = models.ForeignKey(SupportModel, on_delete=models.CASCADE, related_name="lines")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, verbose_name=_("service"))
    team = models.ForeignKey(Team, on_delete=models.CASCADE, verbose_name=_("équipe"))

    class Meta:
        verbose_name = _("ligne de modèle de support")
        verbose_name_plural = _("lignes de modèle de support")
        constraints = [
            models.UniqueConstraint(fields=["support_model", "service"], name="support_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service} → {self.team}"


# SLA (issue 3): service levels live in their own module, registered with this app.
from .models_sla import (  # noqa: E402, F401
    SLA,
    SLT,
    Closure,
    HolidayCalendar,
    Metric,
    ProviderSlaSettings,
    ServiceHours,
    ServiceHoursInterval,
    TimeUnit,
    Weekday,
)
