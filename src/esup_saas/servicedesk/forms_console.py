"""Forms of the agents' console: transitions, qualification, logs, files, saved searches.

Each transition form carries exactly the fields its transition requires
(``workflow.Transition.requires``); the service layer (``services.ticket_transition``)
checks them again, so a forged POST gets the same French error naming the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from esup_saas.catalog.models import ServiceSubcategory
from esup_saas.tenancy.models import Person, Team

from .models import Impact, ResolutionCode, Urgency


class TeamChoiceField(forms.ModelChoiceField):
    """A team, shown with its organisation."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class PersonChoiceField(forms.ModelChoiceField):
    """A person, shown by full name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class SubcategoryChoiceField(forms.ModelChoiceField):
    """A service subcategory, shown with its service."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.service.name} — {obj.name}"


class BootstrapMixin:
    """Give every widget Bootstrap's class (``form-select``, ``form-check-input``, …)."""

    def _style(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            widget.attrs.setdefault("data-testid", "field-" + name.replace("_", "-"))


class TeamAgentForm(BootstrapMixin, forms.Form):
    """Team, then agent (a member of that team): the fields of ``assign`` and ``reassign``.

    ``user`` limits the teams to ``tenancy.selectors.teams_for_user``. The agent list first
    holds every member of those teams; picking a team reloads it through htmx from
    ``console:team_agents``. The membership of the agent in the team is checked by the
    service layer.
    """

    team = TeamChoiceField(
        label=_("Équipe"),
        queryset=Team.objects.none(),
        error_messages={
            "required": _("Choisissez une équipe."),
            "invalid_choice": _("Choisissez une équipe de la liste."),
        },
    )
    agent = PersonChoiceField(
        label=_("Agent"),
        queryset=Person.objects.none(),
        error_messages={
            "required": _("Choisissez un agent."),
            "invalid_choice": _("Choisissez un agent de la liste."),
        },
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field: forms.ModelChoiceField = self.fields["team"]  # type: ignore[assignment]
        agent_field: forms.ModelChoiceField = self.fields["agent"]  # type: ignore[assignment]
        team_field.queryset = teams.select_related("organisation")
        agent_field.queryset = (
            Person.objects.filter(teams__in=teams, status=Person.Status.ACTIVE)
            .distinct()
            .order_by("last_name", "first_name")
        )
        self._style()
        team_field.widget.attrs.update(
            {
                "data-team-select": "",
                "data-agents-url": reverse("console:team_agents", args=[0]),
                "hx-get": reverse("console:team_agents", args=[0]),
                "hx-trigger": "change",
                "hx-target": "#" + self["agent"].auto_id,
                "hx-swap": "innerHTML",
            }
        )


class PendingForm(BootstrapMixin, forms.Form):
    """The field of ``pending``: why the ticket waits."""

    pending_reason = forms.CharField(
        label=_("Raison de la mise en attente"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez la raison de la mise en attente.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class RejectForm(BootstrapMixin, forms.Form):
    """The field of ``reject``: why the request is refused."""

    rejection_reason = forms.CharField(
        label=_("Raison du rejet"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez la raison du rejet.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ResolveForm(BootstrapMixin, forms.Form):
    """The fields of ``resolve``: resolution code, solution and time spent (minutes)."""

    resolution_code = forms.ChoiceField(
        label=_("Code de résolution"),
        choices=[("", "---------"), *ResolutionCode.choices],
        error_messages={"required": _("Choisissez un code de résolution.")},
    )
    solution = forms.CharField(
        label=_("Solution"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Décrivez la solution.")},
    )
    time_spent = forms.IntegerField(
        label=_("Temps passé (minutes)"),
        min_value=0,
        max_value=1_000_000,
        required=False,
        initial=0,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean_time_spent(self) -> int:
        return self.cleaned_data.get("time_spent") or 0


class NoFieldsForm(forms.Form):
    """The (empty) form of transitions that need no field: approve, resume, …"""


def transition_form_class(code: str) -> type[forms.Form]:
    """The form class of the transition ``code`` (an empty form when it needs no field)."""
    forms_by_code: dict[str, type[forms.Form]] = {
        "assign": TeamAgentForm,
        "reassign": TeamAgentForm,
        "pending": PendingForm,
        "reject": RejectForm,
        "resolve": ResolveForm,
    }
    return forms_by_code.get(code, NoFieldsForm)


class QualificationForm(BootstrapMixin, forms.Form):
    """Title, impact, urgency and subcategory of a ticket; the priority is computed, not typed."""

    title = forms.CharField(
        label=_("Titre"),
        max_length=255,
        error_messages={"required": _("Le titre est obligatoire.")},
    )
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int)
    urgency = forms.TypedChoiceField(label=_("Urgence"), choices=Urgency.choices, coerce=int)
    subcategory = SubcategoryChoiceField(
        label=_("Sous-catégorie de service"),
        queryset=ServiceSubcategory.objects.none(),
        error_messages={"invalid_choice": _("Choisissez une sous-catégorie de la liste.")},
    )

    def __init__(
        self, *args: Any, subcategories: QuerySet[ServiceSubcategory], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField = self.fields["subcategory"]  # type: ignore[assignment]
        field.queryset = subcategories.select_related("service")
        self._style()


class LogEntryForm(BootstrapMixin, forms.Form):
    """A message for the public or the private log."""

    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Le message est vide.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class AttachmentForm(BootstrapMixin, forms.Form):
    """One file, public (seen by the customer) or private (agents only)."""

    file = forms.FileField(
        label=_("Fichier"), error_messages={"required": _("Choisissez un fichier.")}
    )
    private = forms.BooleanField(label=_("Privé (agents seulement)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class SavedSearchForm(BootstrapMixin, forms.Form):
    """The name under which the current list's filters (``query``) are saved."""

    name = forms.CharField(
        label=_("Nom de la recherche"),
        max_length=100,
        error_messages={"required": _("Donnez un nom à la recherche.")},
    )
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
