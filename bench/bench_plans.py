"""Benchmark: N recruitment plans created, submitted and driven through every task to approval (two
tasks each: the league social-work department's review, then the organisation department's filing),
through the service layer and through HTTP, on SQLite and on PostgreSQL.

    .venv/bin/python bench/bench_plans.py [--plans 500] [--clients 32] [--workers 2] [--rate 300]
                                          [--db sqlite|postgres|both] [--part services|http|both]

Services: one thread, plans created then every task completed; instances/s, completions/s, p50/p99.
HTTP: the app under uvicorn (`--workers` processes), driven over real HTTP by `bench/http_load.py`:
  (a) closed loop: 32 clients, each sending its next completion when the last is answered — the maximum
      throughput, and its latencies (by Little's law mean latency = clients / throughput);
  (b) open loop: a fresh set of N plans whose completions are offered at `--rate`/s on a fixed schedule
      over the 32 connections, latency counted from each request's scheduled send time.
Then which parts of the target are met. Target on a 2-core machine: >= 300 task completions/s over HTTP
on SQLite, p99 < 50 ms at 32 concurrent clients. A printout, never a test: figures depend on the machine
(and on whatever else it runs: the load average is printed first)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DO_NOT_TRACK", "1")

import http_load as load  # noqa: E402
from plans_http import MODE, REFERENCE_SHARE, TARGET_P99, TARGET_RATE, bench_http  # noqa: E402
from plans_org import community_of, setup_org  # noqa: E402

from db.schema import create_all, drop_all  # noqa: E402
from domain.config import Settings  # noqa: E402
from domain.recruitment_plan import PlanDraft  # noqa: E402
from services import identity, tasks  # noqa: E402
from services import recruitment_plan as plans  # noqa: E402
from services.runtime import configure  # noqa: E402
from services.uow import UnitOfWork  # noqa: E402

PG_URL = os.environ.get("SHEGONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def bench_services(n: int) -> None:
    counties, _ = setup_org(4)
    comm = {c: community_of(c) for c in counties}
    with UnitOfWork(readonly=True) as uow:
        hrs = [identity.authenticate(uow.session, f"b_hr{i}", "bench1234") for i in range(4)]
        sw = identity.authenticate(uow.session, "b_sw", "bench1234")
        org_ = identity.authenticate(uow.session, "b_org", "bench1234")
    t0 = time.perf_counter()
    for i in range(n):
        c = counties[i % 4]
        with UnitOfWork() as uow:
            p = plans.create_draft(
                uow,
                hrs[i % 4],
                PlanDraft(
                    jurisdiction_id=c,
                    title=f"方案{i}",
                    year=2026,
                    posts=[{"community_id": comm[c], "posts": 1}],
                ),
            )
            plans.submit(uow, hrs[i % 4], p.id)
            uow.commit()
    t1 = time.perf_counter()
    lat: list[float] = []
    for approver, decision in ((sw, "approve"), (org_, "acknowledge")):
        while True:
            with UnitOfWork(readonly=True) as uow:
                ids = [t.id for t in tasks.inbox(uow, approver, limit=500).tasks]
            if not ids:
                break
            for tid in ids:
                a = time.perf_counter()
                with UnitOfWork() as uow:
                    tasks.complete(uow, approver, tid, decision, "同意")
                    uow.commit()
                lat.append(time.perf_counter() - a)
    t2 = time.perf_counter()
    print(
        f"  services (1 thread): {n} plans created+submitted in {t1 - t0:.2f}s = {n / (t1 - t0):.0f} "
        f"instances/s; {len(lat)} task completions in {t2 - t1:.2f}s = {len(lat) / (t2 - t1):.0f}/s; "
        f"p50 {load.pct(lat, 50):.1f} ms, p99 {load.pct(lat, 99):.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plans", type=int, default=500, help="plans per run (2 task completions each)")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--rate", type=float, default=TARGET_RATE, help="open-loop offered completions/s")
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--part", choices=["services", "http", "both"], default="both")
    ap.add_argument(
        "--no-reference",
        action="store_true",
        help=f"skip the extra open loop at {REFERENCE_SHARE:.0%} of the closed-loop throughput",
    )
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; mode {MODE}")
    verdicts: dict[str, list[str]] = {}
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        for part in ("services", "http") if args.part == "both" else (args.part,):
            data_dir = tempfile.mkdtemp(prefix="shegong-bench-")
            url = f"sqlite:///{data_dir}/bench.db" if db == "sqlite" else PG_URL
            rt = configure(Settings(mode=MODE, data_dir=Path(data_dir), database_url=url))
            drop_all(rt.engine)
            create_all(rt.engine)
            print(f"[{db}] {part}")
            if part == "services":
                bench_services(args.plans)
            else:
                verdicts[db] = bench_http(
                    args.plans, args.clients, url, data_dir, args.workers, args.rate, not args.no_reference
                )
    print(
        f"Target: >= {TARGET_RATE} task completions/s over HTTP on SQLite, p99 < {TARGET_P99} ms at 32 clients"
    )
    for db, lines in verdicts.items():
        note = "" if db == "sqlite" else " (the target is SQLite's; for reference)"
        for line in lines:
            print(f"  [{db}]{note} {line}")


if __name__ == "__main__":
    main()
