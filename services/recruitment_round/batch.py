"""Batch steps of a round (资格初审, 开考比例核查, 编排准考证号, 确定面试人选, 排名, 公示拟聘用人员): the round's
officer requests one (a BatchRun row, queued); a Prefect flow run (flows/round_batches.py) or the CLI runs
it, set-wise, as one step: every row moved, or none.

Transactions. `run` claims the row (queued -> running, with the total in scope) in a short transaction of
its own, then runs the step and marks the row done IN THE SAME transaction as the step's data: "done" is
never visible without the data, nor the data without "done", and a failure rolls the whole step back (the
row is then marked failed, with the error, in a third short transaction). A claim is conditional, so two
runners never run one batch; a done or failed batch is never run again (request a new one).

Progress. The step reports (done, total) through a callback. It is kept in memory and handed to the
caller's observer (the flow turns it into Prefect's progress artifact and log lines; the CLI prints it).
It is written to the row live only where the database admits a second writer meanwhile: on PostgreSQL,
each update (at most every PROGRESS_EVERY seconds) is its own short transaction on another connection (the
step never touches the batch row until its end, so nothing waits). On SQLite the step's transaction holds
the database's one write lock from its BEGIN IMMEDIATE to its commit, so a write from another connection
would wait for it (and, in the same thread, for ever); there the page shows queued -> running (total,
start time, flow run) -> done, and the finer progress is in Prefect. Each step takes seconds."""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from db.engine import is_sqlite
from db.models.recruitment_round import BatchRun
from db.repos import recruitment_round as repo
from db.repos import round_batches as batch_repo
from domain.actor import Actor
from domain.errors import Conflict, InvalidInput, NotFound, RuleViolation, ShegongError
from services import identity, timers
from services.recruitment_round import rounds
from services.runtime import Runtime, get_runtime
from services.uow import UnitOfWork
from states.recruitment_round import RecruitmentRoundMachine

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# A batch step: fn(uow, actor | None, round_id, *, progress) -> summary (JSON-serialisable).
Step = Callable[..., dict[str, Any]]
PROGRESS_EVERY = 0.5  # seconds between live progress writes (PostgreSQL)
STALE_AFTER = timedelta(minutes=30)  # a batch 'running' this long lost its runner (the flow times out first)
MAX_ERROR = 4000


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    target: str  # "module:function" of the step, resolved when used (a module may not exist yet)
    states: tuple[str, ...]  # the round states it runs in
    scope: tuple[str, ...] = ()  # the application states it works through: its total when claimed
    article: str = "IM art. 8"

    def step(self) -> Step | None:
        module, _, name = self.target.partition(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                return None
            raise
        fn = getattr(mod, name, None)
        return fn if callable(fn) else None

    @property
    def available(self) -> bool:
        return self.step() is not None


_RR = "services.recruitment_round"
KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind("screening", "资格初审", f"{_RR}.screening:screen_round", ("qualification_review",),
             ("registered",), "IM art. 9"),
        Kind("opening", "核定开考比例", f"{_RR}.opening:check_opening", ("qualification_review",),
             ("qualified",)),
        Kind("admit_tickets", "编排准考证号", f"{_RR}.exams:assign_admit_tickets", ("written_exam",),
             ("qualified",)),
        Kind("shortlist", "确定面试人选", f"{_RR}.exams:shortlist", ("written_exam",), ("qualified",)),
        Kind("ranking", "综合成绩排名", f"{_RR}.ranking:rank", ("interview",), ("shortlisted",)),
        Kind("notice", "公示拟聘用人员名单", f"{_RR}.batch:publish_notice",
             ("physical_exam", "investigation", "assessment"), ("selected",)),
    )
}  # fmt: skip


def publish_notice(
    uow: UnitOfWork, actor: Actor | None, round_id: int, *, progress: Progress | None = None
) -> dict[str, Any]:
    """The round enters its public notice: the selected who passed every follow-up step become proposed
    hires, set-wise, and the period's end is stored as a timer (services.recruitment_round.notice)."""
    if actor is None:
        raise RuleViolation("公示须由招聘经办人发起", code="actor_required", article="IM art. 8")
    rnd = rounds.advance(uow, actor, round_id, expected="public_notice")
    proposed = repo.count_applications(uow.session, rnd.id, statuses=["proposed"])
    if progress:
        progress(proposed, proposed)
    closes = rnd.notice_closes_at.isoformat() if rnd.notice_closes_at else None
    return {"proposed": proposed, "notice_closes_at": closes}


def kind_of(key: str) -> Kind:
    spec = KINDS.get(key)
    if spec is None:
        raise InvalidInput(f"批处理类型「{key}」不存在", code="batch_kind_unknown", details={"field": "kind"})
    return spec


def run_name(row: BatchRun) -> str:
    """What the flow run is called: e.g. "资格初审 · 招聘#12"."""
    spec = KINDS.get(row.kind)
    return f"{spec.label if spec else row.kind} · 招聘#{row.round_id}"


def _state_label(state: str) -> str:
    return RecruitmentRoundMachine.status_labels().get(state, state)


def _require_state(spec: Kind, status: str) -> None:
    if status not in spec.states:
        steps = "、".join(f"「{_state_label(s)}」" for s in spec.states)
        raise RuleViolation(
            f"「{spec.label}」只能在{steps}环节执行，本次招聘当前为「{_state_label(status)}」",
            code="batch_wrong_step",
            article=spec.article,
        )


def request(uow: UnitOfWork, actor: Actor, round_id: int, kind: str) -> BatchRun:
    """The round's officer asks for a batch step: queued for the flow (or the CLI) to run. One batch of a
    round at a time; the round must be in the step's state."""
    spec = kind_of(kind)
    rnd = rounds.load_visible(uow, actor, round_id, for_update=True)
    rounds.require_officer(actor, rnd)
    if not spec.available:
        raise InvalidInput(f"「{spec.label}」暂不可用", code="batch_kind_unavailable")
    _require_state(spec, rnd.status)
    active = repo.active_batch(uow.session, rnd.id)
    if active is not None:
        raise Conflict(
            f"本次招聘已有批处理「{run_name(active).split(' · ')[0]}」(#{active.id})在排队或执行中",
            code="batch_active",
            details={"batch_id": active.id},
        )
    total = repo.count_applications(uow.session, rnd.id, statuses=spec.scope) if spec.scope else 0
    row = repo.add(
        uow.session,
        BatchRun(round_id=rnd.id, kind=spec.key, status="queued", total=total, done=0, summary={},
                 requested_by_id=actor.user_id, created_at=uow.now),
    )  # fmt: skip
    rounds.audit_round(uow, actor, rnd, action="request_batch", from_state=rnd.status, to_state=rnd.status,
                       article=spec.article, data={"batch": row.id, "kind": spec.key})  # fmt: skip
    return row


def get(uow: UnitOfWork, actor: Actor, batch_id: int) -> BatchRun:
    """A batch the actor may see (its round is visible to them)."""
    row = repo.batch(uow.session, batch_id)
    if row is None:
        raise NotFound(f"批处理 {batch_id} 不存在", code="batch_not_found")
    rounds.load_visible(uow, actor, row.round_id)
    return row


def of_round(uow: UnitOfWork, actor: Actor, round_id: int) -> list[BatchRun]:
    """The round's batches, newest first (for its page: status, done/total, flow run)."""
    rounds.load_visible(uow, actor, round_id)
    return repo.batches_of(uow.session, round_id)


# --- running ------------------------------------------------------------------------------------------


class _Tracker:
    """The step's progress: in memory, to the observer, and live to the row where that cannot block."""

    def __init__(self, rt: Runtime, batch_id: int, total: int, observer: Progress | None) -> None:
        self.rt, self.batch_id, self.observer = rt, batch_id, observer
        self.scope_total = total  # the applications in scope: the step's own units are scaled to them
        self.done, self.total = 0, total
        self.live = not is_sqlite(rt.engine)
        self._written = 0.0

    def __call__(self, done: int, total: int) -> None:
        if self.scope_total:
            share = 1.0 if total <= 0 else min(max(done / total, 0.0), 1.0)
            self.done, self.total = round(self.scope_total * share), self.scope_total
        else:
            self.done, self.total = done, total
        if self.live and time.monotonic() - self._written >= PROGRESS_EVERY:
            self._written = time.monotonic()
            try:
                with UnitOfWork(self.rt) as uow:
                    batch_repo.set_progress(uow.session, self.batch_id, self.done, self.total)
                    uow.commit()
            except Exception:
                log.exception("could not write the progress of batch %s", self.batch_id)
        if self.observer is not None:
            try:
                self.observer(self.done, self.total)
            except Exception:  # the display of progress never breaks the step
                log.exception("progress observer failed")


def _snapshot(rt: Runtime, batch_id: int) -> BatchRun:
    with UnitOfWork(rt, readonly=True) as uow:
        row = repo.batch(uow.session, batch_id)
        if row is None:
            raise NotFound(f"批处理 {batch_id} 不存在", code="batch_not_found")
        return row


def _claim(rt: Runtime, batch_id: int, flow_run_id: str | None) -> tuple[BatchRun, bool]:
    with UnitOfWork(rt) as uow:
        row = repo.batch(uow.session, batch_id, for_update=True)
        if row is None:
            raise NotFound(f"批处理 {batch_id} 不存在", code="batch_not_found")
        if row.status != "queued":
            return row, False
        spec = KINDS.get(row.kind)
        scope = spec.scope if spec else ()
        total = repo.count_applications(uow.session, row.round_id, statuses=scope) if scope else row.total
        claimed = batch_repo.claim(uow.session, batch_id, now=uow.now, flow_run_id=flow_run_id, total=total)
        uow.commit()
    return _snapshot(rt, batch_id), claimed


def _error_text(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, ShegongError) else f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR]


def run(
    batch_id: int,
    *,
    runtime: Runtime | None = None,
    flow_run_id: str | None = None,
    progress: Progress | None = None,
) -> BatchRun:
    """Run a queued batch: claim it, run its step in one unit of work with the row marked done in the same
    commit, or roll the step back entirely and mark the row failed with the error. A batch that is not
    queued (done, failed, or running elsewhere) is returned as it is, not run again."""
    rt = runtime or get_runtime()
    timers.load_handlers()  # every module's hooks (on entering a state, preconditions, task handlers)
    claimed_at = time.monotonic()
    row, claimed = _claim(rt, batch_id, flow_run_id)
    if not claimed:
        return row
    tracker = _Tracker(rt, batch_id, row.total, progress)
    try:
        with UnitOfWork(rt) as uow:
            spec = kind_of(row.kind)
            step = spec.step()
            if step is None:
                raise InvalidInput(f"「{spec.label}」暂不可用", code="batch_kind_unavailable")
            actor = identity.actor_for_user(uow.session, row.requested_by_id)
            rnd = rounds.load(uow, row.round_id, for_update=True)
            _require_state(spec, rnd.status)
            summary = step(uow, actor, row.round_id, progress=tracker)
            done = max(tracker.done, tracker.total)
            if not batch_repo.finish(uow.session, batch_id, status="done", now=_ended(row, claimed_at, uow.now),
                                     started_at=row.started_at, done=done, total=done, summary=_jsonable(summary)):  # fmt: skip
                raise Conflict("批处理已被标记为中断，本次执行的结果未保存", code="batch_lost")
            uow.commit()
    except Exception as exc:
        log.warning("batch %s (%s, round %s) failed: %s", batch_id, row.kind, row.round_id, exc,
                    exc_info=not isinstance(exc, ShegongError))  # fmt: skip
        _fail(rt, row, tracker, exc, claimed_at)
    return _snapshot(rt, batch_id)


def _ended(row: BatchRun, claimed_at: float, now: datetime) -> datetime:
    """When the step ended, in the clock of its start: the claim's moment plus the time the run took. Not the
    step's unit-of-work `now`: that is read once, near the step's start (and stands still under a frozen
    simulated clock), so finished_at - started_at would show ~0 s for a step of a minute."""
    if row.started_at is None:
        return now
    return row.started_at + timedelta(seconds=time.monotonic() - claimed_at)


def _fail(rt: Runtime, row: BatchRun, tracker: _Tracker, exc: BaseException, claimed_at: float) -> None:
    code = getattr(exc, "code", type(exc).__name__)
    with UnitOfWork(rt) as uow:
        batch_repo.finish(uow.session, row.id, status="failed", now=_ended(row, claimed_at, uow.now),
                          started_at=row.started_at, done=0, total=tracker.total, summary={"error_code": code},
                          error=_error_text(exc))  # fmt: skip
        uow.commit()


def _jsonable(value: Any) -> Any:
    """The step's summary as JSON can hold it (Decimal, dates as text)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def queued(*, runtime: Runtime | None = None, limit: int = 20) -> list[tuple[int, str]]:
    """(id, flow run name) of the queued batches, oldest first; running batches whose runner is gone
    (running longer than STALE_AFTER) are marked failed first, so that their round is free again."""
    rt = runtime or get_runtime()
    recover_stale(runtime=rt)
    with UnitOfWork(rt, readonly=True) as uow:
        return [(b.id, run_name(b)) for b in repo.queued_batches(uow.session, limit=limit)]


def recover_stale(*, runtime: Runtime | None = None, after: timedelta = STALE_AFTER) -> list[int]:
    """Mark failed the batches 'running' for longer than `after`: their runner died (its step's transaction
    was rolled back with it, so nothing of theirs is in the tables). Returns their ids. Looks first in a
    read-only transaction: the usual answer, none, takes no write lock."""
    rt = runtime or get_runtime()
    with UnitOfWork(rt, readonly=True) as uow:
        if not batch_repo.running_since_before(uow.session, uow.now - after):
            return []
    with UnitOfWork(rt) as uow:
        rows = batch_repo.running_since_before(uow.session, uow.now - after, lock=True)
        for b in rows:
            batch_repo.finish(uow.session, b.id, status="failed", now=uow.now, started_at=b.started_at,
                              done=0, total=b.total, summary={"error_code": "batch_abandoned"},
                              error=f"执行中断：超过{after}仍未完成，执行进程已退出；请重新发起")  # fmt: skip
        uow.commit()
        return [b.id for b in rows]


def name_for(batch_id: int, *, runtime: Runtime | None = None) -> str:
    """The flow run name of a batch by id ("资格初审 · 招聘#12"), or "批处理#id" when there is no such row."""
    with UnitOfWork(runtime or get_runtime(), readonly=True) as uow:
        row = repo.batch(uow.session, batch_id)
        return run_name(row) if row is not None else f"批处理#{batch_id}"
