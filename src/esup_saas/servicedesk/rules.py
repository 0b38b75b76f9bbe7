"""Object-level permissions of the service desk (django-rules predicates, no tables).

``servicedesk.work_ticket``: the ticket is in the user's console scope (an agent of its
provider, or a coordinator above it). ``servicedesk.follow_ticket``: the ticket is in the
user's portal scope (its organisation's PCU, its caller or a contact).
"""

from __future__ import annotations

import rules

from .selectors import user_can_see_ticket


@rules.predicate
def works_ticket(user: object, ticket: object) -> bool:
    return ticket is not None and user_can_see_ticket(user, ticket, "console")  # type: ignore[arg-type]


@rules.predicate
def follows_ticket(user: object, ticket: object) -> bool:
    return ticket is not None and user_can_see_ticket(user, ticket, "portal")  # type: ignore[arg-type]


rules.add_perm("servicedesk.work_ticket", works_ticket)
rules.add_perm("servicedesk.follow_ticket", follows_ticket)
