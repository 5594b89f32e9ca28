"""What every Excel import and template of a round shares: opening an upload (xlsx only), checking its header
against the template, reading its rows within a limit, the row-by-row error list and its downloadable
report, and the styling of a template's header, text columns and drop-downs.

Whole-file semantics: a parser returns every row and every error; the caller imports nothing while any
error remains, and offers `error_report` (the uploaded sheet with a 错误说明 column, bad cells in red)."""

from __future__ import annotations

import zipfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from domain.errors import InvalidInput
from forms.applicant_context import text

NOTE_COLUMN = "错误说明"
MAX_DATA_ROWS = 50_000
TEXT_FORMAT = "@"
RED_FILL = PatternFill(fill_type="solid", fgColor="FFC7CE")
NO_FILL = PatternFill(fill_type=None)
HEADER_FILL = PatternFill(fill_type="solid", fgColor="DDEBF7")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class RowError:
    """One refused cell (or row, when `column` is ''): its Excel row number, column header, value as found,
    a Chinese message and a stable code."""

    row: int
    column: str
    value: str
    message: str
    code: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "code": self.code,
        }


def open_xlsx(data: bytes, *, read_only: bool = True) -> Workbook:
    """The uploaded workbook, or InvalidInput `import_not_xlsx` saying what the file seems to be instead."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise InvalidInput(
            "上传的是旧版 Excel（.xls）或加密的文件，请在 Excel 中“另存为”Excel 工作簿（.xlsx）后重新上传",
            code="import_not_xlsx",
        )
    if data[:2] != b"PK":
        raise InvalidInput(
            "上传的文件不是 Excel 工作簿（.xlsx），请使用下载的模板填写后上传", code="import_not_xlsx"
        )
    try:
        return load_workbook(BytesIO(data), read_only=read_only, data_only=read_only)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise InvalidInput(
            "上传的文件无法作为 Excel 工作簿（.xlsx）打开，可能已损坏或是其他格式的压缩包",
            code="import_not_xlsx",
            details={"reason": f"{type(exc).__name__}: {exc}"},
        ) from exc


def pick_sheet(wb: Workbook, name: str) -> Any:
    """The sheet called `name`, else the first one (a user may rename it)."""
    return wb[name] if name in wb.sheetnames else wb.worksheets[0]


def _row_blank(values: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def read_rows(
    data: bytes, expected: Sequence[str], *, sheet: str, what: str, max_rows: int = MAX_DATA_ROWS
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(Excel row number, column header -> raw cell value) of every non-blank data row.

    Raises InvalidInput: `import_not_xlsx`; `import_bad_header` when row 1 lacks a column of `expected`
    or has one it does not know (naming both lists; a 错误说明 column from an error report is ignored);
    `import_empty` without data rows; `import_too_many_rows` beyond `max_rows`."""
    wb = open_xlsx(data)
    try:
        ws = pick_sheet(wb, sheet)
        rows = ws.iter_rows(values_only=True)
        header_cells = next(rows, ())
        headers = [text(v) for v in header_cells]
        while headers and not headers[-1]:
            headers.pop()
        positions: dict[str, int] = {}
        duplicated = []
        for i, h in enumerate(headers):
            if h in positions and h:
                duplicated.append(h)
            positions.setdefault(h, i)
        missing = [h for h in expected if h not in positions]
        unknown = [h for h in headers if h not in expected and h != NOTE_COLUMN]
        if missing or unknown or duplicated:
            problems = []
            if missing:
                problems.append("缺少列：" + "、".join(f"「{h}」" for h in missing))
            if unknown:
                problems.append("无法识别的列：" + "、".join(f"「{h or '（空白表头）'}」" for h in unknown))
            if duplicated:
                problems.append("重复的列：" + "、".join(f"「{h}」" for h in duplicated))
            raise InvalidInput(
                f"{what}的第1行表头与模板不符（{'；'.join(problems)}）。"
                f"应为：{'、'.join(expected)}；实际为：{'、'.join(h or '（空白）' for h in headers) or '（空行）'}。"
                "请使用下载的模板，不要修改表头",
                code="import_bad_header",
                details={
                    "expected": list(expected),
                    "found": headers,
                    "missing": missing,
                    "unknown": unknown,
                },
            )
        count = 0
        for number, values in enumerate(rows, start=2):
            if _row_blank(values):
                continue
            count += 1
            if count > max_rows:
                raise InvalidInput(
                    f"{what}超过{max_rows}行数据（第{number}行起超出），请分成多个文件导入",
                    code="import_too_many_rows",
                    details={"limit": max_rows},
                )
            yield (
                number,
                {h: (values[positions[h]] if positions[h] < len(values) else None) for h in expected},
            )
        if count == 0:
            raise InvalidInput(f"{what}中没有数据行（第1行是表头，从第2行起每行一条）", code="import_empty")
    finally:
        wb.close()


def error_report(data: bytes, errors: Sequence[RowError], *, sheet: str | None = None) -> bytes:
    """The uploaded workbook with a 错误说明 column saying what is wrong in each bad row, and its bad cells
    filled red, for the officer to correct and upload again (a previous report's notes are replaced)."""
    wb = open_xlsx(data, read_only=False)
    ws: Worksheet = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
    headers = {text(c.value): c.column for c in ws[1] if text(c.value)}
    note_col = headers.get(NOTE_COLUMN)
    if note_col is None:
        note_col = max(headers.values(), default=0) + 1
    else:  # an earlier report uploaded again: clear its notes and marks
        for (cell,) in ws.iter_rows(min_row=2, min_col=note_col, max_col=note_col):
            if cell.value:
                for other in ws[cell.row]:
                    other.fill = NO_FILL
                cell.value = None
    head = ws.cell(1, note_col, NOTE_COLUMN)
    head.font = Font(bold=True, color="C00000")
    ws.column_dimensions[get_column_letter(note_col)].width = 60
    by_row: dict[int, list[RowError]] = defaultdict(list)
    for e in errors:
        by_row[e.row].append(e)
    for row, errs in sorted(by_row.items()):
        note = ws.cell(
            row, note_col, "；".join(f"{e.column}：{e.message}" if e.column else e.message for e in errs)
        )
        note.font = Font(color="C00000")
        note.alignment = Alignment(wrap_text=True, vertical="top")
        for e in errs:
            if e.column in headers:
                ws.cell(row, headers[e.column]).fill = RED_FILL
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def write_header(
    ws: Worksheet, headers: Sequence[str], *, required: Sequence[str] = (), width: int = 16
) -> None:
    """Row 1 as the template's header (required columns in red), frozen, with column widths."""
    for col, h in enumerate(headers, start=1):
        cell = ws.cell(1, col, h)
        cell.font = Font(bold=True, color="C00000" if h in required else "000000")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = max(width, len(h) * 2 + 2)
    ws.freeze_panes = "A2"


def as_text_column(ws: Worksheet, col: int) -> None:
    """Format a whole column as text, so Excel keeps 18-digit IDs and leading zeros as typed."""
    ws.column_dimensions[get_column_letter(col)].number_format = TEXT_FORMAT


def add_validation(
    ws: Worksheet,
    col: int,
    formula: str,
    *,
    prompt: str,
    error: str,
    kind: str = "list",
    rows: int = MAX_DATA_ROWS,
) -> None:
    """A drop-down (`kind` list, `formula` a quoted list or a range) or a custom rule on rows 2..rows+1."""
    dv = DataValidation(
        type=kind, formula1=formula, allow_blank=True, showErrorMessage=True, showInputMessage=True
    )
    dv.error, dv.errorTitle = error, "填写有误"
    dv.prompt, dv.promptTitle = prompt, "填写说明"
    letter = get_column_letter(col)
    dv.add(f"{letter}2:{letter}{rows + 1}")
    ws.add_data_validation(dv)


def options_range(ws: Worksheet, col: int, values: Sequence[str], title: str) -> str:
    """Write `values` under `title` in column `col` of the options sheet; the range for a drop-down."""
    ws.cell(1, col, title).font = Font(bold=True)
    for i, v in enumerate(values, start=2):
        ws.cell(i, col, v).number_format = TEXT_FORMAT
    letter = get_column_letter(col)
    last = max(len(values) + 1, 2)
    return f"'{ws.title}'!${letter}$2:${letter}${last}"


def to_bytes(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
