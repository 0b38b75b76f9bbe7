"""Forms of the SLA console pages (the services validate; these only read the input)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from esup_saas.tenancy.models import Organisation

from .models_sla import (
    SLA,
    HolidayCalendar,
    Metric,
    ServiceHours,
    SltPriority,
    SltRequestType,
    TimeUnit,
    Weekday,
)

TIMEZONES = sorted(zoneinfo.available_timezones())


def blank_first(choices: Iterable[tuple[Any, str | Promise]]) -> list[tuple[Any, str | Promise]]:
    """``choices`` after a blank first choice ("", "—")."""
    return [("", "—"), *choices]


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: on its field, else on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class BootstrapForm(forms.Form):
    """A form whose widgets carry Bootstrap 5's classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs.setdefault("class", css)


class ProviderChoiceForm(BootstrapForm):
    # The queryset is the actor's providers, given to __init__.
    provider: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        queryset=None, label=_("Fournisseur")
    )

    def __init__(self, *args, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers


class ServiceHoursForm(ProviderChoiceForm):
    name = forms.CharField(label=_("Nom"), max_length=200)
    timezone = forms.ChoiceField(
        label=_("Fuseau horaire"), choices=[(tz, tz) for tz in TIMEZONES], initial="Europe/Paris"
    )


class IntervalForm(BootstrapForm):
    # A blank first choice keeps an untouched extra row empty (so it is skipped, not refused).
    weekday = forms.TypedChoiceField(
        label=_("Jour"), choices=blank_first(Weekday.choices), coerce=int
    )
    start = forms.TimeField(label=_("Début"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(
        label=_("Fin"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("00:00 = minuit en fin de journée"),
    )


IntervalFormSet = forms.formset_factory(IntervalForm, extra=3, can_delete=True)


class HolidayCalendarForm(ProviderChoiceForm):
    name = forms.CharField(label=_("Nom"), max_length=200)
    country = forms.ChoiceField(label=_("Pays"), choices=HolidayCalendar.Country.choices)
    subdivision = forms.ChoiceField(
        label=_("Jours fériés"), choices=HolidayCalendar.Subdivision.choices, required=False
    )


class ClosureForm(BootstrapForm):
    label = forms.CharField(label=_("Libellé"), max_length=200)
    first_day = forms.DateField(
        label=_("Premier jour"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = forms.DateField(
        label=_("Dernier jour"), widget=forms.DateInput(attrs={"type": "date"})
    )


ClosureFormSet = forms.formset_factory(ClosureForm, extra=2, can_delete=True)


class SlaForm(ProviderChoiceForm):
    name = forms.CharField(label=_("Nom"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    service_hours = forms.ModelChoiceField(
        queryset=ServiceHours.objects.none(),
        label=_("Plage de couverture"),
        required=False,
        empty_label=_("24 h / 24, 7 j / 7"),
    )
    holiday_calendar = forms.ModelChoiceField(
        queryset=HolidayCalendar.objects.none(),
        label=_("Calendrier des jours fériés"),
        required=False,
        empty_label=_("Aucun jour férié"),
    )

    def __init__(self, *args, hours=None, calendars=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_hours"].queryset = hours
        self.fields["holiday_calendar"].queryset = calendars


class SltForm(BootstrapForm):
    priority = forms.TypedChoiceField(
        label=_("Priorité"), choices=blank_first(SltPriority.choices), coerce=int
    )
    request_type = forms.ChoiceField(
        label=_("Type de requête"), choices=blank_first(SltRequestType.choices)
    )
    metric = forms.ChoiceField(label=_("Mesure"), choices=blank_first(Metric.choices))
    value = forms.IntegerField(label=_("Valeur"), min_value=1, max_value=100_000)
    unit = forms.ChoiceField(label=_("Unité"), choices=blank_first(TimeUnit.choices))


SltFormSet = forms.formset_factory(SltForm, extra=4, can_delete=True)


class CoverageSlaForm(BootstrapForm):
    sla = forms.ModelChoiceField(
        queryset=SLA.objects.none(), label=_("SLA"), required=False, empty_label=_("Aucun SLA")
    )

    def __init__(self, *args, slas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sla"].queryset = slas


class ProviderSettingsForm(BootstrapForm):
    auto_close_days = forms.IntegerField(
        label=_("Clôture automatique des tickets résolus après (jours calendaires)"),
        min_value=1,
        max_value=365,
    )


def filled(formset: forms.BaseFormSet) -> list[dict]:
    """The cleaned rows of a valid formset, without the empty and deleted ones."""
    return [
        {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]
