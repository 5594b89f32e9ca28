"""Excel files of a recruitment round: applicant template and import (row errors, whole-file refusals,
error report), score template and import, streamed export with masked IDs."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from domain.errors import InvalidInput
from forms.applicant_context import ApplicantContext, PostChoice, choices
from forms.applicant_excel import applicant_template, parse_applicants
from forms.applicant_export import applicants_export, mask_id
from forms.application_input import ALL_COLUMNS
from forms.excel_io import MAX_DATA_ROWS, NOTE_COLUMN, error_report
from forms.score_excel import ABSENT, parse_scores, score_template

W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CTX = ApplicantContext(
    today=date(2025, 6, 1),
    posts=(
        PostChoice("01", "社区专职工作人员", "幸福社区"),
        PostChoice("02", "社区专职工作人员", "和平社区"),
    ),
    relaxation_groups=choices([("veteran", "退役军人")]),
    priority_groups=choices([("social_work_certificate", "持有国家社会工作职业资格证书的人员")]),
    disqualifications=choices([("criminal_record", "因犯罪受过刑事处罚或者涉嫌犯罪尚未结案")]),
)


def make_id(seq: int) -> str:
    body = f"15010219900101{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W, strict=True)) % 11]


def person(seq: int, **over: Any) -> dict[str, Any]:
    row = {
        "姓名": "张三",
        "公民身份号码": make_id(seq),
        "手机号码": f"138{seq:08d}",
        "学历": "大学本科",
        "专业": "社会工作",
        "毕业院校": "内蒙古大学",
        "户籍所在地": "呼和浩特市新城区",
        "报考岗位代码": "01",
        "已签署承诺": "是",
    }
    row.update(over)
    return row


def filled(rows: list[dict[str, Any]], *, template: bytes | None = None) -> bytes:
    """The downloaded template with rows typed in, as Excel would save it."""
    wb = load_workbook(BytesIO(template or applicant_template(CTX)))
    ws = wb["报名信息"]
    for r in rows:
        ws.append([r.get(h) for h in ALL_COLUMNS])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet(headers: list[str], rows: list[list[Any]], title: str = "报名信息") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def errors_of(data: bytes) -> set[tuple[int, str, str]]:
    return {(e.row, e.column, e.code) for e in parse_applicants(data, CTX).errors}


# --- template ---------------------------------------------------------------------------------------------


def test_template_has_header_instructions_dropdowns_and_text_id_column() -> None:
    wb = load_workbook(BytesIO(applicant_template(CTX)))
    assert wb.sheetnames == ["报名信息", "说明", "选项"]
    ws = wb["报名信息"]
    assert [c.value for c in ws[1]] == list(ALL_COLUMNS)
    assert ws.column_dimensions["B"].number_format == "@"  # 公民身份号码 as text
    ranges = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert ranges["D2"].type == "list"  # 学历
    assert ranges["I2"].formula1.startswith("'选项'!")  # 报考岗位代码
    assert ranges["J2"].formula1 == '"是,否"'  # 是否街道推荐
    notes = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    for words in ("幸福社区", "和平社区", "退役军人", "大学专科", "因犯罪受过刑事处罚", "夫妻关系", "50000"):
        assert words in notes
    assert [c.value for c in wb["选项"]["A"] if c.value] == ["岗位代码", "01", "02"]
    assert wb["选项"].sheet_state == "hidden"


def test_template_filled_with_rows_parses() -> None:
    data = filled(
        [
            person(1),
            person(
                2,
                姓名="阿依古丽·买买提",
                学历="大专",
                报考岗位代码="02",
                是否街道推荐="是",
                推荐类别="退役军人",
                优先条件="持有国家社会工作职业资格证书的人员",
                亲属1姓名="李四",
                亲属1关系="夫妻关系",
                亲属1工作单位代码="150102001",
                亲属1职务="社区居委会主任",
            ),
        ]
    )
    result = parse_applicants(data, CTX)
    assert result.ok, result.errors
    assert [(r.row, r.post_code) for r in result.rows] == [(2, "01"), (3, "02")]
    second = result.rows[1].registration
    assert second.name == "阿依古丽·买买提" and second.education == "junior_college"
    assert second.relaxation_group == "veteran" and second.priority_groups == ("social_work_certificate",)
    assert second.relatives[0].position == "社区居委会主任"


def test_blank_rows_are_skipped_and_a_report_uploaded_again_is_accepted() -> None:
    data = filled([person(1), {}, person(2)])
    assert [r.row for r in parse_applicants(data, CTX).rows] == [2, 4]
    bad = filled([person(1, 学历="小学")])
    report = error_report(bad, parse_applicants(bad, CTX).errors)
    wb = load_workbook(BytesIO(report))
    ws = wb["报名信息"]
    ws["D2"] = "大学本科"  # corrected in the report itself
    out = BytesIO()
    wb.save(out)
    assert parse_applicants(out.getvalue(), CTX).ok


# --- row errors ---------------------------------------------------------------------------------------------


def test_each_row_error_names_row_and_column() -> None:
    data = filled(
        [
            person(1, 姓名=None),
            person(2, 公民身份号码="15010219900101"),
            person(3, 报考岗位代码="07"),
            person(4, 学历="初中"),
            person(5, 手机号码="12345"),
            person(6, 公民身份号码=make_id(6)[:-1] + ("0" if make_id(6)[-1] != "0" else "1")),
        ]
    )
    assert errors_of(data) == {
        (2, "姓名", "required"),
        (3, "公民身份号码", "id_format"),
        (4, "报考岗位代码", "post_unknown"),
        (5, "学历", "education_unknown"),
        (6, "手机号码", "phone_format"),
        (7, "公民身份号码", "id_checksum"),
    }
    result = parse_applicants(data, CTX)
    by_row = {e.row: e for e in result.errors}
    assert by_row[2].message == "姓名必须填写"
    assert by_row[4].value == "07" and "01、02" in by_row[4].message
    assert "初中" in by_row[5].message and "大学专科" in by_row[5].message


def test_id_number_stored_as_a_number_by_excel() -> None:
    data = sheet(list(ALL_COLUMNS), [[person(1).get(h) for h in ALL_COLUMNS]])
    wb = load_workbook(BytesIO(data))
    ws = wb.active
    assert ws is not None
    ws["B2"] = 1.50102199001011e17  # what Excel keeps of 150102199001010011 in a General cell
    ws.append([person(2).get(h) for h in ALL_COLUMNS])
    out = BytesIO()
    wb.save(out)
    result = parse_applicants(out.getvalue(), CTX)
    [err] = result.errors
    assert (err.row, err.column, err.code) == (2, "公民身份号码", "id_numeric")
    assert "1.50102199001011E+17" in err.message and "文本" in err.message
    assert [r.row for r in result.rows] == [3]


def test_duplicate_id_numbers_name_both_rows() -> None:
    data = filled([person(1), person(2), person(1, 姓名="李四"), person(1, 姓名="王五")])
    dupes = [e for e in parse_applicants(data, CTX).errors if e.code == "id_duplicate"]
    assert {(e.row, e.message) for e in dupes} == {
        (2, "公民身份号码与第4行、第5行重复"),
        (4, "公民身份号码与第2行、第5行重复"),
        (5, "公民身份号码与第2行、第4行重复"),
    }


def test_numeric_post_code_gets_a_hint_about_leading_zeros() -> None:
    data = filled([person(1, 报考岗位代码=1)])
    [err] = parse_applicants(data, CTX).errors
    assert err.code == "post_unknown" and "开头的0" in err.message


def test_error_report_adds_a_note_column_and_marks_bad_cells() -> None:
    data = filled([person(1), person(2, 学历="初中", 手机号码="123")])
    result = parse_applicants(data, CTX)
    report = load_workbook(BytesIO(error_report(data, result.errors)))["报名信息"]
    note_col = len(ALL_COLUMNS) + 1
    assert report.cell(1, note_col).value == NOTE_COLUMN
    assert report.cell(2, note_col).value is None
    assert "学历：" in report.cell(3, note_col).value and "手机号码：" in report.cell(3, note_col).value
    assert report["D3"].fill.fgColor.rgb.endswith("FFC7CE")  # 学历
    assert report["C3"].fill.fgColor.rgb.endswith("FFC7CE")  # 手机号码
    assert report["A3"].fill.fill_type is None
    assert report["B3"].value == make_id(2)  # the ID is kept as text


# --- whole-file refusals ------------------------------------------------------------------------------------


def test_header_mismatch_names_expected_and_found() -> None:
    headers = [h for h in ALL_COLUMNS if h != "学历"] + ["年龄"]
    with pytest.raises(InvalidInput) as info:
        parse_applicants(sheet(headers, [["张三"]]), CTX)
    exc = info.value
    assert exc.code == "import_bad_header"
    assert "缺少列：「学历」" in exc.message and "无法识别的列：「年龄」" in exc.message
    assert exc.details["expected"] == list(ALL_COLUMNS) and exc.details["found"] == headers


@pytest.mark.parametrize(
    "data",
    [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "姓名,公民身份号码\n张三,1\n".encode(), b""],
)
def test_not_xlsx(data: bytes) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_applicants(data, CTX)
    assert info.value.code == "import_not_xlsx"


def test_a_zip_that_is_not_a_workbook() -> None:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(InvalidInput) as info:
        parse_applicants(buf.getvalue(), CTX)
    assert info.value.code == "import_not_xlsx"


def test_too_many_rows_and_no_rows() -> None:
    assert MAX_DATA_ROWS == 50_000
    data = filled([person(i) for i in range(1, 5)])
    with pytest.raises(InvalidInput) as info:
        parse_applicants(data, CTX, max_rows=3)
    assert info.value.code == "import_too_many_rows" and "3" in info.value.message
    with pytest.raises(InvalidInput) as info:
        parse_applicants(applicant_template(CTX), CTX)
    assert info.value.code == "import_empty"


# --- export -------------------------------------------------------------------------------------------------


def test_export_masks_ids_and_keeps_them_text() -> None:
    rows = [
        {
            "姓名": "张三",
            "公民身份号码": "11010519491231002X",
            "学历": "大学本科",
            "笔试成绩": Decimal("85.5"),
        },
        {
            "姓名": "李四",
            "公民身份号码": "150102199001010011",
            "备注": '=HYPERLINK("http://x")',
            "推荐": True,
        },
    ]
    columns = ["姓名", "公民身份号码", "学历", "笔试成绩", "备注", "推荐"]
    ws = load_workbook(BytesIO(applicants_export(iter(rows), columns, mask_ids=True))).active
    assert ws is not None
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert values[0] == columns
    assert values[1][:4] == ["张三", "110105********002X", "大学本科", 85.5]
    assert values[2][1] == "150102********0011" and ws["B3"].data_type == "s"
    assert values[2][4] == '=HYPERLINK("http://x")' and ws["E3"].data_type == "s"  # text, not a formula
    assert values[2][5] == "是"
    plain = load_workbook(BytesIO(applicants_export(rows, columns, mask_ids=False))).active
    assert plain is not None and plain["B2"].value == "11010519491231002X"


def test_mask_id() -> None:
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_id("1234567890") == "**********"


# --- scores -------------------------------------------------------------------------------------------------

KNOWN = {"2025000101": "张三", "2025000102": "李四", "2025000103": "王五", "2025000104": "赵六"}


def scores(values: list[list[Any]], kind: str = "written") -> bytes:
    wb = load_workbook(BytesIO(score_template(kind, [(t, n, "01") for t, n in KNOWN.items()])))  # type: ignore[arg-type]
    ws = wb["成绩"]
    for i, row in enumerate(values, start=2):
        for j, v in enumerate(row, start=1):
            ws.cell(i, j, v)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_score_template_round_trip() -> None:
    data = scores([[None, None, None, 85.5], [None, None, None, ABSENT], [None, None, None, "90"]])
    wb = load_workbook(BytesIO(data))
    assert [c.value for c in wb["成绩"][1]] == ["准考证号", "姓名", "岗位代码", "笔试成绩"]
    assert wb["成绩"]["A2"].value == "2025000101"
    result = parse_scores(data, "written", KNOWN, decimals=2)
    # row 5 (赵六) left blank: an error, never a silent zero
    assert [(e.row, e.code) for e in result.errors] == [(5, "score_missing")]
    assert [(r.ticket, r.score, r.absent) for r in result.rows] == [
        ("2025000101", Decimal("85.5"), False),
        ("2025000102", None, True),
        ("2025000103", Decimal("90"), False),
    ]


def test_score_errors() -> None:
    rows: list[list[Any]] = [
        ["2025000101", "张三", "01", 101],
        ["2025000102", "李五", "01", 80],
        ["2025000103", "王五", "01", 85.125],
        ["2025000109", "钱七", "01", 70],
        ["2025000101", "张三", "01", 60],
        ["2025000104", "赵六", "01", "优秀"],
    ]
    data = sheet(["准考证号", "姓名", "岗位代码", "笔试成绩"], rows, title="成绩")
    result = parse_scores(data, "written", KNOWN, decimals=2)
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (2, "准考证号", "ticket_duplicate"),
        (2, "笔试成绩", "score_out_of_range"),
        (3, "姓名", "name_mismatch"),
        (4, "笔试成绩", "score_too_many_decimals"),
        (5, "准考证号", "ticket_unknown"),
        (6, "准考证号", "ticket_duplicate"),
        (7, "笔试成绩", "score_not_number"),
    ]
    by = {(e.row, e.code): e.message for e in result.errors}
    assert by[(3, "name_mismatch")] == "姓名「李五」与准考证号2025000102的考生「李四」不一致"
    assert "第6行" in by[(2, "ticket_duplicate")] and "第2行" in by[(6, "ticket_duplicate")]
    assert "超过2位" in by[(4, "score_too_many_decimals")]
    assert "score_too_many_decimals" not in {
        e.code for e in parse_scores(data, "written", KNOWN, decimals=3).errors
    }


def test_score_file_of_the_other_kind_is_refused() -> None:
    data = scores([[None, None, None, 80]], kind="interview")
    with pytest.raises(InvalidInput) as info:
        parse_scores(data, "written", KNOWN)
    assert info.value.code == "import_bad_header" and "笔试成绩" in info.value.message


def test_missing_tickets_are_listed() -> None:
    data = sheet(
        ["准考证号", "姓名", "岗位代码", "面试成绩"], [["2025000101", "张三", "01", "88.50"]], "成绩"
    )
    result = parse_scores(data, "interview", KNOWN, decimals=1)
    assert result.ok and result.rows[0].score == Decimal("88.50")
    assert result.missing == ["2025000102", "2025000103", "2025000104"]


def test_an_exact_integer_id_written_by_a_program_is_accepted() -> None:
    """Excel keeps 15 significant digits (a float, refused above); a program may store all 18 as an
    integer, which loses nothing."""
    data = filled([person(1, 公民身份号码="__ID__")])
    buf = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                body = body.replace(b"<si><t>__ID__</t></si>", b"<si><t>unused</t></si>")
            if item.filename == "xl/worksheets/sheet1.xml":
                cells = body.split(b'<c r="B2"', 1)
                _, tail = cells[1].split(b"</c>", 1)
                body = cells[0] + b'<c r="B2" t="n"><v>' + make_id(7).encode() + b"</v></c>" + tail
            dst.writestr(item, body)
    result = parse_applicants(buf.getvalue(), CTX)
    assert result.ok, result.errors
    assert result.rows[0].registration.id_number == make_id(7)


def test_error_report_of_a_report_replaces_its_notes() -> None:
    data = filled([person(1, 学历="初中"), person(2, 手机号码="1")])
    first = error_report(data, parse_applicants(data, CTX).errors)
    wb = load_workbook(BytesIO(first))
    wb["报名信息"]["D2"] = "大学本科"
    out = BytesIO()
    wb.save(out)
    again = out.getvalue()
    second = load_workbook(BytesIO(error_report(again, parse_applicants(again, CTX).errors)))["报名信息"]
    headers = [c.value for c in second[1]]
    assert headers.count(NOTE_COLUMN) == 1
    note_col = headers.index(NOTE_COLUMN) + 1
    assert second.cell(2, note_col).value is None and second["D2"].fill.fill_type is None
    assert "手机号码" in second.cell(3, note_col).value
