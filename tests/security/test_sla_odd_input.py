"""The SLA console pages answer odd input with a page or a 404, never a server error."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "?from=0001-01",
        "?to=9999-12",
        "?from=9999-12&to=9999-12",
        "?from=0001-01&to=0001-01&format=csv",
    ],
)
def test_compliance_months_at_the_ends_of_the_calendar_fall_back_to_the_default(
    world, as_user, query
):
    response = as_user(world.agent).get("/console/sla/reports/compliance/" + query)
    assert response.status_code == 200
