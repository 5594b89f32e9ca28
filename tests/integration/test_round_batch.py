"""Batch steps of a round without Prefect: requested by the round's officer (one at a time, in the step's
state), run once in one transaction with the row marked done in the same commit, or rolled back entirely
and marked failed with the error; never run twice; a batch whose runner died is freed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import round_batch as cli
from db.repos import recruitment_round as repo
from db.repos import round_batches as batch_repo
from domain.actor import Actor
from domain.errors import Conflict, InvalidInput, PermissionDenied, RuleViolation
from services import audit
from services.recruitment_round import batch, rounds, screening
from services.runtime import Runtime
from services.uow import UnitOfWork
from tests.integration.round_support import GetActor, published_round, put_applications

T0 = datetime(2026, 3, 2, 9, 0)
CLOSES = T0 + timedelta(days=10)
N = 30


@pytest.fixture
def rid(actor: GetActor, set_clock: Callable[[datetime], None]) -> int:
    """A round in qualification review with N registered applications (every third one too old)."""
    set_clock(T0)
    round_id = published_round(actor, T0, days=10)
    rows: list[dict[str, Any]] = [{"status": "registered", "post_code": "01"} for _ in range(N)]
    for i in range(0, N, 3):
        rows[i]["birth"] = datetime(1970, 1, 1).date()
    put_applications(round_id, rows, now=T0)
    set_clock(CLOSES + timedelta(minutes=1))
    with UnitOfWork() as uow:
        rounds.close_registration(uow, None, round_id)
        uow.commit()
    return round_id


def _request(officer: Actor, round_id: int, kind: str = "screening") -> int:
    with UnitOfWork() as uow:
        row = batch.request(uow, officer, round_id, kind)
        uow.commit()
        return row.id


def _statuses(round_id: int) -> dict[str, int]:
    out: dict[str, int] = {}
    with UnitOfWork(readonly=True) as uow:
        for (_, status), n in repo.status_counts(uow.session, round_id).items():
            out[status] = out.get(status, 0) + n
    return out


def _round_actions(round_id: int) -> list[str]:
    with UnitOfWork(readonly=True) as uow:
        return [e.action for e in audit.history(uow.session, "recruitment_round", round_id)]


def test_request_then_run_screens_the_whole_round(rid: int, actor: GetActor, runtime: Runtime) -> None:
    hr = actor("hm_hr")
    batch_id = _request(hr, rid)
    with UnitOfWork(readonly=True) as uow:
        queued = batch.get(uow, hr, batch_id)
        assert (queued.status, queued.kind, queued.total, queued.done) == ("queued", "screening", N, 0)
        assert queued.requested_by_id == hr.user_id
    assert batch.queued() == [(batch_id, f"资格初审 · 招聘#{rid}")]
    seen: list[tuple[int, int]] = []
    on_page: list[tuple[str, int]] = []  # what another connection (the page) reads meanwhile

    def observe(done: int, total: int) -> None:
        seen.append((done, total))
        with UnitOfWork(readonly=True) as uow:
            row = repo.batch(uow.session, batch_id)
            assert row is not None
            on_page.append((row.status, row.done))

    row = batch.run(batch_id, flow_run_id="flow-run-1", progress=observe)
    assert (row.status, row.done, row.total, row.flow_run_id, row.error) == ("done", N, N, "flow-run-1", None)
    assert row.summary["screened"] == N and row.summary["rejected"] == N // 3
    assert row.started_at is not None and row.finished_at is not None
    assert seen[-1] == (N, N) and all(t == N for _, t in seen)
    # Live on PostgreSQL (a short transaction of its own); on SQLite the step holds the one write lock, so
    # the page sees 'running' until the step commits done.
    live = runtime.engine.dialect.name != "sqlite"
    assert on_page[0] == ("running", seen[0][0] if live else 0)
    assert _statuses(rid) == {"qualified": N - N // 3, "rejected": N // 3}
    assert batch.queued() == []
    with UnitOfWork(readonly=True) as uow:
        assert [b.id for b in batch.of_round(uow, hr, rid)] == [batch_id]


def test_one_batch_at_a_time_and_a_done_batch_is_not_run_again(rid: int, actor: GetActor) -> None:
    hr = actor("hm_hr")
    batch_id = _request(hr, rid)
    with UnitOfWork() as uow, pytest.raises(Conflict) as busy:
        batch.request(uow, hr, rid, "opening")
    assert busy.value.code == "batch_active" and busy.value.details["batch_id"] == batch_id
    first = batch.run(batch_id)
    again = batch.run(batch_id, flow_run_id="another")
    assert (again.status, again.finished_at, again.flow_run_id) == ("done", first.finished_at, None)
    assert _round_actions(rid).count("screen") == 1
    # once done, the round is free: a new request is accepted (and finds nothing left to screen)
    second = batch.run(_request(hr, rid))
    assert (second.status, second.summary["screened"]) == ("done", 0)


def test_refusals_name_the_reason(rid: int, actor: GetActor) -> None:
    with UnitOfWork() as uow, pytest.raises(PermissionDenied):
        batch.request(uow, actor("hm_sw"), rid, "screening")  # an approver, not the round's officer
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as wrong:
        batch.request(uow, actor("hm_hr"), rid, "ranking")
    assert wrong.value.code == "batch_wrong_step" and wrong.value.article
    assert "资格审查" in wrong.value.message
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as unknown:
        batch.request(uow, actor("hm_hr"), rid, "lottery")
    assert unknown.value.code == "batch_kind_unknown"


def _screen_then_explode(uow: UnitOfWork, actor: Actor | None, round_id: int, **kw: Any) -> dict[str, Any]:
    screening.screen_round(uow, actor, round_id, **kw)  # every row written (flushed) ...
    raise RuntimeError("磁盘已满")  # ... then the step fails


def test_a_failure_rolls_the_whole_step_back(
    rid: int, actor: GetActor, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = batch.KINDS["screening"]
    monkeypatch.setitem(batch.KINDS, "screening", replace(spec, target=f"{__name__}:_screen_then_explode"))
    hr = actor("hm_hr")
    batch_id = _request(hr, rid)
    row = batch.run(batch_id)
    assert row.status == "failed" and row.finished_at is not None
    assert row.error == "RuntimeError: 磁盘已满" and row.summary == {"error_code": "RuntimeError"}
    assert _statuses(rid) == {"registered": N}  # nothing half-written
    assert "screen" not in _round_actions(rid)
    assert batch.run(batch_id).status == "failed"  # not retried: the officer asks again
    monkeypatch.setitem(batch.KINDS, "screening", spec)
    assert batch.run(_request(hr, rid)).status == "done"


def _slow_screen(uow: UnitOfWork, actor: Actor | None, round_id: int, **kw: Any) -> dict[str, Any]:
    time.sleep(0.3)
    return screening.screen_round(uow, actor, round_id, **kw)


def _slow_explode(uow: UnitOfWork, actor: Actor | None, round_id: int, **kw: Any) -> dict[str, Any]:
    time.sleep(0.3)
    raise RuntimeError("磁盘已满")


def test_the_rows_times_span_the_step_even_under_a_frozen_clock(
    rid: int, actor: GetActor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """finished_at - started_at is how long the step took (the page and Prefect's summary show it), not
    the ~0 s between the claim and the step's unit-of-work `now`, read once near its start (regression)."""
    spec = batch.KINDS["screening"]
    hr = actor("hm_hr")
    for target, status in (("_slow_screen", "done"), ("_slow_explode", "failed")):
        monkeypatch.setitem(batch.KINDS, "screening", replace(spec, target=f"{__name__}:{target}"))
        row = batch.run(_request(hr, rid))
        assert row.status == status and row.started_at is not None and row.finished_at is not None
        took = (row.finished_at - row.started_at).total_seconds()
        assert 0.3 <= took < 30, (status, took)
        assert row.started_at == CLOSES + timedelta(minutes=1)  # the (frozen) clock's moment of the claim


def test_a_round_that_moved_on_fails_the_batch_with_the_article(rid: int, actor: GetActor) -> None:
    hr = actor("hm_hr")
    batch_id = _request(hr, rid)
    with UnitOfWork() as uow:
        rounds.cancel(uow, hr, rid, "经费未落实")
        uow.commit()
    row = batch.run(batch_id)
    assert row.status == "failed" and row.summary["error_code"] == "batch_wrong_step"
    assert row.error is not None and "已取消" in row.error and "IM art. 9" in row.error
    assert _statuses(rid) == {"registered": N}


def test_a_batch_whose_runner_died_is_freed(rid: int, actor: GetActor) -> None:
    hr = actor("hm_hr")
    batch_id = _request(hr, rid)
    with UnitOfWork() as uow:  # claimed an hour ago by a runner that never came back
        assert batch_repo.claim(
            uow.session, batch_id, now=uow.now - timedelta(hours=1), flow_run_id="x", total=N
        )
        uow.commit()
    assert batch.run(batch_id).status == "running"  # running elsewhere: not run here
    assert batch.recover_stale() == [batch_id]
    with UnitOfWork(readonly=True) as uow:
        row = batch.get(uow, hr, batch_id)
        assert row.status == "failed" and row.summary == {"error_code": "batch_abandoned"}
    assert batch.recover_stale() == []
    assert batch.run(_request(hr, rid)).status == "done"


def test_cli_drains_the_queue(rid: int, actor: GetActor) -> None:
    batch_id = _request(actor("hm_hr"), rid)
    result = CliRunner().invoke(cli.app, ["drain"])
    assert result.exit_code == 0, result.output
    assert f"#{batch_id} 资格初审 · 招聘#{rid}：完成 done {N}/{N}" in result.output
    assert "progress" in result.output
    again = CliRunner().invoke(cli.app, ["run", str(batch_id)])
    assert again.exit_code == 0 and "完成" in again.output
    assert "nothing queued" in CliRunner().invoke(cli.app, ["drain"]).output


def test_every_kind_names_an_existing_step_of_the_batch_signature() -> None:
    import inspect

    for spec in batch.KINDS.values():
        step = spec.step()
        assert step is not None, spec.target
        params = inspect.signature(step).parameters
        assert list(params)[:3] == ["uow", "actor", "round_id"], spec.target
        assert params["progress"].kind is inspect.Parameter.KEYWORD_ONLY, spec.target
