"""Two requests writing at once (a double click on "accept", two agents assigning the same
ticket) must not end in a server error on the demo's SQLite database.

SQLite opens transactions as ``DEFERRED`` by default: two transactions that both read before
writing deadlock, and SQLite answers "database is locked" at once instead of waiting for the
busy timeout. The settings ask for ``BEGIN IMMEDIATE``, so the second writer waits for the
first one, then reads what it wrote (and the service refuses the stale transition cleanly).
"""

from __future__ import annotations

import copy
import sqlite3
import threading
import time

import pytest
from django.conf import settings
from django.db import connections, transaction

pytestmark = pytest.mark.django_db(transaction=True)

ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


@pytest.mark.skipif(not ON_SQLITE, reason="the SQLite demo database only")
def test_two_read_then_write_transactions_wait_for_each_other(tmp_path):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    path = tmp_path / "race.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE t (status TEXT)")
        raw.execute("INSERT INTO t VALUES ('resolved')")
    config = copy.deepcopy(settings.DATABASES["default"])
    config["NAME"] = str(path)
    first_inside = threading.Event()
    errors: list[Exception] = []
    seen: dict[str, str] = {}

    def accept(name: str, pause: float) -> None:
        """Like ``ticket_transition``: read the state, then write it, in one transaction."""
        conn = DatabaseWrapper(copy.deepcopy(config), alias="race")
        connections["race"] = conn
        try:
            with transaction.atomic(using="race"), conn.cursor() as cursor:
                cursor.execute("SELECT status FROM t")
                status = cursor.fetchone()[0]
                seen[name] = status
                if name == "first":
                    first_inside.set()
                time.sleep(pause)
                if status == "resolved":
                    cursor.execute("UPDATE t SET status = 'closed'")
        except Exception as exc:
            errors.append(exc)
            first_inside.set()
        finally:
            conn.close()

    def second() -> None:
        first_inside.wait(5)
        accept("second", 0)

    threads = [
        threading.Thread(target=accept, args=("first", 0.5)),
        threading.Thread(target=second),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert seen == {"first": "resolved", "second": "closed"}
