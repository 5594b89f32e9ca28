"""The working-day calendar every deadline uses. Pure: no database, no I/O.

Layers, lowest first (a later layer wins on the same date):
  1. the built-in national schedule from the chinesecalendar package (2004 up to its last year, 2026 for
     1.11): statutory holidays and 调休 working weekends, kept in memory, never copied into the database;
  2. national rows of the editable table (region_key None): later years, and rare corrections;
  3. regional rows (region_key = a policy-profile key such as "ningxia", "bingtuan"), for the keys of the
     jurisdiction's profile chain, general to specific.

A year is *covered* when the built-in schedule has it or the table marks its national schedule published.
Asking whether a day of an uncovered year is a working day raises `CalendarNotCovered`: a 2027 deadline is
never silently computed from weekends alone.

Counting (民法典 第二百零一条: the starting day is not counted):
  - "working": the deadline is the Nth working day strictly after the start date;
  - "calendar": the start date plus N days;
  - "month": the same day N months later, or the month's last day when it has no such day (第二百零二条).
A due *moment* is exclusive: the first instant after the deadline day ends (next day 00:00:00), so a
case is overdue exactly when `now >= due_at` and no second of the last day is lost.
"""

from __future__ import annotations

import calendar as _stdcal
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal

from domain.errors import InvalidInput, ShegongError

HOLIDAY = "holiday"
WORKDAY = "workday"
DayKind = Literal["holiday", "workday"]
KINDS: tuple[str, ...] = (HOLIDAY, WORKDAY)
KIND_LABELS = {HOLIDAY: "放假", WORKDAY: "上班（调休）"}

DeadlineUnit = Literal["working", "calendar", "month"]
UNITS: tuple[str, ...] = ("working", "calendar", "month")

MIN_YEAR, MAX_YEAR = 2004, 2100
MAX_SPAN = 3660  # no deadline in this domain is ten years of days away; larger is a typo
REGION_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
NAME_MAX = 64


class CalendarNotCovered(ShegongError):
    """A working-day computation reached a year whose national holiday schedule is not known yet."""

    status = 409
    code = "calendar_not_covered"


@dataclass(frozen=True)
class DayEntry:
    """One special day: a holiday (day off) or a workday (a weekend day that is worked, 调休)."""

    day: date
    kind: str  # HOLIDAY | WORKDAY
    name: str
    region_key: str | None = None


@dataclass(frozen=True)
class BuiltinSchedule:
    """The national schedule shipped with chinesecalendar (names in Chinese)."""

    holidays: Mapping[date, str]
    workdays: Mapping[date, str]
    years: frozenset[int]


@lru_cache(maxsize=1)
def builtin_national() -> BuiltinSchedule:
    import chinese_calendar as cc  # third-party, pure data

    def chinese(english: str) -> str:
        try:
            return str(cc.Holiday(english).chinese)
        except ValueError:
            return english

    holidays = {d: chinese(n) for d, n in cc.holidays.items()}
    workdays = {d: chinese(n) for d, n in cc.workdays.items()}
    years = {d.year for d in holidays} | {d.year for d in workdays}
    return BuiltinSchedule(holidays, workdays, frozenset(range(min(years), max(years) + 1)))


def format_years(years: Iterable[int]) -> str:
    """'2004–2026、2028' — contiguous runs joined, for messages."""
    runs: list[list[int]] = []
    for y in sorted(set(years)):
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return "、".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs) or "无"


def as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def add_months(d: date, n: int) -> date:
    """The corresponding day N months later; the month's last day when there is none (31 Jan + 1 = 28 Feb)."""
    index = d.year * 12 + d.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, _stdcal.monthrange(year, month)[1]))


def due_end_of_day(d: date | datetime) -> datetime:
    """The due moment of a deadline day: the first instant after it ends (next day 00:00:00), exclusive."""
    return datetime.combine(as_date(d) + timedelta(days=1), time.min)


def due_date(due_at: datetime) -> date:
    """The deadline day of a due moment made by `due_end_of_day` (for display: 截止 YYYY-MM-DD)."""
    return (due_at - timedelta(microseconds=1)).date()


class WorkCalendar:
    """Working days for one jurisdiction (national schedule plus its regional festivals)."""

    def __init__(
        self,
        holidays: Mapping[date, str],
        workdays: Mapping[date, str],
        covered_years: Iterable[int],
    ) -> None:
        self._off = dict(holidays)
        self._on = dict(workdays)
        clash = self._off.keys() & self._on.keys()
        if clash:
            raise ValueError(f"dates both holiday and workday: {sorted(clash)}")
        self.covered_years = frozenset(covered_years)

    # -- single days -------------------------------------------------------------------------------

    def covers(self, d: date | datetime) -> bool:
        return as_date(d).year in self.covered_years

    def _require(self, d: date) -> None:
        if d.year not in self.covered_years:
            raise CalendarNotCovered(
                f"{d.year}年的全国节假日安排尚未录入或发布（系统日历目前覆盖：{format_years(self.covered_years)}年），"
                f"无法按工作日计算期限。请系统管理员按国务院办公厅公布的{d.year}年放假安排录入并发布该年度。",
                details={"year": d.year, "date": d.isoformat(), "covered_years": sorted(self.covered_years)},
            )

    def is_working_day(self, d: date | datetime) -> bool:
        day = as_date(d)
        self._require(day)
        if day in self._on:
            return True
        if day in self._off:
            return False
        return day.weekday() < 5

    def day_name(self, d: date | datetime) -> str | None:
        """The holiday or 调休 name of a day, if it has one."""
        day = as_date(d)
        return self._off.get(day) or self._on.get(day)

    # -- counting ----------------------------------------------------------------------------------

    def add_working_days(self, start: date | datetime, n: int) -> date:
        """The Nth working day strictly after the start date (before it, for negative N); N = 0 gives the
        start date. The start day itself is never counted, whether or not it is a working day: 5 working
        days after Wednesday 2026-09-30 is Tuesday 2026-10-13 (1-7 Oct off; then 8, 9, Saturday 10 which
        is a 调休 workday, 12, 13)."""
        _check_span(n)
        day = as_date(start)
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def add_calendar_days(self, start: date | datetime, n: int) -> date:
        _check_span(n)
        return as_date(start) + timedelta(days=n)

    def next_working_day(self, d: date | datetime) -> date:
        """The first working day strictly after d."""
        return self.add_working_days(d, 1)

    def roll_forward(self, d: date | datetime) -> date:
        """d itself if it is a working day, else the next one (民法典 第二百零三条 for periods ending on a
        holiday, where a rule asks for it)."""
        day = as_date(d)
        return day if self.is_working_day(day) else self.next_working_day(day)

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """Working days d with a < d <= b (negative, counted the same way, when b < a), so that
        add_working_days(a, working_days_between(a, b)) == b whenever b is a working day."""
        lo, hi = as_date(a), as_date(b)
        if hi < lo:
            return -self.working_days_between(hi, lo)
        _check_span((hi - lo).days)
        count, day = 0, lo
        while day < hi:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def deadline(
        self, start: date | datetime, n: int, unit: str = "working", *, roll_forward: bool = False
    ) -> date:
        """The last day of a period of N units starting at `start` (the one entry point deadlines use).
        unit: "working" | "calendar" | "month". With roll_forward, a calendar or month period whose last
        day is not a working day ends on the next working day (needs the year covered)."""
        if unit == "working":
            return self.add_working_days(start, n)
        if unit == "calendar":
            end = self.add_calendar_days(start, n)
        elif unit == "month":
            _check_span(n * 30)
            end = add_months(as_date(start), n)
        else:
            raise InvalidInput(
                f"期限单位“{unit}”无效，应为 working（工作日）、calendar（自然日）或 month（月）",
                code="calendar_bad_unit",
            )
        return self.roll_forward(end) if roll_forward else end

    def due_at(
        self, start: date | datetime, n: int, unit: str = "working", *, roll_forward: bool = False
    ) -> datetime:
        """The due moment (exclusive, see `due_end_of_day`) of `deadline(start, n, unit)`."""
        return due_end_of_day(self.deadline(start, n, unit, roll_forward=roll_forward))

    def extend_due(self, due_at: datetime, n: int) -> datetime:
        """The due moment N working days after the deadline day of an existing due moment (for reminders
        and escalations after a task's due_at): counts from `due_date(due_at)`, not from the next day."""
        return due_end_of_day(self.add_working_days(due_date(due_at), n))


def _check_span(n: int) -> None:
    if abs(n) > MAX_SPAN:
        raise InvalidInput(f"期限天数 {n} 超出允许范围（±{MAX_SPAN}）", code="calendar_bad_span")


def compose(
    entries: Iterable[DayEntry],
    region_keys: Sequence[str] = (),
    published_years: Iterable[int] = (),
    builtin: BuiltinSchedule | None = None,
) -> WorkCalendar:
    """Build the calendar of a jurisdiction whose profile chain is `region_keys` (general to specific):
    built-in schedule, then national table rows, then each region's rows; rows of other regions are
    ignored. A later layer replaces an earlier one on the same date."""
    base = builtin or builtin_national()
    off: dict[date, str] = dict(base.holidays)
    on: dict[date, str] = dict(base.workdays)
    rank = {None: 0} | {key: i + 1 for i, key in enumerate(region_keys)}
    layered = sorted((e for e in entries if e.region_key in rank), key=lambda e: (rank[e.region_key], e.day))
    for e in layered:
        if e.kind == HOLIDAY:
            on.pop(e.day, None)
            off[e.day] = e.name
        else:
            off.pop(e.day, None)
            on[e.day] = e.name
    return WorkCalendar(off, on, base.years | frozenset(published_years))


# -- validating one special day (pure rules; duplicates are checked against the table by the service) --


def parse_day(value: date | str) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(
                f"日期“{value}”格式不正确，应为 YYYY-MM-DD（如 2027-10-01）", code="calendar_bad_date"
            ) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise InvalidInput(f"日期 {day} 超出支持范围（{MIN_YEAR}–{MAX_YEAR}年）", code="calendar_bad_date")
    return day


def parse_year(value: int | str) -> int:
    try:
        year = int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"年份“{value}”不正确，应为四位数字", code="calendar_bad_year") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"年份 {year} 超出支持范围（{MIN_YEAR}–{MAX_YEAR}年）", code="calendar_bad_year")
    return year


def parse_region_key(value: str | None) -> str | None:
    """None or '' means national; otherwise a policy-profile key (lower-case letters, digits, _)."""
    if value is None or not value.strip():
        return None
    key = value.strip()
    if not REGION_KEY_RE.match(key):
        raise InvalidInput(
            f"地区标识“{key}”不正确，应为政策配置的标识"
            "（小写字母开头，仅含小写字母、数字和下划线，如 ningxia）",
            code="calendar_bad_region",
        )
    return key


def parse_entry(day: date | str, kind: str, name: str, region_key: str | None = None) -> DayEntry:
    parsed_day = parse_day(day)
    parsed_kind = (kind or "").strip().lower()
    if parsed_kind not in KINDS:
        raise InvalidInput(
            f"类型“{kind}”无效，应为 holiday（放假）或 workday（调休上班）", code="calendar_bad_kind"
        )
    clean = (name or "").strip()
    if not clean or len(clean) > NAME_MAX:
        raise InvalidInput(f"名称不能为空，且不超过{NAME_MAX}个字（如“国庆节”）", code="calendar_bad_name")
    return DayEntry(parsed_day, parsed_kind, clean, parse_region_key(region_key))


def check_entry(entry: DayEntry, builtin: BuiltinSchedule | None = None) -> list[str]:
    """Refuse a special day that cannot mean anything; return warnings for one that changes nothing.
    - a workday (调休上班) must be a Saturday or Sunday, except a national row that cancels a built-in
      holiday (a correction of the shipped schedule); a region cannot cancel a national holiday;
    - a national row repeating the built-in schedule is refused (it would change nothing);
    - a holiday on a weekend (notices list whole periods, weekends included) or a regional holiday on a
      national one is accepted with a warning, unless it cancels a built-in 调休 workday."""
    base = builtin or builtin_national()
    weekend = entry.day.weekday() >= 5
    national = entry.region_key is None
    if entry.kind == WORKDAY:
        if not national and entry.day in base.holidays:
            raise InvalidInput(
                f"{entry.day} 是全国假日（{base.holidays[entry.day]}），地区日历不能取消全国假日",
                code="calendar_region_cancels_national",
            )
        if not weekend and not (national and entry.day in base.holidays):
            raise InvalidInput(
                f"{entry.day}（{_WEEKDAYS[entry.day.weekday()]}）本就是工作日，不能登记为调休上班日；"
                "调休上班日只能是周六或周日",
                code="calendar_workday_not_weekend",
            )
        if national and entry.day in base.workdays:
            raise InvalidInput(
                f"{entry.day} 已是内置全国日历中的调休上班日（{base.workdays[entry.day]}），无需重复登记",
                code="calendar_already_builtin",
            )
        return []
    if entry.day in base.holidays:
        if national:
            raise InvalidInput(
                f"{entry.day} 已是内置全国日历中的假日（{base.holidays[entry.day]}），无需重复登记",
                code="calendar_already_builtin",
            )
        return [f"{entry.day} 已是全国假日（{base.holidays[entry.day]}）；登记后仅用于显示节日名称"]
    if weekend and entry.day not in base.workdays:
        return [f"{entry.day} 是{_WEEKDAYS[entry.day.weekday()]}，本就不是工作日；登记后仅用于显示节日名称"]
    return []


_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
