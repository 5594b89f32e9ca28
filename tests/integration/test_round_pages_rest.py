"""Regressions found by the browser run of a round's later steps (tests/e2e/test_browser_round_rest.py),
through HTTP: the public notice page takes a real-name objection during the period (and cites every rule
of the period, in the organising department's name); the objection's reviewer may be the department
above when its control is offered; histories and batch results read in Chinese; the public announcement
lists the refills; scores shown with the round's decimals on the ties and the hiring desk."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from fastapi.testclient import TestClient

from api.routes.rounds_pages import summary_text
from db.repos import recruitment_round as repo
from services.recruitment_round import objection
from services.uow import UnitOfWork
from tests.integration.followup_support import app, put_round_in, run, setup_round, to_notice
from tests.integration.round_support import GetActor

Login = Callable[[str], TestClient]
SetClock = Callable[[datetime], None]
NOTICE_OPEN = datetime(2026, 10, 9, 15, 0)  # inside the notice published on 29 September


def _form(html: str) -> str:
    found = re.search(r'<form[^>]*id="objection".*?</form>', html, re.S)
    return found.group(0) if found else ""


def test_objection_filed_on_the_public_notice_page_freezes_only_that_candidate(
    actor: GetActor, set_clock: SetClock, client: TestClient, login: Login
) -> None:
    rid, ids = to_notice(actor, set_clock)
    set_clock(NOTICE_OPEN)
    client.cookies.clear()  # nobody logged in
    page = client.get(f"/public/rounds/{rid}/notice")
    form = _form(page.text)
    assert page.status_code == 200 and f'value="{ids["王芳"]}"' in form and f'value="{ids["丁一"]}"' in form
    assert "可实名向回民区委社会工作部反映" in page.text  # the organising department, not the district
    assert "公务员法 art. 32" in page.text  # the 5-working-day floor's article, with the 7 days'
    url = f"/public/rounds/{rid}/notice/objection"
    typed = {"application_id": str(ids["王芳"]), "objector_name": " ", "contact": "13800001234",
             "facts": "反映其在原单位工作期间受过处分"}  # fmt: skip
    r = client.post(url, data=typed)
    assert r.status_code == 422 and "异议须实名提出" in r.text
    assert '<div class="field-error" data-field="objector_name">请填写反映人姓名</div>' in r.text
    assert "反映其在原单位工作期间受过处分</textarea>" in r.text  # the form kept as typed
    assert app(ids["王芳"]).status == "proposed"  # nothing written
    assert (
        client.post(url, data={**typed, "objector_name": "刘群众", "application_id": ""}).status_code == 422
    )
    assert (
        client.post(url, data={**typed, "objector_name": "刘群众", "application_id": "999999"}).status_code
        == 404
    )
    r = client.post(url, data={**typed, "objector_name": "刘群众"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/notice?filed=1#objection")
    assert "已收到您的实名反映" in client.get(r.headers["location"]).text
    assert (app(ids["王芳"]).status, app(ids["丁一"]).status) == ("frozen", "proposed")
    with UnitOfWork(readonly=True) as uow:
        (obj,) = repo.objections_of(uow.session, ids["王芳"])
    assert (obj.objector_name, obj.objector_contact, obj.received_by_id) == ("刘群众", "13800001234", None)
    # the officer sees how it came; the reviewer decides it as any other
    officer = login("hm_hr").get(f"/applications/{ids['王芳']}").text
    assert "在公示页面实名提交，反映人 刘群众（13800001234）" in officer
    run(objection.resolve_objection, actor("hm_sw"), obj.id, False, "经核实，该处分已撤销")
    assert app(ids["王芳"]).status == "proposed"
    # after the period the form is gone, and a late objection is refused with the article
    set_clock(datetime(2026, 10, 13, 0, 0))
    client.cookies.clear()
    assert _form(client.get(f"/public/rounds/{rid}/notice").text) == ""
    late = client.post(url, data={**typed, "objector_name": "刘群众", "application_id": str(ids["丁一"])})
    assert (
        late.status_code == 422
        and "异议须在公示期内提出" in late.text
        and app(ids["丁一"]).status == "proposed"
    )


def test_the_department_above_may_resolve_an_objection_on_the_page(
    actor: GetActor, set_clock: SetClock, login: Login
) -> None:
    """The service lets an approver of the supervising department decide (when every approver of the
    organiser must recuse); the page offered the control only to the organiser's approvers."""
    _, ids = to_notice(actor, set_clock)
    set_clock(NOTICE_OPEN)
    obj = run(
        objection.file_objection, actor("hm_hr"), ids["丁一"], "钱群众", "13800004321", "反映其学历存疑"
    )
    action = f"/applications/{ids['丁一']}/objections/{obj.id}"
    assert action in login("hhht_sw").get(f"/applications/{ids['丁一']}").text
    assert action in login("hm_sw").get(f"/applications/{ids['丁一']}").text
    assert action not in login("hm_org").get(f"/applications/{ids['丁一']}").text  # no reviewer of the round
    r = login("hhht_sw").post(action, data={"upheld": "no", "opinion": "经核实，学历证书真实有效"})
    assert r.status_code == 200 and "异议不成立" in r.text and app(ids["丁一"]).status == "proposed"


def test_histories_and_batch_results_read_in_chinese(
    actor: GetActor, set_clock: SetClock, login: Login
) -> None:
    rid, ids = setup_round(actor, set_clock, status="physical_exam")
    c = login("hm_hr")
    c.post(f"/applications/{ids['王芳']}/follow-up/physical", data={"passed": "fail", "note": "血压偏高"})
    c.post(f"/applications/{ids['王芳']}/follow-up/retest-request", data={"note": "本人申请复检"})
    html = c.post(f"/applications/{ids['王芳']}/follow-up/retest", data={"passed": "pass"}).text
    assert all(f"<td>{label}</td>" in html for label in ("录入体检结论", "申请复检", "录入复检结论"))
    assert not re.search(r"<td>(physical_exam|request_retest|retest)</td>", html)
    c.post(f"/applications/{ids['丁一']}/withdraw", data={"reason": "本人书面申请放弃"})
    page = c.get(f"/rounds/{rid}").text
    assert "<td>递补</td>" in page and "<td>refill</td>" not in page and "由马丽(岗位排名第2名)递补" in page
    public = re.search(
        r'<table class="small" id="changes">.*?</table>', c.get(f"/public/rounds/{rid}").text, re.S
    )
    assert public is not None and "02岗位丁一放弃，由马丽(岗位排名第2名)递补" in public.group(0)
    assert summary_text({"shortlisted": 0, "tied_in": 0, "undecided_posts": {"01": [6, 7]}}) == (
        "进入面试 0，末位同分进入 0，待定岗位 01（2人）"
    )
    assert summary_text({"selected": 2, "unresolved_posts": {}, "opened": []}) == "体检考察 2"
    assert summary_text({"proposed": 2, "notice_closes_at": "2026-10-13T00:00:00"}) == (
        "拟聘用(公示中) 2，公示期至 2026-10-12"
    )


def test_scores_shown_with_the_rounds_decimals(actor: GetActor, set_clock: SetClock, login: Login) -> None:
    """The tie table on the scores page and the street's hiring desk showed the stored Decimal (80.000)."""
    tied = {"status": "shortlisted", "written_score": Decimal("80"), "interview_score": Decimal("75"),
            "total_score": Decimal("77.5")}  # fmt: skip
    # post 01's one place: three shortlisted candidates equal on the total and every tie-break
    rid, _ = setup_round(actor, set_clock, status="interview", 王芳=tied, 李明=tied, 赵强=tied)
    html = login("hm_hr").get(f"/rounds/{rid}/scores").text
    ties = html[html.index('id="ties"') :]
    assert "80.000" not in ties and "75.000" not in ties
    assert re.search(r'<td class="num">80\.0</td><td class="num">75\.0</td>', ties), ties[:3000]
    # the hiring desk: the round's total decimals and the post's community
    rid2, ids2 = to_notice(actor, set_clock)  # 王芳's total is 88.5
    set_clock(datetime(2026, 10, 13, 0, 0))
    put_round_in(rid2, "hiring")
    desk = login("xhxl_hr").get("/hires").text + login("gml_hr").get("/hires").text
    assert "88.50" in desk and "88.500" not in desk
    with UnitOfWork(readonly=True) as uow:
        community = repo.post_places(uow.session, rid2)[app(ids2["王芳"]).post_id][1]
    assert community and community in desk
