"""A batch step of a round runs as a Prefect flow run: the officer's request only queues a row; the
dispatcher deployment (served by flows/serve.py, scheduled by the real server every few seconds) picks it
and runs it as a flow run of its own, named after the batch, with a progress artifact; the BatchRun row
ends done with that flow run's id. The on-demand deployment names its run from the batch too, and does not
run a done batch again. A batch that fails (its round moved on) is marked failed and fails its flow run."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli import prefect_env as pe
from db.engine import make_engine, make_session_factory
from db.models.recruitment_round import BatchRun
from db.repos import recruitment_round as repo
from db.schema import migrate
from domain.actor import Actor
from domain.config import Settings
from services import clock, demo, identity
from services import runtime as runtime_module
from services.recruitment_round import batch, rounds
from services.runtime import Runtime
from services.uow import UnitOfWork
from tests.e2e.conftest import PrefectServer, stop_group
from tests.integration.round_support import published_round, put_applications

pytestmark = [pytest.mark.prefect, pytest.mark.xdist_group("prefect")]

DISPATCH = "shegong-dispatch-round-batches/dispatch"
ON_DEMAND = "shegong-round-batch/on-demand"
T0 = datetime(2026, 3, 2, 9, 0)
N = 300


def _wait(what: str, probe: Any, timeout: float, log: Path) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"{what}: not within {timeout:.0f} s\n--- runner log\n{pe.tail(log, 60)}")


def _batch(rt: Runtime, batch_id: int) -> BatchRun:
    with UnitOfWork(rt, readonly=True) as uow:
        row = repo.batch(uow.session, batch_id)
        assert row is not None
        return row


def _queued_screening(rt: Runtime) -> tuple[int, int]:
    """A round in qualification review with N registered applications; its screening requested."""
    with UnitOfWork(rt) as uow:
        demo.seed(uow)
        clock.set_time(uow.session, rt.settings, T0, freeze=True)
        uow.commit()

    def actor(username: str) -> Actor:
        with UnitOfWork(rt, readonly=True) as uow:
            return identity.authenticate(uow.session, username, "demo1234")

    rid = published_round(actor, T0, days=10)
    rows = [{"status": "registered", "birth": date(1960, 1, 1)} if i % 10 == 0 else {"status": "registered"}
            for i in range(N)]  # fmt: skip
    put_applications(rid, rows, now=T0)
    with UnitOfWork(rt) as uow:
        clock.set_time(uow.session, rt.settings, T0 + timedelta(days=10, minutes=1), freeze=True)
        rounds.close_registration(uow, None, rid)
        batch_id = batch.request(uow, actor("hm_hr"), rid, "screening").id
        uow.commit()
    return rid, batch_id


def test_dispatcher_runs_a_queued_batch_as_its_own_flow_run(
    prefect_server: PrefectServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.monotonic()
    data = tmp_path / "data"
    data.mkdir()
    settings = Settings(mode="test", data_dir=data, database_url=f"sqlite:///{data / 'e2e.db'}")
    engine = make_engine(settings.effective_database_url)
    rt = Runtime(settings, engine, make_session_factory(engine), make_session_factory(engine, readonly=True))
    migrate(rt.engine)
    monkeypatch.setattr(runtime_module, "_runtime", rt)  # the round helpers use the default runtime
    rid, batch_id = _queued_screening(rt)
    prepared = time.monotonic() - started

    log = tmp_path / "runner.log"
    env = pe.runner_env(
        home=prefect_server.home,
        api=prefect_server.api,
        extra={"PREFECT_RUNNER_POLL_FREQUENCY": "1", "SHEGONG_BATCH_DISPATCH_SECONDS": "5"},
    ) | pe.settings_env(settings)
    since = datetime.now(UTC)
    runner = pe.spawn(pe.runner_command(), env, log)
    api = httpx.Client(base_url=prefect_server.api, timeout=10)
    try:
        _wait(
            "the runner registered its deployments",
            lambda: pe.runner_polling(prefect_server.api, DISPATCH, since),
            timeout=180,
            log=log,
        )
        picked = time.monotonic()
        row = _wait(
            "the batch done by a Prefect flow run",
            lambda: (b := _batch(rt, batch_id)).status in ("done", "failed") and b,
            timeout=240,
            log=log,
        )
        assert (row.status, row.error) == ("done", None), row.error
        ran = time.monotonic() - picked
        run = _wait(
            "the batch's flow run Completed",
            lambda: (r := api.get(f"/flow_runs/{row.flow_run_id}").json())["state_type"] == "COMPLETED" and r,
            timeout=240,
            log=log,
        )
        # The on-demand deployment: named from the batch by the flow itself; a done batch is not run again.
        on_demand = api.get(f"/deployments/name/{ON_DEMAND}").json()
        created = api.post(
            f"/deployments/{on_demand['id']}/create_flow_run", json={"parameters": {"batch_id": batch_id}}
        )
        assert created.status_code == 201, f"Prefect refused the flow run: {created.status_code} {created.text}"
        again = created.json()["id"]
        second = _wait(
            "the on-demand run Completed",
            lambda: (r := api.get(f"/flow_runs/{again}").json())["state_type"] == "COMPLETED" and r,
            timeout=240,
            log=log,
        )
        # A batch whose round moved on before it ran: the step refused, the row failed, the flow run Failed.
        with UnitOfWork(rt) as uow:
            hr = identity.authenticate(uow.session, "hm_hr", "demo1234")
        with UnitOfWork(rt) as uow:
            failing = batch.request(uow, hr, rid, "opening").id
            rounds.cancel(uow, hr, rid, "经费未落实")
            uow.commit()
        failed = _wait(
            "the failing batch marked failed by a flow run",
            lambda: (b := _batch(rt, failing)).status in ("done", "failed") and b,
            timeout=240,
            log=log,
        )
        failed_run = _wait(
            "its flow run Failed",
            lambda: (
                (r := api.get(f"/flow_runs/{failed.flow_run_id}").json())["state_type"]
                in ("FAILED", "COMPLETED")
                and r
            ),
            timeout=240,
            log=log,
        )
    finally:
        stop_group(runner, sig=2)
    assert failed.status == "failed" and failed.error and "已取消" in failed.error
    assert (failed_run["state_type"], failed_run["name"]) == ("FAILED", f"核定开考比例 · 招聘#{rid}")
    name = f"资格初审 · 招聘#{rid}"
    assert (row.done, row.total, row.summary["screened"], row.summary["rejected"]) == (N, N, N, N // 10)
    assert _batch(rt, batch_id).flow_run_id == row.flow_run_id  # the on-demand run left it alone
    # One flow run per batch, named after it, a subflow of a dispatcher run the server's scheduler created.
    assert run["name"] == name and run["parent_task_run_id"] is not None
    parent = api.get(f"/task_runs/{run['parent_task_run_id']}").json()
    dispatcher = api.get(f"/flow_runs/{parent['flow_run_id']}").json()
    assert dispatcher["auto_scheduled"] is True
    assert api.get(f"/deployments/{dispatcher['deployment_id']}").json()["name"] == "dispatch"
    assert second["name"] == name
    # Progress in Prefect: the batch's progress artifact at 100 %, and its summary.
    key = f"round-batch-{batch_id}"
    arts = api.post(
        "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [row.flow_run_id]}}}
    ).json()
    progress = [a for a in arts if a["key"] == key]
    assert progress and progress[0]["type"] == "progress" and float(progress[0]["data"]) == 100.0, arts
    assert any(a["key"] == f"{key}-summary" and "screened" in a["data"] for a in arts), arts
    rt.engine.dispose()
    print(f"\nround prepared in {prepared:.1f} s; batch picked and done {ran:.1f} s after the runner was up")
