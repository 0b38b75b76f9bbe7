"""Reads of the notifications: a trigger's configuration in force, who may see which mails."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from esup_saas.tenancy.models import Organisation, Role
from esup_saas.tenancy.selectors import organisation_ids_for, user_roles

from .models import MailTemplate, OutgoingMail, TriggerSetting
from .registry import Trigger, get_trigger


@dataclass(frozen=True)
class TriggerConfig:
    """The recipients (role codes), essential flag and state of a trigger in force."""

    recipients: tuple[str, ...]
    essential: bool
    active: bool


def trigger_config(trigger: Trigger) -> TriggerConfig:
    """The administrator's settings for ``trigger``, else its registered defaults."""
    row = TriggerSetting.objects.filter(trigger=trigger.code).first()
    if row is None:
        return TriggerConfig(trigger.default_recipients, trigger.essential, True)
    return TriggerConfig(tuple(row.recipients), row.essential, row.active)


def trigger_templates(trigger: Trigger) -> dict[str, tuple[str, str, bool]]:
    """``{language: (subject, body, customised)}`` in force for ``trigger``."""
    rows = {t.language: t for t in MailTemplate.objects.filter(trigger=trigger.code)}
    out = {}
    for language, (subject, body) in trigger.templates.items():
        row = rows.get(language)
        out[language] = (row.subject, row.body, True) if row else (subject, body, False)
    return out


def can_manage_notifications(user: object) -> bool:
    """Coordinators of the whole platform (and superusers) edit its triggers and templates.

    The mails go to every tenant, so a coordinator role on one branch of the tree (a
    working group, or a provider, where its service manager may grant it) is not enough:
    the user must coordinate every organisation (in practice, hold the role on the root).
    """
    if Role.COORDINATOR not in user_roles(user):
        return False
    coordinated = organisation_ids_for(user, [Role.COORDINATOR])
    return not Organisation.objects.exclude(id__in=coordinated).exists()


def get_trigger_for_user(user: object, code: str) -> Trigger:
    """The trigger ``code`` if ``user`` may edit it, else ``Http404``."""
    trigger = get_trigger(code)
    if trigger is None or not can_manage_notifications(user):
        raise Http404("trigger")
    return trigger


def mails_for_user(user: object) -> QuerySet[OutgoingMail]:
    """Mails of the organisations ``user`` coordinates or manages, as customer or provider."""
    ids = organisation_ids_for(user, [Role.COORDINATOR, Role.SERVICE_MANAGER])
    return OutgoingMail.objects.filter(
        Q(organisation_id__in=ids) | Q(provider_id__in=ids)
    ).select_related("person")


def get_mail_for_user(user: object, pk: int | str) -> OutgoingMail:
    try:
        return mails_for_user(user).get(pk=int(pk))
    except (ValueError, OutgoingMail.DoesNotExist):
        raise Http404("mail") from None
