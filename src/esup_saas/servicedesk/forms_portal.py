"""Forms of the customers' portal: new request, comment, accept the solution, reopen.

The forms only check the shape of the input (required fields, choices); the rules (service
open to the customer, contacts of the same organisation, attachment size and type, lifecycle)
are checked by ``services`` and their ``ValidationError`` is put back on the form with
:func:`add_service_errors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from esup_saas.lib.forms import ModelIdsField
from esup_saas.tenancy.models import Person

from .models import Impact, Satisfaction, Urgency


class MultipleFileInput(forms.FileInput):
    """``<input type="file" multiple>``."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field taking several files; ``cleaned_data`` holds a list (maybe empty)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        single = super().clean
        return [single(f, initial) for f in files]


class PersonChoiceField(ModelIdsField):
    """People shown as "First Last (function)" (an id beyond 64 bits: invalid choice)."""

    def label_from_instance(self, obj: Person) -> str:  # type: ignore[override]
        return f"{obj.full_name} ({obj.function})" if obj.function else obj.full_name


class PortalForm(forms.Form):
    """A form whose widgets get Bootstrap's ``is-invalid`` class when their field has an error."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "")
                if "is-invalid" not in classes.split():
                    widget.attrs["class"] = f"{classes} is-invalid".strip()


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` back on ``form``.

    Messages keyed by a field of the form go on that field; the others (and messages
    without a field) go on the form as a whole, so nothing the service said is lost.
    """
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class TicketCreateForm(PortalForm):
    """The new request form (after the subcategory has been chosen)."""

    impact = forms.TypedChoiceField(
        label=_("Impact"),
        choices=Impact.choices,
        coerce=int,
        initial=Impact.PERSON,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgence"),
        choices=Urgency.choices,
        coerce=int,
        initial=Urgency.MEDIUM,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    title = forms.CharField(
        label=_("Titre"),
        max_length=255,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 8}),
        help_text=_("Décrivez votre besoin ou le problème rencontré, avec les étapes suivies."),
    )
    contacts = PersonChoiceField(
        label=_("Contacts"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Personnes de votre établissement tenues informées de la requête."),
    )
    attachments = MultipleFileField(
        label=_("Pièces jointes"),
        required=False,
        widget=MultipleFileInput(attrs={"class": "form-control"}),
        help_text=_("Vous pouvez joindre plusieurs fichiers."),
    )

    def __init__(self, *args: Any, contacts: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = contacts  # type: ignore[attr-defined]


class CommentForm(PortalForm):
    """A comment on the public log, with optional files."""

    body = forms.CharField(
        label=_("Commentaire"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
    )
    attachments = MultipleFileField(
        label=_("Pièces jointes"),
        required=False,
        widget=MultipleFileInput(attrs={"class": "form-control"}),
    )


class AcceptForm(PortalForm):
    """Accept the solution: satisfaction (required) and a comment."""

    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=Satisfaction.choices,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Indiquez votre satisfaction.")},
    )
    customer_comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )


class ReopenForm(PortalForm):
    """Reopen a resolved (or rejected) request: the reason is required (it goes to the
    public log and to the agent; ``services.ticket_transition`` checks it again)."""

    comment = forms.CharField(
        label=_("Motif de la ré-ouverture"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text=_("Expliquez pourquoi la solution ne vous convient pas."),
        error_messages={"required": _("Indiquez pourquoi vous ré-ouvrez la requête.")},
    )


def uploaded_files(form: forms.Form, name: str = "attachments") -> Sequence[Any]:
    """The files of a cleaned :class:`MultipleFileField` (an empty list when none)."""
    return form.cleaned_data.get(name) or []
