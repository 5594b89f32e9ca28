"""Editing the calendar by hand: add or remove a special day, publish a later year's national schedule.
Each validates, writes through the repository and replaces the change token; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models.calendar import CalendarYear
from db.repos import calendar as repo
from domain.calendar import (
    HOLIDAY,
    BuiltinSchedule,
    DayEntry,
    builtin_national,
    check_entry,
    parse_day,
    parse_entry,
    parse_region_key,
    parse_year,
)
from domain.clock import real_now
from domain.errors import Conflict, InvalidInput, NotFound
from services.calendar.types import CalendarDayView, DayChange, YearInfo, entry_of, row_of, view_of


def add_day(
    session: Session,
    day: date | str,
    kind: str,
    name: str,
    *,
    region_key: str | None = None,
    now: datetime | None = None,
) -> DayChange:
    """Add a holiday or a 调休 workday (national, or for one region). Warnings say when it changes nothing."""
    entry = parse_entry(day, kind, name, region_key)
    warnings = check_entry(entry, _lower_layer(session, entry))
    if repo.find_day(session, entry.day, entry.region_key) is not None:
        raise duplicate(entry)
    at = now or real_now()
    row = row_of(entry, at)
    repo.add_day(session, row)
    bump(session, at, entry)
    return DayChange(view_of(row), warnings)


def remove_day(
    session: Session, day: date | str, *, region_key: str | None = None, now: datetime | None = None
) -> CalendarDayView:
    """Remove a table row. Built-in days cannot be removed; add the opposite kind to correct one."""
    d = parse_day(day)
    region = parse_region_key(region_key)
    row = repo.find_day(session, d, region)
    where = f"（地区 {region}）" if region else "（全国）"
    if row is None:
        base = builtin_national()
        if region is None and (d in base.holidays or d in base.workdays):
            raise InvalidInput(
                f"{d} 属于内置全国日历（chinesecalendar），不能删除；如需更正，请登记相反类型的日子",
                code="calendar_builtin_day",
            )
        raise NotFound(f"日历中没有 {d}{where} 的登记", code="calendar_day_not_found")
    view = view_of(row)
    repo.delete_day(session, row)
    bump(session, now or real_now())
    return view


def publish_year(
    session: Session,
    year: int | str,
    source: str,
    *,
    published: bool = True,
    now: datetime | None = None,
) -> YearInfo:
    """Mark a later year's national schedule as entered and published (or withdraw it): from then on
    working-day deadlines may reach into that year. `source` names the notice (e.g. 国办发明电〔2026〕X号)."""
    y = parse_year(year)
    if y in builtin_national().years:
        raise InvalidInput(f"{y}年已由内置全国日历覆盖，无需发布", code="calendar_year_builtin")
    note = (source or "").strip()
    if published and not note:
        raise InvalidInput("请填写放假安排的来源（如国务院办公厅通知文号）", code="calendar_bad_source")
    if len(note) > 255:
        raise InvalidInput("来源说明不能超过255个字", code="calendar_bad_source")
    if published and repo.count_national_holidays(session, y) == 0:
        raise InvalidInput(
            f"{y}年尚未录入任何全国假日，不能发布；请先录入该年的放假安排", code="calendar_year_empty"
        )
    at = now or real_now()
    row = repo.get_year(session, y)
    if row is None:
        row = CalendarYear(year=y, published=published, source=note, updated_at=at)
        session.add(row)
    else:
        row.published = published
        row.source = note or row.source
        row.updated_at = at
    bump(session, at)
    return YearInfo(y, False, published, row.source)


def _lower_layer(session: Session, entry: DayEntry) -> BuiltinSchedule:
    """What a new entry is checked against: the built-in schedule for a national entry; for a regional
    one, the national schedule including the table's national rows."""
    return builtin_national() if entry.region_key is None else national_layer(session)


def national_layer(session: Session) -> BuiltinSchedule:
    return with_entries(builtin_national(), [entry_of(r) for r in repo.days_for(session, ())])


def with_entries(base: BuiltinSchedule, entries: Iterable[DayEntry]) -> BuiltinSchedule:
    holidays, workdays = dict(base.holidays), dict(base.workdays)
    for e in entries:
        (workdays if e.kind == HOLIDAY else holidays).pop(e.day, None)
        (holidays if e.kind == HOLIDAY else workdays)[e.day] = e.name
    return BuiltinSchedule(holidays, workdays, base.years)


def bump(session: Session, at: datetime, entry: DayEntry | None = None) -> None:
    """Flush the rows (a duplicate added concurrently surfaces here) and replace the change token."""
    try:
        session.flush()
    except IntegrityError:
        raise (duplicate(entry) if entry else _concurrent()) from None
    try:
        repo.bump_version(session, at)
    except IntegrityError:
        raise _concurrent() from None
    session.info.pop("shegong_calendars", None)


def _concurrent() -> Conflict:
    return Conflict("日历正被他人同时修改，请重试", code="calendar_concurrent_edit")


def duplicate(entry: DayEntry) -> Conflict:
    where = f"地区 {entry.region_key}" if entry.region_key else "全国"
    return Conflict(
        f"{entry.day}（{where}）已有登记；如需修改，请先删除原登记", code="calendar_duplicate_day"
    )
