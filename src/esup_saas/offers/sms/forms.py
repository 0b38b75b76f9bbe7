"""Forms of SMS-U's pages. Every choice list is limited to the institution (the tenant)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from esup_saas.lib.forms import ModelIdsField
from esup_saas.tenancy.models import Organisation, Person

from .models import (
    FUNCTION_FOR_TYPE,
    BillingAccount,
    ClientApplication,
    Function,
    RecipientGroup,
    RecipientType,
    SenderGroup,
    SmsRole,
    SmsSettings,
    SpecialCondition,
    Template,
)


class Bootstrap:
    """Gives every widget its Bootstrap 5 class (form-control, form-select, form-check-input)."""

    fields: dict[str, Any]

    def bootstrap(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def _people(organisation: Organisation) -> Any:
    return Person.objects.filter(organisation=organisation).order_by("last_name", "first_name")


class SendForm(Bootstrap, forms.Form):
    """The seed's "Envoi SMS" form."""

    account = forms.ModelChoiceField(
        label=_("Décompter du quota"),
        queryset=BillingAccount.objects.none(),
        required=False,
        empty_label=_("Compte de mon groupe"),
    )
    special_condition = forms.ModelChoiceField(
        label=_("Condition particulière"),
        queryset=SpecialCondition.objects.none(),
        required=False,
        empty_label=_("Aucune"),
    )
    recipient_type = forms.ChoiceField(label=_("Type de destinataire"))
    group = forms.ModelChoiceField(
        label=_("Groupe"),
        queryset=RecipientGroup.objects.none(),
        required=False,
        empty_label=_("Choisissez un groupe"),
    )
    recipients = forms.CharField(
        label=_("Destinataires"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Identifiants, numéro ou liste de numéros (un par ligne), ou filtre LDAP, selon "
            "le type de destinataire."
        ),
    )
    template = forms.ModelChoiceField(
        label=_("Modèle"),
        queryset=Template.objects.none(),
        required=False,
        empty_label=_("Aucun"),
    )
    content = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    mail_subject = forms.CharField(label=_("Objet du courriel"), required=False, max_length=200)
    mail_body = forms.CharField(
        label=_("Courriel"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, organisation: Organisation, functions: frozenset[str], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        f = self.fields
        f["account"].queryset = BillingAccount.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        f["special_condition"].queryset = SpecialCondition.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )
        f["group"].queryset = RecipientGroup.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        f["template"].queryset = Template.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        f["recipient_type"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in RecipientType.choices
            if FUNCTION_FOR_TYPE[RecipientType(value)] in functions
        ]
        if Function.ADD_MAIL not in functions:
            del f["mail_subject"]
            del f["mail_body"]
        self.bootstrap()

    def recipients_value(self) -> str:
        """What :func:`~.recipients.resolve` takes for the chosen type."""
        data = self.cleaned_data
        if data.get("recipient_type") == RecipientType.GROUP:
            group = data.get("group")
            return str(group.pk) if group else ""
        return data.get("recipients") or ""


class OptInForm(Bootstrap, forms.Form):
    """Adhésion: general conditions, services' conditions, mobile number."""

    accept_general = forms.BooleanField(label=_("J'accepte les conditions générales"))
    services = ModelIdsField(
        label=_("Conditions particulières acceptées"),
        queryset=SpecialCondition.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(label=_("Numéro de mobile"), max_length=30)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = SpecialCondition.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )
        self.bootstrap()


class CodeForm(Bootstrap, forms.Form):
    code = forms.CharField(label=_("Code reçu par SMS"), max_length=12)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.bootstrap()


class RefuseForm(Bootstrap, forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.bootstrap()


class ReportIncidentForm(Bootstrap, forms.Form):
    description = forms.CharField(
        label=_("Ce qui ne va pas"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.bootstrap()


# --- management ---------------------------------------------------------------------------


class OrgModelForm(Bootstrap, forms.ModelForm):
    """A model form whose person / group / account choices come from one institution."""

    person_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation
        for name in self.person_fields:
            if name in self.fields:
                self.fields[name].queryset = _people(organisation)  # type: ignore[attr-defined]
        for name, model in (
            ("account", BillingAccount),
            ("parent", SenderGroup),
        ):
            if name in self.fields:
                qs = model.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
                if name == "parent" and self.instance.pk:
                    qs = qs.exclude(pk=self.instance.pk)
                self.fields[name].queryset = qs  # type: ignore[attr-defined]
        self.bootstrap()


class TemplateForm(OrgModelForm):
    class Meta:
        model = Template
        fields = ["label", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "data-sms-counter": "1"})}


class AccountForm(OrgModelForm):
    class Meta:
        model = BillingAccount
        fields = ["label", "quota"]


class ConditionForm(OrgModelForm):
    class Meta:
        model = SpecialCondition
        fields = ["key", "name", "conditions"]


class RecipientGroupForm(OrgModelForm):
    person_fields = ("members", "supervisors")

    class Meta:
        model = RecipientGroup
        fields = ["name", "directory_group", "members", "supervisors"]
        field_classes = {"members": ModelIdsField, "supervisors": ModelIdsField}
        widgets = {
            "members": forms.SelectMultiple(attrs={"size": 8}),
            "supervisors": forms.SelectMultiple(attrs={"size": 4}),
        }


class SenderGroupForm(OrgModelForm):
    person_fields = ("members", "supervisors")

    class Meta:
        model = SenderGroup
        fields = [
            "name",
            "directory_group",
            "members",
            "parent",
            "supervisors",
            "account",
            "quota",
            "max_recipients",
        ]
        field_classes = {"members": ModelIdsField, "supervisors": ModelIdsField}
        widgets = {
            "members": forms.SelectMultiple(attrs={"size": 6}),
            "supervisors": forms.SelectMultiple(attrs={"size": 4}),
        }


class ApplicationForm(OrgModelForm):
    class Meta:
        model = ClientApplication
        fields = ["name", "account", "quota", "is_active"]


class SettingsForm(OrgModelForm):
    person_fields = ("default_approver",)

    class Meta:
        model = SmsSettings
        fields = [
            "sender_id",
            "max_parts",
            "transliterate",
            "confirm_phone",
            "consent_storage",
            "general_conditions",
            "retention_days",
            "in_progress_timeout_hours",
            "default_approver",
            "quota",
        ]


class RoleForm(OrgModelForm):
    """A role: its functions, and who holds it (persons, and groups one per line)."""

    functions = forms.MultipleChoiceField(
        label=_("Fonctions"), choices=Function.choices, widget=forms.CheckboxSelectMultiple
    )
    persons = ModelIdsField(
        label=_("Personnes"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    groups = forms.CharField(
        label=_("Groupes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Un groupe par ligne : nom d'un groupe local, ou cn / DN de l'annuaire."),
    )
    person_fields = ("persons",)

    class Meta:
        model = SmsRole
        fields = ["name", "functions"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            assignments = list(self.instance.assignments.all())
            self.initial["persons"] = [a.person_id for a in assignments if a.person_id]
            self.initial["groups"] = "\n".join(a.group for a in assignments if a.group)

    def group_list(self) -> list[str]:
        return [g.strip() for g in self.cleaned_data.get("groups", "").splitlines() if g.strip()]
