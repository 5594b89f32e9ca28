"""Unit of work: one transaction per use case. A service function opens one, does its reads and writes
through repositories, and commits; any exception rolls everything back, so nothing is half-written."""

from __future__ import annotations

import threading
from datetime import datetime
from types import TracebackType

from sqlalchemy.orm import Session

from services import clock as clock_service
from services.runtime import Runtime, get_runtime

# SQLite admits one writer at a time; its own busy handler makes waiters poll with growing sleeps, which
# wrecks tail latency under concurrent requests. Writers of one process queue on this lock instead (other
# processes still meet SQLite's busy timeout). Re-entrant so that a nested unit of work behaves as before.
_SQLITE_WRITER = threading.RLock()


class UnitOfWork:
    session: Session

    def __init__(self, runtime: Runtime | None = None, *, readonly: bool = False) -> None:
        self.runtime = runtime or get_runtime()
        self.readonly = readonly

    def __enter__(self) -> UnitOfWork:
        self._locked = not self.readonly and self.runtime.engine.dialect.name == "sqlite"
        if self._locked:
            _SQLITE_WRITER.acquire()
        try:
            return self._open()
        except BaseException:
            self._unlock()
            raise

    def _unlock(self) -> None:
        if self._locked:
            self._locked = False
            _SQLITE_WRITER.release()

    def _open(self) -> UnitOfWork:
        factory = self.runtime.readonly_sessions if self.readonly else self.runtime.sessions
        self.session = factory()
        self._now: datetime | None = None
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

    def flush(self) -> None:
        self.session.flush()
