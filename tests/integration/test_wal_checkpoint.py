"""SQLite WAL checkpoints off the request path (`db.engine.WalCheckpointer`): while it runs, the engine's
connections never checkpoint inside a commit, and its thread keeps the WAL checkpointed; stopped, the
connections checkpoint by themselves again. The web app runs one for its lifetime on SQLite, none on
PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from api.app import create_app
from db.engine import WalCheckpointer, make_engine
from services.runtime import Runtime

THREAD = "sqlite-wal-checkpoint"


def _autocheckpoint(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def _fill(engine: Engine, rows: int) -> None:
    """Commits that together write well over SQLite's 1000-page auto-checkpoint mark."""
    for i in range(rows):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO big (body) VALUES (:b)"), {"b": f"{i}" * 6000})


def _wal_pages(path: Path) -> float:
    """The WAL file's length in 4 kB pages. A commit that checkpoints starts the file over from its
    beginning, so with auto-checkpoints it never grows much past 1000 pages."""
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size / 4096


def test_checkpoints_leave_commits_and_run_in_the_background(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT)"))
    assert _autocheckpoint(engine) == 1000  # SQLite's own default: a commit checkpoints past 1000 pages

    _fill(engine, 600)
    assert _wal_pages(path) < 1200  # commits checkpointed past the mark and started the WAL over

    checkpointer = WalCheckpointer(engine, interval=3600).start()  # the thread waits: commits only
    try:
        assert _autocheckpoint(engine) == 0
        _fill(engine, 600)  # ~3700 pages: far past the mark, yet no commit checkpointed
        assert _wal_pages(path) > 3000
        own = sqlite3.connect(path, isolation_level=None)  # what the thread does, on its own connection
        busy, frames, copied = checkpointer.checkpoint(own)
        own.close()
        assert busy == 0 and copied == frames > 3000
    finally:
        checkpointer.stop()
    assert _autocheckpoint(engine) == 1000  # stopped: connections checkpoint by themselves again
    engine.dispose()


def test_the_thread_checkpoints_every_interval(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT)"))
    checkpointer = WalCheckpointer(engine, interval=0.05).start()
    try:
        _fill(engine, 50)
        deadline = time.monotonic() + 10
        start = checkpointer.checkpoints
        while checkpointer.checkpoints < start + 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert checkpointer.checkpoints >= start + 2
        assert checkpointer.last is not None
        busy, frames, copied = checkpointer.last
        assert busy == 0 and copied == frames > 0  # everything written so far is in the database file
    finally:
        checkpointer.stop()
    assert not any(t.name == THREAD for t in threading.enumerate())
    engine.dispose()


def test_only_a_sqlite_file_gets_one() -> None:
    with pytest.raises(ValueError, match="SQLite database file"):
        WalCheckpointer(create_engine("sqlite://"))


def test_the_web_app_runs_one_while_it_is_up(runtime: Runtime) -> None:
    sqlite = runtime.engine.dialect.name == "sqlite"
    with TestClient(create_app()):
        running = [t for t in threading.enumerate() if t.name == THREAD]
        assert len(running) == (1 if sqlite else 0)
        if sqlite:
            assert _autocheckpoint(runtime.engine) == 0
    assert not any(t.name == THREAD for t in threading.enumerate())
    if sqlite:
        assert _autocheckpoint(runtime.engine) == 1000
