"""Supplementary announcements (补充公告) through HTTP: the officer's form on the round page (preview, then
publish exactly what was previewed; a refusal in place with its article, nothing written), the public
announcement with the amendments and the amended values marked, and the JSON API."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import unquote

from fastapi.testclient import TestClient

from db.repos import round_amendments as amendment_repo
from services.recruitment_round import rounds
from services.uow import UnitOfWork
from tests.integration.round_support import GetActor, published_round

T0 = datetime(2026, 3, 2, 9, 0)
Login = Callable[[str], TestClient]
SetClock = Callable[[datetime], None]


def _amendments(rid: int) -> list[int]:
    with UnitOfWork(readonly=True) as uow:
        return [a.number for a in amendment_repo.of_round(uow.session, rid)]


def _hidden(html: str) -> dict[str, str]:
    """The confirm form's hidden fields (what 确认发布 sends)."""
    box = html[html.index('id="amendment-preview-box"') :]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', box))


def test_preview_then_publish_and_the_public_page_marks_it(
    actor: GetActor, set_clock: SetClock, login: Login
) -> None:
    set_clock(T0)
    rid = published_round(actor, T0)
    c = login("hm_hr")
    page = c.get(f"/rounds/{rid}")
    assert page.status_code == 200 and 'id="amendment-form"' in page.text
    assert 'name="registration_closes_at" value="2026-03-12T09:00"' in page.text
    form = {"registration_closes_at": "2026-03-19T17:00", "written_exam.at": "2026-03-28T09:00",
            "written_exam.place": "回民区第一中学", "post.01.title": "社区专职工作人员（网格）",
            "reason": "报名人数未达开考比例", "body": "咨询电话：0471-0000000。"}  # fmt: skip
    r = c.post(f"/rounds/{rid}/amendments/preview", data=form)
    assert r.status_code == 200 and 'id="amendment-preview-box"' in r.text
    assert "确认发布第1号补充公告" in r.text and "2026-03-19 17:00" in r.text
    assert 'data-key="post.01.title"' in r.text and _amendments(rid) == []  # a preview writes nothing
    confirm = _hidden(r.text)
    assert confirm["expected_number"] == "1" and "post.02.title" not in confirm  # only what changes
    r = c.post(f"/rounds/{rid}/amendments/publish", data=confirm, follow_redirects=False)
    assert r.status_code == 303 and "第1号补充公告" in unquote(r.headers["location"])
    assert _amendments(rid) == [1]
    page = c.get(f"/rounds/{rid}")
    assert 'id="amendment-1"' in page.text and "报名人数未达开考比例" in page.text
    assert "发布补充公告" in page.text  # the history names the action
    # the public announcement: the amendment, the amended values marked, the exam arrangements
    c.cookies.clear()
    pub = c.get(f"/public/rounds/{rid}")
    assert pub.status_code == 200
    assert "第1号补充公告" in pub.text and "咨询电话：0471-0000000。" in pub.text
    assert "2026-03-19 17:00" in pub.text and 'data-amended="registration_closes_at"' in pub.text
    assert 'data-amended="post.01.title"' in pub.text and "社区专职工作人员（网格）" in pub.text
    assert 'id="arrangements"' in pub.text and "回民区第一中学" in pub.text
    # the stale confirm (第1号 was published since) is refused, nothing written
    r = login("hm_hr").post(f"/rounds/{rid}/amendments/publish", data=confirm)
    assert r.status_code == 409 and "请重新预览" in r.text and _amendments(rid) == [1]


def test_refusal_shown_in_place_with_the_article(actor: GetActor, set_clock: SetClock, login: Login) -> None:
    set_clock(T0)
    rid = published_round(actor, T0)
    c = login("hm_hr")
    form = {"registration_closes_at": "2026-03-10T09:00", "reason": "调整"}
    for path in ("preview", "publish"):
        r = c.post(f"/rounds/{rid}/amendments/{path}", data=form)
        assert r.status_code == 422
        card = r.text[r.text.index('id="amendments"') :]
        assert 'data-code="registration_shortened"' in card and "不得缩短" in card
        assert "依据：招聘公告通行做法" in card
        assert 'data-error-for="registration_closes_at"' in card
        assert 'value="2026-03-10T09:00"' in card  # what was typed stays in the form
    assert _amendments(rid) == []
    with UnitOfWork(readonly=True) as uow:
        assert rounds.load(uow, rid).registration_closes_at == T0 + timedelta(days=10)
    # a browser sends CRLF line ends: an unchanged multi-line text is not a change
    r = c.post(
        f"/rounds/{rid}/amendments/publish",
        data={"announcement": "第一行\n第二行", "reason": "更正"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and _amendments(rid) == [1]
    r = c.post(
        f"/rounds/{rid}/amendments/preview",
        data={
            "announcement": "第一行\r\n第二行",
            "registration_closes_at": "2026-03-13T09:00",
            "reason": "延期",
        },
    )
    assert r.status_code == 200 and 'data-key="announcement"' not in r.text
    assert 'data-key="registration_closes_at"' in r.text


def test_not_the_officer(actor: GetActor, set_clock: SetClock, login: Login) -> None:
    set_clock(T0)
    rid = published_round(actor, T0)
    c = login("hm_sw")  # an approver of the organising department sees the round, not the form
    page = c.get(f"/rounds/{rid}")
    assert page.status_code == 200 and 'id="amendments"' in page.text
    assert 'id="amendment-form"' not in page.text
    r = c.post(f"/rounds/{rid}/amendments/publish", data={"body": "补充说明", "reason": "说明"})
    assert r.status_code == 403 and 'data-code="not_round_officer"' in r.text
    assert _amendments(rid) == []


def test_json_api(actor: GetActor, set_clock: SetClock, client: TestClient, login: Login) -> None:
    set_clock(T0)
    rid = published_round(actor, T0)
    c = login("hm_hr")
    url = f"/api/v1/rounds/{rid}/amendments"
    body = {"reason": "延长报名", "changes": {"registration_closes_at": "2026-03-16T09:00"}}
    r = c.post(f"{url}/preview", json=body)
    assert r.status_code == 200 and r.json()["number"] == 1 and r.json()["id"] is None
    r = c.post(url, json={**body, "expected_number": 1})
    assert r.status_code == 201
    out = r.json()
    assert out["changes"] == [{"key": "registration_closes_at", "label": "报名截止时间",
                               "old": "2026-03-12T09:00", "new": "2026-03-16T09:00"}]  # fmt: skip
    assert "招聘公告通行做法" in out["article"]
    r = c.post(url, json={"reason": "改比例", "changes": {"interview_ratio": 5, "written_pass_line": 60}})
    assert r.status_code == 422
    err = r.json()
    assert err["code"] == "amendment_refused" and len(err["details"]["problems"]) == 2
    assert all(p["article"] == "人社部(2017)" for p in err["details"]["problems"])
    r = c.get(url)
    assert r.status_code == 200
    listing = r.json()
    assert [a["number"] for a in listing["amendments"]] == [1]
    assert listing["marks"] == {"registration_closes_at": 1} and listing["may_change"]["registration"]
    assert login("xc_hr").get(url).status_code == 404
    assert login("hm_sw").post(url, json=body).status_code == 403
