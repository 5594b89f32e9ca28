"""Prefect really drives time: a real server's scheduler creates the sweep's runs (nobody triggers them),
the runner from flows/serve.py executes them, and a due timer in our database is fired by one of them."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli import prefect_env as pe
from db.engine import make_engine, make_session_factory
from db.models.timers import Timer
from db.schema import migrate
from domain.config import Settings
from services import timers
from services.runtime import Runtime
from services.uow import UnitOfWork
from tests.e2e.conftest import PrefectServer, stop_group

pytestmark = [pytest.mark.prefect, pytest.mark.xdist_group("prefect")]

SWEEP_FLOW, SWEEP_DEPLOYMENT = "shegong-sweep-timers", "scheduled"
RECONCILE = "shegong-reconcile-timers/daily"


def _runtime(settings: Settings) -> Runtime:
    """A runtime of its own (the process-wide one belongs to the integration tests)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    return Runtime(
        settings, engine, make_session_factory(engine), make_session_factory(engine, readonly=True)
    )


def _timer(rt: Runtime, timer_id: int) -> Timer:
    with UnitOfWork(rt, readonly=True) as uow:
        row = uow.session.get(Timer, timer_id)
        assert row is not None
        uow.session.expunge(row)
        return row


def _wait(what: str, probe: Any, timeout: float, log: Path) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"{what}: not within {timeout:.0f} s\n--- runner log\n{pe.tail(log, 40)}")


def test_scheduler_runs_the_sweep_which_fires_a_due_timer(
    prefect_server: PrefectServer, tmp_path: Path
) -> None:
    started = time.monotonic()
    data = tmp_path / "data"
    settings = Settings(
        mode="test", data_dir=data, database_url=f"sqlite:///{data / 'e2e.db'}", sweep_interval_seconds=10
    )
    rt = _runtime(settings)
    migrate(rt.engine)
    with UnitOfWork(rt) as uow:
        timer_id = timers.schedule(
            uow.session, timers.PROBE, "probe", 1, uow.now - timedelta(seconds=1), now=uow.now
        ).id
        uow.commit()

    log = tmp_path / "runner.log"
    env = pe.runner_env(
        home=prefect_server.home,
        api=prefect_server.api,
        extra={"PREFECT_RUNNER_POLL_FREQUENCY": "1", "PREFECT_RUNNER_PROCESS_LIMIT": "1"},
    ) | pe.settings_env(settings)
    since = datetime.now(UTC)
    runner = pe.spawn(pe.runner_command(), env, log)
    api = httpx.Client(base_url=prefect_server.api, timeout=10)
    try:
        _wait(
            "the runner registered its deployments",
            lambda: pe.runner_polling(prefect_server.api, f"{SWEEP_FLOW}/{SWEEP_DEPLOYMENT}", since),
            timeout=90,
            log=log,
        )
        registered = time.monotonic() - started
        fired_by = _wait(
            "the timer fired by a Prefect flow run",
            lambda: (t := _timer(rt, timer_id)).state == "fired" and t.fired_by,
            timeout=120,
            log=log,
        )
        assert fired_by.startswith("prefect:"), fired_by
        run_id = fired_by.removeprefix("prefect:")
        run = _wait(
            "the flow run Completed",
            lambda: (r := api.get(f"/flow_runs/{run_id}").json())["state_type"] == "COMPLETED" and r,
            timeout=60,
            log=log,
        )
        done = time.monotonic() - started
        # The daily reconcile runs on the same runner (triggered here: its schedule is 03:15).
        reconcile = api.get(f"/deployments/name/{RECONCILE}").json()
        rid = api.post(f"/deployments/{reconcile['id']}/create_flow_run", json={}).json()["id"]
        _wait(
            "the reconcile run Completed",
            lambda: api.get(f"/flow_runs/{rid}").json()["state_type"] == "COMPLETED",
            timeout=60,
            log=log,
        )
    finally:
        stop_group(runner, sig=2)  # SIGINT: the runner pauses its schedules and exits
    # Created by the server's scheduler, for our deployment; never by hand.
    assert run["auto_scheduled"] is True
    deployment = api.get(f"/deployments/{run['deployment_id']}").json()
    flow = api.get(f"/flows/{deployment['flow_id']}").json()
    assert (flow["name"], deployment["name"]) == (SWEEP_FLOW, SWEEP_DEPLOYMENT)
    runs = api.post("/flow_runs/filter", json={"deployments": {"id": {"any_": [deployment["id"]]}}}).json()
    assert runs and all(r["auto_scheduled"] for r in runs)
    # The run left its counts behind as an artifact.
    artifacts = api.post("/artifacts/filter", json={"artifacts": {"key": {"any_": ["timer-sweep"]}}}).json()
    mine = [a for a in artifacts if a["flow_run_id"] == run_id]
    assert mine and "fired 1" in mine[0]["description"], artifacts
    report = api.post("/artifacts/filter", json={"artifacts": {"key": {"any_": ["timer-reconcile"]}}}).json()
    assert [a for a in report if a["flow_run_id"] == rid and "state fired | 1" in a["data"]], report
    # Exactly once, whatever other runs came after.
    row = _timer(rt, timer_id)
    assert (row.state, row.attempts) == ("fired", 1)
    rt.engine.dispose()
    print(
        f"\nrunner registered its deployments after {registered:.1f} s; the scheduled sweep had fired "
        f"the timer and completed after {done:.1f} s"
    )
