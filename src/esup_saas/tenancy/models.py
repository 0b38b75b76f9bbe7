"""Tenancy: organisations (the tenants), their people, teams and role memberships.

The tenant is :class:`Organisation`. Organisations form a tree (consortium → groups →
institutions); a role held on an organisation applies to every organisation below it, as
iTop's "allowed organisations" do. A person acts through :class:`Membership` rows
(person × organisation × :class:`Role`); one person has at most one login account
(:class:`User`), whatever their roles in however many organisations.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

#: UAI (Unité Administrative Immatriculée): the French national identifier of an
#: institution, seven digits and a check letter, e.g. ``0751717J`` (Ministère, RNE/BCE).
uai_validator = RegexValidator(
    r"^[0-9]{7}[A-Z]$", _("Un UAI compte 7 chiffres suivis d'une lettre, ex. 0751717J.")
)


class User(AbstractUser):
    """A login account. People and their roles live on :class:`Person`, not here."""

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")


class Organisation(models.Model):
    """A tenant: the consortium, a coordination group or a member institution.

    ``is_provider`` marks an organisation that delivers services (a provider university, the
    consortium for its own offer); ``is_customer`` one that uses them. Both may hold.
    ``email_domains`` (list of strings) maps e-mail and eppn domains to the organisation
    for single sign-on and mail in.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    name = models.CharField(_("nom"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    uai = models.CharField(
        _("UAI"),
        max_length=8,
        blank=True,
        validators=[uai_validator],
        help_text=_("Identifiant national de l'établissement, ex. 0751717J."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("organisation parente"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    email_domains = models.JSONField(_("domaines de messagerie"), default=list, blank=True)
    is_provider = models.BooleanField(_("fournisseur"), default=False)
    is_customer = models.BooleanField(_("client"), default=False)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["uai"], condition=~models.Q(uai=""), name="organisation_uai_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A person known to the platform (contact, caller, agent), with an optional account."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Actif")
        INACTIVE = "inactive", _("Inactif")

    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="persons",
    )
    function = models.CharField(_("fonction"), max_length=200, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    user = models.OneToOneField(
        User,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Team(models.Model):
    """A group of agents of one organisation that tickets are dispatched to."""

    name = models.CharField(_("nom"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="teams",
    )
    email = models.EmailField(_("courriel"), blank=True)
    members = models.ManyToManyField(
        Person, verbose_name=_("membres"), related_name="teams", blank=True
    )
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]
        verbose_name = _("équipe")
        verbose_name_plural = _("équipes")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """The roles a person can hold on an organisation (and, by expansion, below it).

    - coordinator: consortium coordinator (ESUP coordination), sees and manages everything of
      the organisations below.
    - service_manager: a provider's service manager (responsable de service).
    - agent: a provider's support agent (intervenant technique), works tickets in the console.
    - pcu: a customer's *point de contact unique*, the single point of contact of a customer
      institution, who opens and follows its tickets in the portal.
    - end_user: an end user of a customer institution; sees only their own tickets.
    """

    COORDINATOR = "coordinator", _("Coordinateur du consortium")
    SERVICE_MANAGER = "service_manager", _("Responsable de service (fournisseur)")
    AGENT = "agent", _("Agent (fournisseur)")
    PCU = "pcu", _("Point de contact unique (client)")
    END_USER = "end_user", _("Utilisateur final (client)")


#: Roles that work in the agents' console.
CONSOLE_ROLES = frozenset({Role.COORDINATOR, Role.SERVICE_MANAGER, Role.AGENT})
#: Roles that use the customers' portal.
PORTAL_ROLES = frozenset({Role.PCU, Role.END_USER})


class Membership(models.Model):
    """A role held by a person on an organisation; it applies to the organisation's subtree."""

    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "role"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} — {self.organisation}"
