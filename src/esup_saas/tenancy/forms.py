"""Forms of the tenancy pages of the console: the organisation picker and role grants."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Person, Role


class OrganisationPickForm(forms.Form):
    """The console's organisation picker: an organisation ``code`` or ``"all"``.

    Whether the code is inside the user's scope is checked by the view (404 otherwise).
    """

    code = forms.CharField(label=_("Organisation"), max_length=50)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class PersonChoiceField(forms.ModelChoiceField):
    """A person, shown with their organisation."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.organisation.name})"


class MembershipGrantForm(forms.Form):
    """Give a role on an organisation to a person picked among ``persons``."""

    person = PersonChoiceField(
        label=_("Personne"),
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": _("Choisissez une personne de la liste.")},
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)

    def __init__(self, *args: object, persons: QuerySet[Person], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["person"].queryset = persons.select_related("organisation")  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select")
