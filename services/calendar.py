"""The working-day calendar: the one place deadlines get their calendar, and the use cases that edit it.

Every deadline computation calls `calendar_for(session, region_keys)` (or the `deadline` / `due_at`
shortcuts). region_keys is the jurisdiction's policy-profile chain, general to specific (e.g.
["xinjiang", "bingtuan"]); national days always apply. Calendars are cached per process and rebuilt when
the change token in `calendar_version` differs, which costs one primary-key read per call.

Editing functions validate, write through the repository, replace the change token and return plain
values (to_dict() for JSON); the caller's unit of work commits. Nothing is written when they raise.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models.calendar import CalendarDay, CalendarYear
from db.repos import calendar as repo
from domain.calendar import (
    HOLIDAY,
    BuiltinSchedule,
    DayEntry,
    WorkCalendar,
    builtin_national,
    check_entry,
    compose,
    parse_day,
    parse_entry,
    parse_region_key,
    parse_year,
)
from domain.clock import real_now
from domain.errors import Conflict, InvalidInput, NotFound, ShegongError

MAX_IMPORT_ROWS = 5000
CSV_COLUMNS = ("date", "kind", "name", "region")


@dataclass(frozen=True)
class CalendarDayView:
    day: date
    kind: str
    name: str
    region_key: str | None
    source: str  # "builtin" (chinesecalendar) | "table"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"day": self.day.isoformat()}


@dataclass(frozen=True)
class DayChange:
    day: CalendarDayView
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class YearInfo:
    year: int
    builtin: bool  # covered by chinesecalendar
    published: bool  # marked published in the table
    source: str | None

    @property
    def covered(self) -> bool:
        return self.builtin or self.published

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"covered": self.covered}


@dataclass(frozen=True)
class ImportResult:
    added: list[CalendarDayView]
    warnings: list[str]


# -- reading: the calendar of a jurisdiction -----------------------------------------------------------

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
    entries = [_entry(r) for r in repo.days_for(session, keys)]
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


# -- listing -------------------------------------------------------------------------------------------


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
        view = _view(row)
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


# -- editing -------------------------------------------------------------------------------------------


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
        raise _duplicate(entry)
    at = now or real_now()
    row = _row(entry, at)
    repo.add_day(session, row)
    _bump(session, at, entry)
    return DayChange(_view(row), warnings)


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
    view = _view(row)
    repo.delete_day(session, row)
    _bump(session, now or real_now())
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
    _bump(session, at)
    return YearInfo(y, False, published, row.source)


def import_csv(session: Session, text: str, *, now: datetime | None = None) -> ImportResult:
    """Add every row of a CSV (header date,kind,name,region; region empty = national), or none: when any
    row is bad, raises InvalidInput (code calendar_import_invalid) whose details["errors"] lists each bad
    row as {"line", "code", "message"}."""
    entries, errors = _parse_csv(text)
    national = [e for _, e in entries if e.region_key is None]
    lower_national = builtin_national()
    lower_regional = _with_entries(_national_layer(session), national)
    existing = repo.existing_keys(session, [e.day for _, e in entries])
    seen: dict[tuple[date, str | None], int] = {}
    warnings: list[str] = []
    for line, e in entries:
        key = (e.day, e.region_key)
        try:
            if key in seen:
                raise InvalidInput(f"与第 {seen[key]} 行重复", code="calendar_duplicate_day")
            seen[key] = line
            if key in existing:
                raise _duplicate(e)
            lower = lower_national if e.region_key is None else lower_regional
            warnings += [f"第 {line} 行：{w}" for w in check_entry(e, lower)]
        except ShegongError as exc:
            errors.append({"line": line, "code": exc.code, "message": exc.message})
    if not entries and not errors:
        raise InvalidInput("文件中没有数据行", code="calendar_import_empty")
    if errors:
        errors.sort(key=lambda x: int(x["line"]))
        raise InvalidInput(
            f"导入失败：{len(errors)} 行有误，未写入任何数据。"
            + "；".join(f"第 {x['line']} 行：{x['message']}" for x in errors[:5])
            + ("……" if len(errors) > 5 else ""),
            code="calendar_import_invalid",
            details={"errors": errors},
        )
    at = now or real_now()
    rows = [_row(e, at) for _, e in entries]
    for row in rows:
        repo.add_day(session, row)
    _bump(session, at)
    return ImportResult([_view(r) for r in rows], warnings)


# -- helpers -------------------------------------------------------------------------------------------


def _parse_csv(text: str) -> tuple[list[tuple[int, DayEntry]], list[dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    if header[:3] != list(CSV_COLUMNS[:3]) or header[3:] not in ([], ["region"]):
        raise InvalidInput(
            "CSV 第 1 行应为表头：date,kind,name,region（region 可留空表示全国）",
            code="calendar_import_header",
        )
    entries: list[tuple[int, DayEntry]] = []
    errors: list[dict[str, Any]] = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(entries) + len(errors) >= MAX_IMPORT_ROWS:
            raise InvalidInput(f"一次最多导入 {MAX_IMPORT_ROWS} 行", code="calendar_import_too_large")
        if len(cells) not in (3, 4):
            errors.append(
                {
                    "line": line,
                    "code": "calendar_import_columns",
                    "message": f"应有 3 或 4 列（date,kind,name,region），实有 {len(cells)} 列",
                }
            )
            continue
        try:
            entries.append((line, parse_entry(*cells)))
        except ShegongError as exc:
            errors.append({"line": line, "code": exc.code, "message": exc.message})
    return entries, errors


def _lower_layer(session: Session, entry: DayEntry) -> BuiltinSchedule:
    """What a new entry is checked against: the built-in schedule for a national entry; for a regional
    one, the national schedule including the table's national rows."""
    return builtin_national() if entry.region_key is None else _national_layer(session)


def _national_layer(session: Session) -> BuiltinSchedule:
    return _with_entries(builtin_national(), [_entry(r) for r in repo.days_for(session, ())])


def _with_entries(base: BuiltinSchedule, entries: Iterable[DayEntry]) -> BuiltinSchedule:
    holidays, workdays = dict(base.holidays), dict(base.workdays)
    for e in entries:
        (workdays if e.kind == HOLIDAY else holidays).pop(e.day, None)
        (holidays if e.kind == HOLIDAY else workdays)[e.day] = e.name
    return BuiltinSchedule(holidays, workdays, base.years)


def _bump(session: Session, at: datetime, entry: DayEntry | None = None) -> None:
    """Flush the rows (a duplicate added concurrently surfaces here) and replace the change token."""
    try:
        session.flush()
    except IntegrityError:
        raise (_duplicate(entry) if entry else _concurrent()) from None
    try:
        repo.bump_version(session, at)
    except IntegrityError:
        raise _concurrent() from None
    session.info.pop("shegong_calendars", None)


def _concurrent() -> Conflict:
    return Conflict("日历正被他人同时修改，请重试", code="calendar_concurrent_edit")


def _duplicate(entry: DayEntry) -> Conflict:
    where = f"地区 {entry.region_key}" if entry.region_key else "全国"
    return Conflict(
        f"{entry.day}（{where}）已有登记；如需修改，请先删除原登记", code="calendar_duplicate_day"
    )


def _row(e: DayEntry, at: datetime) -> CalendarDay:
    return CalendarDay(
        day=e.day, kind=e.kind, name=e.name, region_key=e.region_key, created_at=at, updated_at=at
    )


def _entry(row: CalendarDay) -> DayEntry:
    return DayEntry(row.day, row.kind, row.name, row.region_key)


def _view(row: CalendarDay) -> CalendarDayView:
    return CalendarDayView(row.day, row.kind, row.name, row.region_key, "table")
