"""Forms of the notification pages (validation of templates is the services' job)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Language
from .registry import Trigger


class TriggerForm(forms.Form):
    recipients = forms.MultipleChoiceField(
        label=_("Destinataires"), required=False, widget=forms.CheckboxSelectMultiple
    )
    essential = forms.BooleanField(
        label=_("Essentiel (envoyé même à qui a refusé les notifications)"), required=False
    )
    active = forms.BooleanField(label=_("Actif"), required=False)
    subject_fr = forms.CharField(label=_("Objet (français)"), max_length=255)
    body_fr = forms.CharField(label=_("Corps (français)"), widget=forms.Textarea(attrs={"rows": 8}))
    subject_en = forms.CharField(label=_("Objet (anglais)"), max_length=255)
    body_en = forms.CharField(label=_("Corps (anglais)"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, trigger: Trigger, **kwargs):
        super().__init__(*args, **kwargs)
        recipients = self.fields["recipients"]
        assert isinstance(recipients, forms.MultipleChoiceField)  # declared above
        recipients.choices = [(k, v) for k, v in trigger.roles.items()]
        for name, field in self.fields.items():
            if name in ("recipients", "essential", "active"):
                continue
            field.widget.attrs.setdefault("class", "form-control font-monospace")


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Langue des courriels"),
        choices=Language.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    opt_out = forms.BooleanField(
        label=_("Ne recevoir que les courriels essentiels"),
        required=False,
        help_text=_(
            "Les courriels essentiels (accusé de création, solution proposée, alertes SLA) "
            "sont toujours envoyés."
        ),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
