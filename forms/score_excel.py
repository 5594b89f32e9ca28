"""Scores of a round's written exam or interview by Excel: the template pre-filled with the admitted
candidates (admission ticket, name, post) and its parser. A score is a number from 0 to 100 with at most
`decimals` decimal places, or 缺考 for a candidate who did not sit. Whole-file semantics, as every import."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Font

from domain.errors import InvalidInput
from forms.applicant_context import normalise_code, normalise_name, text
from forms.excel_io import (
    MAX_DATA_ROWS,
    RowError,
    add_validation,
    as_text_column,
    read_rows,
    to_bytes,
    write_header,
)

ScoreKind = Literal["written", "interview"]
KIND_LABELS: dict[str, str] = {"written": "笔试", "interview": "面试"}
ABSENT = "缺考"
SHEET = "成绩"
TICKET, NAME, POST = "准考证号", "姓名", "岗位代码"
MIN_SCORE, MAX_SCORE = Decimal(0), Decimal(100)


def _kind_label(kind: str) -> str:
    if kind not in KIND_LABELS:
        raise InvalidInput(
            f"成绩类别「{kind}」不存在，应为笔试（written）或面试（interview）", code="score_kind_unknown"
        )
    return KIND_LABELS[kind]


def score_columns(kind: ScoreKind) -> tuple[str, str, str, str]:
    return (TICKET, NAME, POST, f"{_kind_label(kind)}成绩")


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One candidate's score: `score` is None exactly when `absent` (缺考)."""

    row: int
    ticket: str
    score: Decimal | None
    absent: bool = False


@dataclass(slots=True)
class ScoreImport:
    """Every parsed row and every error (import only when `ok`); `missing`: known tickets not in the file."""

    rows: list[ScoreRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def score_template(kind: ScoreKind, rows: Sequence[tuple[str, str, str]], *, decimals: int = 2) -> bytes:
    """The .xlsx to fill: one row per (admission ticket, name, post code), the score column empty, checked
    by Excel (0-100 or 缺考), ticket and post as text; a 说明 sheet with the rules."""
    label = _kind_label(kind)
    columns = score_columns(kind)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    write_header(ws, columns, required=columns)
    for col in (1, 2, 3):
        as_text_column(ws, col)
    for i, (ticket, name, post) in enumerate(rows, start=2):
        for col, value in enumerate((ticket, name, post), start=1):
            ws.cell(i, col, str(value)).number_format = "@"
    add_validation(
        ws,
        4,
        f'OR(AND(ISNUMBER(D2),D2>={MIN_SCORE},D2<={MAX_SCORE}),D2="{ABSENT}")',
        kind="custom",
        prompt=f"填写0至100之间的{label}成绩（最多{decimals}位小数），未参加的填「{ABSENT}」",
        error=f"成绩应为0至100之间的数字，或「{ABSENT}」",
        rows=max(len(rows), 1),
    )
    notes = wb.create_sheet("说明")
    notes.column_dimensions["A"].width = 100
    for i, line in enumerate(
        (
            f"{label}成绩导入说明",
            f"1. 只填写「{columns[3]}」列；准考证号、姓名、岗位代码不要修改，也不要增删表头。",
            f"2. 成绩为0至100之间的数字，最多{decimals}位小数；未参加{label}的填写「{ABSENT}」，不要留空。",
            "3. 只要有一行有误，整个文件都不导入；可下载错误报告，按「错误说明」列改正后重新上传。",
        ),
        start=1,
    ):
        notes.cell(i, 1, line).font = Font(bold=i == 1, size=14 if i == 1 else 11)
    return to_bytes(wb)


def _decimal_places(d: Decimal) -> int:
    exponent = d.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _ticket(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return normalise_code(value)


def _score(row: int, column: str, value: Any, decimals: int) -> tuple[Decimal | None, RowError | None]:
    """(score, None), (None, None) for 缺考, or (None, the error)."""
    shown = text(value)

    def bad(message: str, code: str) -> tuple[None, RowError]:
        return None, RowError(row, column, shown, message, code)

    if not shown:
        return bad(f"{column}未填写；未参加的请填写「{ABSENT}」", "score_missing")
    if shown == ABSENT:
        return None, None
    if isinstance(value, bool):
        return bad(f"{column}「{shown}」不是数字", "score_not_number")
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(normalise_code(shown))
    except InvalidOperation:
        return bad(f"{column}「{shown}」不是数字，也不是「{ABSENT}」", "score_not_number")
    if not d.is_finite():
        return bad(f"{column}「{shown}」不是数字，也不是「{ABSENT}」", "score_not_number")
    if not MIN_SCORE <= d <= MAX_SCORE:
        return bad(f"{column}「{shown}」超出0至100的范围", "score_out_of_range")
    if _decimal_places(d) > decimals:
        return bad(f"{column}「{shown}」的小数位数超过{decimals}位", "score_too_many_decimals")
    return d, None


def parse_scores(
    data: bytes,
    kind: ScoreKind,
    known: Mapping[str, str],
    *,
    decimals: int = 2,
    max_rows: int = MAX_DATA_ROWS,
) -> ScoreImport:
    """Every row of a filled score template and every error: unknown ticket, name not that ticket's,
    missing or non-numeric score, out of 0-100, more than `decimals` decimal places, a ticket twice (both
    rows named). Raises InvalidInput for the file: `import_not_xlsx`, `import_bad_header` (e.g. the other
    kind's template), `import_empty`, `import_too_many_rows`."""
    columns = score_columns(kind)
    score_col = columns[3]
    result = ScoreImport()
    rows_of: dict[str, list[int]] = {}
    for number, raw in read_rows(
        data, columns, sheet=SHEET, what=f"{KIND_LABELS[kind]}成绩表", max_rows=max_rows
    ):
        ticket = _ticket(raw[TICKET])
        errors: list[RowError] = []
        if not ticket:
            errors.append(RowError(number, TICKET, "", "准考证号未填写", "required"))
        elif ticket not in known:
            hint = (
                "（该单元格是数字格式，开头的0可能已被 Excel 去掉）"
                if isinstance(raw[TICKET], int | float)
                else ""
            )
            errors.append(
                RowError(
                    number, TICKET, ticket, f"准考证号「{ticket}」不在本次考试名单中{hint}", "ticket_unknown"
                )
            )
        else:
            rows_of.setdefault(ticket, []).append(number)
            name = normalise_name(raw[NAME])
            if name != normalise_name(known[ticket]):
                errors.append(
                    RowError(
                        number,
                        NAME,
                        name,
                        f"姓名「{name}」与准考证号{ticket}的考生「{known[ticket]}」不一致",
                        "name_mismatch",
                    )
                )
        score, problem = _score(number, score_col, raw[score_col], decimals)
        if problem is not None:
            errors.append(problem)
        if not errors:
            result.rows.append(ScoreRow(number, ticket, score, absent=score is None))
        result.errors.extend(errors)
    for ticket, rows in rows_of.items():
        for r in rows if len(rows) > 1 else ():
            others = "、".join(f"第{o}行" for o in rows if o != r)
            result.errors.append(
                RowError(r, TICKET, ticket, f"准考证号{ticket}与{others}重复", "ticket_duplicate")
            )
    order = {h: i for i, h in enumerate(columns)}
    result.errors.sort(key=lambda e: (e.row, order.get(e.column, -1)))
    result.missing = [t for t in known if t not in rows_of]
    return result
