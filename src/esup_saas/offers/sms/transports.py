"""Operator links behind one interface (specs/sms.md item 14): SMPP 3.4, an HTTP gateway, and
a console (file) transport for development and the demo.

A transport carries parts that are already encoded and segmented (``lib.gsm.encode``: the
SMPP client libraries have known segmentation bugs, so we never let them split): it submits
them, calling back for each result as soon as the operator answers, and it returns the
delivery receipts and incoming messages it has read.

SMPP 3.4 (SMPP Developers Forum, issue 1.2, 1999), through ``smpplib`` as a PDU carrier:
``bind_transceiver`` (§4.1.5), ``submit_sm`` (§4.4.1) with ``registered_delivery`` 1 (§5.2.17)
and ``esm_class`` 0x40 when a UDH is present (§5.2.12), destination TON 1 / NPI 1 (§5.2.5-6),
an alphanumeric source (at most 11 characters) with TON 5 / NPI 0, else TON 1 / NPI 1;
``enquire_link`` (§4.11) on idle; a window of unanswered submit_sm; a messages-per-second
limit; and an exponential back-off when the SMSC answers ESME_RTHROTTLED (0x58) or
ESME_RMSGQFUL (0x14) (§5.1.3). Delivery receipts are ``deliver_sm`` with ``esm_class`` bit
0x04 (§5.2.12), read from ``receipted_message_id`` (§5.3.2.12) or from the text
``id:… stat:… err:…`` (Appendix B).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from esup_saas.lib.phone import from_smpp_address, smpp_address

logger = logging.getLogger(__name__)

#: SMPP 3.4 §5.1.3 command_status values that mean "slow down, then retry".
THROTTLE_STATUSES = frozenset({0x58, 0x14})  # ESME_RTHROTTLED, ESME_RMSGQFUL
#: Statuses that are worth a retry later (the SMSC's own trouble), not the number's fault.
TRANSIENT_STATUSES = frozenset({0x08, 0x45, 0x64, 0x0D}) | THROTTLE_STATUSES
ESM_UDHI = 0x40
ESM_RECEIPT = 0x04


@dataclass(frozen=True)
class OutgoingPart:
    """One SMS to submit: ``key`` identifies it for the caller (our Part's id)."""

    key: int
    destination: str  # E.164
    source: str
    payload: bytes
    data_coding: int
    udh: bool


@dataclass(frozen=True)
class SubmitResult:
    """The operator's answer for one part: an id (accepted), or a status: ``retry`` when it
    should be tried again later (throttling, SMSC trouble, link lost before the answer)."""

    key: int
    smsc_id: str = ""
    status: int = 0
    retry: bool = False

    @property
    def accepted(self) -> bool:
        return bool(self.smsc_id) and self.status == 0


@dataclass(frozen=True)
class Receipt:
    """A delivery receipt: the operator's message id, its final ``stat`` (DELIVRD,
    UNDELIV, REJECTD, EXPIRED, DELETED, UNKNOWN…) and ``err`` code (text, operator
    specific)."""

    smsc_id: str
    stat: str
    err: str = ""
    source: str = ""  # the recipient's number (E.164), when the receipt gives it


@dataclass(frozen=True)
class Incoming:
    """A message sent by a phone to us (mobile originated), e.g. "STOP"."""

    source: str  # E.164
    text: str


@dataclass
class Polled:
    receipts: list[Receipt] = field(default_factory=list)
    incoming: list[Incoming] = field(default_factory=list)


class Transport(Protocol):
    """What the delivery worker needs from an operator link."""

    def submit(
        self,
        parts: Sequence[OutgoingPart],
        on_result: Callable[[SubmitResult], None],
        before_send: Callable[[list[int]], None] | None = None,
    ) -> None:
        """Submit every part; call ``before_send(keys)`` just before writing those parts to
        the link, and ``on_result`` once per part as soon as its answer is known."""
        ...

    def poll(self, timeout: float) -> Polled:
        """Receipts and incoming messages read within ``timeout`` seconds."""
        ...

    def close(self) -> None: ...


_RECEIPT_TEXT = re.compile(
    rb"id:(?P<id>\S+).*?stat:(?P<stat>[A-Z]+)(?:.*?err:(?P<err>\S+))?", re.IGNORECASE | re.DOTALL
)


def parse_receipt(pdu: Any) -> Receipt | None:
    """The receipt carried by a ``deliver_sm`` PDU (``esm_class`` & 0x04), else ``None``.

    The message id comes from the ``receipted_message_id`` TLV when present, else from the
    text's ``id:``; ``stat`` and ``err`` from the text (SMPP 3.4 Appendix B)."""
    if not (int(pdu.esm_class or 0) & ESM_RECEIPT):
        return None
    text = pdu.short_message or b""
    if isinstance(text, str):
        text = text.encode()
    match = _RECEIPT_TEXT.search(text)
    tlv = getattr(pdu, "receipted_message_id", None)
    if isinstance(tlv, bytes):
        tlv = tlv.rstrip(b"\x00").decode("ascii", "replace")
    smsc_id = tlv or (match.group("id").decode("ascii", "replace") if match else "")
    if not smsc_id:
        return None
    stat = match.group("stat").decode().upper() if match else "UNKNOWN"
    err = (match.group("err") or b"").decode("ascii", "replace") if match else ""
    source = pdu.source_addr or b""
    if isinstance(source, bytes):
        source = source.decode("ascii", "replace")
    return Receipt(smsc_id, stat, err, from_smpp_address(source) if source else "")


def id_candidates(smsc_id: str) -> set[str]:
    """The forms an operator id may take between submit_sm_resp and its receipt: as given,
    without leading zeros, and converted hex ⇄ decimal (SMSCs differ: SMPP 3.4 leaves the
    format to the SMSC, and many answer in hex then report in decimal). Lower case."""
    raw = smsc_id.strip().lower()
    out = {raw, raw.lstrip("0") or "0"}
    if raw.isascii() and raw.isdigit():  # "²".isdigit() is true
        out.add(format(int(raw), "x"))
    if re.fullmatch(r"[0-9a-f]+", raw):
        out.add(str(int(raw, 16)))
    return out


# --- SMPP ---------------------------------------------------------------------------------------


@dataclass
class SmppConfig:
    host: str = "127.0.0.1"
    port: int = 2775
    system_id: str = "esup-saas"
    password: str = ""
    system_type: str = ""
    window: int = 10
    rate: float = 100.0  # messages per second
    timeout: float = 10.0
    enquire_interval: float = 30.0
    backoff_initial: float = 0.2
    backoff_max: float = 30.0
    max_throttle_retries: int = 20
    announce: int = 100  # parts marked "submitting" per database write (before_send)


class SmppTransport:
    """An SMPP 3.4 transceiver session (see the module docstring). Not thread-safe: one per
    worker. ``sleep`` is injectable (tests); ``throttled`` counts throttling answers and
    ``backoffs`` the waits they caused (seconds)."""

    def __init__(self, config: SmppConfig, *, sleep: Callable[[float], None] = time.sleep):
        self.config = config
        self.sleep = sleep
        self.client: Any = None
        self.throttled = 0
        self.backoffs: list[float] = []
        self._polled = Polled()
        self._pending: dict[int, OutgoingPart] = {}
        self._results: list[SubmitResult] = []
        self._last_send = 0.0
        self._last_activity = time.monotonic()

    # -- session --------------------------------------------------------------------------

    def connect(self) -> None:
        """Open the TCP connection and bind as a transceiver (SMPP 3.4 §4.1.5)."""
        import smpplib.client

        client = smpplib.client.Client(
            self.config.host,
            self.config.port,
            timeout=self.config.timeout,
            allow_unknown_opt_params=True,
        )
        client.set_message_sent_handler(self._on_submit_resp)
        client.set_message_received_handler(self._on_deliver)
        client.set_error_pdu_handler(self._on_error_pdu)
        client.connect()
        client.bind_transceiver(
            system_id=self.config.system_id,
            password=self.config.password,
            system_type=self.config.system_type,
        )
        self.client = client
        self._last_activity = time.monotonic()

    def _ensure(self) -> None:
        if self.client is None:
            self.connect()

    def close(self) -> None:
        """Unbind and disconnect (errors ignored: the link may already be gone)."""
        import smpplib.exceptions

        if self.client is None:
            return
        with contextlib.suppress(
            smpplib.exceptions.PDUError, smpplib.exceptions.ConnectionError, OSError
        ):
            self.client.unbind()
        with contextlib.suppress(OSError):
            self.client.disconnect()
        self.client = None

    def _drop(self) -> None:
        try:
            if self.client is not None:
                self.client.disconnect()
        except OSError:  # pragma: no cover
            pass
        self.client = None

    # -- handlers (called by smpplib's read_once) -------------------------------------------

    def _on_submit_resp(self, pdu: Any) -> None:
        part = self._pending.pop(pdu.sequence, None)
        if part is None:
            return
        raw = pdu.message_id or b""
        smsc_id = raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)
        self._results.append(SubmitResult(part.key, smsc_id=smsc_id.rstrip("\x00")))

    def _on_error_pdu(self, pdu: Any) -> None:
        part = self._pending.pop(pdu.sequence, None)
        if part is None:
            logger.warning("SMPP error PDU %s status 0x%x", pdu.command, pdu.status)
            return
        status = int(pdu.status)
        if status in THROTTLE_STATUSES:
            self.throttled += 1
        self._results.append(
            SubmitResult(part.key, status=status, retry=status in TRANSIENT_STATUSES)
        )

    def _on_deliver(self, pdu: Any) -> int:
        receipt = parse_receipt(pdu)
        if receipt is not None:
            self._polled.receipts.append(receipt)
        else:
            text = pdu.short_message or b""
            if int(pdu.data_coding or 0) == 8:
                body = text.decode("utf-16-be", "replace")
            else:
                body = text.decode("latin-1", "replace")
            source = pdu.source_addr.decode() if isinstance(pdu.source_addr, bytes) else ""
            self._polled.incoming.append(Incoming(from_smpp_address(source), body))
        return 0

    # -- sending --------------------------------------------------------------------------

    def _source_fields(self, source: str) -> dict[str, Any]:
        if source.lstrip("+").isdigit():
            return {"source_addr_ton": 1, "source_addr_npi": 1, "source_addr": source.lstrip("+")}
        return {"source_addr_ton": 5, "source_addr_npi": 0, "source_addr": source[:11]}

    def _throttle_rate(self) -> None:
        interval = 1.0 / self.config.rate if self.config.rate > 0 else 0.0
        wait = self._last_send + interval - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last_send = time.monotonic()

    def _send(self, part: OutgoingPart) -> None:
        import smpplib.smpp

        self._throttle_rate()
        pdu = smpplib.smpp.make_pdu(
            "submit_sm",
            client=self.client,
            service_type="",
            dest_addr_ton=1,
            dest_addr_npi=1,
            destination_addr=smpp_address(part.destination),
            esm_class=ESM_UDHI if part.udh else 0,
            protocol_id=0,
            priority_flag=0,
            registered_delivery=1,
            replace_if_present_flag=0,
            data_coding=part.data_coding,
            sm_default_msg_id=0,
            short_message=part.payload,
            **self._source_fields(part.source),
        )
        self._pending[pdu.sequence] = part
        self.client.send_pdu(pdu)
        self._last_activity = time.monotonic()

    def _read_one(self) -> None:
        """Read and dispatch one PDU (submit_sm_resp, deliver_sm, enquire_link…)."""
        self.client.read_once(auto_send_enquire_link=False)
        self._last_activity = time.monotonic()

    def submit(
        self,
        parts: Sequence[OutgoingPart],
        on_result: Callable[[SubmitResult], None],
        before_send: Callable[[list[int]], None] | None = None,
    ) -> None:
        """Submit ``parts`` (``before_send`` is told of them by chunks of ``announce``,
        before any of a chunk is written) with at most ``window`` answers outstanding and
        at most ``rate`` per second; a throttled part waits (exponential back-off, reset by the next
        success) and is submitted again, up to ``max_throttle_retries`` times, after which
        it is reported ``retry``. When the link breaks, the parts still unanswered are
        reported ``retry`` (they may have reached the SMSC: the caller decides)."""
        import smpplib.exceptions

        queue = list(parts)
        announced: set[int] = set()
        tries: dict[int, int] = {}
        delay = 0.0
        self._ensure()
        try:
            while queue or self._pending:
                room = max(1, self.config.window) - len(self._pending)
                batch, queue = queue[: max(0, room)], queue[max(0, room) :]
                fresh = [p.key for p in batch if p.key not in announced]
                if fresh and before_send is not None:
                    # Announce a chunk ahead: one database write per ``announce`` parts.
                    ahead = [p.key for p in queue if p.key not in announced]
                    chunk = fresh + ahead[: max(0, self.config.announce - len(fresh))]
                    before_send(chunk)
                    announced.update(chunk)
                for index, part in enumerate(batch):
                    try:
                        self._send(part)
                    except BaseException:
                        queue[:0] = batch[index + 1 :]
                        raise
                self._read_one()
                results, self._results = self._results, []
                for result in results:
                    if result.status in THROTTLE_STATUSES:
                        tries[result.key] = tries.get(result.key, 0) + 1
                        if tries[result.key] <= self.config.max_throttle_retries:
                            delay = min(
                                self.config.backoff_max,
                                max(self.config.backoff_initial, delay * 2),
                            )
                            self.backoffs.append(delay)
                            self.sleep(delay)
                            part = next(p for p in parts if p.key == result.key)
                            queue.insert(0, part)
                            continue
                    elif result.accepted:
                        delay = 0.0
                    on_result(result)
        except (TimeoutError, smpplib.exceptions.ConnectionError, OSError) as exc:
            logger.warning("SMPP link lost during submit: %s", exc)
            lost = list(self._pending.values()) + queue
            self._pending.clear()
            self._drop()
            for part in lost:
                on_result(SubmitResult(part.key, status=-1, retry=True))

    def poll(self, timeout: float) -> Polled:
        """Read PDUs for up to ``timeout`` seconds (receipts, incoming messages); sends an
        enquire_link when the link was idle for ``enquire_interval`` seconds."""
        import smpplib.exceptions
        import smpplib.smpp

        self._ensure()
        deadline = time.monotonic() + max(0.0, timeout)
        try:
            if time.monotonic() - self._last_activity > self.config.enquire_interval:
                self.client.send_pdu(smpplib.smpp.make_pdu("enquire_link", client=self.client))
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.client._socket.settimeout(min(left, self.config.timeout))
                try:
                    self._read_one()
                except TimeoutError:
                    break
                finally:
                    if self.client is not None and self.client._socket is not None:
                        self.client._socket.settimeout(self.config.timeout)
        except (smpplib.exceptions.ConnectionError, OSError) as exc:
            logger.warning("SMPP link lost while polling: %s", exc)
            self._drop()
        polled, self._polled = self._polled, Polled()
        return polled


# --- console / file -----------------------------------------------------------------------------


class ConsoleTransport:
    """Development transport: writes each part to a file (or the log) and reports it
    delivered at once; no operator needed (``make demo``)."""

    _counter = 0
    _lock = threading.Lock()

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        self._receipts: list[Receipt] = []

    def submit(
        self,
        parts: Sequence[OutgoingPart],
        on_result: Callable[[SubmitResult], None],
        before_send: Callable[[list[int]], None] | None = None,
    ) -> None:
        from esup_saas.lib.gsm import decode

        if before_send is not None and parts:
            before_send([p.key for p in parts])
        lines = []
        for part in parts:
            with self._lock:
                ConsoleTransport._counter += 1
                smsc_id = f"c{time.time_ns():x}{ConsoleTransport._counter:x}"
            text, (_ref, total, seq) = decode(
                part.payload, data_coding=part.data_coding, udh=part.udh
            )
            lines.append(f"{part.source} -> {part.destination} [{seq}/{total}] {text!r}")
            self._receipts.append(Receipt(smsc_id, "DELIVRD", "000", part.destination))
            on_result(SubmitResult(part.key, smsc_id=smsc_id))
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write("".join(line + "\n" for line in lines))
        else:
            for line in lines:
                logger.info("SMS %s", line)

    def poll(self, timeout: float) -> Polled:
        receipts, self._receipts = self._receipts, []
        return Polled(receipts=receipts)

    def close(self) -> None:
        return None


# --- HTTP gateway -------------------------------------------------------------------------------


class HttpTransport:
    """A generic HTTP gateway: one ``POST`` of JSON per part to ``url``
    (``{"to", "from", "payload_hex", "data_coding", "udh"}``), answered with
    ``{"id": "…"}``; receipts come back by the gateway's own callback, so :meth:`poll` reads
    none. A 429 or 5xx answer is a ``retry``; any other error a permanent failure."""

    def __init__(self, url: str, *, token: str = "", timeout: float = 10.0) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout

    def submit(
        self,
        parts: Sequence[OutgoingPart],
        on_result: Callable[[SubmitResult], None],
        before_send: Callable[[list[int]], None] | None = None,
    ) -> None:
        for part in parts:
            if before_send is not None:
                before_send([part.key])
            body = json.dumps(
                {
                    "to": part.destination,
                    "from": part.source,
                    "payload_hex": part.payload.hex(),
                    "data_coding": part.data_coding,
                    "udh": part.udh,
                }
            ).encode()
            request = urllib.request.Request(
                self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
            )
            if self.token:
                request.add_header("Authorization", f"Bearer {self.token}")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    answer = json.loads(response.read() or b"{}")
                on_result(SubmitResult(part.key, smsc_id=str(answer.get("id", ""))))
            except urllib.error.HTTPError as exc:
                on_result(
                    SubmitResult(part.key, status=exc.code, retry=exc.code in (429, 502, 503, 504))
                )
            except (urllib.error.URLError, OSError, ValueError):
                on_result(SubmitResult(part.key, status=-1, retry=True))

    def poll(self, timeout: float) -> Polled:
        return Polled()

    def close(self) -> None:
        return None


def transport_from_settings() -> Transport:
    """The transport configured by ``settings.SMS_TRANSPORT`` (``console``, ``smpp``,
    ``http``) and its ``SMS_SMPP_*`` / ``SMS_HTTP_*`` / ``SMS_CONSOLE_FILE`` settings."""
    from django.conf import settings

    kind = getattr(settings, "SMS_TRANSPORT", "console")
    if kind == "smpp":
        return SmppTransport(
            SmppConfig(
                host=settings.SMS_SMPP_HOST,
                port=settings.SMS_SMPP_PORT,
                system_id=settings.SMS_SMPP_SYSTEM_ID,
                password=settings.SMS_SMPP_PASSWORD,
                system_type=getattr(settings, "SMS_SMPP_SYSTEM_TYPE", ""),
                window=settings.SMS_SMPP_WINDOW,
                rate=settings.SMS_SMPP_RATE,
            )
        )
    if kind == "http":
        return HttpTransport(settings.SMS_HTTP_URL, token=getattr(settings, "SMS_HTTP_TOKEN", ""))
    if kind == "console":
        return ConsoleTransport(getattr(settings, "SMS_CONSOLE_FILE", "") or None)
    raise ValueError(f"SMS_TRANSPORT: expected console, smpp or http, got {kind!r}")
