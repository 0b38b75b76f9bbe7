"""The console's ticket list filters (django-filter).

:class:`TicketFilter` works on a queryset already scoped to the user
(``selectors.tickets_for_user(user, "console")``); the choices it offers (services,
customers, teams, agents) are limited to what the user works with, so a forged value from
another tenant is simply an invalid choice.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from esup_saas.catalog.models import Service
from esup_saas.tenancy.models import CONSOLE_ROLES, Organisation, Person, Team
from esup_saas.tenancy.selectors import organisation_ids_for, teams_for_user

from .models import Kind, Priority, Ticket
from .selectors import parse_ref
from .selectors_sla import breached_ticket_ids
from .workflow import ONGOING_STATES, Status


class TicketFilter(django_filters.FilterSet):
    """Filters of ``/console/tickets/``.

    ``status`` is multiple; when none is chosen the list shows the ongoing states
    (``workflow.ONGOING_STATES``: open plus resolved). ``q`` matches a ref such as
    ``R-000001`` exactly, else a part of the title. ``unassigned`` keeps tickets without an
    agent. ``sla_breached`` keeps tickets with a TTO or TTR clock past its goal
    (``selectors_sla.breached_ticket_ids``). Needs ``request`` (for the user's choices).
    """

    q = django_filters.CharFilter(
        label=_("Recherche (titre ou référence)"), method="filter_text", max_length=200
    )
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Kind.choices)
    status = django_filters.MultipleChoiceFilter(
        label=_("Statut"), choices=Status.choices, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    service = django_filters.ModelChoiceFilter(label=_("Service"), queryset=Service.objects.none())
    organisation = django_filters.ModelChoiceFilter(
        label=_("Client"), queryset=Organisation.objects.none()
    )
    team = django_filters.ModelChoiceFilter(label=_("Équipe"), queryset=Team.objects.none())
    agent = django_filters.ModelChoiceFilter(label=_("Agent"), queryset=Person.objects.none())
    unassigned = django_filters.BooleanFilter(
        label=_("Non assignés seulement"), method="filter_unassigned", widget=forms.CheckboxInput
    )
    priority = django_filters.MultipleChoiceFilter(
        label=_("Priorité"),
        choices=Priority.choices,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    sla_breached = django_filters.BooleanFilter(
        label=_("SLA dépassé"), method="filter_sla_breached", widget=forms.CheckboxInput
    )

    class Meta:
        model = Ticket
        fields = [
            "q",
            "kind",
            "status",
            "service",
            "organisation",
            "team",
            "agent",
            "unassigned",
            "priority",
            "sla_breached",
        ]

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any, **kwargs: Any):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user
        visible = queryset if queryset is not None else Ticket.objects.none()
        console_ids = organisation_ids_for(user, CONSOLE_ROLES)
        teams = teams_for_user(user)
        self.filters["service"].queryset = Service.objects.filter(
            Q(provider_id__in=console_ids) | Q(pk__in=visible.values("service_id"))
        ).order_by("name")
        self.filters["organisation"].queryset = (
            Organisation.objects.filter(
                Q(pk__in=visible.values("organisation_id"))
                | Q(customer_contracts__services__provider_id__in=console_ids)
            )
            .distinct()
            .order_by("name")
        )
        self.filters["team"].queryset = Team.objects.filter(
            Q(pk__in=teams.values("pk")) | Q(pk__in=visible.values("team_id"))
        ).order_by("name")
        self.filters["agent"].queryset = (
            Person.objects.filter(
                Q(teams__in=teams.values("pk")) | Q(pk__in=visible.values("agent_id"))
            )
            .distinct()
            .order_by("last_name", "first_name")
        )
        for name, field in self.form.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")
            widget.attrs.setdefault("data-testid", f"filter-{name}")
        self.form.fields["unassigned"].required = False
        self.form.fields["sla_breached"].required = False

    def filter_text(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        """A full ref (``I-000007``) picks that ticket; other text searches the title."""
        text = (value or "").strip()
        if not text:
            return queryset
        parsed = parse_ref(text.upper())
        if parsed is not None:
            kind, number = parsed
            return queryset.filter(kind=kind, number=number)
        return queryset.filter(title__icontains=text)

    def filter_unassigned(
        self, queryset: QuerySet[Ticket], name: str, value: bool | None
    ) -> QuerySet[Ticket]:
        """Checked: only tickets without an agent; unchecked: no restriction."""
        return queryset.filter(agent__isnull=True) if value else queryset

    def filter_sla_breached(
        self, queryset: QuerySet[Ticket], name: str, value: bool | None
    ) -> QuerySet[Ticket]:
        """Checked: only tickets with a TTO or TTR clock past its goal now."""
        return queryset.filter(pk__in=breached_ticket_ids()) if value else queryset

    def filter_queryset(self, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        """Apply the filters; without a chosen status, keep the ongoing states only."""
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=list(ONGOING_STATES))
        return queryset
