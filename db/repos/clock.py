"""SQL for the simulated clock's single row."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models.clock import SimClock


def get(session: Session) -> SimClock | None:
    return session.scalars(select(SimClock).where(SimClock.id == 1)).first()


def get_or_create(session: Session, now: object) -> SimClock:
    row = get(session)
    if row is None:
        row = SimClock(id=1, offset_seconds=0.0, frozen_at=None, updated_at=now)
        session.add(row)
    return row
