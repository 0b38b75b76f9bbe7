"""Writes of the notifications: queue mails, send them with retries, edit templates.

Mail goes out after the transaction commits, from a background worker (specs item 21):
:func:`mail_queue` writes one :class:`OutgoingMail` per recipient and enqueues its sending
with ``transaction.on_commit``; :func:`mail_send` claims the row (one ``UPDATE`` from
*queued* or *retry* to *sending*, so two workers never send it twice), sends it through
Django's mail backend, and on failure schedules a retry with exponential backoff
(``MAIL_RETRY_SECONDS`` × 2^(attempt−1)) until ``MAIL_MAX_ATTEMPTS``; the periodic
:func:`mail_send_due` sends what is due. Every function is keyword-only; writes are atomic.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from esup_saas.tenancy.models import Organisation, Person

from .models import (
    Language,
    MailTemplate,
    NotificationPreference,
    OutgoingMail,
    TriggerSetting,
)
from .registry import Trigger, get_trigger
from .selectors import can_manage_notifications, trigger_config

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Where a mail goes: an address, and the person behind it when known."""

    email: str
    person: Person | None = None


def _render(source: str, context: Mapping[str, Any], language: str) -> str:
    with translation.override(language):
        return Template(source).render(Context(dict(context), autoescape=False))


def _template_for(trigger: Trigger, language: str) -> tuple[str, str]:
    row = MailTemplate.objects.filter(trigger=trigger.code, language=language).first()
    if row is not None:
        return row.subject, row.body
    default = trigger.templates.get(language) or trigger.templates[Language.FRENCH]
    return default


def _enqueue(mail_id: int) -> None:
    from .tasks import mail_send_task

    transaction.on_commit(lambda: mail_send_task.delay(mail_id))


@transaction.atomic
def mail_queue(
    *,
    trigger: str,
    recipients: Sequence[Recipient],
    context: Mapping[str, Any],
    dedup_prefix: str | None = None,
    thread_ref: str = "",
    in_reply_to: str = "",
    organisation: Organisation | None = None,
    provider: Organisation | None = None,
) -> list[OutgoingMail]:
    """Queue the mails of ``trigger`` to ``recipients`` (one row each) and send after commit.

    The subject and body are the trigger's templates (the administrator's, else the
    default) rendered with ``context`` in each recipient's language (their preference,
    French by default). A person who opted out gets no non-essential mail: the row is
    logged as *skipped*. ``dedup_prefix`` makes the call idempotent: a second call with the
    same prefix and address writes nothing. ``thread_ref`` (e.g. ``R-000001``) is put in
    the subject as ``[R-000001]`` if the template did not, so replies thread. Returns the
    rows written (skipped ones included). An inactive or unknown trigger writes nothing.
    """
    spec = get_trigger(trigger)
    if spec is None:
        raise ValueError(f"unknown trigger {trigger!r}")
    config = trigger_config(spec)
    if not config.active:
        return []
    out: list[OutgoingMail] = []
    seen: set[str] = set()
    for recipient in recipients:
        email = (recipient.email or "").strip()
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        key = f"{dedup_prefix}:{email.lower()}"[:200] if dedup_prefix else None
        if key and OutgoingMail.objects.filter(dedup_key=key).exists():
            continue
        pref = (
            NotificationPreference.objects.filter(person=recipient.person).first()
            if recipient.person is not None
            else None
        )
        language = pref.language if pref else Language.FRENCH
        subject_src, body_src = _template_for(spec, language)
        subject = " ".join(_render(subject_src, context, language).split())
        tag = f"[{thread_ref}]"
        if thread_ref and tag not in subject:
            subject = f"{tag} {subject}"
        skipped = bool(pref and pref.opt_out and not config.essential)
        mail = OutgoingMail(
            trigger=trigger,
            person=recipient.person,
            to_email=email,
            language=language,
            subject=subject[:255],
            body=_render(body_src, context, language).strip() + "\n",
            essential=config.essential,
            message_id=make_msgid(domain=settings.MAIL_DOMAIN),
            in_reply_to=in_reply_to,
            thread_ref=thread_ref,
            organisation=organisation,
            provider=provider,
            dedup_key=key,
            status=OutgoingMail.Status.SKIPPED if skipped else OutgoingMail.Status.QUEUED,
        )
        mail.full_clean(exclude=["dedup_key"])
        try:
            with transaction.atomic():
                mail.save()
        except IntegrityError:
            continue  # the same mail was queued by a concurrent worker
        out.append(mail)
        if not skipped:
            _enqueue(mail.pk)
    return out


def mail_send(*, mail_id: int) -> str | None:
    """Send the queued mail ``mail_id`` once; return its new status (``None``: not ours).

    Claims the row first (queued/retry → sending, attempts + 1); a row already sent, being
    sent by another worker or not yet due is left alone. Errors are logged on the row.
    """
    now = timezone.now()
    claimed = (
        OutgoingMail.objects.filter(
            pk=mail_id, status__in=[OutgoingMail.Status.QUEUED, OutgoingMail.Status.RETRY]
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=OutgoingMail.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now)
    )
    if not claimed:
        return None
    mail = OutgoingMail.objects.get(pk=mail_id)
    headers = {
        "Message-ID": mail.message_id,
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    if mail.in_reply_to:
        headers["In-Reply-To"] = mail.in_reply_to
        headers["References"] = mail.in_reply_to
    message = EmailMessage(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to_email],
        headers=headers,
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # any transport error: logged, retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning(
            "mail %s to %s failed (attempt %s): %s", mail.pk, mail.to_email, mail.attempts, error
        )
        if mail.attempts >= settings.MAIL_MAX_ATTEMPTS:
            status, next_at = OutgoingMail.Status.FAILED, None
        else:
            delay = settings.MAIL_RETRY_SECONDS * 2 ** (mail.attempts - 1)
            status, next_at = OutgoingMail.Status.RETRY, now + dt.timedelta(seconds=delay)
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=status, last_error=error, next_attempt_at=next_at
        )
        return status
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=OutgoingMail.Status.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
    )
    return OutgoingMail.Status.SENT


def mail_send_due(*, now: dt.datetime | None = None, stale_after: int = 900) -> int:
    """Send every queued or retrying mail that is due; return how many were tried.

    A row left *sending* for more than ``stale_after`` seconds (a worker died mid-send) is
    put back to *retry* first.
    """
    now = now or timezone.now()
    OutgoingMail.objects.filter(
        status=OutgoingMail.Status.SENDING,
        next_attempt_at__lt=now - dt.timedelta(seconds=stale_after),
    ).update(status=OutgoingMail.Status.RETRY)
    ids = list(
        OutgoingMail.objects.filter(
            status__in=[OutgoingMail.Status.QUEUED, OutgoingMail.Status.RETRY]
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    for mail_id in ids:
        mail_send(mail_id=mail_id)
    return len(ids)


# --- administration -------------------------------------------------------------------------


def _check_template(source: str, field: str) -> None:
    try:
        Template(source)
    except TemplateSyntaxError as exc:
        raise ValidationError({field: _("Modèle invalide : %(err)s") % {"err": exc}}) from None


@transaction.atomic
def trigger_configure(
    *,
    actor: Any,
    trigger: str,
    recipients: Sequence[str],
    essential: bool,
    active: bool,
    templates: Mapping[str, tuple[str, str]],
) -> TriggerSetting:
    """Set a trigger's recipients (role codes), essential flag, state and templates.

    ``templates`` maps ``fr`` / ``en`` to ``(subject, body)``. Only coordinators may do it
    (``PermissionDenied``); an unknown role or a template that does not compile raises
    ``ValidationError`` naming the field.
    """
    if actor is not None and not can_manage_notifications(actor):
        raise PermissionDenied
    spec = get_trigger(trigger)
    if spec is None:
        raise ValidationError({"trigger": _("Déclencheur inconnu.")})
    unknown = set(recipients) - set(spec.roles)
    if unknown:
        raise ValidationError({"recipients": _("Rôle inconnu : %(r)s") % {"r": sorted(unknown)}})
    for language, (subject, body) in templates.items():
        if language not in Language.values:
            raise ValidationError({"language": _("Langue inconnue.")})
        _check_template(subject, f"subject_{language}")
        _check_template(body, f"body_{language}")
    setting, _created = TriggerSetting.objects.get_or_create(trigger=trigger)
    setting.recipients = list(recipients)
    setting.essential = essential
    setting.active = active
    setting.full_clean()
    setting.save()
    for language, (subject, body) in templates.items():
        row, _created = MailTemplate.objects.get_or_create(
            trigger=trigger, language=language, defaults={"subject": subject, "body": body}
        )
        row.subject, row.body = subject.strip(), body
        row.full_clean()
        row.save()
    return setting


@transaction.atomic
def trigger_reset(*, actor: Any, trigger: str) -> None:
    """Forget the administrator's choices for ``trigger``: back to the defaults."""
    if actor is not None and not can_manage_notifications(actor):
        raise PermissionDenied
    TriggerSetting.objects.filter(trigger=trigger).delete()
    MailTemplate.objects.filter(trigger=trigger).delete()


@transaction.atomic
def preference_set(*, person: Person, language: str, opt_out: bool) -> NotificationPreference:
    """Set ``person``'s mail language and opt-out of non-essential mail."""
    pref, _created = NotificationPreference.objects.get_or_create(person=person)
    pref.language = language
    pref.opt_out = opt_out
    pref.full_clean()
    pref.save()
    return pref
