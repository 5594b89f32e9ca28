"""Two sweepers in two processes (as several Prefect workers would be) over the same due timers, on SQLite
and PostgreSQL: every timer fires exactly once; and a backlog larger than one batch is drained."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from datetime import timedelta

from db.models.timers import Timer
from domain.config import Settings
from services import timers
from services.runtime import Runtime, configure
from services.uow import UnitOfWork

KIND = "test.process"


def _sweeper(settings_json: str, worker: str, start_at: float) -> dict[int, int]:
    """Runs in a fresh process: its own engine, its own handler, its own count of calls."""
    rt = configure(Settings.model_validate_json(settings_json))
    calls: Counter[int] = Counter()

    def handler(uow: UnitOfWork, timer: Timer) -> None:
        calls[timer.id] += 1

    timers.register(KIND)(handler)
    timers.load_handlers()  # import everything before the start line
    while time.time() < start_at:  # both begin together
        time.sleep(0.005)
    while True:
        result = timers.sweep(rt, worker_id=worker, limit=20)
        if result.fired + result.skipped + result.failed == 0:
            break
    rt.engine.dispose()
    return dict(calls)


def _schedule_due(runtime: Runtime, n: int) -> None:
    with UnitOfWork(runtime) as uow:
        for i in range(n):
            timers.schedule(uow.session, KIND, "case", i, uow.now - timedelta(seconds=i), now=uow.now)
        uow.commit()


def test_two_sweeper_processes_fire_each_timer_exactly_once(runtime: Runtime) -> None:
    n = 200
    _schedule_due(runtime, n)
    settings_json = runtime.settings.model_copy(
        update={"database_url": runtime.engine.url.render_as_string(hide_password=False)}
    ).model_dump_json()
    ctx = multiprocessing.get_context("spawn")
    start_at = time.time() + 4  # after both processes have imported everything
    with ctx.Pool(2) as pool:
        results = pool.starmap(
            _sweeper, [(settings_json, "proc-1", start_at), (settings_json, "proc-2", start_at)]
        )
    merged: Counter[int] = Counter()
    for calls in results:
        merged.update(calls)
    assert len(merged) == n
    assert set(merged.values()) == {1}, "a handler ran twice"
    with UnitOfWork(runtime, readonly=True) as uow:
        rows = uow.session.query(Timer).all()
        assert {r.state for r in rows} == {"fired"} and {r.attempts for r in rows} == {1}
        by = Counter(r.fired_by for r in rows)
    assert sum(by.values()) == n and set(by) <= {"proc-1", "proc-2"}


def test_drain_works_through_a_backlog_batch_by_batch(runtime: Runtime) -> None:
    fired: list[int] = []
    timers.register(KIND)(lambda uow, timer: fired.append(timer.id))
    try:
        _schedule_due(runtime, 120)
        result = timers.drain(runtime, worker_id="drain", batch=50, budget_seconds=60)
        assert (result.fired, result.failed, result.skipped) == (120, 0, 0)
        assert len(set(fired)) == 120
        # A budget that runs out leaves the rest for the next run.
        with UnitOfWork(runtime) as uow:
            for i in range(1000, 1100):
                timers.schedule(uow.session, KIND, "case", i, uow.now - timedelta(seconds=1), now=uow.now)
            uow.commit()
        first = timers.drain(runtime, worker_id="drain", batch=30, budget_seconds=0)
        assert first.fired == 30
        assert timers.drain(runtime, worker_id="drain", batch=30).fired == 70
    finally:
        timers.unregister(KIND)
