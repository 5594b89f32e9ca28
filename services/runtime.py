"""The process-wide runtime: engine and session factories built once from settings.
Entry points (web app, flows, CLI, tests) call `configure()` or let `get_runtime()` build the default."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db.engine import WalCheckpointer, make_engine, make_session_factory
from domain.config import Settings, get_settings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    readonly_sessions: sessionmaker[Session]


_runtime: Runtime | None = None


def configure(settings: Settings | None = None, *, url: str | None = None) -> Runtime:
    """(Re)build the runtime; disposes of the previous engine."""
    global _runtime
    settings = settings or get_settings()
    if _runtime is not None:
        _runtime.engine.dispose()
    db_url = url or settings.effective_database_url
    if db_url.startswith("sqlite:///"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(db_url)
    _runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        readonly_sessions=make_session_factory(engine, readonly=True),
    )
    return _runtime


def get_runtime() -> Runtime:
    return _runtime if _runtime is not None else configure()


def start_wal_checkpoints(interval: float = 1.0) -> WalCheckpointer | None:
    """For a long-running process on a SQLite file (the web app): WAL checkpoints from a background
    thread, off the request path (see `db.engine`). None for PostgreSQL or an in-memory database.
    The caller stops it (`.stop()`) when it shuts down."""
    rt = get_runtime()
    try:
        return WalCheckpointer(rt.engine, interval).start()
    except ValueError:
        return None
