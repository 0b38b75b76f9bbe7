"""Form fields shared by the apps (a form field cannot avoid Django)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet


class ModelIdsField(forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` that answers an id beyond 64 bits with "invalid
    choice": Django looks the ids up with ``pk__in``, on which SQLite overflows (a 500)."""

    def _check_values(self, value: Any) -> QuerySet[Any]:
        for pk in value:
            try:
                too_big = abs(int(pk)) >= 2**63
            except (TypeError, ValueError):
                continue  # Django's own check answers "invalid_pk_value"
            if too_big:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]
