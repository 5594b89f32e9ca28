"""Writes of batch runs (BatchRun) that the batch service needs beyond `recruitment_round`'s queries: the
conditional claim and finish (a row another runner changed meanwhile is left alone: rowcount 0), the live
progress, the running batches whose runner is gone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models.recruitment_round import BatchRun


def claim(session: Session, batch_id: int, *, now: datetime, flow_run_id: str | None, total: int) -> bool:
    """queued -> running, only if still queued. True when this caller claimed it."""
    stmt = (
        update(BatchRun)
        .where(BatchRun.id == batch_id, BatchRun.status == "queued")
        .values(status="running", started_at=now, flow_run_id=flow_run_id, total=total, done=0, error=None)
    )
    return bool(session.connection().execute(stmt).rowcount)


def finish(
    session: Session,
    batch_id: int,
    *,
    status: str,
    now: datetime,
    started_at: datetime | None,
    done: int,
    total: int,
    summary: dict[str, Any],
    error: str | None = None,
) -> bool:
    """running -> done/failed, only if still running from `started_at` (the claim this runner made)."""
    stmt = (
        update(BatchRun)
        .where(BatchRun.id == batch_id, BatchRun.status == "running", BatchRun.started_at == started_at)
        .values(status=status, finished_at=now, done=done, total=total, summary=summary, error=error)
    )
    return bool(session.connection().execute(stmt).rowcount)


def set_progress(session: Session, batch_id: int, done: int, total: int) -> None:
    stmt = (
        update(BatchRun)
        .where(BatchRun.id == batch_id, BatchRun.status == "running")
        .values(done=done, total=total)
    )
    session.connection().execute(stmt)


def running_since_before(session: Session, before: datetime, *, lock: bool = False) -> list[BatchRun]:
    stmt = (
        select(BatchRun)
        .where(BatchRun.status == "running", BatchRun.started_at < before)
        .order_by(BatchRun.id)
    )
    if lock:
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt))
