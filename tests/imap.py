"""A small IMAP4rev1 server on 127.0.0.1 for the IMAP poll test (RFC 3501 subset).

It speaks, over a real TCP socket, the commands ``imaplib`` sends for a poll: CAPABILITY,
LOGIN, SELECT, UID SEARCH UNSEEN, UID FETCH (BODY.PEEK[]), UID STORE +FLAGS (\\Seen) and
LOGOUT, on one mailbox held in memory (``messages``: uid → [raw bytes, seen]).
"""

from __future__ import annotations

import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    def _send(self, line: str | bytes) -> None:
        self.wfile.write(line if isinstance(line, bytes) else line.encode() + b"\r\n")

    def handle(self) -> None:
        box = self.server.mailbox  # type: ignore[attr-defined]
        self._send("* OK IMAP4rev1 test server ready")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            parts = raw.decode().strip().split(" ")
            tag, cmd, args = parts[0], parts[1].upper(), parts[2:]
            if cmd == "CAPABILITY":
                self._send("* CAPABILITY IMAP4rev1")
            elif cmd == "LOGIN":
                if [a.strip('"') for a in args] != [box.user, box.password]:
                    self._send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
                    continue
            elif cmd == "SELECT":
                self._send(f"* {len(box.messages)} EXISTS")
                self._send(f"{tag} OK [READ-WRITE] SELECT completed")
                continue
            elif cmd == "UID" and args[0].upper() == "SEARCH":
                unseen = [
                    str(uid) for uid, (_raw, seen) in sorted(box.messages.items()) if not seen
                ]
                self._send("* SEARCH " + " ".join(unseen) if unseen else "* SEARCH")
            elif cmd == "UID" and args[0].upper() == "FETCH":
                uid = int(args[1])
                body = box.messages[uid][0]
                self._send(f"* {uid} FETCH (UID {uid} BODY[] {{{len(body)}}}".encode() + b"\r\n")
                self._send(body + b")\r\n")
            elif cmd == "UID" and args[0].upper() == "STORE":
                uid = int(args[1])
                box.messages[uid][1] = True
                self._send(f"* {uid} FETCH (FLAGS (\\Seen))")
            elif cmd == "LOGOUT":
                self._send("* BYE logging out")
                self._send(f"{tag} OK LOGOUT completed")
                return
            self._send(f"{tag} OK {cmd} completed")


class ImapServer:
    """``with ImapServer(user, password, [raw, …]) as server:`` → ``server.port``."""

    def __init__(self, user: str, password: str, messages: list[bytes]) -> None:
        self.user, self.password = user, password
        self.messages = {i + 1: [raw, False] for i, raw in enumerate(messages)}
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.mailbox = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]

    def __enter__(self) -> ImapServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
