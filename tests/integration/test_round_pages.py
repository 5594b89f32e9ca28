"""The recruitment round through HTTP: the staff pages (overview with the funnel, applicant list, export,
import, application page with the reviewer's form), the public pages (announcement, registration, the
applicant's own page) and the JSON API, with the demo organisation on a real database."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from db.repos import recruitment_round as repo
from forms.applicant_excel import SHEET
from forms.application_input import ALL_COLUMNS
from services import identity
from services.recruitment_round import batch
from services.uow import UnitOfWork
from tests.integration.round_support import (
    GetActor,
    approved_plan,
    make_id,
    published_round,
    put_applications,
)

T0 = datetime(2026, 3, 2, 9, 0)
CLOSES = T0 + timedelta(days=10)
Login = Callable[[str], TestClient]
SetClock = Callable[[datetime], None]


def _count(rid: int) -> int:
    with UnitOfWork(readonly=True) as uow:
        return repo.count_applications(uow.session, rid)


def _form(seq: int, **over: Any) -> dict[str, Any]:
    """A valid public registration form (a 30-year-old bachelor from 回民区)."""
    data: dict[str, Any] = {
        "name": "王晓明",
        "id_number": make_id(date(1995, 6, 1), seq=seq),
        "phone": f"139{seq:08d}",
        "education": "bachelor",
        "major": "社会工作",
        "school": "内蒙古大学",
        "household_place": "呼和浩特市回民区",
        "household_code": "150103",
        "post_code": "01",
        "pledge": "on",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def _drain() -> None:
    """Run the queued batch steps, as the Prefect dispatch flow (or `shegong round-batch drain`) does."""
    for batch_id, _ in batch.queued():
        assert batch.run(batch_id).status == "done"


def _token(username: str) -> dict[str, str]:
    with UnitOfWork() as uow:
        user = identity.authenticate(uow.session, username, "demo1234")
        tok = identity.issue_token(uow.session, user.user_id, "test")
        uow.commit()
    return {"Authorization": f"Bearer {tok}"}


def test_officer_sees_funnel_other_county_gets_404(
    actor: GetActor, set_clock: SetClock, login: Login
) -> None:
    set_clock(T0)
    rid = published_round(actor, T0)
    statuses = ["registered", "registered", "qualified", "rejected", "pending_review"]
    put_applications(rid, [{"post_code": "01", "status": s} for s in statuses], now=T0)
    put_applications(rid, [{"post_code": "02", "status": "qualified", "id_number": make_id(date(1990, 1, 1), seq=77)}],
                     now=T0)  # fmt: skip
    c = login("hm_hr")
    r = c.get(f"/rounds/{rid}")
    assert r.status_code == 200, r.text
    html = r.text
    assert 'id="funnel-total">6<' in html  # every application, both posts
    row01 = re.search(r'<tr data-post="01">(.*?)</tr>', html, re.S)
    assert row01 is not None and '<td class="num total">5</td>' in row01.group(1)
    assert 'data-status="registered"><a href="/rounds/' in row01.group(1)
    assert "IM art. 8" in html and "招聘规则及依据" in html  # settings with their articles
    assert 'class="current" data-state="registration"' in html  # the step bar
    assert 'id="close-registration"' in html and "取消招聘" in html  # the officer's step buttons
    assert "stateDiagram-v2" in html and "class registration current" in html
    assert c.get("/rounds").text.count(f'href="/rounds/{rid}"') == 1
    c = login("xc_hr")  # 新城区: another county
    assert c.get(f"/rounds/{rid}").status_code == 404
    assert c.get(f"/rounds/{rid}/applicants").status_code == 404
    assert f'href="/rounds/{rid}"' not in c.get("/rounds").text
    c = login("hm_sw")  # the reviewer sees the round but has no step buttons
    r = c.get(f"/rounds/{rid}")
    assert r.status_code == 200 and 'id="close-registration"' not in r.text
    assert "1 份报名待人工审核" in r.text


def test_round_from_plan_setup_and_step_errors(actor: GetActor, set_clock: SetClock, login: Login) -> None:
    set_clock(T0)
    plan_id = approved_plan(actor)
    c = login("hm_hr")
    assert f'href="/rounds/new?plan_id={plan_id}"' in c.get(f"/plans/{plan_id}").text
    r = c.post(
        "/rounds/new", data={"plan_id": plan_id, "track": "open_exam", "title": ""}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    rid = int(r.headers["location"].split("/rounds/")[1].split("?")[0])
    r = c.post(f"/rounds/{rid}/publish")  # nothing set up yet: every problem named
    assert r.status_code == 422 and "未设置报名时间" in r.text and "未填写公告正文" in r.text
    setup = {"title": "回民区2026年社区工作者招聘", "announcement": "现公开招聘社区工作者。",
             "registration_opens_at": "2026-03-02T09:00", "registration_closes_at": "2026-03-12T09:00",
             "interview_ratio": "3", "written_percent": "60", "interview_percent": "50", "interview_pass_line": "60",
             "decimals_written": "2", "decimals_interview": "2", "decimals_total": "2", "bonus_cap": "5",
             "opening_ratio": "3", "followup_ratio": "1", "notice_days": "7", "notice_unit": "working", "probation_months": "1",
             "contract_term_months": "36", "written_pass_line": "", "name_order": "surname_strokes",
             "vacancy_refill": "next_in_ranking"}  # fmt: skip
    r = c.post(f"/rounds/{rid}/setup", data=setup)
    assert r.status_code == 422 and "权重之和须为100%" in r.text and 'value="60"' in r.text  # kept as typed
    r = c.post(f"/rounds/{rid}/setup", data=setup | {"interview_percent": "40"}, follow_redirects=False)
    assert r.status_code == 303
    html = c.get(f"/rounds/{rid}").text
    assert "公告规定" in html  # the weights changed by the announcement are cited as its own
    assert c.post(f"/rounds/{rid}/publish", follow_redirects=False).status_code == 303
    assert c.get(f"/rounds/{rid}").text.count('id="setup"') == 0  # fixed once published
    r = c.post(f"/rounds/{rid}/cancel", data={"reason": ""})
    assert r.status_code == 422 and "取消招聘的理由" in r.text
    set_clock(CLOSES)
    assert c.post(f"/rounds/{rid}/close-registration", follow_redirects=False).status_code == 303
    r = c.post(f"/rounds/{rid}/advance", data={"expected": "written_exam"}, follow_redirects=False)
    assert r.status_code in (303, 422)  # the next step's checks (registered by other modules) decide
    r = c.post(f"/rounds/{rid}/advance", data={"expected": "hiring"})
    assert r.status_code == 409 and "下一环节是" in r.text


def test_public_register_bad_checksum_writes_nothing(
    actor: GetActor, set_clock: SetClock, client: TestClient
) -> None:
    set_clock(T0)
    rid = published_round(actor, T0)
    client.cookies.clear()
    page = client.get(f"/public/rounds/{rid}")
    assert page.status_code == 200 and "我要报名" in page.text and "IM art. 9" in page.text
    good = _form(1)
    bad = good | {"id_number": good["id_number"][:-1] + ("1" if good["id_number"][-1] != "1" else "2")}
    r = client.post(f"/public/rounds/{rid}/register", data=bad)
    assert r.status_code == 422
    assert "公民身份号码校验码错误" in r.text and 'data-code="application_invalid"' in r.text
    assert f'value="{bad["id_number"]}"' in r.text and 'value="王晓明"' in r.text  # the form is kept
    assert _count(rid) == 0
    r = client.post(f"/public/rounds/{rid}/register", data=good | {"pledge": None, "phone": "12345"})
    assert (
        r.status_code == 422 and "本人承诺" in r.text and "手机号码「12345」" in r.text and _count(rid) == 0
    )
    r = client.post(f"/public/rounds/{rid}/register", data=good)
    assert r.status_code == 200 and "报名成功" in r.text and _count(rid) == 1
    r = client.post(f"/public/rounds/{rid}/register", data=good)
    assert r.status_code == 409 and "每人限报一个岗位" in r.text and _count(rid) == 1
    # the applicant's own page needs ID + phone; a wrong pair says nothing about who applied
    r = client.post(
        f"/public/rounds/{rid}/mine", data={"id_number": good["id_number"], "phone": "13900000999"}
    )
    assert r.status_code == 404 and "请核对身份证号和手机号码" in r.text
    assert client.get(f"/rounds/{rid}", follow_redirects=False).status_code == 303  # staff pages: login


def _sheet(rows: list[dict[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append(list(ALL_COLUMNS))
    for row in rows:
        ws.append([row.get(h) for h in ALL_COLUMNS])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(seq: int, **over: Any) -> dict[str, Any]:
    base = {"姓名": "李华", "公民身份号码": make_id(date(1992, 3, 3), seq=seq), "手机号码": f"137{seq:08d}",
            "学历": "大学本科", "专业": "社会工作", "毕业院校": "内蒙古师范大学", "户籍所在地": "呼和浩特市回民区",
            "报考岗位代码": "01", "已签署承诺": "是"}  # fmt: skip
    return base | over


def test_import_refused_shows_rows_and_offers_report(
    actor: GetActor, set_clock: SetClock, login: Login
) -> None:
    set_clock(T0)
    rid = published_round(actor, T0)
    c = login("hm_hr")
    tpl = c.get(f"/rounds/{rid}/applicants/template.xlsx")
    assert tpl.status_code == 200 and SHEET in load_workbook(BytesIO(tpl.content)).sheetnames
    good = _row(1)
    wrong = _row(
        2, 公民身份号码=good["公民身份号码"][:-1] + ("1" if good["公民身份号码"][-1] != "1" else "2")
    )
    data = _sheet([good, wrong, _row(3, 报考岗位代码="99")])
    files = {"file": ("报名.xlsx", data, "application/octet-stream")}
    r = c.post(f"/rounds/{rid}/import", files=files)
    assert r.status_code == 422, r.text
    assert "全部行均未导入" in r.text and 'id="import-errors"' in r.text
    assert re.search(r'<td class="num">3</td><td>公民身份号码</td>', r.text)
    assert re.search(r'<td class="num">4</td><td>报考岗位代码</td>', r.text)
    m = re.search(r'id="error-report" download="[^"]+" href="data:[^;]+;base64,([^"]+)"', r.text)
    assert m is not None
    report = load_workbook(BytesIO(base64.b64decode(m.group(1))))[SHEET]
    header = [cell.value for cell in report[1]]
    assert "错误说明" in header
    notes = {row[0].row: row[header.index("错误说明")].value for row in report.iter_rows(min_row=2)}
    assert notes[2] is None and "校验码" in str(notes[3]) and notes[4]
    assert _count(rid) == 0
    # the service's own checks: one already registered refuses the file too
    put_applications(
        rid, [{"post_code": "01", "status": "registered", "id_number": good["公民身份号码"]}], now=T0
    )
    r = c.post(f"/rounds/{rid}/import", files={"file": ("a.xlsx", _sheet([good, _row(5)]), "x")})
    assert r.status_code == 422 and "该身份证号已报名本次招聘" in r.text and _count(rid) == 1
    r = c.post(f"/rounds/{rid}/import", files={"file": ("a.xlsx", _sheet([_row(5), _row(6)]), "x")})
    assert r.status_code == 200 and "已导入2人" in r.text and _count(rid) == 3
    r = c.post(f"/rounds/{rid}/import", files={"file": ("a.txt", b"name,id\n", "text/csv")})
    assert r.status_code == 422 and "不是 Excel 工作簿" in r.text
    assert login("hm_sw").post(f"/rounds/{rid}/import", files=files).status_code == 403


def test_export_and_list_mask_ids_for_a_reviewer(actor: GetActor, set_clock: SetClock, login: Login) -> None:
    set_clock(T0)
    rid = published_round(actor, T0)
    number = make_id(date(1991, 7, 7), seq=5)
    put_applications(rid, [{"post_code": "01", "status": "registered", "id_number": number, "name": "赵敏"},
                           {"post_code": "02", "status": "qualified"}], now=T0)  # fmt: skip
    masked = number[:6] + "********" + number[-4:]

    def ids(c: TestClient, query: str = "") -> list[str]:
        r = c.get(f"/rounds/{rid}/applicants.xlsx{query}")
        assert r.status_code == 200
        ws = load_workbook(BytesIO(r.content)).active
        assert ws is not None
        header = [cell.value for cell in ws[1]]
        return [str(row[header.index("公民身份号码")]) for row in ws.iter_rows(min_row=2, values_only=True)]

    reviewer = login("hm_sw")
    assert ids(reviewer, "?status=registered") == [masked]
    html = reviewer.get(f"/rounds/{rid}/applicants").text
    assert masked in html and number not in html and "只有本次招聘组织单位的经办人可以查看完整号码" in html
    app_id = int(re.findall(r'href="/applications/(\d+)">赵敏', html)[0])
    assert number not in reviewer.get(f"/applications/{app_id}").text
    officer = login("hm_hr")
    assert ids(officer, "?status=registered") == [number]
    assert len(ids(officer)) == 2
    assert number in officer.get(f"/rounds/{rid}/applicants?q=赵敏").text
    city = _token("hhht_sw")  # the supervising city sees the round, masked
    body = officer.get(f"/api/v1/rounds/{rid}/applications", headers=city).json()
    assert body["masked"] and masked in [i["id_number"] for i in body["items"]]


def test_reviewer_returns_with_list_and_applicant_sees_it(
    actor: GetActor, set_clock: SetClock, login: Login, client: TestClient
) -> None:
    set_clock(T0)
    rid = published_round(actor, T0)
    client.cookies.clear()
    mine = _form(4, education="senior_secondary", major="", street_recommended="on",
                 relaxation_group="local_party_member")  # fmt: skip
    assert client.post(f"/public/rounds/{rid}/register", data=mine).status_code == 200
    set_clock(CLOSES)
    c = login("hm_hr")
    assert c.post(f"/rounds/{rid}/close-registration", follow_redirects=False).status_code == 303
    r = c.post(f"/rounds/{rid}/batch/screening")
    assert r.status_code == 200 and "已提交批处理「资格初审」" in r.text
    assert 'hx-trigger="every 2s"' in r.text  # the page follows the queued batch
    _drain()  # what the Prefect dispatch flow does
    r = c.get(f"/rounds/{rid}/batches", headers={"HX-Request": "true"})
    assert r.headers.get("HX-Refresh") == "true" and "待人工审核 1" in r.text
    app_id = int(
        re.findall(r"/applications/(\d+)", c.get(f"/rounds/{rid}/applicants?status=pending_review").text)[0]
    )
    c = login("hm_sw")
    page = c.get(f"/applications/{app_id}")
    assert page.status_code == 200 and 'id="review"' in page.text and "IM art. 9" in page.text
    r = c.post(
        f"/applications/{app_id}/review", data={"decision": "return", "opinion": "", "missing": "  \n"}
    )
    assert r.status_code == 422 and "一次性列明" in r.text
    r = c.post(f"/applications/{app_id}/review", follow_redirects=False,
               data={"decision": "return", "opinion": "请补充", "missing": "街道推荐函原件\n党员身份证明\n"})  # fmt: skip
    assert r.status_code == 303
    page = c.get(f"/applications/{app_id}").text
    assert "退回补正" in page and "街道推荐函原件" in page and 'id="review"' not in page
    client.cookies.clear()
    r = client.post(
        f"/public/rounds/{rid}/mine", data={"id_number": mine["id_number"], "phone": mine["phone"]}
    )
    assert r.status_code == 200
    items = re.search(r'id="missing">(.*?)</div>', r.text, re.S)
    assert items is not None and "<li>街道推荐函原件</li><li>党员身份证明</li>" in items.group(1)
    assert "补正并重新提交" in r.text
    auth = {"auth_id_number": mine["id_number"], "auth_phone": mine["phone"]}
    r = client.post(f"/public/rounds/{rid}/mine/edit", data=auth)
    assert r.status_code == 200 and "修改报名信息" in r.text and 'value="呼和浩特市回民区"' in r.text
    r = client.post(
        f"/public/rounds/{rid}/mine/edit", data=mine | auth | {"save": "1", "note": "已补交推荐函"}
    )
    assert r.status_code == 200 and "已补正并重新提交" in r.text
    assert 'data-status="pending_review"' in r.text  # screened again: back with the reviewer
    c = login("hm_sw")
    page = c.get(f"/applications/{app_id}").text
    assert 'value="return"' not in page  # returned once already: pass or fail only
    assert (
        c.post(
            f"/applications/{app_id}/review", data={"decision": "pass"}, follow_redirects=False
        ).status_code
        == 303
    )
    client.cookies.clear()
    r = client.post(f"/public/rounds/{rid}/mine/withdraw", data=auth | {"reason": "另有工作"})
    assert r.status_code == 200 and "已放弃报名" in r.text


def test_json_api(actor: GetActor, set_clock: SetClock, client: TestClient) -> None:
    set_clock(T0)
    plan_id = approved_plan(actor)
    hr, xc = _token("hm_hr"), _token("xc_hr")
    r = client.post("/api/v1/rounds", headers=xc, json={"plan_id": plan_id})
    assert r.status_code == 404
    r = client.post("/api/v1/rounds", headers=hr, json={"plan_id": plan_id})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["status"] == "preparing" and r.json()["actions"] == ["setup", "publish", "cancel"]
    assert any(s["key"] == "interview_ratio" and s["article"] for s in r.json()["settings"])
    assert client.post("/api/v1/rounds", headers=hr, json={"plan_id": plan_id}).status_code == 409
    setup = {"title": "回民区招聘", "announcement": "公告", "registration_opens_at": "2026-03-02T09:00:00",
             "registration_closes_at": "2026-03-12T09:00:00", "settings": {"probation_months": 12}}  # fmt: skip
    r = client.put(f"/api/v1/rounds/{rid}/setup", headers=hr, json=setup)
    assert r.status_code == 422 and r.json()["code"].startswith("probation_over") and r.json()["article"]
    r = client.put(f"/api/v1/rounds/{rid}/setup", headers=hr, json=setup | {"settings": {}})
    assert r.status_code == 200
    assert client.post(f"/api/v1/rounds/{rid}/publish", headers=hr).json()["status"] == "registration"
    assert client.get(f"/api/v1/rounds/{rid}", headers=xc).status_code == 404
    form = _form(9, education="senior_secondary", major="", street_recommended=True,
                 relaxation_group="local_party_member", pledge=True)  # fmt: skip
    r = client.post(f"/api/v1/rounds/{rid}/applications", json=form | {"phone": "1"})
    assert r.status_code == 422 and r.json()["details"]["fields"][0]["field"] == "phone"
    r = client.post(f"/api/v1/rounds/{rid}/applications", json=form)
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    set_clock(CLOSES)
    assert (
        client.post(f"/api/v1/rounds/{rid}/close-registration", headers=hr).json()["status"]
        == "qualification_review"
    )
    r = client.post(f"/api/v1/rounds/{rid}/batches", headers=hr, json={"kind": "screening"})
    assert r.status_code == 202 and r.json()["status"] == "queued"
    again = client.post(f"/api/v1/rounds/{rid}/batches", headers=hr, json={"kind": "screening"})
    assert again.status_code == 409 and again.json()["code"] == "batch_active"
    _drain()
    r = client.get(f"/api/v1/rounds/{rid}/batches/{r.json()['id']}", headers=hr)
    assert r.json()["status"] == "done" and r.json()["summary"]["pending_review"] == 1
    listed = client.get(f"/api/v1/rounds/{rid}/applications?status=pending_review", headers=hr).json()
    assert (
        listed["total"] == 1 and not listed["masked"] and listed["items"][0]["id_number"] == form["id_number"]
    )
    sw = _token("hm_sw")
    assert client.get(f"/api/v1/applications/{app_id}", headers=sw).json()["actions"] == [
        "pass",
        "fail",
        "return",
    ]
    r = client.post(f"/api/v1/applications/{app_id}/review", headers=sw, json={"decision": "return"})
    assert r.status_code == 422 and r.json()["code"] == "missing_list_required"
    r = client.post(f"/api/v1/applications/{app_id}/review", headers=sw,
                    json={"decision": "return", "missing": ["街道推荐函"]})  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "returned" and r.json()["missing"] == ["街道推荐函"]
    r = client.post(f"/api/v1/applications/{app_id}/review", headers=sw, json={"decision": "pass"})
    assert r.status_code == 422 and r.json()["code"] == "not_pending_review"
    r = client.post(f"/api/v1/rounds/{rid}/cancel", headers=hr, json={"reason": "经费未落实"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["actions"] == []
    r = client.post(f"/api/v1/rounds/{rid}/close", headers=hr)
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed"


def test_admit_ticket_printed_by_applicant_and_officer(
    actor: GetActor, set_clock: SetClock, login: Login, client: TestClient
) -> None:
    set_clock(T0)
    rid = published_round(actor, T0)
    number = make_id(date(1993, 5, 5), seq=8)
    [app_id] = put_applications(rid, [{"post_code": "01", "status": "qualified", "id_number": number,
                                       "phone": "13800000008", "name": "孙丽", "admit_ticket": "2026010001"}],
                                now=T0)  # fmt: skip
    auth = {"auth_id_number": number, "auth_phone": "13800000008"}
    client.cookies.clear()
    r = client.post(f"/public/rounds/{rid}/ticket", data=auth)
    assert r.status_code == 422 and "准考证尚未生成" in r.text  # the written exam has not begun
    with UnitOfWork() as uow:  # test set-up: the round as if it had entered the written exam
        rnd = repo.get_round(uow.session, rid)
        assert rnd is not None
        rnd.status = "written_exam"
        uow.commit()
    mine = client.post(f"/public/rounds/{rid}/mine", data={"id_number": number, "phone": "13800000008"})
    assert 'id="ticket"' in mine.text
    r = client.post(f"/public/rounds/{rid}/ticket", data=auth)
    assert r.status_code == 200 and 'id="ticket-no">2026010001<' in r.text and "@media print" not in r.text
    assert (
        client.post(f"/public/rounds/{rid}/ticket", data=auth | {"auth_phone": "13800000009"}).status_code
        == 404
    )
    officer = login("hm_hr")
    assert f'href="/applications/{app_id}/ticket"' in officer.get(f"/applications/{app_id}").text
    r = officer.get(f"/applications/{app_id}/ticket")
    assert r.status_code == 200 and number in r.text
    assert login("hm_sw").get(f"/applications/{app_id}/ticket").status_code == 403


def test_public_notice_shows_what_a_paper_notice_shows(
    actor: GetActor, set_clock: SetClock, client: TestClient
) -> None:
    set_clock(T0)
    rid = published_round(actor, T0)
    client.cookies.clear()
    r = client.get(f"/public/rounds/{rid}/notice")
    assert r.status_code == 200 and 'id="no-notice"' in r.text
    rows = [
        {
            "post_code": "01",
            "status": "proposed",
            "name": "王芳",
            "total_score": 85.5,
            "rank": 1,
            "sex": "female",
        },
        {"post_code": "02", "status": "proposed", "name": "刘强", "total_score": 82.25, "rank": 1},
        {"post_code": "01", "status": "reserve", "name": "候补人", "total_score": 80, "rank": 2},
    ]
    put_applications(rid, rows, now=T0)
    with UnitOfWork() as uow:  # test set-up: the round as if its notice had been published
        rnd = repo.get_round(uow.session, rid)
        assert rnd is not None
        rnd.status, rnd.notice_published_at = "public_notice", CLOSES
        rnd.notice_closes_at = CLOSES + timedelta(days=8)
        uow.commit()
    r = client.get(f"/public/rounds/{rid}/notice")
    assert r.status_code == 200
    table = re.search(r'<table class="notice-table" id="notice-list">(.*?)</table>', r.text, re.S)
    assert table is not None
    assert "王芳" in table.group(1) and "刘强" in table.group(1) and "候补人" not in table.group(1)
    assert "<td>85.50</td>" in table.group(1) and "<th>总成绩</th>" in table.group(1)
    assert "1995" in table.group(1) and "138" not in table.group(1)  # birth month, never a phone
    assert not re.search(r"\d{6}\*+|\d{17}[\dX]", r.text)  # no ID number, not even masked
    assert "拟聘用人员名单公示" in r.text and "@media print" not in r.text
    assert f'href="/public/rounds/{rid}/notice"' in client.get(f"/public/rounds/{rid}").text
