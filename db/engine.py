"""Engines and sessions. SQLite gets WAL, foreign keys and a busy timeout; its write transactions start
with BEGIN IMMEDIATE so that concurrent writers queue instead of failing on a stale snapshot (read-only
units of work use a plain deferred BEGIN).

A long-running SQLite process (the web app) checkpoints the WAL from a background thread
(`WalCheckpointer`) instead of letting SQLite do it inside whichever commit crosses the 1000-page mark:
that commit would copy the pages back and fsync the database while holding the writer lock, so every
request queued behind it waits (measured on a 2-core machine: such commits take 20-60 ms, the others
under 2 ms). A PASSIVE checkpoint on its own connection runs beside writers and readers, never blocking
them."""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

READONLY = "shegong_readonly"
MMAP_BYTES = 1 << 30  # address space, not memory: the OS pages the file in as it is read


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=20,
            # The connection used last is handed out next: its page cache is still valid unless another
            # process wrote meanwhile (SQLite drops a connection's whole cache when the database changed
            # under it, so rotating through 20 connections re-reads every page each time).
            pool_use_lifo=True,
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        # Pages of the database file read through a memory map: no read() call and no copy per page
        # (a connection re-reads pages whenever another wrote since its last transaction).
        cur.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def sqlite_file(database: str | None) -> bool:
    """Whether a SQLite URL's database names a file on disk (not in memory, not a `file:` URI)."""
    return bool(database) and database != ":memory:" and not str(database).startswith("file:")


def make_session_factory(engine: Engine, *, readonly: bool = False) -> sessionmaker[Session]:
    bind = engine.execution_options(**{READONLY: True}) if readonly else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)


log = logging.getLogger(__name__)


class WalCheckpointer:
    """Checkpoints a SQLite database's WAL every `interval` seconds from a daemon thread, with the
    engine's own connections told not to (`PRAGMA wal_autocheckpoint=0`). PASSIVE: it copies what no
    reader still needs and never waits for or blocks anyone; the next writer after a complete checkpoint
    starts the WAL over, so it stays small. Several processes may each run one: a checkpoint already
    running elsewhere makes this one's a no-op (busy), not an error."""

    def __init__(self, engine: Engine, interval: float = 1.0) -> None:
        database = engine.url.database
        if not is_sqlite(engine) or database is None or not sqlite_file(database):
            raise ValueError("WalCheckpointer needs a SQLite database file")
        self.engine, self.database, self.interval = engine, database, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0  # runs so far
        self.last: tuple[int, int, int] | None = None  # the last run's (busy, WAL frames, checkpointed)

    def _no_auto(self, dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")

    def start(self) -> WalCheckpointer:
        event.listen(self.engine, "connect", self._no_auto)
        self.engine.dispose()  # pooled connections were opened with auto-checkpointing on
        self._thread = threading.Thread(target=self._run, name="sqlite-wal-checkpoint", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread after a last checkpoint; new connections checkpoint by themselves again."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        if event.contains(self.engine, "connect", self._no_auto):
            event.remove(self.engine, "connect", self._no_auto)
            self.engine.dispose()

    def checkpoint(self, conn: sqlite3.Connection) -> tuple[int, int, int]:
        """One PASSIVE checkpoint: (busy, WAL frames, frames checkpointed)."""
        row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.last = (int(row[0]), int(row[1]), int(row[2]))
        self.checkpoints += 1
        return self.last

    def _run(self) -> None:
        conn = sqlite3.connect(self.database, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            while True:
                stopping = self._stop.wait(self.interval)
                try:
                    self.checkpoint(conn)
                except sqlite3.Error as exc:  # e.g. the file was removed under us: try again next time
                    log.warning("WAL checkpoint of %s failed: %s", self.database, exc)
                if stopping:
                    return
        finally:
            conn.close()
