"""SMS-U's two machine faces (specs/sms.md item 17).

1. ``/sms/ws/`` — compatible with ESUP smsuapi: HTTP Basic auth of a client application
   (its ``name`` and secret; constant-time check), parameters in the query string or a
   form body, ``action`` one of:

   - ``SendSms``: ``phoneNumber`` (repeated), ``message``, optional ``id`` (the
     application's own id), ``senderId`` (a login, for the record) and ``account`` (billing
     account label; default: the application's); answers the message id (JSON number);
   - ``MessageInfos`` (``id``): ``{"state", "nbRecipients", "nbSms", "nbDelivered",
     "nbInProgress", "nbError", "nbBlacklisted"}``;
   - ``MessageStatus`` (``id``, optional ``phoneNumber``): ``[{"phoneNumber", "status"}]``,
     status one of CREATED, IN_PROGRESS, DELIVERED, ERROR, ERROR_PRE_BLACKLIST,
     ERROR_POST_BLACKLIST;
   - ``IsBlacklisted`` (``phoneNumber``): ``true`` / ``false``;
   - ``MayCreateAccountCheckQuotaOk`` (``nbDest``, ``account``): ``true``, or the
     InsufficientQuotaException error.

   ``id`` is the application's id when it gave one to SendSms, else the message id.
   Errors are HTTP 400 with ``{"error": "<Name>Exception", "message": "…"}``:
   ``InsufficientQuotaException``, ``InvalidParameterException``,
   ``UnknownMessageIdException``, ``AlreadySentException``; a bad login is HTTP 401.

2. ``/sms/api/<institution>/…`` — the same operations in the platform's REST API (Django
   REST framework, session authentication, the user's rights and tenant): ``messages/``
   (list, create), ``messages/<id>/``, ``blacklist/<phone>/``, ``quota/?recipients=N``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from esup_saas.lib.phone import InvalidPhoneNumber, parse_mobile
from esup_saas.tenancy.selectors import person_for_user

from . import services
from .models import (
    BillingAccount,
    ClientApplication,
    Function,
    Message,
    MessageState,
    RecipientType,
)
from .selectors import (
    functions_for,
    get_message_for_user,
    get_organisation_for_user,
    is_blacklisted,
    message_counts,
    messages_for_user,
    sender_group_for,
    sms_service_for,
)


def _error(name: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": name, "message": message}, status=status)


def _authenticate(request: HttpRequest) -> ClientApplication | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        name, _colon, secret = base64.b64decode(encoded).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return services.application_authenticate(name, secret)


def _param(request: HttpRequest, name: str) -> str:
    return (request.POST.get(name) or request.GET.get(name) or "").strip()


def _params(request: HttpRequest, name: str) -> list[str]:
    return request.POST.getlist(name) or request.GET.getlist(name)


def _phone(raw: str) -> str:
    try:
        return parse_mobile(raw)
    except InvalidPhoneNumber as exc:
        raise _Invalid(f"phoneNumber: {exc}") from exc


class _Invalid(Exception):
    pass


def _message_of(app: ClientApplication, raw_id: str) -> Message:
    found = Message.objects.filter(application=app, client_id=raw_id).first() if raw_id else None
    if found is None and raw_id.isascii() and raw_id.isdigit():
        found = Message.objects.filter(application=app, pk=int(raw_id)).first()
    if found is None:
        raise LookupError(raw_id)
    return found


def _account(app: ClientApplication, label: str) -> BillingAccount:
    if not label:
        return app.account
    account = BillingAccount.objects.filter(organisation=app.organisation, label=label).first()
    if account is None:
        raise _Invalid(f"account: compte d'imputation inconnu {label!r}")
    return account


@csrf_exempt
def smsuapi(request: HttpRequest) -> JsonResponse:
    """The smsuapi-compatible endpoint (see the module docstring)."""
    app = _authenticate(request)
    if app is None:
        response = _error("AuthenticationException", "Identifiants invalides.", status=401)
        response["WWW-Authenticate"] = 'Basic realm="esup-smsuapi"'
        return response
    action = _param(request, "action")
    try:
        if sms_service_for(app.organisation_id) is None:
            return _error(
                "InvalidParameterException", "SMS-U n'est pas ouvert à cet établissement."
            )
        if action == "SendSms":
            return _send(request, app)
        if action in ("MessageInfos", "MessageStatus"):
            message = _message_of(app, _param(request, "id"))
            if action == "MessageInfos":
                counts = message_counts(message)
                return JsonResponse(
                    {
                        "state": message.state,
                        "nbRecipients": message.nb_recipients,
                        "nbSms": message.charged,
                        "nbDelivered": counts.get("delivered", 0),
                        "nbInProgress": counts.get("in_progress", 0) + counts.get("created", 0),
                        "nbError": counts.get("error", 0) + counts.get("error_post_blacklist", 0),
                        "nbBlacklisted": counts.get("error_pre_blacklist", 0),
                    }
                )
            recipients = message.recipients.all()
            numbers = _params(request, "phoneNumber")
            if numbers:
                recipients = recipients.filter(phone__in=[_phone(n) for n in numbers])
            return JsonResponse(
                [{"phoneNumber": r.phone, "status": r.state.upper()} for r in recipients],
                safe=False,
            )
        if action == "IsBlacklisted":
            return JsonResponse(
                is_blacklisted(app.organisation_id, _phone(_param(request, "phoneNumber"))),
                safe=False,
            )
        if action == "MayCreateAccountCheckQuotaOk":
            raw = _param(request, "nbDest")
            if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is true
                raise _Invalid("nbDest: nombre entier attendu")
            account = _account(app, _param(request, "account"))
            with transaction.atomic():
                services.quota_check(
                    organisation=app.organisation,
                    sms=int(raw),
                    account=account,
                    application=app,
                )
            return JsonResponse(True, safe=False)
        raise _Invalid(f"action: inconnue {action!r}")
    except _Invalid as exc:
        return _error("InvalidParameterException", str(exc))
    except LookupError:
        return _error("UnknownMessageIdException", "Identifiant de message inconnu.")
    except services.QuotaExceeded as exc:
        return _error("InsufficientQuotaException", str(exc))


def _send(request: HttpRequest, app: ClientApplication) -> JsonResponse:
    numbers = [_phone(n) for n in _params(request, "phoneNumber") if n.strip()]
    text = _param(request, "message")
    if not numbers:
        raise _Invalid("phoneNumber: au moins un numéro")
    if not text:
        raise _Invalid("message: vide")
    client_id = _param(request, "id")[:100]
    try:
        message = services.message_create(
            organisation=app.organisation,
            recipient_type=RecipientType.LIST,
            value="\n".join(numbers),
            content=text,
            account=_account(app, _param(request, "account")),
            application=app,
            client_id=client_id,
        )
    except services.AlreadySent:
        return _error("AlreadySentException", f"Déjà envoyé (id {client_id}).")
    except ValidationError as exc:
        detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items())
        raise _Invalid(detail) from exc
    if message.state == MessageState.QUOTA_ERROR:
        return _error("InsufficientQuotaException", message.stats.get("quota_error", ""))
    sender_login = _param(request, "senderId")[:150]
    if sender_login:
        Message.objects.filter(pk=message.pk).update(recipients_label=f"{sender_login} (API)")
    return JsonResponse(message.pk, safe=False)


# --- REST API (DRF) ----------------------------------------------------------------------------


class MessageSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "reference",
            "state",
            "recipient_type",
            "recipients_label",
            "content",
            "encoding",
            "parts",
            "nb_recipients",
            "charged",
            "created_at",
            "sent_at",
            "counts",
        ]
        read_only_fields = fields

    def get_counts(self, obj: Message) -> dict[str, int]:
        return message_counts(obj)


class MessageCreateSerializer(serializers.Serializer):
    recipient_type = serializers.ChoiceField(choices=RecipientType.choices)
    recipients = serializers.CharField(help_text="logins, number(s), group id or LDAP filter")
    content = serializers.CharField(max_length=2000)
    account = serializers.CharField(required=False, allow_blank=True)
    mail_subject = serializers.CharField(required=False, allow_blank=True, max_length=200)
    mail_body = serializers.CharField(required=False, allow_blank=True)


_SEND_FUNCTIONS: set[str] = {
    Function.SEND_MEMBERS,
    Function.SEND_GROUPS,
    Function.SEND_FREE,
    Function.SEND_LIST,
    Function.SEND_FILTER,
}


class _OrgView(APIView):
    def org(self, request: Request, org: str) -> Any:
        return get_organisation_for_user(request.user, org)

    def require(self, request: Request, organisation: Any, functions: set[str]) -> None:
        """``PermissionDenied`` (403) unless the user holds one of ``functions`` there."""
        if not functions_for(request.user, organisation) & functions:
            raise ApiPermissionDenied()


class MessageListApi(_OrgView):
    """``GET``: the sends the user may follow; ``POST``: create a send (their rights)."""

    def get(self, request: Request, org: str) -> Response:
        organisation = self.org(request, org)
        qs = messages_for_user(request.user, organisation)[:100]
        return Response(MessageSerializer(qs, many=True).data)

    def post(self, request: Request, org: str) -> Response:
        organisation = self.org(request, org)
        data = MessageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        account = None
        if values.get("account"):
            account = BillingAccount.objects.filter(
                organisation=organisation, label=values["account"]
            ).first()
            if account is None:
                raise ApiValidationError({"account": ["Compte d'imputation inconnu."]})
        try:
            message = services.message_create(
                organisation=organisation,
                recipient_type=values["recipient_type"],
                value=values["recipients"],
                content=values["content"],
                actor=request.user,
                account=account,
                mail_subject=values.get("mail_subject", ""),
                mail_body=values.get("mail_body", ""),
            )
        except ValidationError as exc:
            raise ApiValidationError(exc.message_dict) from exc
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        status = 400 if message.state == MessageState.QUOTA_ERROR else 201
        return Response(MessageSerializer(message).data, status=status)


class MessageDetailApi(_OrgView):
    def get(self, request: Request, org: str, pk: int) -> Response:
        organisation = self.org(request, org)
        return Response(
            MessageSerializer(get_message_for_user(request.user, organisation, pk)).data
        )


class BlacklistApi(_OrgView):
    def get(self, request: Request, org: str, phone: str) -> Response:
        organisation = self.org(request, org)
        self.require(request, organisation, _SEND_FUNCTIONS | {Function.MANAGE_BLACKLIST})
        try:
            e164 = parse_mobile(phone)
        except InvalidPhoneNumber as exc:
            raise ApiValidationError({"phone": [str(exc)]}) from exc
        return Response({"phone": e164, "blacklisted": is_blacklisted(organisation, e164)})


class QuotaApi(_OrgView):
    """``?recipients=N[&account=label]``: whether N more SMS fit in the user's quotas."""

    def get(self, request: Request, org: str) -> Response:
        organisation = self.org(request, org)
        raw = request.query_params.get("recipients", "")
        if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is true
            raise ApiValidationError({"recipients": ["Nombre entier attendu."]})
        self.require(request, organisation, _SEND_FUNCTIONS)
        group = sender_group_for(organisation, person_for_user(request.user))
        label = request.query_params.get("account", "")
        account = (
            BillingAccount.objects.filter(organisation=organisation, label=label).first()
            if label
            else (group.account if group else None)
        )
        try:
            with transaction.atomic():
                services.quota_check(
                    organisation=organisation, sms=int(raw), account=account, group=group
                )
        except services.QuotaExceeded as exc:
            return Response({"ok": False, "level": exc.level, "message": str(exc)})
        return Response({"ok": True})
