"""Creating and clearing the schema. Production and the start command migrate with Alembic
(`migrate()`); the test suite builds the same schema once per database and clears rows between tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

import db.models  # noqa: F401  (registers every table)
from db.base import Base

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the database to the newest revision (idempotent)."""
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def create_all(engine: Engine) -> None:
    Base.metadata.create_all(engine)


def drop_all(engine: Engine) -> None:
    Base.metadata.drop_all(engine)


def clear_all(engine: Engine) -> None:
    """Delete every row of every table of ours (between tests); identities restart."""
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            # A connection still inside a transaction would make TRUNCATE wait: fail fast instead.
            conn.execute(text("SET LOCAL lock_timeout = '2s'"))
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(t.delete())
            has_seq = conn.execute(
                text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='sqlite_sequence'")
            ).first()
            if has_seq:
                conn.execute(text("DELETE FROM sqlite_sequence"))
