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
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DO_NOT_TRACK", "1")

import http_load as load  # noqa: E402

from db.schema import create_all, drop_all  # noqa: E402
from domain.config import Settings  # noqa: E402
from domain.enums import DeptKind, Level, Role  # noqa: E402
from domain.recruitment_plan import PlanDraft  # noqa: E402
from services import identity, org, tasks  # noqa: E402
from services import recruitment_plan as plans  # noqa: E402
from services.runtime import configure  # noqa: E402
from services.uow import UnitOfWork  # noqa: E402

MODE = "production"  # as deployed: no simulated clock (demo and test modes read its row in every use case)
HOST = "127.0.0.1"
TARGET_RATE = 300
TARGET_P99 = 50
REFERENCE_SHARE = 0.7  # the reference open loop offers this share of the closed-loop throughput
PG_URL = os.environ.get("SHEGONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def setup_org(n_counties: int) -> tuple[list[int], dict[str, str]]:
    """A region on the Inner Mongolia profile, one league, n counties big enough for any number of plans;
    an HR officer per county and one approver each for the league's social-work and organisation depts."""
    with UnitOfWork() as uow:
        s = uow.session
        region = org.create_jurisdiction(
            s, code="990000", name="基准自治区", level=Level.REGION, policy_key="inner_mongolia"
        )
        city = org.create_jurisdiction(s, code="990100", name="基准市", level=Level.CITY, parent_id=region.id)
        org.ensure_departments(s, region.id)
        city_depts = {d.kind: d for d in org.ensure_departments(s, city.id)}
        pw = identity.hash_password("bench1234")
        for name, kind in (("b_sw", DeptKind.SOCIAL_WORK), ("b_org", DeptKind.ORGANISATION)):
            u = identity.create_user(s, username=name, display_name=name, password_hash=pw)
            org.grant_role(s, u.id, city_depts[kind.value].id, Role.APPROVER)
        counties = []
        for i in range(n_counties):
            c = org.create_jurisdiction(
                s,
                code=f"9902{i:02d}",
                name=f"基准{i}区",
                level=Level.COUNTY,
                parent_id=city.id,
                urban_population=50_000_000,
            )
            depts = {d.kind: d for d in org.ensure_departments(s, c.id)}
            st = org.create_jurisdiction(
                s, code=f"9902{i:02d}001", name=f"基准{i}街道", level=Level.STREET, parent_id=c.id
            )
            org.create_jurisdiction(
                s,
                code=f"9902{i:02d}001001",
                name=f"基准{i}社区",
                level=Level.COMMUNITY,
                parent_id=st.id,
                urban_population=50_000_000,
                households=10_000_000,
            )
            u = identity.create_user(s, username=f"b_hr{i}", display_name=f"hr{i}", password_hash=pw)
            org.grant_role(s, u.id, depts[DeptKind.SOCIAL_WORK.value].id, Role.HR_OFFICER)
            counties.append(c.id)
        tokens = {}
        for name in ["b_sw", "b_org"] + [f"b_hr{i}" for i in range(n_counties)]:
            user = identity.authenticate(s, name, "bench1234")
            tokens[name] = identity.issue_token(s, user.user_id, "bench")
        uow.commit()
    return counties, tokens


def community_of(county_id: int) -> int:
    with UnitOfWork(readonly=True) as uow:
        return next(c.id for c in org.subtree(uow.session, county_id) if c.level == "community")


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Http:
    """The app under uvicorn (its own processes), and the plans and tasks the benchmark drives through it."""

    def __init__(self, url: str, data_dir: str, workers: int, clients: int) -> None:
        self.counties, self.tokens = setup_org(8)
        self.comm = {c: community_of(c) for c in self.counties}
        self.clients = clients
        self.port = free_port()
        env = {
            **os.environ,
            "SHEGONG_DATABASE_URL": url,
            "SHEGONG_MODE": MODE,
            "SHEGONG_SECRET_KEY": secrets.token_hex(16),
            "SHEGONG_DATA_DIR": data_dir,
        }
        cmd = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(self.port)]
        cmd += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
        self.server = subprocess.Popen(cmd, cwd=ROOT, env=env)
        load.wait_until_up(HOST, self.port)
        # Warm-up: every worker has imported everything and answered a few requests.
        warm = [load.single(("GET", "/api/v1/tasks?limit=1", None, self.tokens["b_sw"]))] * (4 * clients)
        self._checked(load.run_async(load.closed_loop(HOST, self.port, clients, warm)))

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait(20)

    def create_plans(self, n: int, first: int) -> load.Run:
        """n plans created and submitted, `clients` at a time (each job: two requests)."""

        def job(i: int) -> load.Job:
            c = self.counties[i % 8]
            token = self.tokens[f"b_hr{i % 8}"]
            body = {
                "jurisdiction_id": c,
                "title": f"方案{i}",
                "year": 2026,
                "posts": [{"community_id": self.comm[c], "posts": 1}],
            }

            async def run(conn: load.Conn) -> tuple[int, bytes]:
                status, payload = await conn.request(("POST", "/api/v1/recruitment-plans", body, token))
                if status >= 400:
                    return status, payload
                plan_id = json.loads(payload)["id"]
                return await conn.request(
                    ("POST", f"/api/v1/recruitment-plans/{plan_id}/submit", None, token)
                )

            return run

        jobs = [job(i) for i in range(first, first + n)]
        return self._checked(load.run_async(load.closed_loop(HOST, self.port, self.clients, jobs)))

    def inbox(self, who: str) -> list[int]:
        ids: list[int] = []
        while True:
            req = ("GET", f"/api/v1/tasks?limit=500&offset={len(ids)}", None, self.tokens[who])
            page = load.run_async(load.fetch_json(HOST, self.port, req))
            ids += [t["id"] for t in page["items"]]
            if not page["items"] or len(ids) >= page["total"]:
                return ids

    def complete_all(self, rate: float | None) -> tuple[load.Run, float]:
        """Every task of both steps completed: closed loop (rate None) or open loop at `rate`/s.
        Returns the pooled run (its time is the sum of both steps' runs) and server CPU s per completion."""
        pooled = load.Run()
        cpu = 0.0
        for who, decision in (("b_sw", "approve"), ("b_org", "acknowledge")):
            token = self.tokens[who]
            reqs = [
                ("POST", f"/api/v1/tasks/{t}/complete", {"decision": decision}, token)
                for t in self.inbox(who)
            ]
            cpu0 = load.process_cpu_seconds(self.server.pid)
            if rate is None:
                jobs = [load.single(r) for r in reqs]
                run = load.run_async(load.closed_loop(HOST, self.port, self.clients, jobs))
            else:
                run = load.run_async(load.open_loop(HOST, self.port, self.clients, rate, reqs))
            cpu += load.process_cpu_seconds(self.server.pid) - cpu0
            self._checked(run)
            pooled.latencies += run.latencies
            pooled.ended += run.seconds
        return pooled, cpu / max(1, len(pooled.latencies))

    @staticmethod
    def _checked(run: load.Run) -> load.Run:
        if run.errors:
            raise RuntimeError(f"{len(run.errors)} failed requests, first: {run.errors[0]}")
        return run


def bench_http(
    n: int, clients: int, url: str, data_dir: str, workers: int, rate: float, reference: bool
) -> list[str]:
    http = Http(url, data_dir, workers, clients)
    verdicts: list[str] = []
    try:
        made = http.create_plans(n, 0)
        print(
            f"  HTTP ({workers} uvicorn worker(s), {clients} clients): {n} plans created+submitted in "
            f"{made.seconds:.2f}s = {n / made.seconds:.0f} instances/s"
        )
        closed, cpu = http.complete_all(None)
        c_rate, c50, c99 = closed.rate, load.pct(closed.latencies, 50), load.pct(closed.latencies, 99)
        print(
            f"  (a) closed loop, {clients} clients: {len(closed.latencies)} task completions = {c_rate:.0f}/s; "
            f"p50 {c50:.1f} ms, p99 {c99:.1f} ms; server CPU {cpu * 1000:.2f} ms per completion"
        )
        opened, _ = _open_loop(http, n, n, rate, clients)
        o_rate, o99 = opened.rate, load.pct(opened.latencies, 99)
        verdicts.append(
            f"(a) closed loop {clients} clients: >= {TARGET_RATE}/s {_met(c_rate >= TARGET_RATE)}"
            f" ({c_rate:.0f}/s); p99 < {TARGET_P99} ms {_met(c99 < TARGET_P99)} ({c99:.0f} ms)"
            f" — by Little's law a closed loop of {clients} has mean latency {clients}/throughput, so both"
            f" at once need > {clients * 1000 / TARGET_P99:.0f}/s"
        )
        verdicts.append(
            f"(b) open loop {rate:.0f}/s over {clients} connections: rate {_met(o_rate >= 0.97 * rate)}"
            f" ({o_rate:.0f}/s); p99 < {TARGET_P99} ms {_met(o99 < TARGET_P99)} ({o99:.0f} ms)"
        )
        if reference and c_rate * REFERENCE_SHARE < rate:
            # What the server sustains: the same open loop at a rate it can keep up with.
            _open_loop(http, n, 2 * n, round(c_rate * REFERENCE_SHARE), clients, " (reference)")
    finally:
        http.stop()
    return verdicts


def _open_loop(
    http: Http, n: int, first: int, rate: float, clients: int, note: str = ""
) -> tuple[load.Run, float]:
    http.create_plans(n, first)
    run, cpu = http.complete_all(rate)
    print(
        f"  (b) open loop{note}, {rate:.0f}/s offered over {clients} connections: {len(run.latencies)} "
        f"completions, achieved {run.rate:.0f}/s; p50 {load.pct(run.latencies, 50):.1f} ms, "
        f"p99 {load.pct(run.latencies, 99):.1f} ms (from the scheduled send time); "
        f"server CPU {cpu * 1000:.2f} ms per completion"
    )
    return run, cpu


def _met(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


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
