"""Template filters of the SLA clocks (``servicedesk/sla/_clocks.html``).

A clock's elapsed time is drawn as a Bootstrap progress bar whose colour follows the
thresholds of specs/platform.md item 19: green below 75 % of the goal, orange from the
75 % warning, red from the 100 % breach (or once a breach was recorded).
"""

from __future__ import annotations

from django import template

from ..sla import WARNING_RATIO, ClockState

register = template.Library()


@register.filter
def sla_level(state: ClockState) -> str:
    """``"success"``, ``"warning"`` (≥ 75 %) or ``"danger"`` (≥ 100 %, or breached)."""
    percent = state.percent
    if state.passed or (percent is not None and percent >= 100.0):
        return "danger"
    if percent is not None and percent >= 100.0 * WARNING_RATIO:
        return "warning"
    return "success"


@register.filter
def sla_bar_width(state: ClockState) -> int:
    """The bar's width in percent: the elapsed share of the goal, capped to 0-100."""
    percent = state.percent
    if percent is None:
        return 0
    return max(0, min(100, int(percent)))
