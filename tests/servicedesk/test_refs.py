"""Ticket refs: per kind, six digits, never reused, safe under concurrency (specs item 10)."""

from __future__ import annotations

import re
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from esup_saas.servicedesk.models import Kind, RefCounter, Ticket, format_ref
from esup_saas.servicedesk.selectors import parse_ref
from esup_saas.servicedesk.services import ticket_create
from tests.conftest import make_ticket

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis"))


def counter(kind: str) -> int:
    """The last number given for ``kind`` (0 when the counter row does not exist yet)."""
    row = RefCounter.objects.filter(kind=kind).values_list("last", flat=True).first()
    return row or 0


def test_refs_are_counted_per_kind(world):
    i1 = make_ticket(world)
    r1 = make_ticket(world, sub=world.request_sub)
    i2 = make_ticket(world)
    r2 = make_ticket(world, sub=world.request_sub)
    i3 = make_ticket(world, sub=world.other_incident_sub)  # another provider, same series
    assert [t.ref for t in (i1, i2, i3)] == ["I-000001", "I-000002", "I-000003"]
    assert [t.ref for t in (r1, r2)] == ["R-000001", "R-000002"]
    assert (r1.kind, r1.number) == (Kind.USER_REQUEST, 1)
    assert counter(Kind.INCIDENT) == 3
    assert counter(Kind.USER_REQUEST) == 2


def test_a_change_request_is_a_user_request(world):
    change_sub = world.service.subcategories.get(name="Change on A")
    ticket = make_ticket(world, sub=change_sub)
    assert ticket.ref == "R-000001"
    assert ticket.request_type == "change_request"


@pytest.mark.parametrize(
    ("kind", "number", "ref"),
    [
        (Kind.INCIDENT, 1, "I-000001"),
        (Kind.INCIDENT, 7, "I-000007"),
        (Kind.USER_REQUEST, 4242, "R-004242"),
        (Kind.USER_REQUEST, 999999, "R-999999"),
    ],
)
def test_refs_have_six_digits_and_parse_back(kind, number, ref):
    assert format_ref(kind, number) == ref
    assert re.fullmatch(r"[IR]-\d{6}", ref)
    assert parse_ref(ref) == (kind, number)


@pytest.mark.parametrize(
    "text", ["", "I-7", "I-0000001", "i-000001", "X-000001", "I000001", " I-000001", "R-00000a"]
)
def test_malformed_refs_do_not_parse(text):
    assert parse_ref(text) is None


def test_a_deleted_tickets_number_is_never_reused(world):
    make_ticket(world)
    second = make_ticket(world)
    assert second.ref == "I-000002"
    second.delete()
    assert make_ticket(world).ref == "I-000003"
    assert sorted(Ticket.objects.values_list("number", flat=True)) == [1, 3]


def test_a_forced_number_moves_the_counter(world):
    make_ticket(world)
    forced = ticket_create(
        caller=world.owner,
        subcategory=world.incident_sub,
        title="Importé d'iTop",
        description="x",
        impact=3,
        urgency=3,
        number=41,
    )
    assert forced.ref == "I-000041"
    assert counter(Kind.INCIDENT) == 41
    assert make_ticket(world).ref == "I-000042"
    # A forced number below the counter (an old import) does not move it back.
    ticket_create(
        caller=world.owner,
        subcategory=world.incident_sub,
        title="Ancien",
        description="x",
        impact=3,
        urgency=3,
        number=5,
    )
    assert counter(Kind.INCIDENT) == 42
    assert make_ticket(world).ref == "I-000043"
    # The other kind's counter never moved.
    assert make_ticket(world, sub=world.request_sub).ref == "R-000001"


def test_a_forced_number_already_taken_is_refused(world):
    make_ticket(world)
    make_ticket(world)
    with pytest.raises(ValidationError):
        ticket_create(
            caller=world.owner,
            subcategory=world.incident_sub,
            title="Doublon",
            description="x",
            impact=3,
            urgency=3,
            number=2,
        )
    assert Ticket.objects.count() == 2
    assert counter(Kind.INCIDENT) == 2


def test_a_refused_ticket_uses_no_number(world):
    with pytest.raises(ValidationError):
        make_ticket(world, impact=9)
    assert counter(Kind.INCIDENT) == 0
    assert make_ticket(world).ref == "I-000001"


def test_the_counter_row_is_created_when_missing(world):
    # A database emptied by hand (or flushed by a test) has no counter rows.
    RefCounter.objects.all().delete()
    assert make_ticket(world).ref == "I-000001"
    assert make_ticket(world, sub=world.request_sub).ref == "R-000001"
    assert make_ticket(world).ref == "I-000002"


# --- concurrency (PostgreSQL) ---------------------------------------------------------------

THREADS = 8
PER_THREAD = 4


@pytest.mark.postgres
@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL: set DATABASE_URL=postgres://… (SQLite serialises all writers)",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("counters", ["present", "missing"])
def test_concurrent_creation_gives_distinct_contiguous_numbers(world, counters):
    if counters == "missing":
        RefCounter.objects.all().delete()  # the first allocation races on the insert too
    start = {kind: counter(kind) for kind in Kind.values}
    barrier = threading.Barrier(THREADS)
    results: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(PER_THREAD):
                sub = world.incident_sub if (index + i) % 2 else world.request_sub
                ticket = make_ticket(world, sub=sub, title=f"Thread {index} ticket {i}")
                with lock:
                    results.append((ticket.kind, ticket.number))
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(results) == THREADS * PER_THREAD
    for kind in Kind.values:
        numbers = sorted(n for k, n in results if k == kind)
        assert len(numbers) == THREADS * PER_THREAD // 2
        assert numbers == list(range(start[kind] + 1, start[kind] + len(numbers) + 1)), kind
        assert counter(kind) == start[kind] + len(numbers)
    stored = Ticket.objects.values_list("kind", "number")
    assert sorted(stored) == sorted(results)
