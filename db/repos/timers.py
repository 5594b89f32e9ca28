"""SQL for stored timers: idempotent insert, claiming due rows for one sweeper, locking one row to fire it.

Claiming is correct with several sweepers at once. On PostgreSQL due rows are selected
`FOR UPDATE SKIP LOCKED` and leased in the same transaction; on SQLite the lease is one
UPDATE ... WHERE id IN (due, unleased) — atomic because write transactions BEGIN IMMEDIATE — and the
sweeper then reads back only the rows carrying its own lease token.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db import prepared
from db.models.timers import Timer, TimerState

PENDING = TimerState.PENDING.value

_table = cast(Table, Timer.__table__)
# Built once: statements on every task's path keep their compiled form (a per-call .values([...]) is
# compiled anew each time, which costs more than the SQL).
_INSERT_IF_ABSENT = {
    "postgresql": postgresql.insert(_table).on_conflict_do_nothing(index_elements=["dedupe_key"]),
    "sqlite": sqlite.insert(_table).on_conflict_do_nothing(index_elements=["dedupe_key"]),
}
# The dialects' INSERT ... ON CONFLICT constructs are not cacheable (compiled anew on every execution:
# ~0.25 ms); the same statement as typed text is, and both databases speak it.
_NEW_ROW_KEYS = (
    "kind",
    "subject_type",
    "subject_id",
    "dedupe_key",
    "due_at",
    "payload",
    "state",
    "attempts",
    "created_at",
    "updated_at",
)
_INSERT_NEW_IF_ABSENT = text(
    f"INSERT INTO timer ({', '.join(_NEW_ROW_KEYS)}) VALUES ({', '.join(':' + k for k in _NEW_ROW_KEYS)}) "
    "ON CONFLICT (dedupe_key) DO NOTHING"
).bindparams(*(bindparam(k, type_=_table.c[k].type) for k in _NEW_ROW_KEYS))


# Once the table grows, both planners (SQLite without ANALYZE statistics, PostgreSQL before its
# statistics catch up) take `state = 'pending'` to ix_timer_state_due_at and so scan every pending timer
# to cancel one subject's (measured: ~1 ms at 900 pending rows on SQLite, growing with them). Testing
# `state || ''` keeps the state test off any index, leaving the subject's rows to ix_timer_subject.
_PENDING_UNINDEXED = literal_column("(timer.state || '')", String) == PENDING

_CANCEL_SUBJECT = (
    update(_table)
    .where(
        _PENDING_UNINDEXED,
        _table.c.subject_type == bindparam("subject_type_"),
        _table.c.subject_id == bindparam("subject_id_"),
    )
    .values(
        state=TimerState.CANCELLED.value,
        cancelled_at=bindparam("now_"),
        updated_at=bindparam("now_"),
        lease_owner=None,
        lease_until=None,
    )
)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def insert_if_absent(session: Session, values: dict[str, Any] | list[dict[str, Any]]) -> None:
    """INSERT the row(s) unless one with the same dedupe_key exists (no error, no race); a list is one
    executemany of one prebuilt statement (its rows must have the same keys)."""
    rows = values if isinstance(values, list) else [values]
    if not rows:
        return
    if all(len(r) == len(_NEW_ROW_KEYS) and all(k in r for k in _NEW_ROW_KEYS) for r in rows):
        prepared.executemany(session, _INSERT_NEW_IF_ABSENT, rows)
        return
    stmt = _INSERT_IF_ABSENT["postgresql" if _dialect(session) == "postgresql" else "sqlite"]
    session.execute(stmt, values)


def get(session: Session, timer_id: int) -> Timer | None:
    return session.get(Timer, timer_id)


def get_by_key(session: Session, dedupe_key: str, *, lock: bool = False) -> Timer | None:
    stmt = select(Timer).where(Timer.dedupe_key == dedupe_key).execution_options(populate_existing=True)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def lock(session: Session, timer_id: int) -> Timer | None:
    """The row, freshly read and locked until commit (SQLite: the whole database already is)."""
    stmt = (
        select(Timer).where(Timer.id == timer_id).with_for_update().execution_options(populate_existing=True)
    )
    return session.scalars(stmt).first()


def for_subject(
    session: Session, subject_type: str, subject_id: int, *, kinds: Sequence[str] | None = None
) -> list[Timer]:
    stmt = select(Timer).where(Timer.subject_type == subject_type, Timer.subject_id == subject_id)
    if kinds is not None:
        stmt = stmt.where(Timer.kind.in_(list(kinds)))
    return list(session.scalars(stmt.order_by(Timer.due_at, Timer.id)))


def _due(now: datetime, lease_now: datetime, kinds: Sequence[str]) -> ColumnElement[bool]:
    return and_(
        Timer.state == PENDING,
        Timer.due_at <= now,
        or_(Timer.retry_at.is_(None), Timer.retry_at <= now),
        or_(Timer.lease_until.is_(None), Timer.lease_until < lease_now),
        Timer.kind.in_(list(kinds)),
    )


def claim_due(
    session: Session,
    *,
    now: datetime,
    lease_now: datetime,
    lease_until: datetime,
    owner: str,
    kinds: Sequence[str],
    limit: int,
) -> list[int]:
    """Lease up to `limit` due, unleased rows of the given kinds to `owner` (a token unique to this
    claim); return their ids in due order. The caller commits."""
    if not kinds or limit <= 0:
        return []
    due = _due(now, lease_now, kinds)
    if _dialect(session) == "postgresql":
        ids = list(
            session.scalars(
                select(Timer.id)
                .where(due)
                .order_by(Timer.due_at, Timer.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if ids:
            session.execute(
                update(Timer)
                .where(Timer.id.in_(ids))
                .values(lease_owner=owner, lease_until=lease_until)
                .execution_options(synchronize_session=False)
            )
        return ids
    sub = select(Timer.id).where(due).order_by(Timer.due_at, Timer.id).limit(limit).scalar_subquery()
    session.execute(
        update(Timer)
        .where(Timer.id.in_(sub))
        .values(lease_owner=owner, lease_until=lease_until)
        .execution_options(synchronize_session=False)
    )
    return list(
        session.scalars(
            select(Timer.id)
            .where(Timer.lease_owner == owner, Timer.state == PENDING)
            .order_by(Timer.due_at, Timer.id)
        )
    )


def release(session: Session, ids: Sequence[int], owner: str) -> int:
    """Give back leases this owner still holds (rows it did not get to)."""
    if not ids:
        return 0
    result = session.execute(
        update(Timer)
        .where(Timer.id.in_(list(ids)), Timer.lease_owner == owner, Timer.state == PENDING)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _timers_loaded(session: Session) -> bool:
    return any(key[0] is Timer for key in session.identity_map.keys())  # noqa: SIM118 (not iterable)


def cancel_pending(
    session: Session,
    *,
    now: datetime,
    dedupe_key: str | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    kinds: Sequence[str] | None = None,
) -> int:
    """Cancel pending rows by key, or by subject (optionally only some kinds); return how many."""
    if (
        dedupe_key is None
        and kinds is None
        and subject_type is not None
        and subject_id is not None
        and not _timers_loaded(session)
    ):
        # No Timer object in the session to keep in step: a prepared UPDATE (the hot path of every task
        # completion) instead of the ORM's update with a RETURNING fetch.
        params = {"subject_type_": subject_type, "subject_id_": subject_id, "now_": now}
        return prepared.execute(session, _CANCEL_SUBJECT, params, autoflush=True).rowcount
    conds: list[ColumnElement[bool]] = [Timer.state == PENDING if dedupe_key else _PENDING_UNINDEXED]
    if dedupe_key is not None:
        conds.append(Timer.dedupe_key == dedupe_key)
    if subject_type is not None:
        conds.append(Timer.subject_type == subject_type)
    if subject_id is not None:
        conds.append(Timer.subject_id == subject_id)
    if kinds is not None:
        conds.append(Timer.kind.in_(list(kinds)))
    if len(conds) == 1:
        raise ValueError("cancel_pending needs a key or a subject")
    result = session.execute(
        update(Timer)
        .where(*conds)
        .values(
            state=TimerState.CANCELLED.value,
            cancelled_at=now,
            updated_at=now,
            lease_owner=None,
            lease_until=None,
        )
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def reset_expired_leases(session: Session, lease_now: datetime) -> int:
    result = session.execute(
        update(Timer)
        .where(Timer.state == PENDING, Timer.lease_until.is_not(None), Timer.lease_until < lease_now)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def overdue_by_kind(session: Session, now: datetime) -> dict[str, int]:
    """Pending rows whose due moment has passed, counted per kind."""
    rows = session.execute(
        select(Timer.kind, func.count())
        .where(Timer.state == PENDING, Timer.due_at <= now)
        .group_by(Timer.kind)
    )
    return {kind: int(n) for kind, n in rows}


def count_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(Timer.state, func.count()).group_by(Timer.state))
    return {state: int(n) for state, n in rows}
