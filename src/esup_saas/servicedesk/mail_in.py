"""Mail in (specs/platform.md item 22): replies thread into tickets, new mails open them.

:func:`mail_ingest` takes one RFC 5322 message (bytes, as an MTA pipes it to
``esup-saas ingest-mail`` or as :func:`imap_poll` fetches it) and, in one transaction:

1. ignores automatic mail (``Auto-Submitted`` other than ``no``, ``Precedence: bulk``,
   mailer daemons, our own notifications coming back: RFC 3834) so two robots never loop;
2. records the ``Message-ID`` once (:class:`InboundMail`): the same message fed twice, by
   an MTA retry or two pollers, does nothing the second time;
3. finds the ticket from a ``[R-000001]`` / ``[I-000007]`` tag in the subject, else from
   ``In-Reply-To`` / ``References`` matching the ``Message-ID`` of a mail we sent; the sender
   must be a known person allowed on that ticket, and what they wrote (quoted text and
   signature trimmed, HTML-only mail turned to text) becomes a public log entry, with the
   attached files (RFC 2231 names decoded);
4. otherwise, a mail to a service's address (:class:`MailInbox`) opens a ticket for the
   sender's organisation, if the sender is a known person whose organisation holds a
   contract for that service;
5. anything else is refused with a polite reply (trigger ``mail_refused``): an unknown
   sender, or a reply to a ticket of another tenant, never reaches a ticket.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import html
import imaplib
import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage, MIMEPart
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from esup_saas.lib.mailtext import html_to_text, reply_text
from esup_saas.notifications.models import OutgoingMail
from esup_saas.notifications.services import Recipient, mail_queue
from esup_saas.tenancy.models import Person

from .models import LogEntry, Origin, Ticket
from .models_mail import InboundMail, MailInbox
from .selectors import parse_ref, user_can_see_ticket
from .workflow import Status

log = logging.getLogger(__name__)

#: Refusal replies one address gets a day: the ``From`` of a refused mail may be forged, so
#: more replies would be mail sent at will to someone who never wrote (backscatter).
REFUSAL_REPLIES_PER_DAY = 3

_TAG = re.compile(r"\[(?P<ref>[IR]-\d{6})\]")
_MSGID = re.compile(r"<[^<>\s]+>")
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|tr|aw|sv)\s*(\[\d+\])?\s*:\s*)+", re.I)


@dataclass(frozen=True)
class IngestResult:
    """What :func:`mail_ingest` did: ``status`` is an :class:`InboundMail.Status` value or
    ``duplicate``; ``ticket_ref`` the ticket touched; ``reason`` why it was refused."""

    status: str
    ticket_ref: str = ""
    reason: str = ""


def _is_automatic(msg: EmailMessage, sender: str) -> bool:
    auto = (msg.get("Auto-Submitted") or "no").strip().lower()
    precedence = (msg.get("Precedence") or "").strip().lower()
    local = sender.partition("@")[0].lower()
    return (
        auto != "no"
        or precedence in ("bulk", "junk", "list")
        or local in ("mailer-daemon", "postmaster", "noreply", "no-reply")
        or msg.get("X-Autoreply") is not None
        or not sender
    )


def _text_of(part: MIMEPart) -> str:
    """The text of a part whatever charset it claims: an unknown one (``unknown-8bit``) is
    read as UTF-8, bytes that do not decode are replaced (``get_content`` raises instead)."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    try:
        return data.decode(part.get_content_charset() or "utf-8", errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = _text_of(part)
    if part.get_content_subtype() == "html":
        return html_to_text(content)
    return content


def _files(msg: EmailMessage) -> list[SimpleUploadedFile]:
    files = []
    for part in msg.iter_attachments():
        name = part.get_filename()
        if not name:
            continue
        # The file's own bytes, whatever charset a text part claims (re-encoding the decoded
        # text failed on 8-bit bytes labelled us-ascii, or on an unknown charset).
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):  # message/rfc822: the attached message
            content = part.get_content()
            data = content.as_bytes() if isinstance(content, EmailMessage) else b""
        files.append(SimpleUploadedFile(name, data, part.get_content_type()))
    return files


def _thread_ticket(msg: EmailMessage, subject: str) -> Ticket | None:
    match = _TAG.search(subject)
    ref = match["ref"] if match else ""
    if not ref:
        ids = _MSGID.findall(f"{msg.get('In-Reply-To', '')} {msg.get('References', '')}")
        if ids:
            ref = (
                OutgoingMail.objects.filter(message_id__in=ids)
                .exclude(thread_ref="")
                .values_list("thread_ref", flat=True)
                .first()
                or ""
            )
    parsed = parse_ref(ref)
    if parsed is None:
        return None
    return Ticket.objects.filter(kind=parsed[0], number=parsed[1]).first()


def person_may_write(person: Person, ticket: Ticket) -> bool:
    """True when ``person`` may add to ``ticket``'s public log (same rules as the portal and
    console for people with an account; the caller and contacts otherwise)."""
    if person.user_id and (
        user_can_see_ticket(person.user, ticket, "console")
        or user_can_see_ticket(person.user, ticket, "portal")
    ):
        return True
    return person.pk == ticket.caller_id or ticket.contact_links.filter(person=person).exists()


def _to_html(text: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def _split_files(files: list[SimpleUploadedFile]) -> tuple[list[SimpleUploadedFile], list[str]]:
    from .services import attachment_check

    ok, refused = [], []
    for f in files:
        try:
            attachment_check(f)
        except ValidationError as exc:
            refused.append("; ".join(exc.messages))
        else:
            ok.append(f)
    return ok, refused


def _refuse(
    record: InboundMail, msg: EmailMessage, sender: str, subject: str, reason: str
) -> IngestResult:
    record.status, record.reason = InboundMail.Status.REFUSED, reason[:255]
    record.save(update_fields=["status", "reason"])
    replied = (
        InboundMail.objects.filter(
            from_email=record.from_email,
            status=InboundMail.Status.REFUSED,
            received_at__gte=timezone.now() - dt.timedelta(days=1),
        )
        .exclude(pk=record.pk)
        .count()
    )
    if replied >= REFUSAL_REPLIES_PER_DAY:
        log.info("mail from %s refused without reply (%d refusals today)", sender, replied)
        return IngestResult(InboundMail.Status.REFUSED, reason=reason)
    mail_queue(
        trigger="mail_refused",
        recipients=[Recipient(email=sender)],
        context={"subject": subject or _("votre message"), "reason": reason},
        dedup_prefix=f"refused:{record.message_id}"[:150],
        in_reply_to=record.message_id,
    )
    return IngestResult(InboundMail.Status.REFUSED, reason=reason)


def _thread(
    record: InboundMail, ticket: Ticket, person: Person, text: str, files: list
) -> IngestResult:
    from .services import _attachments_store, _log_add

    ok, refused = _split_files(files)
    body = _to_html(text) or "<p>" + html.escape(_("(message sans texte)")) + "</p>"
    _log_add(ticket=ticket, author=person, body=body, visibility=LogEntry.Visibility.PUBLIC)
    if ok:
        _attachments_store(ticket=ticket, files=ok, person=person)
    if refused:
        _log_add(
            ticket=ticket,
            author=None,
            body=_to_html(_("Pièces jointes refusées :") + "\n" + "\n".join(refused)),
            visibility=LogEntry.Visibility.PRIVATE,
        )
    record.status, record.ticket = InboundMail.Status.THREADED, ticket
    record.save(update_fields=["status", "ticket"])
    return IngestResult(InboundMail.Status.THREADED, ticket_ref=ticket.ref)


def _open(
    record: InboundMail, inbox: MailInbox, person: Person, subject: str, text: str, files: list
) -> IngestResult:
    from .services import _log_add, ticket_create

    ok, refused = _split_files(files)
    title = _REPLY_PREFIX.sub("", subject).strip() or _("Demande reçue par courriel")
    ticket = ticket_create(
        caller=person,
        subcategory=inbox.subcategory,
        title=title[:255],
        description=_to_html(text) or html.escape(title),
        impact=inbox.impact,
        urgency=inbox.urgency,
        origin=Origin.MAIL,
        attachments=ok,
    )
    if refused:
        _log_add(
            ticket=ticket,
            author=None,
            body=_to_html(_("Pièces jointes refusées :") + "\n" + "\n".join(refused)),
            visibility=LogEntry.Visibility.PRIVATE,
        )
    record.status, record.ticket = InboundMail.Status.CREATED, ticket
    record.save(update_fields=["status", "ticket"])
    return IngestResult(InboundMail.Status.CREATED, ticket_ref=ticket.ref)


@transaction.atomic
def mail_ingest(*, raw: bytes) -> IngestResult:
    """Handle one received message (RFC 5322 bytes); see the module docstring.

    Returns an :class:`IngestResult`. Raises nothing for a bad or unwanted mail (it is
    refused or ignored, and logged); a database error propagates so the caller (MTA pipe,
    IMAP poll) can try again later, nothing having been written.
    """
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    sender = parseaddr(str(msg.get("From", "")))[1].strip().lower()
    subject = " ".join(str(msg.get("Subject", "")).split())
    message_id = (msg.get("Message-ID") or "").strip()
    if not message_id:
        message_id = "<sha256-" + hashlib.sha256(raw).hexdigest() + "@esup-saas.invalid>"
    try:
        with transaction.atomic():
            record = InboundMail.objects.create(
                message_id=message_id[:255],
                from_email=sender[:255],
                subject=subject[:255],
                status=InboundMail.Status.IGNORED,
            )
    except IntegrityError:
        return IngestResult("duplicate")
    ours = message_id.rstrip(">").endswith("@" + settings.MAIL_DOMAIN)
    if _is_automatic(msg, sender) or ours:
        record.reason = "automatic"
        record.save(update_fields=["reason"])
        return IngestResult(InboundMail.Status.IGNORED, reason="automatic")
    people = list(
        Person.objects.filter(email__iexact=sender, status=Person.Status.ACTIVE).select_related(
            "organisation", "user"
        )
    )
    text = reply_text(_body(msg))
    files = _files(msg)
    ticket = _thread_ticket(msg, subject)
    if ticket is not None:
        person = next((p for p in people if person_may_write(p, ticket)), None)
        if person is None:
            return _refuse(
                record,
                msg,
                sender,
                subject,
                _("votre adresse n'est pas autorisée à écrire sur ce ticket."),
            )
        if ticket.status == Status.CLOSED:
            return _refuse(
                record,
                msg,
                sender,
                subject,
                _("le ticket %(ref)s est fermé ; ouvrez une nouvelle demande.")
                % {"ref": ticket.ref},
            )
        return _thread(record, ticket, person, text, files)
    recipients = {
        addr.lower()
        for _name, addr in getaddresses(
            [str(msg.get(h, "")) for h in ("To", "Cc", "Delivered-To", "X-Original-To")]
        )
        if addr
    }
    inbox = (
        MailInbox.objects.filter(address__in=recipients, active=True)
        .select_related("service", "subcategory")
        .first()
    )
    if inbox is None:
        return _refuse(
            record,
            msg,
            sender,
            subject,
            _("ce message ne répond à aucun ticket et n'est adressé à aucun service."),
        )
    from esup_saas.catalog.selectors import service_is_open_to

    person = next((p for p in people if service_is_open_to(inbox.service, p.organisation_id)), None)
    if person is None:
        return _refuse(
            record,
            msg,
            sender,
            subject,
            _(
                "votre adresse n'est pas connue comme contact d'un établissement "
                "client de ce service."
            ),
        )
    return _open(record, inbox, person, subject, text, files)


def imap_poll() -> int:
    """Ingest the unseen messages of the configured IMAP mailbox; return how many were read.

    Settings: ``IMAP_HOST`` (none: do nothing), ``IMAP_PORT``, ``IMAP_USER``,
    ``IMAP_PASSWORD``, ``IMAP_MAILBOX``, ``IMAP_SSL``. Each message is marked ``\\Seen``
    after its transaction committed; one that failed stays unseen for the next poll. Two
    pollers at once are harmless: a message is ingested once by its ``Message-ID``.
    """
    if not settings.IMAP_HOST:
        return 0
    cls = imaplib.IMAP4_SSL if settings.IMAP_SSL else imaplib.IMAP4
    conn = cls(settings.IMAP_HOST, settings.IMAP_PORT)
    count = 0
    try:
        conn.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
        conn.select(settings.IMAP_MAILBOX)
        _typ, data = conn.uid("SEARCH", "UNSEEN")  # no CHARSET argument
        uids: bytes = data[0] or b""  # space-separated decimal UIDs
        for uid in uids.decode("ascii").split():
            _typ, fetched = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
            if raw is None:
                continue
            try:
                result = mail_ingest(raw=raw)
            except Exception:
                log.exception("IMAP message %s could not be ingested", uid)
                continue
            log.info("IMAP message %s: %s %s", uid, result.status, result.ticket_ref)
            conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            count += 1
    finally:
        try:
            conn.logout()
        except Exception:
            log.warning("IMAP logout failed", exc_info=True)
    return count
