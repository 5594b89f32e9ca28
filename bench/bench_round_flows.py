"""Benchmark: a round of N applicants (default 20,000) over P posts (default 500) through the batch FLOWS, end
to end: a real `prefect server start` on a free port (its own PREFECT_HOME in a temporary folder), the
runner serving the project's deployments (`python -m flows.serve`, as `shegong start` runs it), each batch
step queued the way the officer's page queues it (`batch.request`: a queued BatchRun row, nothing more), the
dispatcher deployment (`shegong-dispatch-round-batches/dispatch`, scheduled by the server every
SHEGONG_BATCH_DISPATCH_SECONDS) picking it up and running it as a flow run of its own.

    .venv/bin/python bench/bench_round_flows.py [--applicants 20000] [--posts 500] [--db sqlite|postgres|both]
                                                [--dispatch-seconds 30] [--no-reference]

The round is built by bench/bench_round.py's Bench (imported, not copied): the same organisation, plan,
applicants (same seed), score sheets, reviews, tie decisions and follow-up results; only its `batch` step is
replaced. Per batch step it prints: the seconds inside the step (the BatchRun row's finished_at -
started_at), the seconds from the request's commit to the row seen done (dispatch delay, the runner's poll,
the flow-run subprocess's start-up and Prefect's own calls included), how long the request waited for the
dispatcher's flow run to start, and what Prefect recorded: the batch's flow run (name, state, its run
time, its parent dispatcher run), its artifacts (the progress artifact's value, the summary) and the number
of its log lines. At the end: the dispatcher deployment's flow runs by state.

Correctness: unless --no-reference, the same round is first built on a second fresh database with
bench_round's direct path (`batch.run` in this process); after each batch step both databases' applications
are compared: the count per status, and a digest of every application's (id, status, admit ticket, scores,
rank). Every written-score and interview-score import is a direct service call in both (they are not batch
kinds). SQLite in a temporary folder; PostgreSQL databases of their own (shegong_bench_flows[_ref]) on the
server of SHEGONG_TEST_PG_URL, dropped after. A printout, never a test: the load average is printed at the
start and with every step (2 shared cores: other processes' load inflates every figure)."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import bench_round as br  # noqa: E402
import httpx  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from cli import prefect_env as pe  # noqa: E402
from db.models.recruitment_round import Application, BatchRun  # noqa: E402
from services.recruitment_round import batch  # noqa: E402
from services.uow import UnitOfWork  # noqa: E402

DISPATCH = "shegong-dispatch-round-batches/dispatch"
PG_NAME = "shegong_bench_flows"
SERVER_TIMEOUT = 180.0
RUNNER_TIMEOUT = 240.0
STEP_TIMEOUT = 1800.0  # the batch flow's own timeout
PROGRESS_LINE = re.compile(r"：\d+/\d+$")


# --- fingerprints (the correctness check) -----------------------------------------------------------------


def fingerprint(round_id: int) -> tuple[dict[str, int], str]:
    """The round's applications: count per status, and a digest of (id, status, ticket, scores, rank)."""
    with UnitOfWork(readonly=True) as uow:
        counts = dict(
            uow.session.execute(
                select(Application.status, func.count())
                .where(Application.round_id == round_id)
                .group_by(Application.status)
            ).all()
        )
        rows = uow.session.execute(
            select(
                Application.id, Application.status, Application.admit_ticket, Application.written_score,
                Application.interview_score, Application.total_score, Application.rank,
            )
            .where(Application.round_id == round_id)
            .order_by(Application.id)
        ).all()  # fmt: skip
    digest = hashlib.sha256("\n".join("|".join(map(str, r)) for r in rows).encode()).hexdigest()[:16]
    return dict(sorted(counts.items())), digest


class Reference(br.Bench):
    """bench_round's direct path, remembering each batch step's fingerprint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prints: dict[str, tuple[dict[str, int], str]] = {}

    def batch(self, step: str, kind: str) -> dict[str, Any]:
        summary = super().batch(step, kind)
        self.prints[kind] = fingerprint(self.rid)
        return summary


# --- the Prefect server and the runner -------------------------------------------------------------------


def stop(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM, grace: float = 20.0) -> None:
    """Stop a child started by `pe.spawn` and the rest of its process group."""
    if proc is None:
        return
    for s in (sig, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, s)
        try:
            proc.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


class Server:
    def __init__(self, home: Path) -> None:
        self.home, self.port = home, pe.free_port()
        self.api = pe.api_url(self.port)
        self.log = home / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        self.proc = pe.spawn(
            pe.server_command(self.port), pe.server_env(home=self.home, port=self.port), self.log
        )
        return pe.wait_until(
            lambda: pe.prefect_healthy(self.api),
            proc=self.proc,
            what="Prefect server",
            timeout=SERVER_TIMEOUT,
        )

    def stop(self) -> None:
        stop(self.proc)
        self.proc = None


def iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- the round through the flows --------------------------------------------------------------------------


class FlowBench(br.Bench):
    """bench_round's round, its batch steps queued and run by the dispatcher deployment."""

    def __init__(self, server: Server, dispatch_seconds: int, reference: dict[str, Any] | None,
                 *args: Any, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.server, self.reference = server, reference
        self.api = httpx.Client(base_url=server.api, timeout=30)
        self.runner_log = Path(self.rt.settings.data_dir) / "runner.log"
        env = pe.runner_env(
            home=server.home, api=server.api, extra={"SHEGONG_BATCH_DISPATCH_SECONDS": str(dispatch_seconds)}
        ) | pe.settings_env(self.rt.settings)
        self.since = datetime.now(UTC)
        self.runner: subprocess.Popen[bytes] | None = pe.spawn(pe.runner_command(), env, self.runner_log)
        self.runner_ready: float | None = None
        self.steps: list[dict[str, Any]] = []
        self.mismatches: list[str] = []

    def wait_runner(self) -> None:
        if self.runner_ready is not None:
            return
        waited = pe.wait_until(
            lambda: pe.runner_polling(self.server.api, DISPATCH, self.since),
            proc=self.runner, what="runner (flows.serve)", timeout=RUNNER_TIMEOUT,
        )  # fmt: skip
        self.runner_ready = (datetime.now(UTC) - self.since).total_seconds()
        print(f"    (runner polling {self.runner_ready:.1f} s after its start; waited {waited:.1f} s here)")

    def batch(self, step: str, kind: str) -> dict[str, Any]:
        spec = batch.KINDS[kind]
        if not spec.available:
            self.note(step, None, f"not available ({spec.target} does not exist yet)")
            raise br.Stop(step)
        self.wait_runner()
        load = os.getloadavg()[0]
        with UnitOfWork() as uow:
            batch_id = batch.request(uow, br.actor("hm_hr"), self.rid, kind).id
            uow.commit()
        requested = datetime.now(UTC)
        t0 = time.perf_counter()
        row = self._until_finished(batch_id)
        e2e = time.perf_counter() - t0
        inside = (
            (row.finished_at - row.started_at).total_seconds() if row.finished_at and row.started_at else None
        )
        info = self._prefect(row, requested)
        info.update(step=step, kind=kind, batch_id=batch_id, status=row.status, inside=inside, e2e=e2e, load=load,
                    done=row.done, total=row.total)  # fmt: skip
        self.steps.append(info)
        check = self._compare(kind)
        print(f"      flow run «{info['name']}» {info['state']}, run {info['run_time']}, dispatcher waited "
              f"{_s(info['wait'])}, subflow start→end {_s(info['subflow'])}; parent {info['parent']}; "
              f"artifacts {info['artifacts']}; {check}")  # fmt: skip
        if row.status != "done":
            self.note(step, inside, f"FAILED: {row.error}")
            raise br.Stop(step)
        self.note(step, inside, f"inside; end to end {e2e:.2f} s; load {load:.2f}; {row.done}/{row.total} "
                  f"{br._short(row.summary, 60)}")  # fmt: skip
        return row.summary

    def _until_finished(self, batch_id: int) -> BatchRun:
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            with UnitOfWork(readonly=True) as uow:
                row = uow.session.get(BatchRun, batch_id)
                assert row is not None
                if row.status in ("done", "failed"):
                    return row
            if self.runner is not None and self.runner.poll() is not None:
                raise RuntimeError(
                    f"the runner exited ({self.runner.returncode})\n{pe.tail(self.runner_log, 40)}"
                )
            time.sleep(0.2)
        raise TimeoutError(
            f"batch {batch_id} not finished in {STEP_TIMEOUT:.0f} s\n{pe.tail(self.runner_log, 40)}"
        )

    def _prefect(self, row: BatchRun, requested: datetime) -> dict[str, Any]:
        """What Prefect recorded of the batch's flow run (waiting for its final state)."""
        run: dict[str, Any] = {}
        deadline = time.monotonic() + 60
        while row.flow_run_id and time.monotonic() < deadline:
            run = self.api.get(f"/flow_runs/{row.flow_run_id}").json()
            if run.get("state", {}).get("type") in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                break
            time.sleep(0.3)
        parent: dict[str, Any] = {}
        if run.get("parent_task_run_id"):
            task = self.api.get(f"/task_runs/{run['parent_task_run_id']}").json()
            parent = self.api.get(f"/flow_runs/{task['flow_run_id']}").json()
        arts = self.api.post(
            "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [row.flow_run_id]}}}
        )
        shown = []
        for a in arts.json() if row.flow_run_id else []:
            shown.append(
                f"{a['key']}={a['data']}%" if a["type"] == "progress" else f"{a['key']} ({a['type']})"
            )
        started, ended = iso(run.get("start_time")), iso(run.get("end_time"))
        p_start = iso(parent.get("start_time"))
        return {
            "flow_run_id": row.flow_run_id,
            "name": run.get("name"),
            "state": run.get("state", {}).get("name"),
            "run_time": f"{run.get('total_run_time', 0):.2f} s",
            "subflow": (ended - started).total_seconds() if started and ended else None,
            "wait": (p_start - requested).total_seconds() if p_start else None,
            "parent": f"{parent.get('name')} ({parent.get('state', {}).get('name')}, auto_scheduled="
            f"{parent.get('auto_scheduled')})"
            if parent
            else "none",
            "artifacts": ", ".join(shown) or "none",
        }

    def _compare(self, kind: str) -> str:
        if self.reference is None:
            return "no reference run"
        mine = fingerprint(self.rid)
        theirs = self.reference.get(kind)
        if theirs is None:
            self.mismatches.append(f"{kind}: the direct path did not reach it")
            return "the direct path did not reach this step"
        if mine == theirs:
            return f"same as the direct path ({sum(mine[0].values())} applications, digest {mine[1]})"
        self.mismatches.append(f"{kind}: flows {mine} vs direct {theirs}")
        return f"DIFFERENT from the direct path: flows {mine} vs direct {theirs}"

    def finish(self) -> None:
        """The dispatcher deployment's flow runs by state (before the runner stops), then stop the runner."""
        try:
            for info in self.steps:  # log lines are shipped in the background: read them at the end
                logs = self.api.post("/logs/filter", json={
                    "logs": {"flow_run_id": {"any_": [info["flow_run_id"]]}}, "limit": 200,
                }).json()  # fmt: skip
                ticks = sum(1 for x in logs if PROGRESS_LINE.search(x["message"]))
                print(f"    {br._pad(info['step'], 40)} flow run {info['flow_run_id']}: {len(logs)} log lines, "
                      f"{ticks} of them progress")  # fmt: skip
            dep = self.api.get(f"/deployments/name/{DISPATCH}").json()
            runs = self.api.post("/flow_runs/filter", json={
                "flow_runs": {"deployment_id": {"any_": [dep["id"]]},
                              "expected_start_time": {"after_": self.since.isoformat()}},
                "limit": 200,
            }).json()  # fmt: skip
            ran = [r for r in runs if r["state"]["type"] != "SCHEDULED"]
            states = Counter(r["state"]["name"] for r in ran)
            times = sorted(r["total_run_time"] for r in ran if r["state"]["type"] == "COMPLETED")
            mean = f"{sum(times) / len(times):.2f} s (max {times[-1]:.2f} s)" if times else "—"
            print(f"    dispatcher deployment {DISPATCH}: {len(ran)} flow runs during this round "
                  f"{dict(states)}, mean run time {mean} (each includes its batch's subflow); "
                  f"{len(runs) - len(ran)} more scheduled ahead by the server")  # fmt: skip
        except Exception as exc:  # the report is not worth losing the clean-up
            print(f"    (could not read Prefect's runs: {exc})")
        finally:
            stop(self.runner, sig=signal.SIGINT)
            self.runner = None
            self.api.close()


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


# --- databases --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def database(db: str, suffix: str, tmp: Path) -> Any:
    if db == "sqlite":
        yield f"sqlite:///{tmp / f'bench{suffix}.db'}"
        return
    admin_url = make_url(br.PG_URL)
    name = f"{PG_NAME}{suffix}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def on(db: str, args: argparse.Namespace, server: Server, tmp: Path) -> FlowBench | str:
    reference = None
    if not args.no_reference:
        print("  -- the direct path (reference; bench_round's batch.run in this process)")
        (tmp / "ref").mkdir(exist_ok=True)
        with database(db, "_ref", tmp) as url:
            ref = Reference(url, tmp / "ref", args.applicants, args.posts)
            ref.run()
            reference = ref.prints
    print("  -- through the flows")
    (tmp / "flows").mkdir(exist_ok=True)
    with database(db, "", tmp) as url:
        bench = FlowBench(
            server, args.dispatch_seconds, reference, url, tmp / "flows", args.applicants, args.posts
        )
        try:
            bench.run()
        finally:
            bench.finish()
    return bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applicants", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--dispatch-seconds", type=int, default=30, help="the dispatcher's interval (production 30)"
    )
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the direct-path run and the comparison"
    )
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs; "
          f"{args.applicants:,} applicants, {args.posts} posts; dispatcher every {args.dispatch_seconds} s")  # fmt: skip
    results: dict[str, FlowBench | str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-round-flows-") as tmp_:
        tmp = Path(tmp_)
        server = Server(tmp / "prefect")
        try:
            print(f"Prefect server on {server.api}: ready in {server.start():.1f} s")
            for db in ("sqlite", "postgres"):
                if args.db not in (db, "both"):
                    continue
                print(f"\n== {db}")
                (tmp / db).mkdir()
                try:
                    results[db] = on(db, args, server, tmp / db)
                except Exception as exc:
                    traceback.print_exc()
                    results[db] = f"{type(exc).__name__}: {exc}"
        finally:
            server.stop()
    summary(results)


def summary(results: dict[str, FlowBench | str]) -> None:
    print(f"\n== summary (load average now {os.getloadavg()[0]:.2f}): seconds inside the step / end to end")
    header = f"    {br._pad('step', 40)}" + "".join(f"{d:>26}" for d in results)
    print(header)
    steps = [s["step"] for r in results.values() if not isinstance(r, str) for s in r.steps]
    for step in dict.fromkeys(steps):
        cells = []
        for r in results.values():
            s = None if isinstance(r, str) else next((x for x in r.steps if x["step"] == step), None)
            cells.append("—" if s is None else f"{_s(s['inside'])} / {s['e2e']:.2f} s")
        print(f"    {br._pad(step, 40)}" + "".join(f"{c:>26}" for c in cells))
    for db, r in results.items():
        if isinstance(r, str):
            print(f"    {db}: did not complete: {r}")
        elif r.reference is not None:
            print(f"    {db}: " + ("every step's result equals the direct path's" if not r.mismatches
                                    else "MISMATCHES: " + "; ".join(r.mismatches)))  # fmt: skip


if __name__ == "__main__":
    main()
