"""Shared set-up of the follow-up tests: a round put straight into a later step with two posts' ranked
candidates, and the steps to its public notice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from db.repos import recruitment_round as repo
from domain.errors import RuleViolation
from services import audit, timers
from services.recruitment_round import followup, rounds
from services.uow import UnitOfWork
from tests.integration.round_support import GetActor, published_round, put_applications

T0 = datetime(2026, 9, 1, 9, 0)
NOTICE_DAY = datetime(2026, 9, 29, 10, 0)  # 5 working days from here run past National Day
Clock = Callable[[datetime], None]

# post 01: 王芳 first, then 李明 and 赵强 in reserve; post 02: 丁一 first, 马丽 in reserve
CANDIDATES: list[dict[str, Any]] = [
    {"name": "王芳", "post_code": "01", "status": "selected", "rank": 1, "total_score": 88.5},
    {"name": "李明", "post_code": "01", "status": "reserve", "rank": 2, "total_score": 86.0},
    {"name": "赵强", "post_code": "01", "status": "reserve", "rank": 3, "total_score": 80.25},
    {"name": "丁一", "post_code": "02", "status": "selected", "rank": 1, "total_score": 90.0},
    {"name": "马丽", "post_code": "02", "status": "reserve", "rank": 2, "total_score": 79.0},
]


def put_round_in(rid: int, status: str) -> None:
    """Test set-up only: the round straight into a later step (the earlier steps have their own tests)."""
    with UnitOfWork() as uow:
        rounds.load(uow, rid, for_update=True).status = status
        uow.commit()


def setup_round(
    actor: GetActor,
    at: Clock,
    *,
    status: str = "physical_exam",
    settings: dict[str, Any] | None = None,
    **extra: Any,
) -> tuple[int, dict[str, int]]:
    at(T0 - timedelta(days=60))
    rid = published_round(actor, T0 - timedelta(days=60), posts=1, communities=2, settings=settings)
    put_round_in(rid, status)
    at(T0)
    timers.sweep(worker_id="setup")  # the registration's own timer, due long ago: nothing left to do
    rows = [{**c, **extra.get(c["name"], {})} for c in CANDIDATES]
    put_applications(rid, rows, now=T0)
    with UnitOfWork(readonly=True) as uow:
        return rid, {a.name: a.id for a in repo.applications(uow.session, rid)}


def app(app_id: int) -> Any:
    with UnitOfWork(readonly=True) as uow:
        return repo.application(uow.session, app_id)


def run(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    with UnitOfWork() as uow:
        out = fn(uow, *args, **kw)
        uow.commit()
        return out


def round_actions(rid: int) -> list[str]:
    with UnitOfWork(readonly=True) as uow:
        return [e.action for e in audit.history(uow.session, "recruitment_round", rid)]


PASSED = {"physical_result": "pass", "investigation_result": "pass"}


def to_notice(actor: GetActor, at: Clock, **kw: Any) -> tuple[int, dict[str, int]]:
    """A round in investigation whose two candidates passed both steps, published on NOTICE_DAY."""
    rid, ids = setup_round(
        actor, at, status="investigation", 王芳=PASSED, 丁一={"physical_result": "pass"}, **kw
    )
    hr = actor("hm_hr")
    at(NOTICE_DAY)
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as pending:
        rounds.advance(uow, hr, rid)
    assert "丁一" in pending.value.message and "考察结论未录入" in pending.value.message
    run(followup.record_investigation, hr, ids["丁一"], True, "政治素质好，群众基础好")
    run(rounds.advance, hr, rid)
    return rid, ids
