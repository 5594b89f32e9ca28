"""Audit append and verify rates on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_audit.py [--rows 2000] [--bulk 30000] [--threads 4] [--no-pg]

Builds a throwaway database on each (a temp SQLite file; a `shegong_bench_audit` database on the server
named by SHEGONG_TEST_PG_URL) and prints rows/s for: one action per unit of work (the hot path, commit
included), many records in one unit of work (the audit cost alone), concurrent appenders, a bulk append,
and verify.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.schema import create_all, drop_all
from domain.config import Settings
from services import audit
from services.runtime import Runtime, configure
from services.uow import UnitOfWork

PG_URL = os.environ.get("SHEGONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _rate(label: str, n: int, fn: Callable[[], None]) -> None:
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    print(f"  {label:<44} {n:>7} rows  {dt:7.2f} s  {n / dt:>9.0f} rows/s")


def _one(uow: UnitOfWork, i: int) -> None:
    audit.record(
        uow.session,
        uow.now,
        actor=None,
        subject_type="task",
        subject_id=i % 500,
        action="approve",
        from_state="pending",
        to_state="approved",
        opinion="同意",
        article="IM art. 8",
        data={"department": "民政局", "i": i},
    )


def run(rt: Runtime, rows: int, bulk: int, threads: int) -> None:
    def per_uow() -> None:
        for i in range(rows):
            with UnitOfWork(rt) as uow:
                _one(uow, i)
                uow.commit()

    def one_uow() -> None:
        with UnitOfWork(rt) as uow:
            for i in range(rows):
                _one(uow, i)
            uow.commit()

    def concurrent() -> None:
        def work() -> None:
            for i in range(rows // threads):
                with UnitOfWork(rt) as uow:
                    _one(uow, i)
                    uow.commit()

        ts = [threading.Thread(target=work) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    def many() -> None:
        drafts = [
            audit.AuditDraft(
                actor=None,
                subject_type="application",
                subject_id=i,
                action="screen",
                from_state="registered",
                to_state="qualified",
                data={"batch": 1},
            )
            for i in range(bulk)
        ]
        with UnitOfWork(rt) as uow:
            audit.record_many(uow.session, uow.now, drafts)
            uow.commit()

    with rt.engine.begin() as conn:  # a stand-in for an action's own write, to price the commit
        conn.execute(text("CREATE TABLE bench_write (id INTEGER PRIMARY KEY, note VARCHAR(40))"))

    def plain_write() -> None:
        for i in range(rows):
            with UnitOfWork(rt) as uow:
                uow.session.execute(text("INSERT INTO bench_write VALUES (:i, 'x')"), {"i": i})
                uow.commit()

    _rate("baseline: one plain INSERT per unit of work", rows, plain_write)
    _rate("record, one unit of work each (commit incl.)", rows, per_uow)
    _rate("record x N in one unit of work", rows, one_uow)
    _rate(f"record, {threads} threads, one unit of work each", rows // threads * threads, concurrent)
    _rate("record_many (bulk)", bulk, many)
    total = rows * 2 + rows // threads * threads + bulk
    result: list[audit.VerifyResult] = []

    def check() -> None:
        with UnitOfWork(rt, readonly=True) as uow:
            result.append(audit.verify(uow.session))

    _rate("verify", total, check)
    assert result[0].ok and result[0].checked == total, result[0]


def _pg_url() -> str | None:
    admin_url = make_url(PG_URL)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "shegong_bench_audit" WITH (FORCE)'))
            conn.execute(text('CREATE DATABASE "shegong_bench_audit"'))
        admin.dispose()
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc.__class__.__name__}: {exc}")
        return None
    return admin_url.set(database="shegong_bench_audit").render_as_string(hide_password=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--bulk", type=int, default=30000)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        if not args.no_pg and (url := _pg_url()):
            targets.append(("postgresql", url))
        for name, url in targets:
            print(name)
            rt = configure(Settings(mode="production", data_dir=Path(tmp), database_url=url))
            drop_all(rt.engine)
            create_all(rt.engine)
            run(rt, args.rows, args.bulk, args.threads)
            rt.engine.dispose()


if __name__ == "__main__":
    main()
