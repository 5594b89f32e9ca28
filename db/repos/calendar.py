"""SQL for the editable calendar tables."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import cast

from sqlalchemy import ColumnElement, Table, select, update
from sqlalchemy.orm import Session

from db import prepared
from db.models.calendar import CalendarDay, CalendarVersion, CalendarYear

_version = cast(Table, CalendarVersion.__table__)
# Read by every unit of work that computes a due date: built once (a Core statement on the table).
_TOKEN = select(_version.c.token).where(_version.c.id == 1)


def version_token(session: Session) -> str | None:
    rows = prepared.execute(session, _TOKEN, autoflush=True).rows
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def bump_version(session: Session, now: datetime) -> str:
    """Replace the change token (flushes pending rows first, so readers of this session see them)."""
    session.flush()
    token = uuid.uuid4().hex
    result = session.execute(
        update(CalendarVersion).where(CalendarVersion.id == 1).values(token=token, updated_at=now)
    )
    if not getattr(result, "rowcount", 0):
        session.add(CalendarVersion(id=1, token=token, updated_at=now))
        session.flush()
    return token


def days_for(session: Session, region_keys: Sequence[str]) -> list[CalendarDay]:
    """National rows and the rows of the given regions."""
    cond: ColumnElement[bool] = CalendarDay.region_key.is_(None)
    if region_keys:
        cond = cond | CalendarDay.region_key.in_(list(region_keys))
    return list(session.scalars(select(CalendarDay).where(cond).order_by(CalendarDay.day)))


def days_in_year(
    session: Session, year: int, region_key: str | None, *, with_national: bool
) -> list[CalendarDay]:
    """Rows of a year: national ones (region_key None), or a region's (plus the national ones if asked)."""
    stmt = select(CalendarDay).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
    )
    if region_key is None:
        stmt = stmt.where(CalendarDay.region_key.is_(None))
    elif with_national:
        stmt = stmt.where(CalendarDay.region_key.is_(None) | (CalendarDay.region_key == region_key))
    else:
        stmt = stmt.where(CalendarDay.region_key == region_key)
    return list(session.scalars(stmt.order_by(CalendarDay.day, CalendarDay.region_key)))


def find_day(session: Session, day: date, region_key: str | None) -> CalendarDay | None:
    cond = CalendarDay.region_key.is_(None) if region_key is None else CalendarDay.region_key == region_key
    return session.scalars(select(CalendarDay).where(CalendarDay.day == day, cond)).first()


def existing_keys(session: Session, days: Sequence[date]) -> set[tuple[date, str | None]]:
    """(day, region_key) pairs already in the table among the given days."""
    if not days:
        return set()
    rows = session.execute(
        select(CalendarDay.day, CalendarDay.region_key).where(CalendarDay.day.in_(sorted(set(days))))
    )
    return {(d, r) for d, r in rows}


def add_day(session: Session, row: CalendarDay) -> None:
    session.add(row)


def delete_day(session: Session, row: CalendarDay) -> None:
    session.delete(row)


def published_years(session: Session) -> list[int]:
    return list(session.scalars(select(CalendarYear.year).where(CalendarYear.published.is_(True))))


def get_year(session: Session, year: int) -> CalendarYear | None:
    return session.get(CalendarYear, year)


def list_years(session: Session) -> list[CalendarYear]:
    return list(session.scalars(select(CalendarYear).order_by(CalendarYear.year)))


def count_national_holidays(session: Session, year: int) -> int:
    rows = days_in_year(session, year, None, with_national=False)
    return sum(1 for r in rows if r.kind == "holiday")
