"""Reading the calendar: the working-day calendar of a jurisdiction (cached per process, rebuilt when the
change token differs), deadlines on it, and the listings of special days and years."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from db.repos import calendar as repo
from domain.calendar import (
    HOLIDAY,
    WorkCalendar,
    builtin_national,
    compose,
    parse_region_key,
    parse_year,
)
from services.calendar.types import CalendarDayView, YearInfo, entry_of, view_of

_cache: dict[tuple[str, ...], tuple[str | None, WorkCalendar]] = {}
_lock = threading.Lock()


def _keys(region_keys: Iterable[str | None]) -> tuple[str, ...]:
    out: list[str] = []
    for raw in region_keys:
        key = parse_region_key(raw)
        if key is not None and key not in out:
            out.append(key)
    return tuple(out)


def calendar_for(session: Session, region_keys: Sequence[str | None] = ()) -> WorkCalendar:
    """The working-day calendar of a jurisdiction whose profile chain holds `region_keys`."""
    keys = _keys(region_keys)
    # Within one transaction the calendar cannot change under us (edits bump the token in the same
    # transaction and pop this memo): one token read per unit of work is enough.
    memo: dict[tuple[str, ...], WorkCalendar] = session.info.setdefault("shegong_calendars", {})
    if keys in memo:
        return memo[keys]
    # Read the token before the rows: a change committed in between then only causes a spare rebuild.
    token = repo.version_token(session)
    with _lock:
        hit = _cache.get(keys)
    if hit is not None and hit[0] == token:
        memo[keys] = hit[1]
        return hit[1]
    entries = [entry_of(r) for r in repo.days_for(session, keys)]
    cal = compose(entries, keys, repo.published_years(session))
    with _lock:
        _cache[keys] = (token, cal)
    memo[keys] = cal
    return cal


def invalidate_cache() -> None:
    with _lock:
        _cache.clear()


def deadline(
    session: Session,
    start: date | datetime,
    n: int,
    unit: str = "working",
    *,
    region_keys: Sequence[str | None] = (),
    roll_forward: bool = False,
) -> date:
    """The last day of a period of N units (working | calendar | month) after `start`."""
    return calendar_for(session, region_keys).deadline(start, n, unit, roll_forward=roll_forward)


def due_at(
    session: Session,
    start: date | datetime,
    n: int,
    unit: str = "working",
    *,
    region_keys: Sequence[str | None] = (),
    roll_forward: bool = False,
) -> datetime:
    """The due moment (next day 00:00, exclusive) of `deadline(...)`: store it on the timer row."""
    return calendar_for(session, region_keys).due_at(start, n, unit, roll_forward=roll_forward)


def list_days(session: Session, year: int | str, region_key: str | None = None) -> list[CalendarDayView]:
    """A year's special days: the national ones (built-in, replaced by table rows on the same date), plus
    the region's own when a region is given."""
    y = parse_year(year)
    region = parse_region_key(region_key)
    base = builtin_national()
    national: dict[date, CalendarDayView] = {}
    for days, kind in ((base.holidays, HOLIDAY), (base.workdays, "workday")):
        for d, name in days.items():
            if d.year == y:
                national[d] = CalendarDayView(d, kind, name, None, "builtin")
    regional: list[CalendarDayView] = []
    for row in repo.days_in_year(session, y, region, with_national=True):
        view = view_of(row)
        if row.region_key is None:
            national[row.day] = view
        else:
            regional.append(view)
    return sorted([*national.values(), *regional], key=lambda v: (v.day, v.region_key or ""))


def year_info(session: Session, year: int | str) -> YearInfo:
    y = parse_year(year)
    row = repo.get_year(session, y)
    published = bool(row and row.published)
    return YearInfo(y, y in builtin_national().years, published, row.source if row else None)


def list_years(session: Session) -> list[YearInfo]:
    """Every year the calendar knows or has a table entry for, in order."""
    years = set(builtin_national().years) | {r.year for r in repo.list_years(session)}
    return [year_info(session, y) for y in sorted(years)]
