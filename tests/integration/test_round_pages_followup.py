"""The round's later pages through HTTP: score import by Excel on the scores page (whole sheet or nothing,
row errors and the report), the physical exam, re-test and investigation on the application page, and a
real-name objection during the public notice decided by a reviewer."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from io import BytesIO

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.integration.followup_support import T0, app, put_round_in, setup_round, to_notice
from tests.integration.round_support import GetActor, published_round, put_applications

Login = Callable[[str], TestClient]
SetClock = Callable[[datetime], None]


def _filled(template: bytes, scores: dict[str, object]) -> bytes:
    wb = load_workbook(BytesIO(template))
    ws = wb["成绩"]
    for row in ws.iter_rows(min_row=2):
        ticket = str(row[0].value)
        if ticket in scores:
            row[3].value = scores[ticket]
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_written_scores_imported_whole_or_not_at_all(
    actor: GetActor, set_clock: SetClock, login: Login
) -> None:
    set_clock(T0)
    rid = published_round(actor, T0)
    rows = [{"post_code": "01", "status": "qualified", "name": n, "admit_ticket": f"2026{i:06d}"}
            for i, n in enumerate(("周一", "吴二", "郑三"), start=1)]  # fmt: skip
    ids = put_applications(rid, rows, now=T0)
    put_round_in(rid, "written_exam")
    c = login("hm_hr")
    page = c.get(f"/rounds/{rid}")
    assert 'id="scores"' in page.text
    r = c.get(f"/rounds/{rid}/scores")
    assert r.status_code == 200 and "导入笔试成绩" in r.text
    tpl = c.get(f"/rounds/{rid}/scores/written/template.xlsx")
    assert tpl.status_code == 200
    bad = _filled(tpl.content, {"2026000001": 88.5, "2026000002": 150, "2026000003": "缺考"})
    r = c.post(f"/rounds/{rid}/scores/written", files={"file": ("s.xlsx", bad, "x")})
    assert r.status_code == 422 and "笔试成绩未导入" in r.text and 'id="error-report"' in r.text
    assert re.search(r'<td class="num">3</td><td>笔试成绩</td><td>150</td>', r.text)
    assert app(ids[0]).written_score is None  # nothing imported
    good = _filled(tpl.content, {"2026000001": 88.5, "2026000002": 79, "2026000003": "缺考"})
    r = c.post(f"/rounds/{rid}/scores/written", files={"file": ("s.xlsx", good, "x")})
    assert r.status_code == 200 and "已导入笔试成绩3人（缺考1人）" in r.text
    assert float(app(ids[0]).written_score) == 88.5 and app(ids[2]).written_absent
    detail = c.get(f"/applications/{ids[0]}").text
    assert "88.50" in detail or "88.5" in detail
    assert c.post(f"/rounds/{rid}/scores/essay", files={"file": ("s.xlsx", good, "x")}).status_code == 422
    assert login("hm_sw").get(f"/rounds/{rid}/scores").status_code == 403


def test_physical_retest_and_investigation_on_the_application_page(
    actor: GetActor, set_clock: SetClock, login: Login
) -> None:
    rid, ids = setup_round(actor, set_clock, status="physical_exam")
    c = login("hm_hr")
    wang = ids["王芳"]
    html = c.get(f"/applications/{wang}").text
    assert 'id="fu-physical"' in html and 'id="fu-investigation"' not in html
    r = c.post(f"/applications/{wang}/follow-up/physical", data={"passed": "fail", "note": "血压偏高"})
    assert r.status_code == 200 and "已录入体检结论" in r.text and 'id="fu-retest-request"' in r.text
    c.post(f"/applications/{wang}/follow-up/retest-request", data={"note": "本人申请复检"})
    r = c.post(f"/applications/{wang}/follow-up/retest", data={"passed": "pass"})
    assert r.status_code == 200 and "复检合格" in r.text
    put_round_in(rid, "investigation")
    r = c.post(f"/applications/{wang}/follow-up/investigation", data={"passed": "pass", "note": ""})
    assert r.status_code == 422 and "考察情况" in r.text
    r = c.post(f"/applications/{wang}/follow-up/investigation", data={"passed": "pass", "note": "政治素质好"})
    assert r.status_code == 200 and "考察</dt><dd>合格：政治素质好" in r.text
    r = c.post(f"/applications/{ids['李明']}/follow-up/physical", data={"passed": "pass"})
    assert r.status_code == 409 and "不在体检人选中" in r.text  # in reserve
    assert (
        login("hm_sw").post(f"/applications/{wang}/follow-up/physical", data={"passed": "pass"}).status_code
        == 403
    )


def test_objection_during_notice_decided_by_a_reviewer(
    actor: GetActor, set_clock: SetClock, login: Login
) -> None:
    rid, ids = to_notice(actor, set_clock)
    wang = ids["王芳"]
    c = login("hm_hr")
    html = c.get(f"/applications/{wang}").text
    assert 'id="fu-objection"' in html and 'id="fu-decline"' in html
    form = {"objector_name": "张三", "contact": "13800001111", "note": "反映该人员存在违规兼职情况"}
    r = c.post(f"/applications/{wang}/follow-up/objection", data=form)
    assert r.status_code == 200 and "已受理异议" in r.text and app(wang).status == "frozen"
    obj_id = int(
        re.findall(r"/applications/\d+/objections/(\d+)", login("hm_sw").get(f"/applications/{wang}").text)[0]
    )
    c = login("hm_sw")
    r = c.post(f"/applications/{wang}/objections/{obj_id}", data={"upheld": "no", "opinion": ""})
    assert r.status_code == 422
    r = c.post(
        f"/applications/{wang}/objections/{obj_id}",
        data={"upheld": "no", "opinion": "经核查，兼职已于公示前辞去"},
    )
    assert r.status_code == 200 and "异议不成立" in r.text and app(wang).status == "proposed"
    assert 'data-status="dismissed"' in r.text
    assert rid
