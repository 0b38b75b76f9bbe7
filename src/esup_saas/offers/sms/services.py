"""Writes of SMS-U: sends, approval, quotas, opt-in, blacklist, client applications, purge.

Every public function is keyword-only and atomic: when it raises (``ValidationError`` naming
the field, ``PermissionDenied``) nothing has been written. Sending never happens here: a send
writes its recipients (the outbox) in the caller's transaction and asks for delivery *after*
commit (``transaction.on_commit``); the workers of :mod:`.delivery` do the rest.

Quotas (specs/sms.md item 6) are checked and charged under row locks
(``SELECT … FOR UPDATE``), always in the same order (institution, billing account, client
application, sender group) so that concurrent sends wait for each other instead of
deadlocking; a send that would exceed any of them is recorded in ``quota_error`` with no
recipient and nothing goes out. What is charged: the SMS (parts) of every recipient that is
not blacklisted. Refund policy: a recipient is refunded when it never reached the operator
(the send was refused by an approver or cancelled, or the operator refused the submit_sm
with a permanent error); once the operator accepted it (submit_sm_resp OK), the SMS stays
charged whatever its delivery receipt says (the operator bills it): a delivery failure or a
number reported invalid is not refunded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from esup_saas.catalog.models import RequestType, ServiceSubcategory
from esup_saas.lib import gsm
from esup_saas.lib.directory_port import DirectoryPortError, get_directory
from esup_saas.lib.phone import InvalidPhoneNumber, format_national, parse_mobile
from esup_saas.servicedesk.models import Origin
from esup_saas.servicedesk.services import ticket_create
from esup_saas.tenancy.models import Organisation, Person
from esup_saas.tenancy.selectors import person_for_user

from .models import (
    FUNCTION_FOR_TYPE,
    BillingAccount,
    BlacklistedNumber,
    ClientApplication,
    ClientSendKey,
    Function,
    Message,
    MessageState,
    PhoneConfirmation,
    Recipient,
    RecipientState,
    RecipientType,
    SenderGroup,
    SmsSettings,
    SpecialCondition,
    Subscriber,
)
from .recipients import Candidate, Resolution, ResolutionError, resolve
from .selectors import (
    directory_uid,
    functions_for,
    is_admin,
    may_decide,
    message_counts,
    sender_group_for,
    settings_for,
    sms_service_for,
    uses_directory,
)

logger = logging.getLogger(__name__)

#: Confirmation codes: digits, length, lifetime and attempts (cryptographically random).
CODE_LENGTH = 6
CODE_LIFETIME_MINUTES = 15
CODE_MAX_ATTEMPTS = 5
#: Codes one person may have sent per window: each is an SMS to any number, charged to the
#: institution (unlimited, the opt-in form sent SMS at will). Rows are kept for the window.
CODE_MAX_SENDS = 3
CODE_SEND_WINDOW_MINUTES = 60


def settings_ensure(*, organisation: Organisation) -> SmsSettings:
    """The institution's settings row, created with the defaults when missing."""
    found, _created = SmsSettings.objects.get_or_create(organisation=organisation)
    return found


@transaction.atomic
def managed_save(*, instance: models.Model, m2m: dict[str, Iterable[Any]] | None = None) -> Any:
    """Validate (``full_clean``) and save one of the institution's managed objects (template,
    role, group, account, special condition, settings…), then set its many-to-many
    relations from ``m2m`` (field name → objects). Raises ``ValidationError`` naming the
    field; the caller has already checked the right to manage it."""
    instance.full_clean()
    instance.save()
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(list(values))
    return instance


# --- personalisation ---------------------------------------------------------------------------

_TAG = re.compile(r"\{(prenom|nom|expediteur|attr:[A-Za-z0-9\-]+)\}", re.IGNORECASE)
#: The personalisation tags, for the form's help.
TAGS = ("{prenom}", "{nom}", "{expediteur}", "{attr:NOM_ATTRIBUT}")


def personalise(text: str, candidate: Candidate | Recipient, sender_name: str = "") -> str:
    """``text`` with its tags replaced: ``{prenom}`` / ``{nom}`` (the recipient's first and
    last names), ``{attr:xxx}`` (a directory attribute, first value), ``{expediteur}`` (the
    sender's name). Unknown data gives an empty string; other text is left as it is."""

    def value(match: re.Match[str]) -> str:
        tag = match.group(1).lower()
        if tag == "prenom":
            return candidate.first_name
        if tag == "nom":
            return candidate.last_name
        if tag == "expediteur":
            return sender_name
        name = match.group(1)[5:].lower()
        attrs = candidate.attributes or {}
        for key, values in attrs.items():
            if key.lower() == name:
                return str(values[0]) if isinstance(values, list) and values else str(values)
        return ""

    return _TAG.sub(value, text)


def normalise_text(text: str, *, transliterate: bool) -> str:
    """Line breaks as ``\\n`` (a browser posts ``\\r\\n``; the counter counts ``\\n``),
    surrounding blanks removed, and transliterated when the institution asks for it."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return gsm.transliterate(text) if transliterate else text


# --- quotas ----------------------------------------------------------------------------------


class QuotaExceeded(Exception):
    """A quota would be exceeded; ``level`` names it (institution, account, application,
    group) and ``str()`` says by how much, in French."""

    def __init__(self, level: str, message: str) -> None:
        self.level = level
        super().__init__(message)


def _lock(model: type[models.Model], pk: int | None) -> Any:
    if pk is None:
        return None
    return model._default_manager.select_for_update().get(pk=pk)


def _quota_rows(
    *,
    organisation: Organisation,
    account: BillingAccount | None,
    application: ClientApplication | None,
    group: SenderGroup | None,
) -> list[tuple[str, Any]]:
    """Lock the quota rows of a send, always in this order: institution, account,
    application, sender group (so concurrent sends never deadlock)."""
    settings_ensure(organisation=organisation)
    rows = [
        ("institution", SmsSettings.objects.select_for_update().get(organisation=organisation)),
        ("account", _lock(BillingAccount, account.pk if account else None)),
        ("application", _lock(ClientApplication, application.pk if application else None)),
        ("group", _lock(SenderGroup, group.pk if group else None)),
    ]
    return [(level, row) for level, row in rows if row is not None]


_LEVEL_LABELS = {
    "institution": _("l'établissement"),
    "account": _("le compte d'imputation"),
    "application": _("l'application cliente"),
    "group": _("le groupe d'expéditeurs"),
}


def quota_check(
    *,
    organisation: Organisation,
    sms: int,
    account: BillingAccount | None = None,
    application: ClientApplication | None = None,
    group: SenderGroup | None = None,
    charge: bool = False,
) -> None:
    """Check that ``sms`` more SMS fit in every quota of the send, under row locks, and
    charge them when ``charge``. Raises :class:`QuotaExceeded` for the first level that
    would overflow, having charged nothing. Must run inside a transaction."""
    rows = _quota_rows(
        organisation=organisation, account=account, application=application, group=group
    )
    for level, row in rows:
        if row.quota is not None and row.used + sms > row.quota:
            raise QuotaExceeded(
                level,
                _(
                    "Quota insuffisant pour %(level)s « %(name)s » : %(sms)d SMS demandés, "
                    "%(left)d restants."
                )
                % {
                    "level": _LEVEL_LABELS[level],
                    "name": row,
                    "sms": sms,
                    "left": max(0, row.quota - row.used),
                },
            )
    if charge and sms:
        for _level, row in rows:
            type(row)._default_manager.filter(pk=row.pk).update(used=F("used") + sms)


def _uncharge(message: Message, sms: int) -> None:
    """Give ``sms`` back to every quota ``message`` was charged to (never below zero)."""
    if sms <= 0:
        return
    targets: list[tuple[type[models.Model], dict[str, Any]]] = [
        (SmsSettings, {"organisation_id": message.organisation_id})
    ]
    if message.account_id:
        targets.append((BillingAccount, {"pk": message.account_id}))
    if message.application_id:
        targets.append((ClientApplication, {"pk": message.application_id}))
    if message.sender_group_id:
        targets.append((SenderGroup, {"pk": message.sender_group_id}))
    for model, lookup in targets:
        model._default_manager.filter(**lookup, used__gte=sms).update(used=F("used") - sms)
        model._default_manager.filter(**lookup, used__lt=sms).update(used=0)
    Message.objects.filter(pk=message.pk).update(charged=F("charged") - sms)


def refund_recipients(*, message: Message, recipient_ids: Iterable[int]) -> int:
    """Refund the charged recipients among ``recipient_ids`` (see the refund policy in the
    module docstring); return the SMS given back. Runs in the caller's transaction."""
    qs = Recipient.objects.filter(message=message, pk__in=list(recipient_ids), charged=True)
    sms = qs.aggregate(n=Sum("sms_count"))["n"] or 0
    qs.update(charged=False)
    _uncharge(message, sms)
    return sms


# --- sends -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendPreview:
    """What a send would be: the resolution and the SMS it would charge."""

    resolution: Resolution
    analysis: gsm.SmsAnalysis
    sms: int


def _approvers(
    *, organisation: Organisation, group: SenderGroup | None, resolution: Resolution
) -> list[Person]:
    """Who approves: the recipient group's supervisors, else the sender group's (then its
    parents'), else the institution's default approver (specs/sms.md item 5)."""
    if resolution.group is not None:
        found = list(resolution.group.supervisors.all())
        if found:
            return found
    seen: set[int] = set()
    current = group
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        found = list(current.supervisors.all())
        if found:
            return found
        current = current.parent
    default = settings_for(organisation).default_approver
    return [default] if default is not None else []


def _notify(subject: str, body: str, people: Iterable[Person]) -> None:
    """E-mail ``people`` after commit (a mail server down never undoes a send)."""
    addresses = sorted({p.email for p in people if p is not None and p.email})
    if not addresses:
        return

    def send() -> None:
        try:
            send_mail(subject, body, django_settings.DEFAULT_FROM_EMAIL, addresses)
        except OSError as exc:  # pragma: no cover - depends on the mail server
            logger.warning("SMS-U notification not sent to %s: %s", addresses, exc)

    transaction.on_commit(send)


def request_delivery(message_id: int) -> None:
    """Ask for the delivery of ``message_id`` once the current transaction commits (the
    worker mode is ``settings.SMS_DELIVERY``, see :mod:`.dispatch`)."""
    from .dispatch import enqueue_delivery

    transaction.on_commit(lambda: enqueue_delivery(message_id))


def _check_rights(
    actor: Any, organisation: Organisation, recipient_type: str, with_mail: bool
) -> None:
    functions = functions_for(actor, organisation)
    needed = FUNCTION_FOR_TYPE.get(RecipientType(recipient_type))
    if needed not in functions:
        raise PermissionDenied(_("Vous n'avez pas le droit d'envoyer à ce type de destinataire."))
    if with_mail and Function.ADD_MAIL not in functions:
        raise PermissionDenied(_("Vous n'avez pas le droit d'ajouter un courriel."))


def send_preview(
    *,
    organisation: Organisation,
    recipient_type: str,
    value: str,
    content: str = "",
    special_condition: SpecialCondition | None = None,
) -> SendPreview:
    """Resolve the recipients and cost a text without writing anything (the live count)."""
    cfg = settings_for(organisation)
    text = normalise_text(content, transliterate=cfg.transliterate)
    resolution = resolve(
        organisation=organisation,
        recipient_type=recipient_type,
        value=value,
        special_condition=special_condition,
    )
    analysis = gsm.analyse(text, max_parts=cfg.max_parts)
    return SendPreview(resolution, analysis, analysis.parts * resolution.count)


@transaction.atomic
def message_create(
    *,
    organisation: Organisation,
    recipient_type: str,
    value: str,
    content: str,
    sender: Person | None = None,
    actor: Any = None,
    account: BillingAccount | None = None,
    special_condition: SpecialCondition | None = None,
    mail_subject: str = "",
    mail_body: str = "",
    application: ClientApplication | None = None,
    client_id: str = "",
) -> Message:
    """Create a send: resolve its recipients, check its length, decide on approval, check and
    charge the quotas, write the outbox, and ask for delivery after commit.

    With an ``actor`` (a user), their rights are checked (``PermissionDenied``) and
    ``sender`` is their person. ``account`` ("Décompter du quota") defaults to the sender
    group's, then the application's. Returns the message: ``waiting_for_sending``,
    ``waiting_for_approval``, or ``quota_error`` (recorded with no recipient: nothing will
    go out). Raises ``ValidationError`` naming the field (``recipients``, ``content``,
    ``account``, ``special_condition``) for bad input, with nothing written.
    """
    if actor is not None:
        _check_rights(actor, organisation, recipient_type, bool(mail_body.strip()))
        sender = person_for_user(actor)
    if sms_service_for(organisation.pk) is None:
        raise PermissionDenied(_("SMS-U n'est pas ouvert à cet établissement."))
    cfg = settings_ensure(organisation=organisation)
    errors: dict[str, list[str]] = {}
    for obj, name in ((account, "account"), (special_condition, "special_condition")):
        if obj is not None and obj.organisation_id != organisation.pk:  # type: ignore[attr-defined]
            errors.setdefault(name, []).append(_("Choix invalide."))
    text = normalise_text(content, transliterate=cfg.transliterate)
    if not text:
        errors.setdefault("content", []).append(_("Le message est vide."))
    if mail_body.strip() and not mail_subject.strip():
        mail_subject = text[:80]
    if errors:
        raise ValidationError(errors)
    try:
        resolution = resolve(
            organisation=organisation,
            recipient_type=recipient_type,
            value=value,
            special_condition=special_condition,
        )
    except ResolutionError as exc:
        raise ValidationError({exc.field: [str(exc)]}) from exc
    if not resolution.recipients and not resolution.blacklisted:
        raise ValidationError({"recipients": [_("Cette sélection ne correspond à aucun numéro.")]})
    sender_name = sender.full_name if sender else (application.name if application else "")
    costs: list[int] = []
    personalised = _TAG.search(text) is not None
    same = gsm.analyse(text, max_parts=cfg.max_parts)
    for candidate in resolution.recipients:
        analysis = (
            gsm.analyse(personalise(text, candidate, sender_name), max_parts=cfg.max_parts)
            if personalised
            else same
        )
        if analysis.parts > cfg.max_parts:
            raise ValidationError(
                {
                    "content": [
                        _(
                            "Le message fait %(parts)d SMS (%(units)d caractères en %(enc)s) ; "
                            "%(max)d SMS au plus sont permis."
                        )
                        % {
                            "parts": analysis.parts,
                            "units": analysis.units,
                            "enc": analysis.encoding,
                            "max": cfg.max_parts,
                        }
                    ]
                }
            )
        costs.append(analysis.parts)
    base = gsm.analyse(text, max_parts=cfg.max_parts)
    group = sender_group_for(organisation, sender) if application is None else None
    if account is None:
        account = (group.account if group else None) or (
            application.account if application else None
        )
    sms = sum(costs)
    message = Message(
        organisation=organisation,
        sender=sender,
        application=application,
        sender_group=group,
        account=account,
        special_condition=special_condition,
        recipient_type=recipient_type,
        recipients_label=resolution.label,
        recipient_group=resolution.group,
        content=text,
        encoding=base.encoding,
        parts=max(costs, default=base.parts),
        mail_subject=" ".join(mail_subject.split())[:200],  # one header line
        mail_body=mail_body.strip(),
        nb_recipients=len(resolution.recipients) + len(resolution.blacklisted),
        nb_blacklisted=len(resolution.blacklisted),
        client_id=client_id,
        state=MessageState.WAITING_FOR_SENDING,
    )
    needs_approval = application is None and (
        recipient_type == RecipientType.GROUP
        or (
            group is not None
            and group.max_recipients is not None
            and len(resolution.recipients) > group.max_recipients
        )
    )
    try:
        quota_check(
            organisation=organisation,
            sms=sms,
            account=account,
            application=application,
            group=group,
            charge=True,
        )
    except QuotaExceeded as exc:
        message.state = MessageState.QUOTA_ERROR
        message.stats = {"quota_level": exc.level, "quota_error": str(exc), "sms": sms}
        message.full_clean()
        message.save()
        return message
    approvers: list[Person] = []
    if needs_approval:
        approvers = _approvers(organisation=organisation, group=group, resolution=resolution)
        message.state = MessageState.WAITING_FOR_APPROVAL
    message.charged = sms
    message.full_clean()
    message.save()
    if application is not None and client_id:
        try:
            with transaction.atomic():
                ClientSendKey.objects.bulk_create(
                    [
                        ClientSendKey(
                            application=application,
                            client_id=client_id,
                            phone=c.phone,
                            message=message,
                        )
                        for c in resolution.recipients + resolution.blacklisted
                    ]
                )
        except IntegrityError as exc:
            raise AlreadySent(client_id) from exc
    rows = [
        Recipient(
            message=message,
            phone=c.phone,
            login=c.login[:150],
            first_name=c.first_name[:100],
            last_name=c.last_name[:100],
            email=c.email[:254],
            attributes=_json_attributes(c.attributes),
            charged=True,
            sms_count=cost,
        )
        for c, cost in zip(resolution.recipients, costs, strict=True)
    ]
    now = timezone.now()
    rows += [
        Recipient(
            message=message,
            phone=c.phone,
            login=c.login[:150],
            first_name=c.first_name[:100],
            last_name=c.last_name[:100],
            state=RecipientState.ERROR_PRE_BLACKLIST,
            error=_("Numéro en liste noire : non envoyé, non décompté."),
            done_at=now,
        )
        for c in resolution.blacklisted
    ]
    Recipient.objects.bulk_create(rows, batch_size=2000)
    if needs_approval:
        message.approvers.set(approvers)
        _notify(
            _("SMS-U : envoi %(ref)s à approuver") % {"ref": message.reference},
            _("%(sender)s demande l'envoi d'un SMS à %(n)d destinataires (%(label)s) :\n\n%(text)s")
            % {
                "sender": sender_name,
                "n": len(rows),
                "label": resolution.label,
                "text": text,
            },
            [*approvers, *([sender] if sender else [])],
        )
    else:
        request_delivery(message.pk)
    return message


def _json_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """Keep only attributes a template can use (first values, short strings)."""
    out: dict[str, Any] = {}
    for key, values in (attributes or {}).items():
        if isinstance(values, list) and values:
            out[key] = [str(values[0])[:200]]
    return out


class AlreadySent(Exception):
    """An application repeated (client id, phone): smsuapi's ``AlreadySentException``."""


def _decide(message: Message, actor: Any) -> tuple[Message, Person | None]:
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if locked.state != MessageState.WAITING_FOR_APPROVAL:
        raise ValidationError(
            {
                "state": [
                    _("Cet envoi n'attend plus d'approbation (%s).") % locked.get_state_display()
                ]
            }
        )
    if not may_decide(actor, locked):
        raise PermissionDenied(_("Vous ne pouvez pas approuver cet envoi."))
    return locked, person_for_user(actor)


@transaction.atomic
def message_approve(*, message: Message, actor: Any) -> Message:
    """Approve a send waiting for approval: it goes to the outbox and is delivered after
    commit; the sender is told by e-mail. ``PermissionDenied`` unless ``actor`` is one of
    its approvers (or an administrator); ``ValidationError`` when it no longer waits."""
    locked, person = _decide(message, actor)
    locked.state = MessageState.WAITING_FOR_SENDING
    locked.decided_by = person
    locked.decided_at = timezone.now()
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    if locked.sender is not None:
        _notify(
            _("SMS-U : envoi %(ref)s approuvé") % {"ref": locked.reference},
            _("Votre envoi %(ref)s a été approuvé ; il part maintenant.")
            % {"ref": locked.reference},
            [locked.sender],
        )
    request_delivery(locked.pk)
    return locked


@transaction.atomic
def message_refuse(*, message: Message, actor: Any, reason: str) -> Message:
    """Refuse a send waiting for approval, with a reason (``ValidationError`` on ``reason``
    when empty): it is cancelled, its quota refunded, the sender told by e-mail."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Indiquez le motif du refus.")]})
    locked, person = _decide(message, actor)
    locked.state = MessageState.CANCELLED
    locked.decided_by = person
    locked.decided_at = timezone.now()
    locked.refusal_reason = reason.strip()
    locked.save(update_fields=["state", "decided_by", "decided_at", "refusal_reason"])
    _cancel_recipients(locked, _("Envoi refusé : %s") % reason.strip())
    if locked.sender is not None:
        _notify(
            _("SMS-U : envoi %(ref)s refusé") % {"ref": locked.reference},
            _("Votre envoi %(ref)s a été refusé. Motif : %(reason)s")
            % {"ref": locked.reference, "reason": reason.strip()},
            [locked.sender],
        )
    return locked


def _cancel_recipients(message: Message, reason: str) -> None:
    pending = message.recipients.filter(state=RecipientState.CREATED)
    refund_recipients(message=message, recipient_ids=pending.values_list("pk", flat=True))
    pending.update(state=RecipientState.ERROR, error=reason[:300], done_at=timezone.now())


@transaction.atomic
def message_cancel(*, message: Message, actor: Any) -> Message:
    """The sender (or an administrator) cancels a send still waiting for approval; its quota
    is refunded. ``ValidationError`` when it no longer waits."""
    locked = Message.objects.select_for_update().get(pk=message.pk)
    person = person_for_user(actor)
    if not (
        is_admin(actor, locked.organisation)
        or (person is not None and locked.sender_id == person.pk)
    ):
        raise PermissionDenied(_("Vous ne pouvez pas annuler cet envoi."))
    if locked.state != MessageState.WAITING_FOR_APPROVAL:
        raise ValidationError({"state": [_("Seul un envoi en attente d'approbation s'annule.")]})
    locked.state = MessageState.CANCELLED
    locked.save(update_fields=["state"])
    _cancel_recipients(locked, _("Envoi annulé."))
    return locked


# --- opt-in ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Consent:
    """A person's opt-in: ``phone`` (E.164 or ``""``), general conditions, services' keys,
    whether the number is confirmed, and where it is stored."""

    phone: str
    general: bool
    services: frozenset[str]
    confirmed: bool
    storage: str


def consent_read(*, organisation: Organisation, person: Person) -> Consent:
    """The person's current opt-in, from the directory or the local table."""
    if uses_directory(organisation):
        uid = directory_uid(organisation, person)
        port = get_directory()
        found = port.person(organisation.pk, uid) if (port and uid) else None
        if found is None:
            return Consent("", False, frozenset(), False, "directory")
        try:
            phone = parse_mobile(found.mobile) if found.mobile else ""
        except InvalidPhoneNumber:
            phone = ""
        return Consent(phone, found.general_terms, found.service_terms, True, "directory")
    sub = Subscriber.objects.filter(organisation=organisation, person=person).first()
    if sub is None:
        return Consent("", False, frozenset(), False, "local")
    keys = frozenset(sub.services.values_list("key", flat=True))
    return Consent(sub.phone, sub.general_accepted, keys, sub.phone_confirmed, "local")


def _hash_code(code: str) -> str:
    return hmac.new(django_settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def _store_consent(
    organisation: Organisation,
    person: Person,
    phone: str,
    services: Sequence[SpecialCondition],
    *,
    confirmed: bool,
) -> Consent:
    if uses_directory(organisation):
        port = get_directory()
        uid = directory_uid(organisation, person)
        if port is None or uid is None:
            raise ValidationError(
                {"phone": [_("Vous n'êtes pas dans l'annuaire de votre établissement.")]}
            )
        before = consent_read(organisation=organisation, person=person)
        wanted = {s.key for s in services}
        try:
            port.write_sms(
                organisation.pk,
                uid,
                mobile=phone,
                general_terms=True,
                add_services=sorted(wanted - before.services),
                remove_services=sorted(before.services - wanted),
            )
        except DirectoryPortError as exc:
            raise ValidationError({"phone": [str(exc)]}) from exc
        return consent_read(organisation=organisation, person=person)
    sub, _created = Subscriber.objects.get_or_create(
        organisation=organisation, person=person, defaults={"phone": phone}
    )
    sub.phone = phone
    sub.general_accepted = True
    sub.phone_confirmed = confirmed
    sub.full_clean()
    sub.save()
    sub.services.set(list(services))
    return consent_read(organisation=organisation, person=person)


@transaction.atomic
def optin_save(
    *,
    organisation: Organisation,
    person: Person,
    phone: str,
    accept_general: bool,
    services: Sequence[SpecialCondition] = (),
) -> Consent | PhoneConfirmation:
    """Opt in (or change one's number or services): the general conditions must be
    accepted (``ValidationError`` on ``accept_general``), the number must be a mobile
    (``ValidationError`` on ``phone``). When the institution confirms numbers and the number
    is new, a code is sent by SMS and a :class:`PhoneConfirmation` returned: nothing is
    stored until :func:`optin_confirm`. Else the consent is stored (directory or local) and
    returned."""
    if not accept_general:
        raise ValidationError(
            {"accept_general": [_("Vous devez accepter les conditions générales.")]}
        )
    try:
        e164 = parse_mobile(phone)
    except InvalidPhoneNumber as exc:
        raise ValidationError({"phone": [str(exc)]}) from exc
    if any(s.organisation_id != organisation.pk for s in services):
        raise ValidationError({"services": [_("Choix invalide.")]})
    cfg = settings_ensure(organisation=organisation)
    current = consent_read(organisation=organisation, person=person)
    if cfg.confirm_phone and not (current.phone == e164 and current.confirmed):
        now = timezone.now()
        mine = PhoneConfirmation.objects.filter(organisation=organisation, person=person)
        window = now - dt.timedelta(minutes=CODE_SEND_WINDOW_MINUTES)
        if mine.filter(created_at__gte=window).count() >= CODE_MAX_SENDS:
            raise ValidationError(
                {"phone": [_("Trop de codes demandés : réessayez dans une heure.")]}
            )
        mine.update(expires_at=now)  # earlier codes stop working, and still count
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))
        pending = PhoneConfirmation.objects.create(
            organisation=organisation,
            person=person,
            phone=e164,
            code_hash=_hash_code(code),
            services=[s.pk for s in services],
            expires_at=timezone.now() + dt.timedelta(minutes=CODE_LIFETIME_MINUTES),
        )
        _system_sms(
            organisation=organisation,
            phone=e164,
            text=_("Votre code de confirmation SMS-U : %(code)s") % {"code": code},
        )
        return pending
    return _store_consent(organisation, person, e164, services, confirmed=not cfg.confirm_phone)


class CodeError(ValidationError):
    """A wrong, expired or exhausted confirmation code."""


def optin_confirm(*, organisation: Organisation, person: Person, code: str) -> Consent:
    """Check the code sent by :func:`optin_save` and store the consent. Raises
    :class:`CodeError` (on ``code``) when it is wrong (an attempt is counted, even though
    the error rolls nothing else back), expired, or after :data:`CODE_MAX_ATTEMPTS`."""
    with transaction.atomic():
        pending = (
            PhoneConfirmation.objects.select_for_update()
            .filter(organisation=organisation, person=person)
            .order_by("-pk")
            .first()
        )
        if pending is None or pending.expires_at <= timezone.now():
            raise CodeError({"code": [_("Aucun code valide : demandez-en un nouveau.")]})
        if pending.attempts >= CODE_MAX_ATTEMPTS:
            raise CodeError({"code": [_("Trop d'essais : demandez un nouveau code.")]})
        if not hmac.compare_digest(pending.code_hash, _hash_code(code.strip())):
            PhoneConfirmation.objects.filter(pk=pending.pk).update(attempts=F("attempts") + 1)
            left = CODE_MAX_ATTEMPTS - pending.attempts - 1
            message = _("Code incorrect (%(left)d essais restants).") % {"left": left}
            wrong = CodeError({"code": [message]})
        else:
            wrong = None
    if wrong is not None:
        raise wrong
    with transaction.atomic():
        services = list(
            SpecialCondition.objects.filter(organisation=organisation, pk__in=pending.services)
        )
        consent = _store_consent(organisation, person, pending.phone, services, confirmed=True)
        PhoneConfirmation.objects.filter(organisation=organisation, person=person).delete()
    return consent


@transaction.atomic
def optin_withdraw(*, organisation: Organisation, person: Person) -> Consent:
    """Withdraw the person's opt-in (general conditions and every service; the number is
    removed). Allowed at any time."""
    if uses_directory(organisation):
        port = get_directory()
        uid = directory_uid(organisation, person)
        before = consent_read(organisation=organisation, person=person)
        if port is not None and uid is not None:
            try:
                port.write_sms(
                    organisation.pk,
                    uid,
                    mobile="",
                    general_terms=False,
                    remove_services=sorted(before.services),
                )
            except DirectoryPortError as exc:
                raise ValidationError({"phone": [str(exc)]}) from exc
    else:
        Subscriber.objects.filter(organisation=organisation, person=person).delete()
    # Pending codes stop working but are kept: they count towards CODE_MAX_SENDS.
    PhoneConfirmation.objects.filter(organisation=organisation, person=person).update(
        expires_at=timezone.now()
    )
    return consent_read(organisation=organisation, person=person)


#: A confirmation code in a platform message: kept out of the stored text (read by the
#: managers who follow every send, and the REST API); the recipient's data carries it and
#: the delivery puts it back (``{attr:code}``, see :func:`personalise`).
_CODE_IN_TEXT = re.compile(rf"\b\d{{{CODE_LENGTH}}}\b")


def _system_sms(*, organisation: Organisation, phone: str, text: str) -> Message:
    """A message of the platform itself (confirmation codes): one free number, charged to
    the institution only, never waiting for approval. A code in ``text`` is not stored in
    the message's text (see :data:`_CODE_IN_TEXT`)."""
    settings_ensure(organisation=organisation)
    code = _CODE_IN_TEXT.search(text)
    message = Message.objects.create(
        organisation=organisation,
        recipient_type=RecipientType.FREE,
        recipients_label=format_national(phone),
        content=_CODE_IN_TEXT.sub("{attr:code}", text),
        encoding=gsm.encoding_of(text),
        parts=len(gsm.split(text)),
        nb_recipients=1,
        state=MessageState.WAITING_FOR_SENDING,
    )
    sms = message.parts
    try:
        quota_check(organisation=organisation, sms=sms, charge=True)
    except QuotaExceeded as exc:
        raise ValidationError({"phone": [str(exc)]}) from exc
    Message.objects.filter(pk=message.pk).update(charged=sms)
    Recipient.objects.create(
        message=message,
        phone=phone,
        charged=True,
        sms_count=sms,
        attributes={"code": [code.group()]} if code else {},
    )
    request_delivery(message.pk)
    return message


@transaction.atomic
def incoming_stop(*, phone: str) -> int:
    """A "STOP" reply from ``phone`` (E.164): withdraw that number's opt-in everywhere it is
    known (local consents; directory entries found through the send it answered are left to
    the institution's directory tools). Returns the number of opt-ins withdrawn."""
    subs = Subscriber.objects.filter(phone=phone)
    count = subs.count()
    subs.delete()
    return count


# --- blacklist -------------------------------------------------------------------------------


def blacklist_add(
    *, organisation: Organisation | int, phone: str, source: str, reason: str = ""
) -> BlacklistedNumber:
    """Put ``phone`` (E.164) on the institution's blacklist (idempotent)."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    entry, _created = BlacklistedNumber.objects.get_or_create(
        organisation_id=org_id, phone=phone, defaults={"source": source, "reason": reason[:300]}
    )
    return entry


@transaction.atomic
def blacklist_remove(*, organisation: Organisation, phone: str, actor: Any) -> int:
    """Remove a number from the blacklist (``manage_blacklist`` right, else
    ``PermissionDenied``); returns 1 when removed, 0 when it was not listed."""
    if Function.MANAGE_BLACKLIST not in functions_for(actor, organisation):
        raise PermissionDenied
    deleted, _detail = BlacklistedNumber.objects.filter(
        organisation=organisation, phone=phone
    ).delete()
    return deleted


# --- client applications ---------------------------------------------------------------------


@transaction.atomic
def application_create(
    *,
    organisation: Organisation,
    name: str,
    account: BillingAccount,
    quota: int | None = None,
) -> tuple[ClientApplication, str]:
    """Register a client application; returns it and its secret, shown once (only a hash is
    kept). ``ValidationError`` naming the field (``name`` taken, ``account`` of another
    institution)."""
    if account.organisation_id != organisation.pk:
        raise ValidationError({"account": [_("Choix invalide.")]})
    secret = secrets.token_urlsafe(24)
    app = ClientApplication(
        organisation=organisation,
        name=name.strip(),
        account=account,
        quota=quota,
        secret_hash=make_password(secret),
    )
    app.full_clean()
    app.save()
    return app, secret


@transaction.atomic
def application_rotate_secret(*, application: ClientApplication) -> str:
    """Give the application a new secret (returned once; the old one stops working)."""
    secret = secrets.token_urlsafe(24)
    ClientApplication.objects.filter(pk=application.pk).update(secret_hash=make_password(secret))
    return secret


_DUMMY_HASH = make_password("not-a-secret")


def application_authenticate(name: str, secret: str) -> ClientApplication | None:
    """The active application ``name`` whose secret is ``secret``, else ``None``. An unknown
    name costs the same hash check as a known one (no timing oracle); the comparison of the
    hashes is constant-time (``check_password``)."""
    app = (
        ClientApplication.objects.select_related("organisation", "account")
        .filter(name=name, is_active=True)
        .first()
    )
    if app is None:
        check_password(secret, _DUMMY_HASH)
        return None
    return app if check_password(secret, app.secret_hash) else None


# --- signaler un problème --------------------------------------------------------------------


@transaction.atomic
def incident_report(*, message: Message, actor: Any, description: str = ""):  # type: ignore[no-untyped-def]
    """Open an incident on the SMS-U service for ``message`` ("Signaler un problème"):
    the send's reference and figures in the description and as a CSV attachment, origin
    ``offer``. The caller is ``actor``'s person. Raises ``ValidationError`` when the
    service has no incident subcategory in production or is not open any more."""
    person = person_for_user(actor)
    if person is None:
        raise PermissionDenied
    service = sms_service_for(message.organisation_id)
    sub = (
        ServiceSubcategory.objects.filter(
            service=service, request_type=RequestType.INCIDENT, status="production"
        ).first()
        if service
        else None
    )
    if sub is None:
        raise ValidationError(
            {"subcategory": [_("Aucune catégorie d'incident n'est ouverte pour SMS-U.")]}
        )
    counts = message_counts(message)
    figures = [
        ("reference", message.reference),
        ("state", message.state),
        ("created_at", message.created_at.isoformat()),
        ("recipients", str(counts.get("total", 0))),
        *[(state, str(counts.get(state, 0))) for state in RecipientState.values],
        ("sms_charged", str(message.charged)),
        ("encoding", message.encoding),
        ("parts", str(message.parts)),
    ]
    table = "".join(f"<li>{k} : {v}</li>" for k, v in figures)
    body = (
        f"<p>{_('Problème signalé depuis l’envoi')} {message.reference}.</p>"
        f"<p>{escape(description)}</p><ul>{table}</ul>"
    )
    csv = "\ufeff" + "\r\n".join(f"{k};{v}" for k, v in figures) + "\r\n"
    attachment = SimpleUploadedFile(
        f"{message.reference}.csv", csv.encode("utf-8"), content_type="text/csv"
    )
    return ticket_create(
        caller=person,
        subcategory=sub,
        title=_("SMS-U : problème sur l'envoi %(ref)s") % {"ref": message.reference},
        description=body,
        impact=3,
        urgency=3,
        organisation=message.organisation,
        origin=Origin.OFFER,
        attachments=[attachment],
        actor=actor,
    )


@transaction.atomic
def role_save(*, role: Any, persons: Iterable[Person], groups: Iterable[str]) -> Any:
    """Save a role (``full_clean``) and replace who holds it: ``persons`` (of the role's
    institution, else ``ValidationError`` on ``persons``) and ``groups`` (names)."""
    people = list(persons)
    if any(p.organisation_id != role.organisation_id for p in people):
        raise ValidationError({"persons": [_("Choix invalide.")]})
    role.full_clean()
    role.save()
    from .models import RoleAssignment

    role.assignments.all().delete()
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(role=role, person=p) for p in people]
        + [RoleAssignment(role=role, group=g[:300]) for g in dict.fromkeys(groups) if g]
    )
    return role


@transaction.atomic
def managed_delete(*, instance: models.Model) -> None:
    """Delete one of the institution's managed objects; ``ValidationError`` when it is
    still used (a billing account with sends, an application with sends)."""
    try:
        with transaction.atomic():
            instance.delete()
    except models.ProtectedError as exc:
        raise ValidationError(
            _("Cet objet est encore utilisé : il ne peut pas être supprimé.")
        ) from exc
