"""Calendar use cases for the web app and API: the edits of `services.calendar`, each audited in the same
unit of work (subject_type "calendar", subject_id = the year), the read models of the calendar page (the
month grid, the years' coverage) and the deadline calculator with its working-out.

Each function takes a unit of work; editing ones also the acting admin. The caller commits."""

from __future__ import annotations

import calendar as _stdcal
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from domain.actor import Actor
from domain.calendar import (
    HOLIDAY,
    KIND_LABELS,
    UNITS,
    WORKDAY,
    due_end_of_day,
    parse_day,
    parse_region_key,
    parse_year,
)
from domain.errors import InvalidInput, PermissionDenied
from policies.errors import PolicyError
from policies.loader import load_catalog
from policies.models import ROOT_KEY
from services import audit
from services import calendar as cal
from services.uow import UnitOfWork

SUBJECT = "calendar"
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
UNIT_LABELS = {"working": "个工作日", "calendar": "个自然日", "month": "个月"}
MAX_SHOWN_DAYS = 60  # the calculator lists the counted days up to this many


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("需要系统管理员权限才能修改工作日历", code="admin_required")


# -- regions -------------------------------------------------------------------------------------------


def region_options() -> list[tuple[str, str]]:
    """(key, name) of every policy profile below the national one: the regions a calendar row may name.
    Empty when the profiles cannot be loaded (the page then takes a typed key)."""
    try:
        catalog = load_catalog()
    except PolicyError:
        return []
    ordered = catalog.keys()  # parents before children
    return [(k, catalog.meta(k).name) for k in ordered if k != ROOT_KEY]


def region_chain(region: str | None) -> list[str]:
    """The calendar keys for a region filter: its profile chain below national (general to specific),
    or just the key when no profile defines it."""
    key = parse_region_key(region)
    if key is None:
        return []
    try:
        chain = load_catalog().chain_for(key)
    except PolicyError:  # UnknownProfile included: a region with calendar rows but no profile
        return [key]
    return [k for k in chain if k != ROOT_KEY]


# -- reading -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    day: date
    kind: str  # "holiday" | "workday" (调休上班) | "weekend" | "normal"
    name: str | None
    region_key: str | None

    @property
    def title(self) -> str:
        label = {"holiday": "放假", "workday": "调休上班", "weekend": "周末", "normal": "工作日"}[self.kind]
        where = f"（{self.region_key}）" if self.region_key else ""
        return f"{self.day.isoformat()} {WEEKDAYS[self.day.weekday()]} {label}" + (
            f"：{self.name}{where}" if self.name else ""
        )


@dataclass(frozen=True)
class Month:
    month: int
    weeks: list[list[Cell | None]]  # Monday first; None pads outside the month
    holidays: int
    workdays: int  # 调休上班 days


@dataclass(frozen=True)
class YearView:
    info: cal.YearInfo
    region: str | None
    days: list[cal.CalendarDayView]
    months: list[Month]


def year_view(uow: UnitOfWork, year: int | str, region: str | None = None) -> YearView:
    """A year for the page: coverage, the list of special days (national, and the region's) and a month
    grid in which a region's row wins over a national one on the same date."""
    y = parse_year(year)
    key = parse_region_key(region)
    days = cal.list_days(uow.session, y, key)
    special: dict[date, cal.CalendarDayView] = {}
    for v in days:  # national first, then the region's (list_days sorts national before regional)
        if v.day not in special or v.region_key is not None:
            special[v.day] = v
    months: list[Month] = []
    for m in range(1, 13):
        weeks: list[list[Cell | None]] = []
        counts = {HOLIDAY: 0, WORKDAY: 0}
        for week in _stdcal.Calendar(firstweekday=0).monthdayscalendar(y, m):
            row: list[Cell | None] = []
            for n in week:
                if n == 0:
                    row.append(None)
                    continue
                d = date(y, m, n)
                hit = special.get(d)
                if hit is not None:
                    counts[hit.kind] += 1
                    row.append(Cell(d, hit.kind, hit.name, hit.region_key))
                else:
                    row.append(Cell(d, "weekend" if d.weekday() >= 5 else "normal", None, None))
            weeks.append(row)
        months.append(Month(m, weeks, counts[HOLIDAY], counts[WORKDAY]))
    return YearView(cal.year_info(uow.session, y), key, days, months)


def coverage(uow: UnitOfWork, *extra_years: int) -> list[cal.YearInfo]:
    """Coverage of every year the calendar knows, plus `extra_years` (e.g. the next year to publish)."""
    known = {i.year: i for i in cal.list_years(uow.session)}
    for y in extra_years:
        if y not in known:
            known[y] = cal.year_info(uow.session, y)
    return [known[y] for y in sorted(known)]


@dataclass(frozen=True)
class DeadlineAnswer:
    start: date
    n: int
    unit: str
    region_keys: list[str]
    deadline: date
    due_at: datetime
    counted: list[tuple[date, str | None]] = field(default_factory=list)  # working days counted
    skipped: list[tuple[date, str]] = field(default_factory=list)  # named days off passed over

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS[self.unit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "n": self.n,
            "unit": self.unit,
            "region_keys": self.region_keys,
            "deadline": self.deadline.isoformat(),
            "weekday": WEEKDAYS[self.deadline.weekday()],
            "due_at": self.due_at.isoformat(),
            "counted": [{"day": d.isoformat(), "name": n} for d, n in self.counted],
            "skipped": [{"day": d.isoformat(), "name": n} for d, n in self.skipped],
        }


def deadline(
    uow: UnitOfWork, start: date | str, n: int, unit: str = "working", region: str | None = None
) -> DeadlineAnswer:
    """The last day of N units after `start` (the start day not counted) for a region's calendar, with
    the working days counted and the named days off passed over (for N up to MAX_SHOWN_DAYS)."""
    begin = parse_day(start)
    unit = (unit or "").strip()
    if unit not in UNITS:
        raise InvalidInput(
            f"期限单位“{unit}”无效，应为 working（工作日）、calendar（自然日）或 month（月）",
            code="calendar_bad_unit",
        )
    keys = region_chain(region)
    work = cal.calendar_for(uow.session, keys)
    end = work.deadline(begin, n, unit)
    counted: list[tuple[date, str | None]] = []
    skipped: list[tuple[date, str]] = []
    if unit == "working" and 0 < n <= MAX_SHOWN_DAYS:
        d = begin
        while d < end:
            d += timedelta(days=1)
            name = work.day_name(d)
            if work.is_working_day(d):
                counted.append((d, name))
            elif name:
                skipped.append((d, name))
    return DeadlineAnswer(begin, n, unit, keys, end, due_end_of_day(end), counted, skipped)


# -- editing, audited -----------------------------------------------------------------------------------


def add_day(
    uow: UnitOfWork, actor: Actor, day: date | str, kind: str, name: str, region: str | None = None
) -> cal.DayChange:
    """Add a holiday or 调休 workday (national or a region's), audited."""
    _require_admin(actor)
    change = cal.add_day(uow.session, day, kind, name, region_key=region, now=uow.now)
    v = change.day
    _audit_day(uow, actor, "calendar.add_day", "登记", v)
    return change


def _audit_day(uow: UnitOfWork, actor: Actor, action: str, verb: str, v: cal.CalendarDayView) -> None:
    audit.record(
        uow.session,
        uow.now,
        actor=actor,
        subject_type=SUBJECT,
        subject_id=v.day.year,
        action=action,
        opinion=f"{verb} {v.day.isoformat()} {KIND_LABELS[v.kind]}：{v.name}（{v.region_key or '全国'}）",
        data={"day": v.day, "kind": v.kind, "name": v.name, "region": v.region_key},
    )


def remove_day(
    uow: UnitOfWork, actor: Actor, day: date | str, region: str | None = None
) -> cal.CalendarDayView:
    """Remove a table row (built-in days cannot be removed), audited."""
    _require_admin(actor)
    v = cal.remove_day(uow.session, day, region_key=region, now=uow.now)
    _audit_day(uow, actor, "calendar.remove_day", "删除", v)
    return v


def publish_year(
    uow: UnitOfWork, actor: Actor, year: int | str, source: str, *, published: bool = True
) -> cal.YearInfo:
    """Publish (or withdraw) a later year's national schedule, audited."""
    _require_admin(actor)
    info = cal.publish_year(uow.session, year, source, published=published, now=uow.now)
    audit.record(
        uow.session,
        uow.now,
        actor=actor,
        subject_type=SUBJECT,
        subject_id=info.year,
        action="calendar.publish_year" if published else "calendar.withdraw_year",
        opinion=f"{info.year}年放假安排{'发布' if published else '撤回发布'}（来源：{info.source or '—'}）",
        data={"year": info.year, "published": published, "source": info.source},
    )
    return info


def import_csv(uow: UnitOfWork, actor: Actor, text: str) -> cal.ImportResult:
    """Import a CSV, all rows or none; one audit row per year the rows fall in."""
    _require_admin(actor)
    result = cal.import_csv(uow.session, text, now=uow.now)
    by_year: dict[int, list[cal.CalendarDayView]] = {}
    for v in result.added:
        by_year.setdefault(v.day.year, []).append(v)
    audit.record_many(
        uow.session,
        uow.now,
        [
            audit.AuditDraft(
                actor=actor,
                subject_type=SUBJECT,
                subject_id=year,
                action="calendar.import",
                opinion=f"CSV 导入 {len(views)} 行（{year}年）",
                data={
                    "rows": [
                        {"day": v.day, "kind": v.kind, "name": v.name, "region": v.region_key} for v in views
                    ]
                },
            )
            for year, views in sorted(by_year.items())
        ],
    )
    return result


def csv_text(raw: bytes) -> str:
    """Decode an uploaded CSV (UTF-8, with or without BOM) or refuse it clearly."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "CSV 文件不是 UTF-8 编码，请另存为 UTF-8 后重试", code="calendar_import_encoding"
        ) from None
