"""The transports on their own: receipts' parsing and id forms, the SMPP link's reconnection
and rate, the HTTP gateway against a real local HTTP server, the console transport."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from esup_saas.lib.gsm import encode
from esup_saas.offers.sms.smsc_sim import Simulator
from esup_saas.offers.sms.transports import (
    ConsoleTransport,
    HttpTransport,
    OutgoingPart,
    SmppConfig,
    SmppTransport,
    id_candidates,
    parse_receipt,
)


def _parts(n: int, start: int = 0) -> list[OutgoingPart]:
    (part,) = encode("Bonjour")
    return [
        OutgoingPart(k, f"+3360000{k:04d}", "UNIV TEST", part.payload, part.data_coding, False)
        for k in range(start, start + n)
    ]


def test_receipt_from_the_text_alone_and_both_id_forms():
    pdu = SimpleNamespace(
        esm_class=0x04,
        short_message=b"id:0000001E240 sub:001 dlvrd:000 submit date:2601011200 "
        b"done date:2601011201 stat:UNDELIV err:001 text:Bonjour",
        receipted_message_id=None,
        source_addr=b"33600001234",
    )
    receipt = parse_receipt(pdu)
    assert (receipt.smsc_id, receipt.stat, receipt.err, receipt.source) == (
        "0000001E240",
        "UNDELIV",
        "001",
        "+33600001234",
    )
    assert parse_receipt(SimpleNamespace(esm_class=0, short_message=b"STOP")) is None
    assert {"123456", "1e240"} <= id_candidates("123456")
    assert "123456" in id_candidates("0000001E240")


def test_smpp_link_reconnects_on_the_next_call_after_the_smsc_went_away():
    sim = Simulator().start()
    port = sim.port
    link = SmppTransport(SmppConfig(port=port, timeout=3, backoff_initial=0.01))
    results = []
    link.submit(_parts(2), results.append)
    assert [r.accepted for r in results] == [True, True]
    sim.stop()
    results.clear()
    link.submit(_parts(1, start=10), results.append)
    assert [(r.retry, r.status) for r in results] == [(True, -1)]  # in doubt, not lost
    again = Simulator(port=port).start()
    try:
        results.clear()
        link.submit(_parts(1, start=20), results.append)
        assert [r.accepted for r in results] == [True]
        assert again.binds == 1
    finally:
        link.close()
        again.stop()


def test_smpp_rate_limit_spaces_the_submits():
    with Simulator() as sim:
        link = SmppTransport(SmppConfig(port=sim.port, rate=20, window=1))
        started = time.monotonic()
        link.submit(_parts(6), lambda r: None)
        elapsed = time.monotonic() - started
        link.close()
    assert elapsed >= 5 / 20 * 0.9  # 6 submits at 20/s: 5 intervals of 50 ms


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Gateway.received.append(body)
        if body["to"].endswith("9999"):
            self.send_response(503)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": f"gw-{len(_Gateway.received)}"}).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received = []
    yield f"http://127.0.0.1:{server.server_address[1]}/send"
    server.shutdown()
    server.server_close()


def test_http_gateway_posts_each_part_and_retries_on_503(gateway):
    link = HttpTransport(gateway, token="t0k")
    (part,) = encode("ça va")
    parts = [
        OutgoingPart(1, "+33600001111", "UNIV", part.payload, part.data_coding, False),
        OutgoingPart(2, "+33600009999", "UNIV", part.payload, part.data_coding, False),
    ]
    results = []
    link.submit(parts, results.append)
    assert [(r.smsc_id, r.retry) for r in results] == [("gw-1", False), ("", True)]
    assert _Gateway.received[0]["data_coding"] == 8
    assert bytes.fromhex(_Gateway.received[0]["payload_hex"]).decode("utf-16-be") == "ça va"


def test_console_transport_writes_and_reports_delivered(tmp_path):
    path = tmp_path / "out.log"
    link = ConsoleTransport(path)
    results = []
    link.submit(_parts(1), results.append)
    assert results[0].accepted
    assert "UNIV TEST -> +33600000000 [1/1] 'Bonjour'" in path.read_text()
    (receipt,) = link.poll(0).receipts
    assert (receipt.smsc_id, receipt.stat) == (results[0].smsc_id, "DELIVRD")
