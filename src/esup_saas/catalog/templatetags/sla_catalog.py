"""Template filters of the SLA pages of the console (``catalog/sla/``)."""

from __future__ import annotations

from django import template

from ..models_sla import SLT
from ..selectors_sla import slt_amount

register = template.Library()


@register.filter
def amount(target: SLT) -> str:
    """A target's value and unit, plural when it should be: ``"1 jour ouvré"``, ``"4 heures"``."""
    return slt_amount(target.value, target.unit)
