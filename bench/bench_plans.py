"""Benchmark: N recruitment plans created, submitted and driven through every task to approval, through
the service layer and through HTTP (uvicorn, C concurrent clients), on SQLite and on PostgreSQL.

    .venv/bin/python bench/bench_plans.py [--plans 300] [--clients 32] [--db sqlite|postgres|both]

Prints instances/s, task completions/s and p50/p99 latency of task completions. Target on a 2-core
machine: >= 300 task completions/s over HTTP on SQLite with p99 < 50 ms at 32 concurrent clients.
A printout, never a test: figures depend on the machine."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DO_NOT_TRACK", "1")

from db.schema import create_all, drop_all  # noqa: E402
from domain.config import Settings  # noqa: E402
from domain.enums import DeptKind, Level, Role  # noqa: E402
from domain.recruitment_plan import PlanDraft  # noqa: E402
from services import identity, org, tasks  # noqa: E402
from services import recruitment_plan as plans  # noqa: E402
from services.runtime import configure  # noqa: E402
from services.uow import UnitOfWork  # noqa: E402

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


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))] * 1000


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
            )  # type: ignore[list-item]
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
        f"  services: {n} plans created+submitted in {t1 - t0:.2f}s = {n / (t1 - t0):.0f} instances/s; "
        f"{len(lat)} task completions in {t2 - t1:.2f}s = {len(lat) / (t2 - t1):.0f}/s; "
        f"p50 {pct(lat, 50):.1f} ms, p99 {pct(lat, 99):.1f} ms"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_http(n: int, clients: int, url: str, data_dir: str, workers: int) -> None:
    counties, tokens = setup_org(8)
    comm = {c: community_of(c) for c in counties}
    port = free_port()
    env = {**os.environ, "SHEGONG_DATABASE_URL": url, "SHEGONG_MODE": "test", "SHEGONG_DATA_DIR": data_dir}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        with httpx.Client(base_url=base, limits=limits, timeout=30) as http:

            def create(i: int) -> float:
                c = counties[i % 8]
                h = {"Authorization": f"Bearer {tokens[f'b_hr{i % 8}']}"}
                a = time.perf_counter()
                r = http.post(
                    "/api/v1/recruitment-plans",
                    headers=h,
                    json={
                        "jurisdiction_id": c,
                        "title": f"方案{i}",
                        "year": 2026,
                        "posts": [{"community_id": comm[c], "posts": 1}],
                    },
                )
                r.raise_for_status()
                http.post(f"/api/v1/recruitment-plans/{r.json()['id']}/submit", headers=h).raise_for_status()
                return time.perf_counter() - a

            t0 = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                list(pool.map(create, range(n)))
            t1 = time.perf_counter()
            lat: list[float] = []
            for who, decision in (("b_sw", "approve"), ("b_org", "acknowledge")):
                h = {"Authorization": f"Bearer {tokens[who]}"}
                ids: list[int] = []
                offset = 0
                while True:
                    page = http.get(
                        "/api/v1/tasks", headers=h, params={"limit": 500, "offset": offset}
                    ).json()
                    ids += [t["id"] for t in page["items"]]
                    offset += 500
                    if offset >= page["total"]:
                        break

                def done(tid: int, h: dict[str, str] = h, decision: str = decision) -> float:
                    a = time.perf_counter()
                    r = http.post(f"/api/v1/tasks/{tid}/complete", headers=h, json={"decision": decision})
                    r.raise_for_status()
                    return time.perf_counter() - a

                s = time.perf_counter()
                with ThreadPoolExecutor(clients) as pool:
                    lat += list(pool.map(done, ids))
                lat_time = time.perf_counter() - s
                print(f"    {who}: {len(ids)} completions in {lat_time:.2f}s = {len(ids) / lat_time:.0f}/s")
            t2 = time.perf_counter()
        print(
            f"  HTTP ({clients} clients, {workers} worker(s)): {n} plans in {t1 - t0:.2f}s = "
            f"{n / (t1 - t0):.0f} instances/s; {len(lat)} task completions = {len(lat) / (t2 - t1):.0f}/s "
            f"(incl. inbox reads); p50 {pct(lat, 50):.1f} ms, p99 {pct(lat, 99):.1f} ms"
        )
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plans", type=int, default=300)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = ap.parse_args()
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        for part in ("services", "http"):
            data_dir = tempfile.mkdtemp(prefix="shegong-bench-")
            url = f"sqlite:///{data_dir}/bench.db" if db == "sqlite" else PG_URL
            rt = configure(Settings(mode="test", data_dir=Path(data_dir), database_url=url))
            drop_all(rt.engine)
            create_all(rt.engine)
            print(f"[{db}] {part}")
            if part == "services":
                bench_services(args.plans)
            else:
                bench_http(args.plans, args.clients, url, data_dir, args.workers)


if __name__ == "__main__":
    main()
