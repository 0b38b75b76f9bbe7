"""A small SMSC simulator that speaks real SMPP 3.4 PDUs (through ``smpplib``'s codec).

For the tests, ``bench/sms.py`` and ``make demo`` (``esup-saas sms-simulator``): it accepts
``bind_transceiver`` / ``bind_transmitter`` (any credentials unless ``password`` is set),
answers ``enquire_link`` and ``unbind``, and for each ``submit_sm``:

- answers ``submit_sm_resp`` with a new message id (hex, or decimal with ``id_format``),
  or ESME_RTHROTTLED (0x58) for the first ``throttle_first`` submits (a throttled link);
- after ``receipt_delay`` seconds, sends a delivery receipt ``deliver_sm`` (``esm_class``
  0x04, ``receipted_message_id`` TLV and the Appendix B text ``id:… stat:… err:…``): DELIVRD,
  or UNDELIV (err 001) for a number in ``invalid``, EXPIRED for one in ``expired``. With
  ``receipt_id_format`` different from ``id_format`` the receipt gives the id in the other
  base, as some operators do.

Every submit is recorded in :attr:`Simulator.submits` (destination, decoded text, UDH info),
and :meth:`Simulator.send_mo` pushes a mobile-originated message (e.g. "STOP") to the bound
clients. Run it alone with ``python -m esup_saas.offers.sms.smsc_sim --port 2775``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import logging
import socket
import socketserver
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import smpplib.consts
import smpplib.smpp

from esup_saas.lib.gsm import decode

logger = logging.getLogger(__name__)

_STATE_CODES = {"DELIVRD": 2, "EXPIRED": 3, "UNDELIV": 5, "REJECTD": 8}


class _Codec:
    """What smpplib's PDU classes ask of a "client": sequence numbers and parse options."""

    allow_unknown_opt_params = True

    def __init__(self) -> None:
        self._seq = itertools.count(1)
        self.sequence = 0

    def next_sequence(self) -> int:
        self.sequence = next(self._seq)
        return self.sequence


@dataclass(frozen=True)
class Submitted:
    """One submit_sm received: where to, what (decoded), which part of which message."""

    system_id: str
    destination: str
    source: str
    text: str
    data_coding: int
    esm_class: int
    udh: tuple[int, int, int]
    message_id: str
    at: float


@dataclass
class SimConfig:
    """The simulator's behaviour (see the module docstring). Numbers are SMPP addresses
    (E.164 digits without ``+``)."""

    invalid: set[str] = field(default_factory=set)
    expired: set[str] = field(default_factory=set)
    throttle_first: int = 0
    receipt_delay: float = 0.05
    id_format: str = "hex"
    receipt_id_format: str = "hex"
    receipts: bool = True
    password: str = ""


class Simulator:
    """The running server: ``port``, ``submits``, ``config`` (may be changed live)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, config: SimConfig | None = None):
        self.config = config or SimConfig()
        self.submits: list[Submitted] = []
        self.throttled = 0
        self.binds = 0
        self._ids = itertools.count(0x1000)
        self._lock = threading.Lock()
        self._sessions: list[_Session] = []
        #: Receipts not acknowledged (no deliver_sm_resp) when their session ended, by
        #: system_id: delivered again at the next bind, as an SMSC's store and forward does.
        self.undelivered: dict[str, list[dict[str, Any]]] = {}
        sim = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                session = _Session(sim, self.request)
                with sim._lock:
                    sim._sessions.append(session)
                try:
                    session.run()
                finally:
                    with sim._lock:
                        sim._sessions.remove(session)

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server((host, port), Handler)
        address = self.server.server_address
        self.host: str = str(address[0])
        self.port: int = int(address[1])
        self._thread: threading.Thread | None = None

    def start(self) -> Simulator:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        with self._lock:
            sessions = list(self._sessions)
        for session in sessions:
            session.close()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def send_mo(self, source: str, text: str) -> int:
        """Send a mobile-originated ``text`` from ``source`` (digits) to every bound client;
        returns how many sessions got it."""
        with self._lock:
            sessions = [s for s in self._sessions if s.bound]
        for session in sessions:
            session.deliver(source=source, esm_class=0, short_message=text.encode("latin-1"))
        return len(sessions)

    def destinations(self) -> list[str]:
        return [s.destination for s in self.submits]


class _Session:
    def __init__(self, sim: Simulator, sock: socket.socket) -> None:
        self.sim = sim
        self.sock = sock
        self.codec = _Codec()
        self.bound = False
        self.system_id = ""
        self._write = threading.Lock()
        self._closed = threading.Event()
        self._unacked: dict[int, dict[str, Any]] = {}

    def _requeue(self) -> None:
        """End the session: keep the receipts this client never acknowledged for its next
        session (under the lock, so a receipt being sent is either kept here or sees the
        session closed)."""
        with self.sim._lock:
            self._closed.set()
            waiting = list(self._unacked.values())
            self._unacked.clear()
            if waiting and self.system_id:
                self.sim.undelivered.setdefault(self.system_id, []).extend(waiting)

    def close(self) -> None:
        self._requeue()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()

    def _recv(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def _send(self, pdu: Any) -> None:
        raw = pdu.generate()
        with self._write:
            if not self._closed.is_set():
                self.sock.sendall(raw)

    def _resp(self, request: Any, command: str, status: int = 0, **fields: Any) -> None:
        pdu = smpplib.smpp.make_pdu(command, client=self.codec, status=status, **fields)
        pdu.sequence = request.sequence
        self._send(pdu)

    def run(self) -> None:
        try:
            while not self._closed.is_set():
                header = self._recv(4)
                (length,) = struct.unpack(">L", header)
                raw = header + self._recv(length - 4)
                pdu = smpplib.smpp.parse_pdu(raw, client=self.codec, allow_unknown_opt_params=True)
                if pdu is None:
                    continue
                if not self.handle(pdu):
                    break
        except (ConnectionError, OSError):
            pass
        finally:
            self._requeue()

    def handle(self, pdu: Any) -> bool:
        command = pdu.command
        if command in ("bind_transceiver", "bind_transmitter", "bind_receiver"):
            password = (pdu.password or b"").decode()
            if self.sim.config.password and password != self.sim.config.password:
                self._resp(pdu, f"{command}_resp", status=0x0E, system_id="SIM")
                return True
            self.bound = True
            self.system_id = (pdu.system_id or b"").decode()
            self.sim.binds += 1
            self._resp(pdu, f"{command}_resp", system_id="SIM")
            with self.sim._lock:
                waiting = self.sim.undelivered.pop(self.system_id, [])
            for fields in waiting:
                self.deliver(**fields)
        elif command == "enquire_link":
            self._resp(pdu, "enquire_link_resp")
        elif command == "unbind":
            self._resp(pdu, "unbind_resp")
            return False
        elif command == "submit_sm":
            self.submit(pdu)
        elif command == "deliver_sm_resp":
            with self.sim._lock:
                self._unacked.pop(pdu.sequence, None)
        elif command == "enquire_link_resp":
            pass
        else:
            self._resp(pdu, "generic_nack", status=smpplib.consts.SMPP_ESME_RINVCMDID)
        return True

    def submit(self, pdu: Any) -> None:
        sim = self.sim
        if not self.bound:
            self._resp(pdu, "submit_sm_resp", status=smpplib.consts.SMPP_ESME_RINVBNDSTS)
            return
        with sim._lock:
            throttle = sim.throttled < sim.config.throttle_first
            if throttle:
                sim.throttled += 1
        if throttle:
            self._resp(pdu, "submit_sm_resp", status=0x58)
            return
        number = sim.next_id()
        message_id = str(number) if sim.config.id_format == "decimal" else format(number, "x")
        receipt_id = (
            str(number) if sim.config.receipt_id_format == "decimal" else format(number, "x")
        )
        destination = (pdu.destination_addr or b"").decode()
        esm_class = int(pdu.esm_class or 0)
        data_coding = int(pdu.data_coding or 0)
        text, info = decode(
            pdu.short_message or b"", data_coding=data_coding, udh=bool(esm_class & 0x40)
        )
        with sim._lock:
            sim.submits.append(
                Submitted(
                    system_id=self.system_id,
                    destination=destination,
                    source=(pdu.source_addr or b"").decode(),
                    text=text,
                    data_coding=data_coding,
                    esm_class=esm_class,
                    udh=info,
                    message_id=message_id,
                    at=time.monotonic(),
                )
            )
        # Accepted: the message goes out and its receipt follows even if the answer below
        # cannot reach the client any more (its link died meanwhile).
        try:
            self._schedule_receipt(pdu, destination, text, receipt_id)
        finally:
            self._resp(pdu, "submit_sm_resp", message_id=message_id)

    def _schedule_receipt(self, pdu: Any, destination: str, text: str, receipt_id: str) -> None:
        sim = self.sim
        if not sim.config.receipts or not int(pdu.registered_delivery or 0) & 0x01:
            return
        if destination in sim.config.invalid:
            stat, err = "UNDELIV", "001"
        elif destination in sim.config.expired:
            stat, err = "EXPIRED", "000"
        else:
            stat, err = "DELIVRD", "000"
        now = dt.datetime.now().strftime("%y%m%d%H%M")
        body = (
            f"id:{receipt_id} sub:001 dlvrd:{'001' if stat == 'DELIVRD' else '000'} "
            f"submit date:{now} done date:{now} stat:{stat} err:{err} text:{text[:20]}"
        )
        timer = threading.Timer(
            sim.config.receipt_delay,
            self.deliver,
            kwargs={
                "source": destination,
                "esm_class": 0x04,
                "short_message": body.encode("latin-1", "replace"),
                "receipted_message_id": receipt_id,
                "message_state": _STATE_CODES.get(stat, 7),
            },
        )
        timer.daemon = True
        timer.start()

    def deliver(self, *, source: str, esm_class: int, short_message: bytes, **tlvs: Any) -> None:
        """Send a deliver_sm (receipt or mobile-originated message) to this client."""
        pdu = smpplib.smpp.make_pdu(
            "deliver_sm",
            client=self.codec,
            service_type="",
            source_addr_ton=1,
            source_addr_npi=1,
            source_addr=source,
            dest_addr_ton=5,
            dest_addr_npi=0,
            destination_addr="ESUP",
            esm_class=esm_class,
            protocol_id=0,
            priority_flag=0,
            registered_delivery=0,
            replace_if_present_flag=0,
            data_coding=0,
            sm_default_msg_id=0,
            short_message=short_message,
            **tlvs,
        )
        fields = {"source": source, "esm_class": esm_class, "short_message": short_message, **tlvs}
        with self.sim._lock:
            if self._closed.is_set():
                if esm_class & 0x04 and self.system_id:
                    self.sim.undelivered.setdefault(self.system_id, []).append(fields)
                return
            if esm_class & 0x04:
                self._unacked[pdu.sequence] = fields
        with contextlib.suppress(OSError):
            self._send(pdu)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="SMPP 3.4 SMSC simulator (esup-saas)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2775)
    parser.add_argument("--invalid", nargs="*", default=[], help="numbers (digits) to UNDELIV")
    parser.add_argument("--receipt-delay", type=float, default=1.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    config = SimConfig(invalid=set(args.invalid), receipt_delay=args.receipt_delay)
    sim = Simulator(args.host, args.port, config).start()
    print(f"SMSC simulator listening on {sim.host!s}:{sim.port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
