"""SMS-U: SMS to students and staff, per customer institution (specs/sms.md).

Everything here belongs to one institution (``organisation``), the tenant:

- :class:`SmsSettings`: the institution's options (sender name, parts allowed,
  transliteration, code confirmation, retention) and its own quota;
- rights: :class:`SmsRole` (a set of :class:`Function`) assigned by :class:`RoleAssignment`
  to single persons or to groups (directory or local);
- quotas: :class:`SenderGroup` (sender groups, with a max recipients per send without
  approval, supervisors and a parent), :class:`BillingAccount` (comptes d'imputation),
  :class:`ClientApplication` (the smsuapi face) and :class:`SmsSettings` itself;
- opt-in: :class:`Subscriber` (when consent is kept locally), :class:`PhoneConfirmation`,
  :class:`SpecialCondition` (a service's *conditions particulières*);
- sends: :class:`Message` → :class:`Recipient` (one per number: its rows in ``created`` are
  the outbox that workers deliver) → :class:`Part` (one per SMS, with the operator's id
  matched by delivery receipts); :class:`BlacklistedNumber`; :class:`Template`;
  :class:`RecipientGroup` (groups to send to).

Quota counters count SMS (parts × recipients); ``quota`` ``None`` means unlimited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from esup_saas.tenancy.models import Organisation, Person


class Function(models.TextChoices):
    """The rights (fonctions) a role grants within one institution."""

    SEND_MEMBERS = "send_members", _("Envoyer aux membres de l'établissement")
    SEND_GROUPS = "send_groups", _("Envoyer à des groupes")
    SEND_FREE = "send_free", _("Envoyer à un numéro libre")
    SEND_LIST = "send_list", _("Envoyer à une liste de numéros")
    SEND_FILTER = "send_filter", _("Envoyer par filtre d'annuaire")
    ADD_MAIL = "add_mail", _("Ajouter un courriel")
    MANAGE_TEMPLATES = "manage_templates", _("Gérer les modèles")
    MANAGE_ROLES = "manage_roles", _("Gérer les rôles")
    MANAGE_GROUPS = "manage_groups", _("Gérer les groupes et les quotas")
    MANAGE_SERVICES = "manage_services", _("Gérer les conditions particulières")
    MANAGE_APPLICATIONS = "manage_applications", _("Gérer les applications clientes")
    MANAGE_BLACKLIST = "manage_blacklist", _("Gérer la liste noire")
    TRACK_OWN = "track_own", _("Suivre ses envois")
    TRACK_ALL = "track_all", _("Suivre les envois de l'établissement")
    APPROVE = "approve", _("Approuver des envois")
    REPORTS = "reports", _("Consulter les rapports")


SEND_FUNCTIONS = frozenset(
    {
        Function.SEND_MEMBERS,
        Function.SEND_GROUPS,
        Function.SEND_FREE,
        Function.SEND_LIST,
        Function.SEND_FILTER,
    }
)

#: Alphanumeric sender (SMPP source TON 5): at most 11 characters (3GPP TS 23.040 §9.1.2.5).
sender_id_validator = RegexValidator(
    r"^[A-Za-z0-9 .\-]{1,11}$",
    _("11 caractères au plus : lettres, chiffres, espace, point ou tiret."),
)


class QuotaMixin(models.Model):
    """A quota of SMS (``None``: unlimited) and what has been charged against it."""

    quota = models.PositiveBigIntegerField(
        _("quota de SMS"), null=True, blank=True, help_text=_("Vide : illimité.")
    )
    used = models.PositiveBigIntegerField(_("SMS décomptés"), default=0)

    class Meta:
        abstract = True

    @property
    def remaining(self) -> int | None:
        """SMS left (``None``: unlimited)."""
        return None if self.quota is None else max(0, self.quota - self.used)


class ConsentStorage(models.TextChoices):
    DIRECTORY = "directory", _("Annuaire (supannCGUAcceptee)")
    LOCAL = "local", _("Base locale")


class SmsSettings(QuotaMixin):
    """An institution's SMS-U options and its institution-wide quota."""

    #: Bounds of the delays the sweeper subtracts from now for every institution at once
    #: (larger values overflowed a datetime and stopped the sweep of every tenant).
    MAX_RETENTION_DAYS = 3650
    MAX_IN_PROGRESS_HOURS = 720

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="sms_settings"
    )
    sender_id = models.CharField(
        _("nom d'expéditeur"), max_length=11, validators=[sender_id_validator], default="ESUP SMS"
    )
    max_parts = models.PositiveSmallIntegerField(
        _("SMS par message au plus"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    transliterate = models.BooleanField(
        _("translittérer vers l'alphabet GSM"),
        default=False,
        help_text=_("ê→e, ’→', œ→oe, «»→\" … pour rester en GSM 7 bits (160 caractères)."),
    )
    confirm_phone = models.BooleanField(
        _("confirmer le numéro par un code"),
        default=False,
        help_text=_("À l'adhésion, un code est envoyé par SMS et doit être saisi."),
    )
    consent_storage = models.CharField(
        _("stockage des adhésions"),
        max_length=10,
        choices=ConsentStorage.choices,
        default=ConsentStorage.LOCAL,
    )
    general_conditions = models.TextField(
        _("conditions générales"),
        blank=True,
        default="J'accepte de recevoir par SMS des informations de mon établissement.",
    )
    retention_days = models.PositiveIntegerField(
        _("conservation des contenus (jours)"),
        default=180,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_DAYS)],
    )
    in_progress_timeout_hours = models.PositiveIntegerField(
        _("délai avant échec d'un SMS en cours (heures)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_IN_PROGRESS_HOURS)],
    )
    default_approver = models.ForeignKey(
        Person,
        verbose_name=_("approbateur par défaut"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("paramètres SMS-U")
        verbose_name_plural = _("paramètres SMS-U")

    def __str__(self) -> str:
        return str(self.organisation)


class SmsRole(models.Model):
    """A named set of functions within one institution (e.g. "Enseignant", "Gestionnaire")."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nom"), max_length=100)
    functions = models.JSONField(_("fonctions"), default=list)

    class Meta:
        ordering = ["name"]
        verbose_name = _("rôle SMS-U")
        verbose_name_plural = _("rôles SMS-U")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="sms_role_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = [f for f in self.functions or [] if f not in Function.values]
        if unknown or not isinstance(self.functions, list):
            raise ValidationError({"functions": _("Fonction inconnue : %s") % ", ".join(unknown)})


class RoleAssignment(models.Model):
    """A role given to one person, or to every member of a group (``group``: the name of a
    local :class:`RecipientGroup` or of a directory group, cn or DN)."""

    role = models.ForeignKey(SmsRole, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(
        Person, verbose_name=_("personne"), null=True, blank=True, on_delete=models.CASCADE
    )
    group = models.CharField(_("groupe"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("attribution de rôle")
        verbose_name_plural = _("attributions de rôle")
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(group=""))
                | (Q(person__isnull=True) & ~Q(group="")),
                name="sms_assignment_person_xor_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} → {self.person or self.group}"

    def clean(self) -> None:
        if bool(self.person_id) == bool(self.group.strip()):
            raise ValidationError(_("Indiquez une personne ou un groupe, pas les deux."))


class BillingAccount(QuotaMixin):
    """A billing account (*compte d'imputation*) that sends are charged to."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("libellé"), max_length=100)

    class Meta:
        ordering = ["label"]
        verbose_name = _("compte d'imputation")
        verbose_name_plural = _("comptes d'imputation")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "label"], name="sms_account_unique")
        ]

    def __str__(self) -> str:
        return self.label


class SenderGroup(QuotaMixin):
    """A group of senders: its members (persons, or a directory group), its quota, the most
    recipients one send may have without approval, its supervisors (approvers) and parent."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nom"), max_length=150)
    directory_group = models.CharField(
        _("groupe de l'annuaire"), max_length=300, blank=True, help_text=_("cn ou DN")
    )
    members = models.ManyToManyField(
        Person, verbose_name=_("membres"), blank=True, related_name="sms_sender_groups"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("groupe parent"), null=True, blank=True, on_delete=models.SET_NULL
    )
    supervisors = models.ManyToManyField(
        Person, verbose_name=_("superviseurs"), blank=True, related_name="+"
    )
    account = models.ForeignKey(
        BillingAccount,
        verbose_name=_("compte d'imputation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    max_recipients = models.PositiveIntegerField(
        _("destinataires au plus sans approbation"),
        null=True,
        blank=True,
        help_text=_("Vide : pas de limite."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("groupe d'expéditeurs")
        verbose_name_plural = _("groupes d'expéditeurs")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="sms_sender_group_unique")
        ]

    def __str__(self) -> str:
        return self.name


class RecipientGroup(models.Model):
    """A group to send to: a group of the directory (``directory_group``) or a local list of
    persons (``members``), with its supervisors, who approve sends to it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nom"), max_length=200)
    directory_group = models.CharField(
        _("groupe de l'annuaire"), max_length=300, blank=True, help_text=_("cn ou DN")
    )
    members = models.ManyToManyField(
        Person, verbose_name=_("membres"), blank=True, related_name="sms_recipient_groups"
    )
    supervisors = models.ManyToManyField(
        Person, verbose_name=_("superviseurs"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("groupe de destinataires")
        verbose_name_plural = _("groupes de destinataires")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="sms_recipient_group_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SpecialCondition(models.Model):
    """A service's special conditions (*condition particulière*): users opt in to it apart;
    a send made for the service reaches only them. ``key`` is stored in the directory as
    ``{SMSU}<KEY>``."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(
        _("clé"),
        max_length=30,
        validators=[RegexValidator(r"^[A-Z0-9_]+$", _("Majuscules, chiffres et _."))],
    )
    name = models.CharField(_("nom"), max_length=150)
    conditions = models.TextField(_("conditions"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("condition particulière")
        verbose_name_plural = _("conditions particulières")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="sms_condition_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Template(models.Model):
    """A message template (*modèle*); may hold personalisation tags."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("libellé"), max_length=150)
    body = models.TextField(_("texte"))

    class Meta:
        ordering = ["label"]
        verbose_name = _("modèle")
        verbose_name_plural = _("modèles")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "label"], name="sms_template_unique")
        ]

    def __str__(self) -> str:
        return self.label


class Subscriber(models.Model):
    """A person's opt-in, when the institution keeps consents locally: the mobile number
    (E.164), the general conditions, the services' conditions, and whether the number was
    confirmed by a code."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sms_subscriptions")
    phone = models.CharField(_("mobile"), max_length=20)
    general_accepted = models.BooleanField(_("conditions générales acceptées"), default=False)
    services = models.ManyToManyField(
        SpecialCondition, verbose_name=_("conditions particulières"), blank=True
    )
    phone_confirmed = models.BooleanField(_("numéro confirmé"), default=False)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="sms_subscriber_unique")
        ]
        indexes = [models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.phone}"


class PhoneConfirmation(models.Model):
    """A pending code sent to confirm a number: stored hashed, expiring, limited attempts."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=128)
    services = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("code de confirmation")
        verbose_name_plural = _("codes de confirmation")

    def __str__(self) -> str:
        return f"{self.person} — {self.phone}"


class ClientApplication(QuotaMixin):
    """An application that sends through the smsuapi-compatible HTTP API (Basic auth with
    ``name`` and a secret kept hashed), with its quota and default billing account."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.SlugField(_("identifiant"), max_length=80, unique=True)
    secret_hash = models.CharField(max_length=200, editable=False)
    account = models.ForeignKey(
        BillingAccount, verbose_name=_("compte d'imputation par défaut"), on_delete=models.PROTECT
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("application cliente")
        verbose_name_plural = _("applications clientes")

    def __str__(self) -> str:
        return self.name


class MessageState(models.TextChoices):
    WAITING_FOR_APPROVAL = "waiting_for_approval", _("En attente d'approbation")
    WAITING_FOR_SENDING = "waiting_for_sending", _("En attente d'envoi")
    SENT = "sent", _("Envoyé")
    CANCELLED = "cancelled", _("Annulé")
    QUOTA_ERROR = "quota_error", _("Quota dépassé")


class RecipientType(models.TextChoices):
    MEMBERS = "members", _("Membres de l'établissement")
    GROUP = "group", _("Groupe")
    FREE = "free", _("Numéro libre")
    LIST = "list", _("Liste de numéros")
    FILTER = "filter", _("Filtre d'annuaire")


#: The function needed for each recipient type.
FUNCTION_FOR_TYPE = {
    RecipientType.MEMBERS: Function.SEND_MEMBERS,
    RecipientType.GROUP: Function.SEND_GROUPS,
    RecipientType.FREE: Function.SEND_FREE,
    RecipientType.LIST: Function.SEND_LIST,
    RecipientType.FILTER: Function.SEND_FILTER,
}


class Message(models.Model):
    """One send (*envoi*): who, to what, what text, charged to which quotas, in which state.

    ``charged`` counts SMS charged (parts × recipients charged). After the retention
    period the content and the recipients' numbers are purged (``purged_at``); the
    counters (``stats``) stay for reports.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sender = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="sms_messages"
    )
    application = models.ForeignKey(
        ClientApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sender_group = models.ForeignKey(
        SenderGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    account = models.ForeignKey(
        BillingAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    special_condition = models.ForeignKey(
        SpecialCondition, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_type = models.CharField(max_length=10, choices=RecipientType.choices)
    recipients_label = models.CharField(_("destinataires"), max_length=500, blank=True)
    recipient_group = models.ForeignKey(
        RecipientGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.TextField(_("message"), blank=True)
    encoding = models.CharField(max_length=5, default="GSM-7")
    parts = models.PositiveSmallIntegerField(default=1)
    mail_subject = models.CharField(_("objet du courriel"), max_length=200, blank=True)
    mail_body = models.TextField(_("courriel"), blank=True)
    state = models.CharField(_("état"), max_length=25, choices=MessageState.choices, db_index=True)
    nb_recipients = models.PositiveIntegerField(default=0)
    nb_blacklisted = models.PositiveIntegerField(default=0)
    charged = models.PositiveBigIntegerField(_("SMS décomptés"), default=0)
    approvers = models.ManyToManyField(Person, blank=True, related_name="+")
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    client_id = models.CharField(max_length=100, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    mail_sent_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """``SMS-000042``: how users, tickets and the API name a send."""
        return f"SMS-{self.pk or 0:06d}"


class RecipientState(models.TextChoices):
    CREATED = "created", _("Créé")
    IN_PROGRESS = "in_progress", _("En cours")
    DELIVERED = "delivered", _("Remis")
    ERROR = "error", _("Erreur")
    ERROR_PRE_BLACKLIST = "error_pre_blacklist", _("Liste noire (non envoyé)")
    ERROR_POST_BLACKLIST = "error_post_blacklist", _("Numéro invalide (mis en liste noire)")


FINAL_RECIPIENT_STATES = frozenset(
    {
        RecipientState.DELIVERED,
        RecipientState.ERROR,
        RecipientState.ERROR_PRE_BLACKLIST,
        RecipientState.ERROR_POST_BLACKLIST,
    }
)


class Recipient(models.Model):
    """One number of a send. Rows in ``created`` whose message waits for sending form the
    outbox; a worker leases them (``lease_until``) before submitting, so two workers never
    send the same one and a dead worker's rows are picked up again once the lease expires.
    ``phone`` is E.164 (emptied by the purge)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="recipients")
    phone = models.CharField(max_length=20)
    login = models.CharField(max_length=150, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=25, choices=RecipientState.choices, default=RecipientState.CREATED
    )
    charged = models.BooleanField(default=False)
    sms_count = models.PositiveSmallIntegerField(default=1)
    error = models.CharField(max_length=300, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("destinataire")
        verbose_name_plural = _("destinataires")
        indexes = [
            models.Index(fields=["state", "lease_until"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self) -> str:
        return self.phone


class PartState(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SUBMITTING = "submitting", _("Soumis, sans réponse")
    ACCEPTED = "accepted", _("Accepté par l'opérateur")
    DELIVERED = "delivered", _("Remis")
    ERROR = "error", _("Erreur")


class Part(models.Model):
    """One SMS of a recipient's message: the operator's ``smsc_id`` (from submit_sm_resp,
    kept as sent: hex or decimal) and the receipt's ``stat``."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="sms_parts")
    seq = models.PositiveSmallIntegerField()
    smsc_id = models.CharField(max_length=65, blank=True, db_index=True)
    state = models.CharField(max_length=12, choices=PartState.choices, default=PartState.PENDING)
    stat = models.CharField(max_length=10, blank=True)
    error_code = models.CharField(max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["recipient", "seq"]
        constraints = [models.UniqueConstraint(fields=["recipient", "seq"], name="sms_part_unique")]

    def __str__(self) -> str:
        return f"{self.recipient_id}/{self.seq} {self.smsc_id}"


class BlacklistedNumber(models.Model):
    """A number never sent to again by this institution: reported invalid by the operator,
    or added / kept by an administrator."""

    class Source(models.TextChoices):
        OPERATOR = "operator", _("Signalé invalide par l'opérateur")
        ADMIN = "admin", _("Ajouté par un administrateur")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(_("numéro"), max_length=20)
    source = models.CharField(max_length=10, choices=Source.choices)
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("numéro en liste noire")
        verbose_name_plural = _("liste noire")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "phone"], name="sms_blacklist_unique")
        ]

    def __str__(self) -> str:
        return self.phone


class ClientSendKey(models.Model):
    """(application, client id, phone) already sent: the smsuapi ``AlreadySentException``."""

    application = models.ForeignKey(ClientApplication, on_delete=models.CASCADE)
    client_id = models.CharField(max_length=100)
    phone = models.CharField(max_length=20)
    message = models.ForeignKey(Message, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "client_id", "phone"], name="sms_client_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} — {self.phone}"
