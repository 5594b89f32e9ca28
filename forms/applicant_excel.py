"""The officer's Excel import of a round's registrations (paper or on-site 报名): the template to fill and
its parser. A cell accepts what the web form accepts (forms/application.py checks both)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from domain.applicant import Registration, Relation
from forms.applicant_context import ApplicantContext, Choice, labels, normalise_code
from forms.application import MAX_RELATIVES
from forms.application_input import ALL_COLUMNS, COLUMNS, parse_row
from forms.excel_io import (
    MAX_DATA_ROWS,
    RowError,
    add_validation,
    as_text_column,
    options_range,
    read_rows,
    to_bytes,
    write_header,
)
from policies.sections.recruitment import Education

SHEET = "报名信息"
ID_COLUMN = "公民身份号码"
POST_COLUMN = "报考岗位代码"
REQUIRED = ("姓名", ID_COLUMN, "手机号码", "学历", "毕业院校", "户籍所在地", POST_COLUMN, "已签署承诺")
TEXT_COLUMNS = (
    ID_COLUMN,
    "手机号码",
    "户籍所在地代码",
    POST_COLUMN,
    *(f"亲属{i}工作单位代码" for i in range(1, MAX_RELATIVES + 1)),
)
YES_NO_COLUMNS = ("是否街道推荐", "已签署承诺", "是否服务基层项目人员", "服务期满考核是否合格")
_HELP = {
    "姓名": "2至30个汉字，少数民族姓名用「·」分隔",
    ID_COLUMN: "18位，末位可为X；本列已设为文本格式，请勿改为数字",
    "手机号码": "以1开头的11位数字",
    "学历": "从下拉列表选择",
    "专业": "大学专科及以上学历必填",
    "户籍所在地代码": "6位县级行政区划代码，可不填",
    POST_COLUMN: "填写下方岗位表中的岗位代码",
    "是否街道推荐": "是/否，不填视为否",
    "推荐类别": "经街道推荐的必填，从下拉列表选择一项",
    "优先条件": "可填多项，用顿号「、」分隔",
    "本人存在的情形": "报名人自述存在的情形，可填多项，用「、」分隔；没有则不填",
    "已签署承诺": "报名人已签署诚信承诺的填「是」；必须为是",
    "是否服务基层项目人员": "是/否，不填视为否",
    "服务期满考核是否合格": "是/否，仅服务基层项目人员填写",
}


@dataclass(frozen=True, slots=True)
class ImportedApplicant:
    row: int
    post_code: str
    registration: Registration


@dataclass(slots=True)
class ImportResult:
    """Every parsed row and every error; import only when `ok` (whole-file semantics)."""

    rows: list[ImportedApplicant] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _instructions(wb: Workbook, context: ApplicantContext) -> None:
    ws = wb.create_sheet("说明")
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 70
    lines = [
        "报名信息导入说明",
        f"1. 在「{SHEET}」工作表中每行填写一名报名人员，第1行表头不要修改、删除或调换；红色表头为必填列。",
        f"2. 一个文件最多{MAX_DATA_ROWS}行。只要有一行有误，整个文件都不导入；可下载错误报告，按「错误说明」列改正后重新上传。",
        "3. 公民身份号码、手机号码、岗位代码等列已设为文本格式；从其他表格粘贴时请用「选择性粘贴—数值」，"
        "否则 Excel 会把18位号码变成 1.10101E+17 并丢失末几位。",
        "4. 可填多项的列用顿号「、」分隔；可填写下列的名称，也可填写其代码。",
    ]
    for i, line in enumerate(lines, start=1):
        ws.cell(i, 1, line).font = Font(bold=i == 1, size=14 if i == 1 else 11)
    row = len(lines) + 2

    def table(title: str, head: tuple[str, ...], body: Sequence[tuple[str, ...]]) -> None:
        nonlocal row
        ws.cell(row, 1, title).font = Font(bold=True, size=12)
        row += 1
        for c, h in enumerate(head, start=1):
            ws.cell(row, c, h).font = Font(bold=True)
        row += 1
        for values in body:
            for c, v in enumerate(values, start=1):
                cell = ws.cell(row, c, v)
                cell.number_format = "@"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
        row += 1

    table(
        "各列填写说明",
        ("列名", "是否必填", "说明"),
        [(h, "必填" if h in REQUIRED else "选填", _HELP.get(h, "")) for h, _ in COLUMNS]
        + [
            (
                f"亲属1至亲属{MAX_RELATIVES}",
                "选填",
                "在本系统工作的亲属：姓名、关系、工作单位代码、职务；没有则不填",
            )
        ],
    )
    table("岗位", ("岗位代码", "岗位名称", "社区"), [(p.code, p.title, p.community) for p in context.posts])
    table("学历", ("填写", "代码", ""), [(e.label, e.value, "") for e in Education])
    for title, items in (
        ("推荐类别（经街道推荐的）", context.relaxation_groups),
        ("优先条件", context.priority_groups),
        ("本人存在的情形（如实申报）", context.disqualifications),
    ):
        table(title, ("填写", "代码", ""), [(c.label, c.key, "") for c in items])
    table("亲属关系", ("填写", "代码", ""), [(r.label, r.value, "") for r in Relation])


def applicant_template(context: ApplicantContext) -> bytes:
    """The .xlsx to fill: the 报名信息 sheet (Chinese header, text-formatted ID/phone/code columns,
    drop-downs for education, yes/no, posts, recommendation group and relation), a 说明 sheet listing
    the posts and every allowed value, and a hidden 选项 sheet the drop-downs read from."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    write_header(ws, ALL_COLUMNS, required=REQUIRED)
    col = {h: i for i, h in enumerate(ALL_COLUMNS, start=1)}
    for h in TEXT_COLUMNS:
        as_text_column(ws, col[h])
    ws.column_dimensions["B"].width = 22
    _instructions(wb, context)
    opts = wb.create_sheet("选项")
    opts.sheet_state = "hidden"
    posts = options_range(opts, 1, [p.code for p in context.posts], "岗位代码")
    educations = options_range(opts, 2, [e.label for e in Education], "学历")
    groups = options_range(opts, 3, [c.label for c in context.relaxation_groups], "推荐类别")
    relations = options_range(opts, 4, [r.label for r in Relation], "亲属关系")
    add_validation(
        ws, col[POST_COLUMN], posts, prompt="从列表选择岗位代码，见「说明」", error="请选择本次招聘的岗位代码"
    )
    add_validation(ws, col["学历"], educations, prompt="从列表选择学历", error="请从列表选择学历")
    if context.relaxation_groups:
        add_validation(
            ws, col["推荐类别"], groups, prompt="经街道推荐的选择一项", error="请从列表选择推荐类别"
        )
    for h in YES_NO_COLUMNS:
        add_validation(ws, col[h], '"是,否"', prompt="填写「是」或「否」", error="只能填写「是」或「否」")
    for i in range(1, MAX_RELATIVES + 1):
        add_validation(ws, col[f"亲属{i}关系"], relations, prompt="从列表选择关系", error="请从列表选择关系")
    return to_bytes(wb)


def _id_cell_problem(row: int, value: object) -> RowError | None:
    """An ID cell Excel stored as a number: beyond 15 significant digits it has lost the last ones."""
    if isinstance(value, float) and (value >= 1e15 or not value.is_integer()):
        shown = repr(value).upper()
        return RowError(
            row,
            ID_COLUMN,
            shown,
            f"公民身份号码被 Excel 存成了数字（{shown}），18位号码的末几位已经丢失，无法还原；"
            "请把该列设为「文本」格式后重新输入原号码",
            "id_numeric",
        )
    return None


def _duplicates(rows_of: dict[str, list[int]]) -> list[RowError]:
    out = []
    for number, rows in rows_of.items():
        for r in rows if len(rows) > 1 else ():
            others = "、".join(f"第{o}行" for o in rows if o != r)
            out.append(RowError(r, ID_COLUMN, number, f"公民身份号码与{others}重复", "id_duplicate"))
    return out


def parse_applicants(
    data: bytes, context: ApplicantContext, *, max_rows: int = MAX_DATA_ROWS
) -> ImportResult:
    """Every row of a filled template as (row, post code, Registration) and every error as a RowError.

    Raises InvalidInput for the file as a whole: `import_not_xlsx`, `import_bad_header` (naming the
    expected and the found headers), `import_empty`, `import_too_many_rows` (over 50,000)."""
    result = ImportResult()
    rows_of: dict[str, list[int]] = {}
    for number, raw in read_rows(data, ALL_COLUMNS, sheet=SHEET, what="报名信息表", max_rows=max_rows):
        numeric = _id_cell_problem(number, raw.get(ID_COLUMN))
        form, problems = parse_row(raw, context)
        if numeric is not None:
            result.errors.append(numeric)
            problems = [p for p in problems if p.field != "id_number"]
        for p in problems:
            message = p.message
            if p.code == "post_unknown" and isinstance(raw.get(POST_COLUMN), int | float):
                message += "（该单元格是数字格式，岗位代码开头的0可能已被 Excel 去掉）"
            result.errors.append(RowError(number, p.column, p.value, message, p.code))
        if numeric is None and not any(p.field == "id_number" for p in problems):
            rows_of.setdefault(normalise_code(raw.get(ID_COLUMN)).upper(), []).append(number)
        if form is not None and numeric is None:
            result.rows.append(ImportedApplicant(number, form.post_code, form.to_registration()))
    result.errors.extend(_duplicates(rows_of))
    order = {h: i for i, h in enumerate(ALL_COLUMNS)}
    result.errors.sort(key=lambda e: (e.row, order.get(e.column, -1)))
    return result


def allowed_values(context: ApplicantContext) -> dict[str, str]:
    """Column -> its allowed values in words (for a page that explains the import)."""
    return {
        POST_COLUMN: "、".join(p.code for p in context.posts),
        "学历": labels(Choice(e.value, e.label) for e in Education),
        "推荐类别": labels(context.relaxation_groups),
        "优先条件": labels(context.priority_groups),
        "本人存在的情形": labels(context.disqualifications),
    }
