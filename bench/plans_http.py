"""The HTTP half of bench_plans.py: the app under uvicorn (its own worker processes), plans created and
their tasks completed through the JSON API, closed loop and open loop (see http_load.py)."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import http_load as load
from plans_org import community_of, setup_org

ROOT = Path(__file__).resolve().parent.parent
MODE = "production"  # as deployed: no simulated clock (demo and test modes read its row in every use case)
HOST = "127.0.0.1"
TARGET_RATE = 300
TARGET_P99 = 50
REFERENCE_SHARE = 0.7  # the reference open loop offers this share of the closed-loop throughput


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
