"""The clock every use case reads. In demo and test mode a simulated clock (a row in our database, so
the web app and the Prefect sweeps agree) can be set and advanced; in production the row is ignored."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from db.repos import clock as repo
from domain.clock import real_now
from domain.config import Settings
from domain.errors import InvalidInput, PermissionDenied


def now_in(session: Session, settings: Settings) -> datetime:
    real = real_now()
    if not settings.simulated_clock_allowed:
        return real
    row = repo.get(session)
    if row is None:
        return real
    if row.frozen_at is not None:
        return row.frozen_at
    return real + timedelta(seconds=row.offset_seconds)


def _guard(settings: Settings) -> None:
    if not settings.simulated_clock_allowed:
        raise PermissionDenied("模拟时钟仅在演示或测试模式下可用", code="sim_clock_disabled")


def set_time(session: Session, settings: Settings, at: datetime, *, freeze: bool = False) -> datetime:
    """Jump the simulated clock to `at` (it then runs on from there, or stands still if frozen)."""
    _guard(settings)
    real = real_now()
    row = repo.get_or_create(session, real)
    if freeze:
        row.frozen_at = at
        row.offset_seconds = 0.0
    else:
        row.frozen_at = None
        row.offset_seconds = (at - real).total_seconds()
    row.updated_at = real
    return at


def advance(session: Session, settings: Settings, delta: timedelta) -> datetime:
    _guard(settings)
    if delta.total_seconds() <= 0:
        raise InvalidInput("只能向前拨动模拟时钟", code="sim_clock_backwards")
    current = now_in(session, settings)
    row = repo.get_or_create(session, real_now())
    if row.frozen_at is not None:
        row.frozen_at = current + delta
    else:
        row.offset_seconds += delta.total_seconds()
    row.updated_at = real_now()
    return current + delta


def reset(session: Session, settings: Settings) -> datetime:
    _guard(settings)
    row = repo.get(session)
    if row is not None:
        session.delete(row)
    return real_now()
