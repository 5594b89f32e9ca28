"""A round's applicants as an Excel download, streamed (openpyxl write-only: rows go to disk as they come,
so 20,000 rows stay small in memory), ID numbers masked unless the reader may see them in full."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from domain.id_number import mask_id
from forms.excel_io import HEADER_FILL

__all__ = ["applicants_export", "mask_id"]  # mask_id: the domain's (first 6 and last 4 kept)

ID_COLUMNS = ("公民身份号码",)
_WIDE = {"公民身份号码": 22, "毕业院校": 24, "专业": 18, "户籍所在地": 20, "备注": 30}


def _display(value: Any) -> Any:
    """A value as a cell holds it: text, a number, a date; yes/no as 是/否, lists joined by 、."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        return label if isinstance(label, str) else value.value
    if isinstance(value, int | float | Decimal | date | datetime | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(str(_display(v)) for v in value)
    return str(value)


def applicants_export(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    mask_ids: bool,
    id_columns: Collection[str] = ID_COLUMNS,
    sheet_title: str = "报名人员",
) -> bytes:
    """One sheet: `columns` (Chinese headers, in this order) as a bold frozen header, then one row per
    mapping (missing keys blank). ID columns are written as text (never numbers) and masked when `mask_ids`.
    Text that starts with '=' is stored as text, never as a formula (no formula injection)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title)
    for i, h in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDE.get(h, max(10, len(h) * 2 + 2))
    ws.freeze_panes = "A2"
    bold, align = Font(bold=True), Alignment(horizontal="center", vertical="center")
    header = []
    for h in columns:
        cell = WriteOnlyCell(ws, value=h)
        cell.font, cell.fill, cell.alignment = bold, HEADER_FILL, align
        header.append(cell)
    ws.append(header)
    ids = [i for i, h in enumerate(columns) if h in id_columns]
    for row in rows:
        values = [_display(row.get(h)) for h in columns]
        for i in ids:
            if values[i] is not None:
                v = str(values[i])
                values[i] = mask_id(v) if mask_ids else v
        if any(isinstance(v, str) and v.startswith("=") for v in values):
            ws.append([_as_text(ws, v) if isinstance(v, str) and v.startswith("=") else v for v in values])
        else:
            ws.append(values)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _as_text(ws: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell
