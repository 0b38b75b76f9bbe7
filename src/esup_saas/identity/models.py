"""Identity: the external identities behind accounts, and each customer's directory.

- :class:`ExternalIdentity` ties an ``eduPersonPrincipalName`` (eppn, the stable SUPANN /
  eduPerson identifier) to one :class:`~esup_saas.tenancy.models.Person`, whatever protocol
  (CAS, SAML, OIDC, directory import) brought it: the same eppn always reaches the same
  account. It also keeps the person's last SUPANN profile, so tenancy's models stay as
  they are.
- :class:`DirectoryConfig` is how to reach a customer organisation's LDAP directory
  (SUPANN schema) for SMS-U and the person import.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from esup_saas.tenancy.models import Organisation, Person


class LoginMethod(models.TextChoices):
    """How a person proved who they are (or where their record came from)."""

    LOCAL = "local", _("Compte local")
    CAS = "cas", _("CAS")
    SAML = "saml", _("SAML 2 (fédération)")
    OIDC = "oidc", _("OpenID Connect")
    DIRECTORY = "directory", _("Import de l'annuaire")


class ExternalIdentity(models.Model):
    """One eppn, one person: the link between an institution's identity and our account.

    ``attributes`` holds the last attributes received (name → list of strings) and
    ``profile`` the parsed SUPANN values (affiliations, UAIs, corps, activities, birth date),
    see :meth:`esup_saas.identity.supann.Claims.profile`.
    """

    person = models.ForeignKey(
        Person,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="external_identities",
    )
    eppn = models.CharField(
        _("eduPersonPrincipalName"),
        max_length=254,
        unique=True,
        help_text=_("Identifiant stable de la personne, ex. jdupont@univ-exemple.fr."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("établissement"),
        on_delete=models.PROTECT,
        related_name="external_identities",
    )
    last_method = models.CharField(
        _("dernière méthode"), max_length=10, choices=LoginMethod.choices
    )
    attributes = models.JSONField(_("derniers attributs reçus"), default=dict, blank=True)
    profile = models.JSONField(_("profil SUPANN"), default=dict, blank=True)
    directory_dn = models.CharField(_("DN dans l'annuaire"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("vue le"), null=True, blank=True)

    class Meta:
        ordering = ["eppn"]
        verbose_name = _("identité externe")
        verbose_name_plural = _("identités externes")

    def __str__(self) -> str:
        return self.eppn


class GroupStyle(models.TextChoices):
    """How a directory records group membership (all three exist in SUPANN directories)."""

    MEMBER = "member", _("member (DN des membres dans le groupe)")
    MEMBER_UID = "memberUid", _("memberUid (uid des membres dans le groupe)")
    MEMBER_OF = "memberOf", _("memberOf (DN des groupes dans la personne)")


class DirectoryConfig(models.Model):
    """How to reach one customer organisation's LDAP directory (SUPANN schema).

    ``url`` is ``ldap://host:port`` or ``ldaps://…``; several URLs separated by spaces form
    a pool tried in order. Timeouts are in seconds. ``terms_attribute`` /
    ``terms_value``: the person accepted SMS-U's terms of use when the (multi-valued)
    attribute holds the value, as with SUPANN's ``supannCGUAcceptee``.
    """

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="directory_config",
    )
    url = models.CharField(
        _("URL du serveur"), max_length=500, help_text=_("ex. ldaps://ldap.univ-exemple.fr")
    )
    start_tls = models.BooleanField(_("StartTLS"), default=False)
    bind_dn = models.CharField(_("DN de connexion"), max_length=500, blank=True)
    bind_password = models.CharField(_("mot de passe de connexion"), max_length=200, blank=True)
    base_dn = models.CharField(_("DN de base"), max_length=500)
    people_base = models.CharField(
        _("branche des personnes"), max_length=500, blank=True, help_text=_("ex. ou=people")
    )
    group_base = models.CharField(
        _("branche des groupes"), max_length=500, blank=True, help_text=_("ex. ou=groups")
    )
    people_filter = models.CharField(
        _("filtre des personnes"), max_length=500, default="(objectClass=supannPerson)"
    )
    group_style = models.CharField(
        _("appartenance aux groupes"),
        max_length=10,
        choices=GroupStyle.choices,
        default=GroupStyle.MEMBER,
    )
    uid_attribute = models.CharField(_("attribut identifiant"), max_length=64, default="uid")
    eppn_attribute = models.CharField(
        _("attribut eppn"), max_length=64, default="eduPersonPrincipalName"
    )
    group_name_attribute = models.CharField(
        _("attribut nom de groupe"), max_length=64, default="cn"
    )
    mobile_attribute = models.CharField(
        _("attribut du mobile"),
        max_length=64,
        default="mobile",
        help_text=_("mobile ou pager, selon l'établissement."),
    )
    terms_attribute = models.CharField(
        _("attribut des CGU acceptées"), max_length=64, default="supannCGUAcceptee"
    )
    terms_value = models.CharField(_("valeur des CGU SMS-U"), max_length=100, default="{SMSU}CG")
    page_size = models.PositiveIntegerField(
        _("taille de page"), default=200, validators=[MinValueValidator(1)]
    )
    connect_timeout = models.FloatField(
        _("délai de connexion (s)"), default=5.0, validators=[MinValueValidator(0.1)]
    )
    receive_timeout = models.FloatField(
        _("délai de réponse (s)"), default=10.0, validators=[MinValueValidator(0.1)]
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("annuaire")
        verbose_name_plural = _("annuaires")

    def __str__(self) -> str:
        return f"{self.organisation} — {self.url}"

    @property
    def people_dn(self) -> str:
        """Full DN of the people branch (``base_dn`` when none)."""
        return f"{self.people_base},{self.base_dn}" if self.people_base else self.base_dn

    @property
    def group_dn(self) -> str:
        """Full DN of the groups branch (``base_dn`` when none)."""
        return f"{self.group_base},{self.base_dn}" if self.group_base else self.base_dn
