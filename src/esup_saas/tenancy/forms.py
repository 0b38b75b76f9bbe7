"""Forms of the tenancy pages of the console: the organisation picker and role grants."""

from __future__ import annotations

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


class MembershipGrantForm(forms.Form):
    """Give a role on an organisation to a person picked among ``persons``."""

    person = forms.ModelChoiceField(
        label=_("Personne"),
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": _("Choisissez une personne de la liste.")},
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)

    def __init__(self, *args: object, persons: QuerySet[Person], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["person"].queryset = persons.select_related("organisation")  # type: ignore[attr-defined]
        self.fields["person"].label_from_instance = (  # type: ignore[attr-defined]
            lambda p: f"{p.full_name} ({p.organisation.name})"
        )
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select")
