"""Stored timers and their sweep, on SQLite and PostgreSQL: idempotent scheduling, firing exactly once,
the simulated clock, retries with backoff, leases, and two sweepers racing over the same rows."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from db.models.timers import Timer
from db.repos import timers as repo
from domain.clock import real_now
from services import clock, timers
from services.runtime import Runtime
from services.uow import UnitOfWork

OK, BOOM, CHILD = "test.ok", "test.boom", "test.child"


class Calls:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_id: Counter[int] = Counter()
        self.by_worker: Counter[str] = Counter()

    def hit(self, timer: Timer) -> None:
        with self.lock:
            self.by_id[timer.id] += 1


@pytest.fixture
def calls() -> Iterator[Calls]:
    calls = Calls()

    def ok(uow: UnitOfWork, timer: Timer) -> None:
        calls.hit(timer)
        # A write of the handler's own, committed together with the 'fired' mark.
        timers.schedule(uow.session, CHILD, "timer", timer.id, uow.now + timedelta(days=365), now=uow.now)

    def boom(uow: UnitOfWork, timer: Timer) -> None:
        calls.hit(timer)
        timers.schedule(uow.session, CHILD, "timer", timer.id, uow.now + timedelta(days=365), now=uow.now)
        raise RuntimeError("handler exploded")

    timers.register(OK)(ok)
    timers.register(BOOM)(boom)
    yield calls
    timers.unregister(OK)
    timers.unregister(BOOM)


def _now(runtime: Runtime) -> datetime:
    with UnitOfWork(runtime, readonly=True) as uow:
        return uow.now


def _schedule(runtime: Runtime, kind: str, subject_id: int, due_at: datetime, **kw: object) -> int:
    with UnitOfWork(runtime) as uow:
        row = timers.schedule(uow.session, kind, "case", subject_id, due_at, **kw)  # type: ignore[arg-type]
        uow.commit()
        return row.id


def _rows(runtime: Runtime, kind: str | None = None) -> list[Timer]:
    with UnitOfWork(runtime, readonly=True) as uow:
        stmt = select(Timer).order_by(Timer.id)
        if kind:
            stmt = stmt.where(Timer.kind == kind)
        rows = list(uow.session.scalars(stmt))
        uow.session.expunge_all()  # keep them readable after the read-only rollback
        return rows


def test_schedule_is_idempotent_and_reschedules_pending(runtime: Runtime, calls: Calls) -> None:
    due = _now(runtime) + timedelta(days=3)
    first = _schedule(runtime, OK, 1, due, payload={"step": "a"})
    assert _schedule(runtime, OK, 1, due, payload={"step": "a"}) == first
    later = due + timedelta(days=2)
    assert _schedule(runtime, OK, 1, later, payload={"step": "b"}) == first
    (row,) = _rows(runtime)
    assert (row.due_at, row.payload, row.state) == (later, {"step": "b"}, "pending")
    # Another subject, or the same subject under another key, is another timer.
    _schedule(runtime, OK, 2, due)
    _schedule(runtime, OK, 1, due, dedupe_key="ok:case:1:round-2")
    assert len(_rows(runtime)) == 3


def test_due_timer_fires_once_not_yet_due_does_not(runtime: Runtime, calls: Calls) -> None:
    now = _now(runtime)
    due_id = _schedule(runtime, OK, 1, now - timedelta(minutes=1))
    later_id = _schedule(runtime, OK, 2, now + timedelta(hours=1))
    result = timers.sweep(runtime, worker_id="t1")
    assert (result.fired, result.failed, result.skipped) == (1, 0, 0)
    assert timers.sweep(runtime, worker_id="t2").fired == 0
    assert calls.by_id == {due_id: 1}
    fired, later = _rows(runtime, OK)
    assert fired.state == "fired" and fired.fired_by == "t1" and fired.attempts == 1
    assert fired.lease_owner is None and fired.fired_at is not None
    assert later.id == later_id and later.state == "pending"
    # The handler's own write committed with the mark; scheduling a fired key again changes nothing.
    assert len(_rows(runtime, CHILD)) == 1
    _schedule(runtime, OK, 1, now + timedelta(days=1))
    assert _rows(runtime, OK)[0].state == "fired"


def test_simulated_clock_advance_makes_timer_due(runtime: Runtime, calls: Calls) -> None:
    timer_id = _schedule(runtime, OK, 1, _now(runtime) + timedelta(days=15))
    assert timers.sweep(runtime, worker_id="w").fired == 0
    with UnitOfWork(runtime) as uow:
        clock.advance(uow.session, runtime.settings, timedelta(days=15, minutes=1))
        uow.commit()
    assert timers.sweep(runtime, worker_id="w").fired == 1
    assert calls.by_id == {timer_id: 1}


def test_failing_handler_is_retried_with_backoff_then_failed(runtime: Runtime, calls: Calls) -> None:
    now = _now(runtime)
    bad = _schedule(runtime, BOOM, 1, now - timedelta(minutes=5))
    good = [_schedule(runtime, OK, i, now - timedelta(minutes=1)) for i in (2, 3)]
    kw = {"max_attempts": 3, "backoff_seconds": 60.0}

    first = timers.sweep(runtime, worker_id="w", **kw)  # type: ignore[arg-type]
    assert (first.fired, first.failed, first.given_up) == (2, 1, 0)
    assert all(calls.by_id[g] == 1 for g in good)
    (row,) = _rows(runtime, BOOM)
    assert row.state == "pending" and row.attempts == 1 and "handler exploded" in (row.last_error or "")
    assert row.retry_at is not None and row.lease_owner is None
    # The failed attempt's own write was rolled back (only the two good handlers' children exist).
    assert {c.subject_id for c in _rows(runtime, CHILD)} == set(good)
    # Backoff: not again at once.
    assert timers.sweep(runtime, worker_id="w", **kw).failed == 0  # type: ignore[arg-type]

    for step, (minutes, given_up) in enumerate([(2, 0), (3, 1)], start=2):
        with UnitOfWork(runtime) as uow:
            clock.advance(uow.session, runtime.settings, timedelta(minutes=minutes))
            uow.commit()
        result = timers.sweep(runtime, worker_id="w", **kw)  # type: ignore[arg-type]
        assert (result.failed, result.given_up) == (1, given_up)
        assert _rows(runtime, BOOM)[0].attempts == step
    (row,) = _rows(runtime, BOOM)
    assert row.state == "failed" and calls.by_id[bad] == 3
    with UnitOfWork(runtime) as uow:
        clock.advance(uow.session, runtime.settings, timedelta(days=1))
        uow.commit()
    assert timers.sweep(runtime, worker_id="w", **kw).failed == 0  # type: ignore[arg-type]
    # An operator re-arms it once the cause is fixed.
    timers.unregister(BOOM)
    timers.register(BOOM)(lambda uow, timer: calls.hit(timer))
    with UnitOfWork(runtime) as uow:
        timers.rearm_failed(uow.session, bad)
        uow.commit()
    assert timers.sweep(runtime, worker_id="w").fired == 1
    assert _rows(runtime, BOOM)[0].state == "fired" and calls.by_id[bad] == 4


def test_cancel_and_rearm(runtime: Runtime, calls: Calls) -> None:
    past = _now(runtime) - timedelta(minutes=1)
    _schedule(runtime, OK, 1, past)
    _schedule(runtime, BOOM, 1, past)
    _schedule(runtime, OK, 2, past)
    with UnitOfWork(runtime) as uow:
        assert timers.cancel(uow.session, OK, "case", 2)
        assert not timers.cancel(uow.session, OK, "case", 99)
        assert timers.cancel_for_subject(uow.session, "case", 1) == 2
        uow.commit()
    assert timers.sweep(runtime, worker_id="w").fired == 0
    assert {r.state for r in _rows(runtime)} == {"cancelled"}
    _schedule(runtime, OK, 2, past)  # scheduling a cancelled key re-arms it
    assert timers.sweep(runtime, worker_id="w").fired == 1


def test_lease_taken_over_by_another_sweeper_is_not_fired_twice(runtime: Runtime, calls: Calls) -> None:
    timer_id = _schedule(runtime, OK, 1, _now(runtime) - timedelta(minutes=1))
    # Sweeper A claims, then stalls past its lease.
    with UnitOfWork(runtime) as uow:
        lease_now = real_now()
        claimed = repo.claim_due(
            uow.session, now=uow.now, lease_now=lease_now, lease_until=lease_now - timedelta(seconds=1),
            owner="A#1", kinds=[OK], limit=10,
        )
        uow.commit()
    assert claimed == [timer_id]
    # Sweeper B takes the expired lease over and fires.
    assert timers.sweep(runtime, worker_id="B").fired == 1
    # A wakes up: the row is no longer its own, nothing happens.
    assert timers._fire(runtime, timer_id, "A#1", "A", 5, 60.0) == "skipped"
    assert calls.by_id == {timer_id: 1}


def test_reconcile_frees_expired_leases_and_reports_unhandled(runtime: Runtime, calls: Calls) -> None:
    past = _now(runtime) - timedelta(hours=2)
    stuck = _schedule(runtime, OK, 1, past)
    _schedule(runtime, "nobody.handles", 2, past)
    with UnitOfWork(runtime) as uow:
        row = repo.get(uow.session, stuck)
        assert row is not None
        row.lease_owner, row.lease_until = "crashed#1", real_now() - timedelta(minutes=1)
        uow.commit()
    report = timers.reconcile(runtime, worker_id="daily")
    assert report.expired_leases_reset == 1
    assert report.sweep.fired == 1
    assert report.overdue_pending == {"nobody.handles": 1}
    assert report.unhandled_kinds == ["nobody.handles"]
    assert report.states["fired"] == 1


def test_two_sweepers_at_once_fire_each_timer_exactly_once(runtime: Runtime, calls: Calls) -> None:
    n = 200
    now = _now(runtime)
    with UnitOfWork(runtime) as uow:
        for i in range(n):
            timers.schedule(uow.session, OK, "case", i, now - timedelta(seconds=i), now=now)
        uow.commit()
    barrier = threading.Barrier(2)
    totals: Counter[str] = Counter()
    errors: list[BaseException] = []

    def run(worker: str) -> None:
        try:
            barrier.wait()
            while True:
                result = timers.sweep(runtime, worker_id=worker, limit=15)
                with calls.lock:
                    totals[worker] += result.fired
                    totals["skipped"] += result.skipped
                if result.fired + result.skipped + result.failed == 0:
                    break
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"sweeper-{k}",)) for k in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(calls.by_id) == n
    assert set(calls.by_id.values()) == {1}, "a handler ran twice"
    assert totals["sweeper-1"] + totals["sweeper-2"] == n
    if runtime.engine.dialect.name == "postgresql":
        # Row locks let both work side by side. (SQLite serialises writers, and its busy handler can
        # starve one sweeper until the other has finished: still correct, just not shared.)
        assert totals["sweeper-1"] > 0 and totals["sweeper-2"] > 0, totals
    rows = _rows(runtime, OK)
    assert {r.state for r in rows} == {"fired"} and all(r.attempts == 1 for r in rows)
    assert len(_rows(runtime, CHILD)) == n
