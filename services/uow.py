"""Unit of work: one transaction per use case. A service function opens one, does its reads and writes
through repositories, and commits; any exception rolls everything back, so nothing is half-written."""

from __future__ import annotations

import fcntl
import os
import threading
from datetime import datetime
from types import TracebackType

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from db.engine import sqlite_file
from services import clock as clock_service
from services.runtime import Runtime, get_runtime

# SQLite admits one writer at a time; its own busy handler makes waiters poll with growing sleeps, which
# wrecks tail latency under concurrent requests. Writers queue on locks instead, woken the moment the
# writer before them is done: the threads of a process on this RLock (re-entrant, so that a nested unit of
# work behaves as before), then the processes (several web workers, sweepers) on an flock of a file beside
# the database. Writers that bypass units of work still meet SQLite's busy timeout.
_SQLITE_WRITER = threading.RLock()
_depth = 0  # nesting of _SQLITE_WRITER by its owner: the file lock is taken by the outermost only
# database path -> (pid that opened them, writer-lock fd, queue fd)
_lock_files: dict[str, tuple[int, int, int]] = {}
# Waiting writers are not overtaken by `nowait` ones (which would otherwise win every race for a lock
# just released: they are running, the waiter has yet to be woken). Threads of this process waiting count
# here; a process with a thread waiting for the file lock holds a shared lock on a second file, the queue.
_waiting = 0
_waiting_guard = threading.Lock()


def _lock_fds(database: str | None) -> tuple[int, int] | None:
    """This process's descriptors of the database's writer-lock and queue files (None for an in-memory
    database). Opened once per process: a descriptor inherited through fork would share its lock."""
    if database is None or not sqlite_file(database):
        return None
    held = _lock_files.get(database)
    if held is not None and held[0] == os.getpid():
        return held[1], held[2]
    lock = os.open(database + ".writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
    queue = os.open(database + ".writer-queue", os.O_RDWR | os.O_CREAT, 0o600)
    _lock_files[database] = (os.getpid(), lock, queue)
    return lock, queue


def _writer_lock_fd(database: str | None) -> int | None:
    fds = _lock_fds(database)
    return None if fds is None else fds[0]


def _count_waiting(delta: int) -> None:
    global _waiting
    with _waiting_guard:
        _waiting += delta


def _acquire_writer(database: str | None) -> None:
    global _depth
    if not _SQLITE_WRITER.acquire(blocking=False):
        _count_waiting(1)
        try:
            _SQLITE_WRITER.acquire()
        finally:
            _count_waiting(-1)
    try:
        if _depth == 0:
            fds = _lock_fds(database)
            if fds is not None:
                _lock_file(*fds)
    except BaseException:
        _SQLITE_WRITER.release()
        raise
    _depth += 1


def _lock_file(lock: int, queue: int) -> None:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fcntl.flock(queue, fcntl.LOCK_SH)  # in the queue: no `nowait` writer of any process passes us
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
        finally:
            fcntl.flock(queue, fcntl.LOCK_UN)


def _try_acquire_writer(database: str | None) -> bool:
    """`_acquire_writer` if no writer holds the lock now and none waits for it; False (nothing held)
    otherwise."""
    global _depth
    if _waiting or not _SQLITE_WRITER.acquire(blocking=False):
        return False
    try:
        if _depth == 0:
            fds = _lock_fds(database)
            if fds is not None:
                lock, queue = fds
                fcntl.flock(queue, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody queued (else BlockingIOError)
                fcntl.flock(queue, fcntl.LOCK_UN)
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        _SQLITE_WRITER.release()
        return False
    except BaseException:
        _SQLITE_WRITER.release()
        raise
    _depth += 1
    return True


def _release_writer(database: str | None) -> None:
    global _depth
    _depth -= 1
    try:
        if _depth == 0:
            fd = _writer_lock_fd(database)
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        _SQLITE_WRITER.release()


_WRITER_UOW = "shegong.uow.writer"  # session.info key: the SQLite write unit of work owning the session


@event.listens_for(Session, "after_transaction_create")
def _relock(session: Session, transaction: SessionTransaction) -> None:
    """A write unit of work that committed and goes on writing queues for the writer lock again, before
    its new transaction's BEGIN IMMEDIATE."""
    if transaction.parent is None:
        uow = session.info.get(_WRITER_UOW)
        if uow is not None and not uow._locked:
            _acquire_writer(uow.runtime.engine.url.database)
            uow._locked = True


class WriterBusy(Exception):
    """A `nowait` unit of work could not start at once: another writer holds SQLite's writer lock, or the
    database is not SQLite (whose statements wait on the network). Nothing was done; run it where it may
    wait (a worker thread)."""


class UnitOfWork:
    session: Session

    def __init__(
        self, runtime: Runtime | None = None, *, readonly: bool = False, nowait: bool = False
    ) -> None:
        """`nowait`: a write unit of work that starts only if it will not wait on anything: on SQLite, with
        the writer lock free at this moment (then it runs in-process to the end, never waiting on another
        writer), else WriterBusy. For a caller that must not block (an event loop) but may run the work
        itself when it is that cheap."""
        self.runtime = runtime or get_runtime()
        self.readonly = readonly
        self.nowait = nowait

    def __enter__(self) -> UnitOfWork:
        sqlite = self.runtime.engine.dialect.name == "sqlite"
        if self.nowait and (self.readonly or not sqlite):
            raise WriterBusy("nowait: only a SQLite write unit of work can start without waiting")
        self._locked = not self.readonly and sqlite
        if self._locked and self.nowait:
            if not _try_acquire_writer(self.runtime.engine.url.database):
                self._locked = False
                raise WriterBusy("another writer holds the SQLite writer lock")
        elif self._locked:
            _acquire_writer(self.runtime.engine.url.database)
        try:
            return self._open()
        except BaseException:
            self._unlock()
            raise

    def _unlock(self) -> None:
        if self._locked:
            self._locked = False
            _release_writer(self.runtime.engine.url.database)

    def _open(self) -> UnitOfWork:
        factory = self.runtime.readonly_sessions if self.readonly else self.runtime.sessions
        self.session = factory()
        self._now: datetime | None = None
        if self._locked:
            self.session.info[_WRITER_UOW] = self
        return self

    @property
    def now(self) -> datetime:
        """One moment for the whole use case: every row it writes carries the same 'now'. Read on first
        use (the simulated clock is a row), so units of work that never ask cost no query."""
        if self._now is None:
            self._now = clock_service.now_in(self.session, self.runtime.settings)
        return self._now

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() ends the transaction (rolled back) and detaches what was loaded, keeping its
        # values readable after the block; an explicit rollback would expire them first.
        try:
            if exc_type is not None:
                self.session.rollback()
        finally:
            try:
                self.session.close()
            finally:
                self._unlock()

    def commit(self) -> None:
        self.session.commit()
        # SQLite: the write transaction is over, so let the next writer in now rather than after the
        # caller has built its answer and closed; a later transaction of this unit of work takes the
        # lock again as it begins (see _relock).
        self._unlock()

    def flush(self) -> None:
        self.session.flush()
