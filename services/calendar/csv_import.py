"""Importing special days from a CSV file: every row or none, each bad row named with its line."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from db.repos import calendar as repo
from domain.calendar import DayEntry, builtin_national, check_entry, parse_entry
from domain.clock import real_now
from domain.errors import InvalidInput, ShegongError
from services.calendar.editing import bump, duplicate, national_layer, with_entries
from services.calendar.types import ImportResult, row_of, view_of

MAX_IMPORT_ROWS = 5000
CSV_COLUMNS = ("date", "kind", "name", "region")


def import_csv(session: Session, text: str, *, now: datetime | None = None) -> ImportResult:
    """Add every row of a CSV (header date,kind,name,region; region empty = national), or none: when any
    row is bad, raises InvalidInput (code calendar_import_invalid) whose details["errors"] lists each bad
    row as {"line", "code", "message"}."""
    entries, errors = _parse_csv(text)
    national = [e for _, e in entries if e.region_key is None]
    lower_national = builtin_national()
    lower_regional = with_entries(national_layer(session), national)
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
                raise duplicate(e)
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
    rows = [row_of(e, at) for _, e in entries]
    for row in rows:
        repo.add_day(session, row)
    bump(session, at)
    return ImportResult([view_of(r) for r in rows], warnings)


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
