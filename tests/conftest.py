"""Shared fixtures. Integration tests take `runtime` and run once on SQLite and once on PostgreSQL
(skipped, with the reason printed, when PostgreSQL is unreachable). The schema is built once per database
per test session; rows are cleared before every test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.schema import clear_all, migrate
from domain.config import Settings
from services.runtime import Runtime, configure

PG_URL = os.environ.get("SHEGONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_database_for_worker() -> str:
    """Create (or recreate) a database of our own for this xdist worker; return its URL.
    Raises pytest.skip with the reason when PostgreSQL cannot be reached."""
    admin_url = make_url(PG_URL)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            name = f"shegong_test_{_worker()}"
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # unreachable server, refused auth...
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}: {exc}")
    return admin_url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def session_runtime(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runtime]:
    data_dir: Path = tmp_path_factory.mktemp(f"data-{request.param}")
    url = f"sqlite:///{data_dir / 'test.db'}" if request.param == "sqlite" else _pg_database_for_worker()
    settings = Settings(mode="test", data_dir=data_dir, database_url=url)
    rt = configure(settings)
    migrate(rt.engine)  # the schema as production gets it: through the Alembic migrations
    yield rt
    rt.engine.dispose()


@pytest.fixture
def runtime(session_runtime: Runtime) -> Runtime:
    """A runtime on an empty database (every table cleared), as the process-wide default."""
    from services import runtime as runtime_module

    clear_all(session_runtime.engine)
    runtime_module._runtime = session_runtime
    return session_runtime
