"""Plain values the calendar use cases return, and the conversions between table rows and entries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from db.models.calendar import CalendarDay
from domain.calendar import DayEntry


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


def row_of(e: DayEntry, at: datetime) -> CalendarDay:
    return CalendarDay(
        day=e.day, kind=e.kind, name=e.name, region_key=e.region_key, created_at=at, updated_at=at
    )


def entry_of(row: CalendarDay) -> DayEntry:
    return DayEntry(row.day, row.kind, row.name, row.region_key)


def view_of(row: CalendarDay) -> CalendarDayView:
    return CalendarDayView(row.day, row.kind, row.name, row.region_key, "table")
