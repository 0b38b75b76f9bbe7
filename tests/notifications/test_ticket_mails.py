"""Who gets which ticket mail, and what it says (servicedesk.notify, the demo walk-through).

The mails are read from the log of outgoing mail (``OutgoingMail``): one row per recipient,
with the subject and body rendered in the recipient's language.
"""

from __future__ import annotations

import pytest

from esup_saas.notifications.models import OutgoingMail
from esup_saas.servicedesk.services import log_entry_add, ticket_transition
from esup_saas.tenancy.services import person_create
from tests.conftest import make_ticket


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (mail dispatch) of the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def mails(trigger: str | None = None) -> dict[str, OutgoingMail]:
    """The mails logged (of ``trigger``), by address."""
    rows = OutgoingMail.objects.all()
    if trigger:
        rows = rows.filter(trigger=trigger)
    return {m.to_email: m for m in rows}


def _resolved(world):
    """A ticket of the owner, assigned to world.agent in world.team and resolved."""
    agent = world.agent.user
    ticket = make_ticket(world)
    ticket_transition(ticket=ticket, code="assign", actor=agent, team=world.team, agent=world.agent)
    ticket_transition(
        ticket=ticket, code="resolve", actor=agent, resolution_code="other", solution="<p>Ok</p>"
    )
    return ticket


# --- 1. a reopening reaches the agent and the team, with its reason -------------------------


def test_reopen_notifies_agent_and_team_with_the_reason(world, commit):
    colleague = person_create(
        first_name="Théo", last_name="Team", organisation=world.provider, email="theo@p1.org"
    )
    world.team.members.add(colleague)
    with commit():
        ticket = _resolved(world)
    OutgoingMail.objects.all().delete()
    with commit():
        ticket_transition(
            ticket=ticket,
            code="reopen",
            actor=world.owner.user,
            comment="<p>Le service plante encore.</p>",
        )
    reopened = mails("ticket_reopened")
    assert set(reopened) == {"agent1@example.org", "theo@p1.org"}
    mail = reopened["agent1@example.org"]
    assert mail.subject == "[I-000001] Ticket ré-ouvert : Un problème"
    assert "Olivia Owner (Customer One) a ré-ouvert le ticket I-000001" in mail.body
    assert "Motif :\nLe service plante encore." in mail.body
    # The comment is carried by the reopening's mail, not sent again as a "new message";
    # the owner, who reopened, is not told of their own action.
    assert not mails("ticket_log_public")
    assert "owner@example.org" not in mails()


def test_reopen_of_a_rejected_request_reaches_the_contacts_with_the_reason(world, commit):
    with commit():
        ticket = make_ticket(world, sub=world.request_sub)
        ticket.contact_links.create(person=world.member, notify=True)
        ticket_transition(ticket=ticket, code="wait_for_approval", actor=world.agent.user)
        ticket_transition(
            ticket=ticket, code="reject", actor=world.agent.user, rejection_reason="Hors périmètre."
        )
    OutgoingMail.objects.all().delete()
    with commit():
        ticket_transition(
            ticket=ticket,
            code="reopen_rejected",
            actor=world.owner.user,
            comment="C'est dans la convention.",
        )
    state = mails("ticket_state_entered")
    assert set(state) == {"member@example.org"}
    assert "est maintenant : Nouveau" in state["member@example.org"].body
    assert "C'est dans la convention." in state["member@example.org"].body


def test_public_comment_still_reaches_the_assigned_agent(world, commit):
    with commit():
        ticket = _resolved(world)
        ticket_transition(ticket=ticket, code="reopen", actor=world.owner.user, comment="Encore.")
    OutgoingMail.objects.all().delete()
    with commit():
        log_entry_add(ticket=ticket, actor=world.owner.user, body="<p>Des nouvelles ?</p>")
    assert set(mails("ticket_log_public")) == {"agent1@example.org"}


# --- 2. customers never read an internal SLA state -----------------------------------------


def test_escalations_are_not_mailed_to_customers(world, commit):
    from esup_saas.notifications.services import trigger_configure

    trigger_configure(
        actor=None,
        trigger="ticket_state_entered",
        recipients=["caller", "contacts", "customer_pcus", "team"],
        essential=False,
        active=True,
        templates={},
    )
    world.team.email = "team@p1.org"
    world.team.save()
    with commit():
        ticket = make_ticket(world, caller=world.member)
        ticket_transition(
            ticket=ticket, code="assign", actor=world.agent.user, team=world.team, agent=world.agent
        )
    OutgoingMail.objects.all().delete()
    with commit():
        ticket_transition(ticket=ticket, code="escalate_ttr")
    # Only the provider's side hears of it (and gets the SLA breach mail from the sweep).
    assert set(mails()) == {"team@p1.org"}
    assert mails()["team@p1.org"].subject == "[I-000001] Escaladé TTR : Un problème"


def test_customer_mails_read_the_state_the_ticket_came_from(world, commit):
    from esup_saas.notifications.services import trigger_configure

    trigger_configure(
        actor=None,
        trigger="ticket_log_public",
        recipients=["caller", "customer_pcus", "team"],
        essential=False,
        active=True,
        templates={"fr": ("{{ ref }} : {{ status }}", "État : {{ status }}")},
    )
    world.team.email = "team@p1.org"
    world.team.save()
    with commit():
        ticket = make_ticket(world, caller=world.member)
        ticket_transition(
            ticket=ticket, code="assign", actor=world.agent.user, team=world.team, agent=world.agent
        )
        ticket_transition(ticket=ticket, code="escalate_ttr")
    OutgoingMail.objects.all().delete()
    with commit():
        log_entry_add(ticket=ticket, actor=world.agent.user, body="On s'en occupe.")
    sent = mails("ticket_log_public")
    assert sent["member@example.org"].body.startswith("État : Assigné")  # the caller
    assert sent["owner@example.org"].body.startswith("État : Assigné")  # the PCU
    assert sent["team@p1.org"].body.startswith("État : Escaladé TTR")


# --- 3. the provider's notice of a new ticket; a comment on a ticket nobody has taken -------


def _manager(world, username: str = "mgr"):
    from esup_saas.tenancy.models import Role
    from esup_saas.tenancy.services import membership_grant

    manager = person_create(
        first_name="Mona",
        last_name="Manager",
        organisation=world.provider,
        email=f"{username}@p1.org",
        username=username,
        password="pw",
    )
    membership_grant(person=manager, organisation=world.provider, role=Role.SERVICE_MANAGER)
    return manager


def test_provider_managers_get_their_own_wording_of_a_new_ticket(world, commit):
    _manager(world)
    with commit():
        make_ticket(world, title="Envoi SMS bloqué")
    sent = mails()
    assert set(sent) == {"owner@example.org", "mgr@p1.org"}
    caller, manager = sent["owner@example.org"], sent["mgr@p1.org"]
    assert caller.trigger == "ticket_created"
    assert "Votre demande « Envoi SMS bloqué » sur Service A est enregistrée" in caller.body
    assert manager.trigger == "ticket_created_provider"
    assert manager.subject == "[I-000001] Nouvelle demande : Envoi SMS bloqué"
    assert (
        "Nouvelle demande pour le service Service A, de Customer One (Olivia Owner) : "
        "« Envoi SMS bloqué »"
    ) in manager.body
    assert "Votre demande" not in manager.body


def test_a_manager_filing_a_ticket_is_not_told_of_it(world, commit):
    from esup_saas.servicedesk.services import ticket_create

    manager = _manager(world)
    other = _manager(world, "mgr2")
    with commit():
        ticket_create(
            caller=world.owner,
            subcategory=world.incident_sub,
            title="Signalé par téléphone",
            description="Appel du PCU.",
            impact=3,
            urgency=3,
            actor=manager.user,
        )
    sent = mails()
    assert manager.email not in sent
    assert sent[other.email].trigger == "ticket_created_provider"
    assert sent["owner@example.org"].trigger == "ticket_created"  # the caller's receipt


def test_the_acknowledgement_no_longer_offers_provider_roles(world, commit):
    from esup_saas.notifications.models import TriggerSetting
    from esup_saas.notifications.registry import get_trigger

    created, provider = get_trigger("ticket_created"), get_trigger("ticket_created_provider")
    assert created is not None and provider is not None
    assert set(created.roles) == {"caller", "contacts", "customer_pcus"}
    assert set(provider.roles) == {"agent", "team", "provider_managers"}
    # A setting saved when the acknowledgement still went to the managers is not obeyed.
    TriggerSetting.objects.create(
        trigger="ticket_created", recipients=["caller", "provider_managers"], essential=True
    )
    _manager(world)
    with commit():
        make_ticket(world)
    assert mails()["mgr@p1.org"].trigger == "ticket_created_provider"


def test_the_provider_notice_is_editable(world, as_user):
    response = as_user(world.coordinator).get(
        "/console/notifications/triggers/ticket_created_provider/"
    )
    assert response.status_code == 200
    assert "Nouvelle demande pour le service" in response.content.decode()


def test_customer_comment_on_an_unassigned_ticket_reaches_the_team(world, commit):
    from esup_saas.servicedesk.models import Ticket

    _manager(world)
    with commit():
        ticket = make_ticket(world)
    Ticket.objects.filter(pk=ticket.pk).update(team=world.team)  # a team, no agent yet
    ticket.refresh_from_db()
    OutgoingMail.objects.all().delete()
    with commit():
        log_entry_add(ticket=ticket, actor=world.owner.user, body="Des nouvelles ?")
    assert set(mails("ticket_log_public")) == {"agent1@example.org"}  # Team P1's member


def test_customer_comment_on_a_ticket_without_team_reaches_the_managers(world, commit):
    _manager(world)
    with commit():
        ticket = make_ticket(world)
    OutgoingMail.objects.all().delete()
    with commit():
        log_entry_add(ticket=ticket, actor=world.owner.user, body="Des nouvelles ?")
    sent = mails("ticket_log_public")
    assert set(sent) == {"mgr@p1.org"}
    assert "Des nouvelles ?" in sent["mgr@p1.org"].body


def test_the_manager_who_comments_is_not_mailed_their_own_comment(world, commit):
    manager = _manager(world)
    other = _manager(world, "mgr2")
    with commit():
        ticket = make_ticket(world)
    OutgoingMail.objects.all().delete()
    with commit():
        log_entry_add(ticket=ticket, actor=manager.user, body="Nous regardons.")
    assert set(mails("ticket_log_public")) == {"owner@example.org", other.email}
