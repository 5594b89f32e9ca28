"""SQLite writers in several processes (web workers, sweepers) queue on a file lock beside the database,
taken by each write unit of work, instead of polling in SQLite's busy handler; and many concurrent writers
in two processes all commit, the audit chain intact. A `nowait` unit of work (an action run on the web
app's event loop) starts only when no writer holds the lock, and is refused at once otherwise."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest

from domain.config import Settings
from services import audit
from services.runtime import Runtime, configure
from services.uow import UnitOfWork, WriterBusy


def _settings_json(runtime: Runtime) -> str:
    return runtime.settings.model_copy(
        update={"database_url": runtime.engine.url.render_as_string(hide_password=False)}
    ).model_dump_json()


def _hold_writer(settings_json: str, ready: str, seconds: float) -> None:
    rt = configure(Settings.model_validate_json(settings_json))
    with UnitOfWork(rt):
        open(ready, "w").close()
        time.sleep(seconds)
    rt.engine.dispose()


def _writer(settings_json: str, name: str, n: int, start_at: float) -> int:
    rt = configure(Settings.model_validate_json(settings_json))
    while time.time() < start_at:
        time.sleep(0.005)
    for i in range(n):
        with UnitOfWork(rt) as uow:
            audit.defer(uow.session, uow.now, actor=None, subject_type=name, subject_id=i, action="write")
            uow.commit()
    rt.engine.dispose()
    return n


def test_a_write_unit_of_work_holds_the_file_lock(runtime: Runtime, tmp_path: Path) -> None:
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers lock rows, not the database")
    database = runtime.engine.url.database
    assert database
    ready = str(tmp_path / "ready")
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_hold_writer, args=(_settings_json(runtime), ready, 1.0))
    proc.start()
    try:
        deadline = time.time() + 30
        while not os.path.exists(ready):
            assert time.time() < deadline and proc.is_alive()
            time.sleep(0.01)
        fd = os.open(database + ".writer-lock", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
        start = time.perf_counter()
        with UnitOfWork(runtime) as uow:  # waits for the other process's unit of work, then writes
            audit.defer(uow.session, uow.now, actor=None, subject_type="t", subject_id=1, action="after")
            uow.commit()
        assert time.perf_counter() - start > 0.2
    finally:
        proc.join(30)
    assert proc.exitcode == 0


def test_writers_in_two_processes_all_commit(runtime: Runtime) -> None:
    settings_json = _settings_json(runtime)
    ctx = multiprocessing.get_context("spawn")
    start_at = time.time() + 4  # after both processes have imported everything
    with ctx.Pool(2) as pool:
        done = pool.starmap(
            _writer, [(settings_json, "a", 150, start_at), (settings_json, "b", 150, start_at)]
        )
    assert done == [150, 150]
    with UnitOfWork(runtime, readonly=True) as uow:
        assert audit.verify(uow.session) == audit.VerifyResult(ok=True, checked=300)
        assert len(audit.history(uow.session, "a", 149)) == 1


def _file_lock_free(database: str) -> bool:
    fd = os.open(database + ".writer-lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_commit_lets_the_next_writer_in_and_a_later_transaction_queues_again(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers lock rows, not the database")
    database = runtime.engine.url.database
    assert database
    with UnitOfWork(runtime) as uow:
        audit.defer(uow.session, uow.now, actor=None, subject_type="t", subject_id=1, action="first")
        assert not _file_lock_free(database)
        uow.commit()
        assert _file_lock_free(database)  # released at commit, before the block ends
        audit.defer(uow.session, uow.now, actor=None, subject_type="t", subject_id=1, action="second")
        assert not _file_lock_free(database)  # the new transaction took it again
        uow.commit()
    assert _file_lock_free(database)
    with UnitOfWork(runtime, readonly=True) as uow:
        assert [r.action for r in audit.history(uow.session, "t", 1)] == ["first", "second"]


def test_nowait_starts_only_a_sqlite_writer_that_need_not_wait(runtime: Runtime, tmp_path: Path) -> None:
    if runtime.engine.dialect.name != "sqlite":
        with pytest.raises(WriterBusy):  # PostgreSQL's statements wait on the network: never in-place
            UnitOfWork(runtime, nowait=True).__enter__()
        return
    with pytest.raises(WriterBusy):  # a reader has no writer lock to try
        UnitOfWork(runtime, readonly=True, nowait=True).__enter__()
    with UnitOfWork(runtime, nowait=True) as uow:  # free: runs
        audit.defer(uow.session, uow.now, actor=None, subject_type="t", subject_id=1, action="free")
        uow.commit()
    # Another thread of this process writing: refused at once, nothing held afterwards.
    entered, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with UnitOfWork(runtime):
            entered.set()
            leave.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert entered.wait(10)
        start = time.perf_counter()
        with pytest.raises(WriterBusy):
            UnitOfWork(runtime, nowait=True).__enter__()
        assert time.perf_counter() - start < 0.5
    finally:
        leave.set()
        holder.join(10)
    # Another process writing: refused at once too.
    ready = str(tmp_path / "ready")
    proc = multiprocessing.get_context("spawn").Process(
        target=_hold_writer, args=(_settings_json(runtime), ready, 1.0)
    )
    proc.start()
    try:
        deadline = time.time() + 30
        while not os.path.exists(ready):
            assert time.time() < deadline and proc.is_alive()
            time.sleep(0.01)
        with pytest.raises(WriterBusy):
            UnitOfWork(runtime, nowait=True).__enter__()
    finally:
        proc.join(30)
    database = runtime.engine.url.database
    assert database and _file_lock_free(database)
    with UnitOfWork(runtime, nowait=True) as uow:  # and free again afterwards
        audit.defer(uow.session, uow.now, actor=None, subject_type="t", subject_id=1, action="after")
        uow.commit()
    with UnitOfWork(runtime, readonly=True) as uow:
        assert [r.action for r in audit.history(uow.session, "t", 1)] == ["free", "after"]


def test_nowait_does_not_overtake_a_queued_writer(runtime: Runtime) -> None:
    """A writer of another process waiting for the lock holds the queue file shared: a `nowait` unit of work
    must not take the lock the moment it is free, ahead of it (which it would win every time: the waiter
    has yet to be woken), or a sweeper could wait behind web requests forever."""
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers lock rows, not the database")
    database = runtime.engine.url.database
    assert database and _file_lock_free(database)
    with UnitOfWork(runtime, nowait=True):  # creates the queue file beside the lock, as any writer does
        pass
    fd = os.open(database + ".writer-queue", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # as a writer waiting in another process
        with pytest.raises(WriterBusy):
            UnitOfWork(runtime, nowait=True).__enter__()
        with UnitOfWork(runtime) as uow:  # a writer that may wait is not refused (the lock is free)
            audit.defer(uow.session, uow.now, actor=None, subject_type="q", subject_id=1, action="waits")
            uow.commit()
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    with UnitOfWork(runtime, nowait=True) as uow:  # nobody queued: runs
        audit.defer(uow.session, uow.now, actor=None, subject_type="q", subject_id=1, action="nowait")
        uow.commit()
    assert _file_lock_free(database)
