"""Stored timers: schedule and cancel deadline rows, register what fires them, and sweep due rows.

Other services schedule inside their own unit of work (`schedule(uow.session, ...)`) and register a
handler per kind at import time:

    @timers.register("task.escalate")
    def _escalate(uow: UnitOfWork, timer: Timer) -> None: ...

The sweep (a Prefect flow every minute, or `shegong sweep`) claims due rows and fires each in its OWN
unit of work: the handler's writes and the row's `fired` mark commit together, or neither does. A
handler is only called for a row that is still pending and leased to this sweeper (checked under a row
lock), so no timer fires twice, with any number of sweepers. A handler must not commit, and must itself
re-check that its subject is still in the state the timer was set for (it may have moved on).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy.orm import Session

import services
from db.models.timers import Timer, TimerState
from db.repos import timers as repo
from domain.clock import real_now
from domain.errors import Conflict, InvalidInput, NotFound
from services import clock as clock_service
from services.runtime import Runtime, get_runtime
from services.uow import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Timer], None]

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 60.0  # doubled per failed attempt, capped at an hour
LEASE_SECONDS = 300  # wall-clock: a crashed sweeper's claims are taken over after this
PROBE = "system.probe"  # a timer kind that does nothing: proves the sweep loop works end to end

_registry: dict[str, Handler] = {}


def register(kind: str) -> Callable[[Handler], Handler]:
    """Decorator: `fn(uow, timer)` fires timers of `kind`. One handler per kind."""

    def deco(fn: Handler) -> Handler:
        existing = _registry.get(kind)
        if existing is not None and existing is not fn and _qualname(existing) != _qualname(fn):
            raise ValueError(f"timer kind {kind!r} already has a handler: {_qualname(existing)}")
        _registry[kind] = fn
        return fn

    return deco


def unregister(kind: str) -> None:
    _registry.pop(kind, None)


def handlers() -> dict[str, Handler]:
    return dict(_registry)


def _qualname(fn: Handler) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


@register(PROBE)
def _probe(uow: UnitOfWork, timer: Timer) -> None:
    """Nothing to do: firing is the point."""


_loaded = False


def load_handlers() -> None:
    """Import every module of services/ so that their `@register` decorators run (once per process).
    A module that fails to import is logged; its kinds stay unregistered and their rows untouched."""
    global _loaded
    if _loaded:
        return
    for mod in pkgutil.walk_packages(services.__path__, "services.", onerror=_import_failed):
        if mod.name == __name__:
            continue
        try:
            importlib.import_module(mod.name)
        except Exception:
            _import_failed(mod.name)
    _loaded = True


def _import_failed(name: str) -> None:
    log.exception("could not import %s: its timer handlers are not registered", name)


def default_key(kind: str, subject_type: str, subject_id: int) -> str:
    return f"{kind}:{subject_type}:{subject_id}"


def _now(session: Session) -> datetime:
    return clock_service.now_in(session, get_runtime().settings)


@dataclass(frozen=True)
class NewTimer:
    kind: str
    subject_type: str
    subject_id: int
    due_at: datetime
    payload: dict[str, Any] | None = None
    dedupe_key: str | None = None

    @property
    def key(self) -> str:
        return self.dedupe_key or default_key(self.kind, self.subject_type, self.subject_id)

    def row(self, now: datetime) -> dict[str, Any]:
        """The pending row to insert; refuses an aware due moment."""
        if self.due_at.tzinfo is not None:
            raise InvalidInput("定时器时间须为北京时间（不带时区）", code="timer_due_aware")
        return {
            "kind": self.kind,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "dedupe_key": self.key,
            "due_at": self.due_at,
            "payload": self.payload or {},
            "state": TimerState.PENDING.value,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }


def schedule(
    session: Session,
    kind: str,
    subject_type: str,
    subject_id: int,
    due_at: datetime,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    *,
    now: datetime | None = None,
) -> Timer:
    """Store a timer (idempotent by dedupe_key, default kind:subject_type:subject_id). Scheduling a key
    again moves a pending timer to the new moment and payload, re-arms a cancelled one, and leaves a
    fired or failed one as it is (use a new key for a new occurrence). The caller commits."""
    new = NewTimer(kind, subject_type, subject_id, due_at, payload, dedupe_key)
    now = now or _now(session)
    values = new.row(now)
    key = new.key
    session.flush()
    repo.insert_if_absent(session, values)
    row = repo.get_by_key(session, key, lock=True)
    assert row is not None
    if (row.kind, row.subject_type, row.subject_id) != (kind, subject_type, subject_id):
        raise Conflict(f"定时器键 {key} 已用于其他对象", code="timer_key_conflict")
    if row.state == TimerState.PENDING and (row.due_at != due_at or row.payload != (payload or {})):
        row.due_at, row.payload, row.retry_at, row.updated_at = due_at, payload or {}, None, now
    elif row.state == TimerState.CANCELLED:
        row.state, row.due_at, row.payload = TimerState.PENDING.value, due_at, payload or {}
        row.attempts, row.last_error, row.retry_at, row.cancelled_at = 0, None, None, None
        row.updated_at = now
    session.flush()
    return row


def schedule_new(session: Session, timers: Sequence[NewTimer], *, now: datetime | None = None) -> None:
    """Store several timers of a subject that has none yet (a task just created), in one statement.
    Keys that exist already are left as they are (as `schedule` would for fired ones); use `schedule` to
    move a pending timer. The caller commits."""
    if not timers:
        return
    now = now or _now(session)
    rows = [t.row(now) for t in timers]
    session.flush()
    repo.insert_if_absent(session, rows)


def cancel(
    session: Session,
    kind: str,
    subject_type: str,
    subject_id: int,
    *,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Cancel one pending timer (by its key); False when there was none pending. The caller commits."""
    key = dedupe_key or default_key(kind, subject_type, subject_id)
    session.flush()
    return repo.cancel_pending(session, now=now or _now(session), dedupe_key=key) > 0


def cancel_for_subject(
    session: Session,
    subject_type: str,
    subject_id: int,
    *,
    kinds: Sequence[str] | None = None,
    now: datetime | None = None,
) -> int:
    """Cancel every pending timer of a subject (or only those of `kinds`); return how many."""
    session.flush()
    return repo.cancel_pending(
        session, now=now or _now(session), subject_type=subject_type, subject_id=subject_id, kinds=kinds
    )


def for_subject(session: Session, subject_type: str, subject_id: int) -> list[Timer]:
    return repo.for_subject(session, subject_type, subject_id)


def rearm_failed(session: Session, timer_id: int, *, now: datetime | None = None) -> Timer:
    """An operator's retry of a timer that failed on every attempt: pending again, due at once, with a
    fresh count of attempts (its last error stays for the record). The caller commits."""
    row = repo.lock(session, timer_id)
    if row is None:
        raise NotFound(f"定时器 {timer_id} 不存在", code="timer_not_found")
    if row.state != TimerState.FAILED:
        raise Conflict(f"定时器 {timer_id} 状态为 {row.state}，只能重试失败的定时器", code="timer_not_failed")
    now = now or _now(session)
    row.state, row.attempts, row.retry_at, row.updated_at = TimerState.PENDING.value, 0, None, now
    row.due_at = min(row.due_at, now)
    session.flush()
    return row


@dataclass
class SweepResult:
    fired: int = 0
    failed: int = 0  # attempts that failed this sweep (retried later, or given up)
    skipped: int = 0  # claimed but no longer ours or no longer pending when we came to it
    given_up: int = 0  # of the failed, how many reached state 'failed'

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def sweep(
    runtime: Runtime | None = None,
    *,
    worker_id: str,
    limit: int = 500,
    max_attempts: int = MAX_ATTEMPTS,
    backoff_seconds: float = BACKOFF_SECONDS,
    lease_seconds: int = LEASE_SECONDS,
) -> SweepResult:
    """Fire every due timer (up to `limit`) through its handler, each in its own unit of work."""
    load_handlers()
    result = SweepResult()
    kinds = sorted(_registry)
    owner = f"{worker_id[:100]}#{uuid4().hex[:12]}"
    with UnitOfWork(runtime) as uow:
        lease_now = real_now()
        ids = repo.claim_due(
            uow.session,
            now=uow.now,
            lease_now=lease_now,
            lease_until=lease_now + timedelta(seconds=lease_seconds),
            owner=owner,
            kinds=kinds,
            limit=limit,
        )
        uow.commit()
    done = 0
    try:
        for timer_id in ids:
            outcome = _fire(runtime, timer_id, owner, worker_id, max_attempts, backoff_seconds)
            done += 1
            if outcome == "fired":
                result.fired += 1
            elif outcome == "skipped":
                result.skipped += 1
            else:
                result.failed += 1
                result.given_up += outcome == "given_up"
    finally:
        if done < len(ids):
            with UnitOfWork(runtime) as uow:
                repo.release(uow.session, ids[done:], owner)
                uow.commit()
    if ids:
        log.info("timer sweep by %s: %s", worker_id, result.as_dict())
    return result


def drain(
    runtime: Runtime | None = None, *, worker_id: str, batch: int = 500, budget_seconds: float = 50.0
) -> SweepResult:
    """Sweep batch after batch while full batches keep coming and the time budget lasts (a season's
    worth of deadlines falling due at once); what is left waits for the next run."""
    total = SweepResult()
    deadline = time.monotonic() + budget_seconds
    while True:
        result = sweep(runtime, worker_id=worker_id, limit=batch)
        for key, value in result.as_dict().items():
            setattr(total, key, getattr(total, key) + value)
        if result.fired + result.failed + result.skipped < batch or time.monotonic() >= deadline:
            return total


def _fire(
    runtime: Runtime | None, timer_id: int, owner: str, worker_id: str, max_attempts: int, backoff: float
) -> str:
    try:
        with UnitOfWork(runtime) as uow:
            row = repo.lock(uow.session, timer_id)
            if row is None or row.state != TimerState.PENDING or row.lease_owner != owner:
                return "skipped"
            if row.due_at > uow.now:  # moved later since it was claimed (a deadline extended): due then
                row.lease_owner, row.lease_until, row.updated_at = None, None, uow.now
                uow.commit()
                return "skipped"
            handler = _registry.get(row.kind)
            if handler is None:  # unregistered since the claim
                return "skipped"
            handler(uow, row)
            row.state, row.fired_at, row.fired_by = TimerState.FIRED.value, uow.now, worker_id[:128]
            row.attempts += 1
            row.lease_owner, row.lease_until, row.retry_at, row.updated_at = None, None, None, uow.now
            uow.commit()
            return "fired"
    except Exception as exc:
        log.warning("timer %s failed: %s", timer_id, exc, exc_info=True)
        try:
            return _record_failure(runtime, timer_id, owner, exc, max_attempts, backoff)
        except Exception:
            log.exception("could not record the failure of timer %s", timer_id)
            return "failed"


def _record_failure(
    runtime: Runtime | None, timer_id: int, owner: str, exc: Exception, max_attempts: int, backoff: float
) -> str:
    with UnitOfWork(runtime) as uow:
        row = repo.lock(uow.session, timer_id)
        if row is None or row.state != TimerState.PENDING or row.lease_owner != owner:
            return "failed"
        row.attempts += 1
        tail = "".join(traceback.format_exception(exc)[-3:])
        row.last_error = f"{type(exc).__name__}: {exc}\n{tail}"[:4000]
        row.lease_owner, row.lease_until, row.updated_at = None, None, uow.now
        outcome = "failed"
        if row.attempts >= max_attempts:
            row.state, outcome = TimerState.FAILED.value, "given_up"
        else:
            delay = min(backoff * 2 ** (row.attempts - 1), 3600.0)
            row.retry_at = uow.now + timedelta(seconds=delay)
        uow.commit()
        return outcome


@dataclass
class ReconcileReport:
    expired_leases_reset: int = 0
    sweep: SweepResult = field(default_factory=SweepResult)
    overdue_pending: dict[str, int] = field(default_factory=dict)  # still pending after the sweep
    unhandled_kinds: list[str] = field(default_factory=list)  # overdue rows whose kind has no handler
    states: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def reconcile(runtime: Runtime | None = None, *, worker_id: str, limit: int = 10_000) -> ReconcileReport:
    """Daily safety net: free leases of crashed sweepers, fire everything overdue, report what is left
    (rows waiting for a retry, kinds nobody handles, counts per state)."""
    load_handlers()
    report = ReconcileReport()
    with UnitOfWork(runtime) as uow:
        report.expired_leases_reset = repo.reset_expired_leases(uow.session, real_now())
        uow.commit()
    report.sweep = sweep(runtime, worker_id=worker_id, limit=limit)
    with UnitOfWork(runtime, readonly=True) as uow:
        report.overdue_pending = repo.overdue_by_kind(uow.session, uow.now)
        report.states = repo.count_by_state(uow.session)
    report.unhandled_kinds = sorted(k for k in report.overdue_pending if k not in _registry)
    if report.unhandled_kinds or report.overdue_pending:
        log.warning(
            "timer reconcile: overdue pending %s, no handler for %s",
            report.overdue_pending,
            report.unhandled_kinds,
        )
    return report
