"""Three of the round's JSON endpoints that had no HTTP test of their own, on both databases: a proposed
hire's decline (放弃聘用), a surplus candidate returned to the reserve, and an objection upheld (异议成立).
The state is built through the services (as test_round_followup and test_round_surplus do); only the
endpoint under test is called over HTTP, with bearer tokens. Each success is checked in the answer and in
the database (statuses, the refill, the audit rows); each refusal by its status, code and Chinese message,
and by nothing written: the round's applications, objections and the whole audit trail unchanged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.routes.rounds_api_apps import ApplicationOut
from db.models.audit import AuditEntry
from db.repos import recruitment_round as repo
from services import audit, org, timers
from services.recruitment_round import objection, registration
from services.uow import UnitOfWork
from tests.integration.followup_support import PASSED, Clock, app, round_actions, run, setup_round, to_notice
from tests.integration.round_support import GetActor
from tests.integration.test_hires_pages import STREET_USERS
from tests.integration.test_plan_http import token_for

AFTER_NOTICE = datetime(2026, 10, 14, 9, 0)  # the notice published on 29 September is over: hiring
NOTICE_OPEN = datetime(2026, 10, 9, 15, 0)  # inside that notice


class Api:
    """POST to /api/v1 as a demo user with a bearer token (one per user); answers (status, JSON body)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.tokens: dict[str, dict[str, str]] = {}

    def issue(self, *users: str) -> None:
        """Issue the users' tokens now, before a snapshot is taken (a token is a row of its own)."""
        for u in users:
            if u not in self.tokens:
                self.tokens[u] = token_for(u)

    def __call__(self, path: str, user: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.issue(user)
        r = self.client.post(f"/api/v1{path}", headers=self.tokens[user], json=body)
        return r.status_code, r.json()


@pytest.fixture
def call(client: TestClient) -> Api:
    return Api(client)


def snapshot(rid: int) -> dict[str, Any]:
    """Everything the three endpoints could write: the round, its applications and objections, the trail."""
    with UnitOfWork(readonly=True) as uow:
        s = uow.session
        apps = repo.applications(s, rid)
        return {
            "round": [(e.seq, e.action) for e in audit.history(s, "recruitment_round", rid)],
            "apps": {a.id: (a.status, a.refill_for_id, a.version) for a in apps},
            "histories": {a.id: len(audit.history(s, "application", a.id)) for a in apps},
            "objections": [
                (o.id, o.status, o.opinion, o.resolved_by_id) for o in repo.objections_of_round(s, rid)
            ],
            "audit_rows": s.scalar(select(func.count()).select_from(AuditEntry)),
        }


def last_entry(app_id: int) -> AuditEntry:
    with UnitOfWork(readonly=True) as uow:
        return audit.history(uow.session, "application", app_id)[-1]


def refused(answer: tuple[int, dict[str, Any]], status: int, code: str, message: str) -> None:
    got, body = answer
    assert (got, body.get("code"), body.get("message")) == (status, code, message), body


def user_id(actor: GetActor, username: str) -> int:
    return actor(username).user_id


def street_user(app_id: int) -> str:
    """The demo HR officer of the street office that signs this application's contract."""
    with UnitOfWork(readonly=True) as uow:
        post = repo.post(uow.session, app(app_id).post_id)
        assert post is not None and post.street_id is not None
        return STREET_USERS[org.get_jurisdiction(uow.session, post.street_id).code]


def desk_rows(call: Api, user: str) -> list[dict[str, Any]]:
    """The proposed hires on the user's hiring desk (GET /api/v1/hires)."""
    call.issue(user)
    r = call.client.get("/api/v1/hires", headers=call.tokens[user])
    assert r.status_code == 200, r.text
    rows: list[dict[str, Any]] = r.json()["to_sign"]
    return rows


# -- 1. POST /applications/{id}/decline -----------------------------------------------------------


def test_a_proposed_hire_declines_through_the_api_and_the_next_in_ranking_is_refilled(
    actor: GetActor, set_clock: Clock, call: Api
) -> None:
    rid, ids = to_notice(actor, set_clock)
    set_clock(AFTER_NOTICE)
    timers.sweep(worker_id="t")  # the notice's timer: the round is in hiring, 王芳 and 丁一 proposed
    wang, li = ids["王芳"], ids["李明"]
    assert (app(wang).status, app(li).status) == ("proposed", "reserve")
    call.issue("hm_hr", "hm_sw", "xc_hr")
    before = snapshot(rid)
    url = f"/applications/{wang}/decline"

    # an approver of the county (sees the round, is no officer of it nor the post's street)
    refused(call(url, "hm_sw", {"reason": "本人放弃"}), 403, "not_round_officer",
            "只有招聘经办人或岗位所在街道可以登记放弃聘用")  # fmt: skip
    # another county's officer does not learn that the application exists
    refused(call(url, "xc_hr", {"reason": "本人放弃"}), 404, "application_not_found", f"报名 {wang} 不存在")
    # the reason is required
    refused(call(url, "hm_hr", {"reason": "  "}), 422, "reason_required", "请填写放弃聘用的情况说明")
    # a candidate in the reserve holds no place to decline
    refused(call(f"/applications/{li}/decline", "hm_hr", {"reason": "本人放弃"}), 409,
            "transition_not_allowed", "报名当前为「递补人选」，不能执行「放弃聘用」")  # fmt: skip
    assert snapshot(rid) == before

    code, body = call(url, "hm_hr", {"reason": "本人已考取公务员，书面申请放弃聘用"})
    assert code == 200, body
    assert set(body) == set(ApplicationOut.model_fields)  # the officer: the full application, as before
    assert (body["id"], body["round_id"], body["name"]) == (wang, rid, "王芳")
    assert (body["status"], body["status_label"]) == ("not_hired", "不予聘用")
    # the database: 王芳 not hired, 李明 (2nd of post 01) fills the place; 丁一 untouched
    assert app(wang).status == "not_hired"
    assert (app(li).status, app(li).refill_for_id) == ("selected", wang)
    assert app(ids["丁一"]).status == "proposed" and app(ids["赵强"]).status == "reserve"
    entry = last_entry(wang)
    assert (entry.action, entry.from_state, entry.to_state) == ("decline", "proposed", "not_hired")
    assert (entry.opinion, entry.article, entry.actor_id) == (
        "本人已考取公务员，书面申请放弃聘用", "IM art. 12", user_id(actor, "hm_hr"),
    )  # fmt: skip
    refill = last_entry(li)
    assert (refill.action, refill.from_state, refill.to_state) == ("refill", "reserve", "selected")
    assert refill.data == {"vacated": wang}
    assert round_actions(rid)[-1] == "refill"
    with UnitOfWork(readonly=True) as uow:
        text = audit.history(uow.session, "recruitment_round", rid)[-1].opinion
    assert text == "01岗位王芳放弃聘用，由李明(岗位排名第2名)递补"

    # declining twice: refused, nothing more written
    after = snapshot(rid)
    refused(call(url, "hm_hr", {"reason": "再次放弃"}), 409, "transition_not_allowed",
            "报名当前为「不予聘用」，不能执行「放弃聘用」")  # fmt: skip
    assert snapshot(rid) == after


def test_the_posts_street_office_records_a_decline_and_gets_only_what_its_desk_shows(
    actor: GetActor, set_clock: Clock, call: Api
) -> None:
    """hire.decline lets the street that signs the contract record a decline, as the round's officer may.
    The street does not oversee the county's round, so it is not answered with the full application
    (screening reasons, flags, scores) but with what its hiring desk shows of the candidate, and who moved
    up into the place. (Once answered 404 round_not_found after the decline was written.)"""
    _, ids = to_notice(actor, set_clock)
    set_clock(AFTER_NOTICE)
    timers.sweep(worker_id="t")
    wang, li, ding = ids["王芳"], ids["李明"], ids["丁一"]
    assert street_user(wang) == "xhxl_hr"  # the demo street office of 王芳's post
    desk = {row["application_id"]: row["post"] for row in desk_rows(call, "xhxl_hr")}
    code, body = call(f"/applications/{wang}/decline", "xhxl_hr", {"reason": "本人书面申请放弃聘用"})
    assert code == 200, body
    assert body == {
        "id": wang,
        "name": "王芳",
        "post": desk[wang],
        "status": "not_hired",
        "status_label": "不予聘用",
        "refilled_by": {"id": li, "name": "李明"},
    }
    assert desk[wang] == "01 公园西路社区 社区专职工作人员"  # post code, community, title
    assert app(wang).status == "not_hired"
    assert last_entry(wang).actor_id == user_id(actor, "xhxl_hr")
    assert (app(li).status, app(li).refill_for_id) == ("selected", wang)
    assert wang not in {row["application_id"] for row in desk_rows(call, "xhxl_hr")}
    # a retry is refused as for the officer (the decline is recorded once)
    refused(call(f"/applications/{wang}/decline", "xhxl_hr", {"reason": "再次放弃"}), 409,
            "transition_not_allowed", "报名当前为「不予聘用」，不能执行「放弃聘用」")  # fmt: skip

    # nobody left to move up (post 02's only reserve, 马丽, gave up first): the answer says so
    run(registration.withdraw_by_officer, actor("hm_hr"), ids["马丽"], "本人放弃")
    street = street_user(ding)
    desk = {row["application_id"]: row["post"] for row in desk_rows(call, street)}
    code, body = call(f"/applications/{ding}/decline", street, {"reason": "本人书面申请放弃聘用"})
    assert code == 200, body
    assert body == {
        "id": ding,
        "name": "丁一",
        "post": desk[ding],
        "status": "not_hired",
        "status_label": "不予聘用",
        "refilled_by": None,
    }
    assert app(ding).status == "not_hired" and last_entry(ding).actor_id == user_id(actor, street)


# -- 2. POST /applications/{id}/return-to-reserve -------------------------------------------------


def test_a_surplus_candidate_is_returned_to_the_reserve_through_the_api(
    actor: GetActor, set_clock: Clock, call: Api
) -> None:
    # post 01 (one place): 王芳 and 李明 both passed the physical exam and the investigation
    both = {"status": "selected", **PASSED}
    rid, ids = setup_round(actor, set_clock, status="investigation", 王芳=PASSED, 丁一=PASSED, 李明=both)
    wang, li, zhao = ids["王芳"], ids["李明"], ids["赵强"]
    call.issue("hm_hr", "hm_sw", "xc_hr")
    before = snapshot(rid)
    url = f"/applications/{li}/return-to-reserve"
    opinion = {"opinion": "01岗位招聘1名，李明排名第二，退回递补名单"}

    refused(call(url, "hm_sw", opinion), 403, "not_round_officer", "只有组织本次招聘的经办人可以执行此操作")
    refused(call(url, "xc_hr", opinion), 404, "round_not_found", f"招聘 {rid} 不存在")
    refused(call(url, "hm_hr", {"opinion": " "}), 422, "reason_required", "请填写退回递补名单的理由")
    # a candidate already in the reserve: nothing to return
    refused(call(f"/applications/{zhao}/return-to-reserve", "hm_hr", opinion), 422, "no_surplus",
            "01岗位体检考察人选未多于招聘人数1名，不能退回递补名单")  # fmt: skip
    assert snapshot(rid) == before

    code, body = call(url, "hm_hr", opinion)
    assert code == 200, body
    assert (body["id"], body["name"]) == (li, "李明")
    assert (body["status"], body["status_label"]) == ("reserve", "递补人选")
    assert (app(li).status, app(wang).status, app(ids["丁一"]).status) == ("reserve", "selected", "selected")
    entry = last_entry(li)
    assert (entry.action, entry.from_state, entry.to_state) == ("return_to_reserve", "selected", "reserve")
    assert entry.opinion == opinion["opinion"] and entry.actor_id == user_id(actor, "hm_hr")
    assert entry.article  # the round's vacancy_refill article

    # the post now has as many candidates as places: the last one cannot go back as well
    after = snapshot(rid)
    answer = call(f"/applications/{wang}/return-to-reserve", "hm_hr", {"opinion": "再退"})
    refused(answer, 422, "no_surplus", "01岗位体检考察人选未多于招聘人数1名，不能退回递补名单")
    assert answer[1]["article"] == entry.article
    assert snapshot(rid) == after


# -- 3. POST /objections/{id}/decision, upheld ----------------------------------------------------


def test_an_objection_upheld_through_the_api_ends_the_candidate_and_refills_the_place(
    actor: GetActor, set_clock: Clock, call: Api
) -> None:
    rid, ids = to_notice(actor, set_clock)
    set_clock(NOTICE_OPEN)
    wang, li = ids["王芳"], ids["李明"]
    obj = run(objection.file_objection, actor("hm_hr"), wang, "张三", "13900000000", "反映其学历证书系伪造")
    assert app(wang).status == "frozen" and app(ids["丁一"]).status == "proposed"
    call.issue("hm_hr", "hm_sw", "xc_sw")
    before = snapshot(rid)
    url = f"/objections/{obj.id}/decision"
    uphold = {"decision": "uphold", "opinion": "经向发证学校核实，学历证书系伪造，异议成立"}

    # the officer who received it is no reviewer
    refused(call(url, "hm_hr", uphold), 403, "not_reviewer",
            "只有招聘组织部门或其上级主管部门的审核人员可以作出异议核查结论")  # fmt: skip
    # another county's approver does not see the round
    refused(call(url, "xc_sw", uphold), 404, "round_not_found", f"招聘 {rid} 不存在")
    refused(call(url, "hm_sw", uphold | {"opinion": ""}), 422, "reason_required", "请填写核查意见")
    refused(call("/objections/999999/decision", "hm_sw", uphold), 404, "objection_not_found",
            "异议 999999 不存在")  # fmt: skip
    code, bad = call(url, "hm_sw", uphold | {"decision": "yes"})
    assert (code, bad["code"]) == (422, "invalid_input") and bad["message"].startswith("输入有误")
    assert snapshot(rid) == before

    code, body = call(url, "hm_sw", uphold)
    assert code == 200, body
    assert (body["id"], body["round_id"], body["application_id"]) == (obj.id, rid, wang)
    assert (body["status"], body["opinion"]) == ("upheld", uphold["opinion"])
    assert datetime.fromisoformat(body["resolved_at"]) == NOTICE_OPEN
    assert (body["objector_name"], body["facts"]) == ("张三", "反映其学历证书系伪造")
    # the database: the objection decided by hm_sw, 王芳 not hired, 李明 refilled, 丁一 untouched
    with UnitOfWork(readonly=True) as uow:
        (row,) = repo.objections_of_round(uow.session, rid)
    assert (row.status, row.opinion) == ("upheld", uphold["opinion"])
    assert row.resolved_by_id == user_id(actor, "hm_sw")
    assert app(wang).status == "not_hired" and app(ids["丁一"]).status == "proposed"
    assert (app(li).status, app(li).refill_for_id) == ("selected", wang)
    entry = last_entry(wang)
    assert (entry.action, entry.from_state, entry.to_state) == ("uphold_objection", "frozen", "not_hired")
    assert (entry.opinion, entry.actor_id, entry.article) == (
        uphold["opinion"], user_id(actor, "hm_sw"), objection.ARTICLE,
    )  # fmt: skip
    assert entry.data == {"objection": obj.id, "upheld": True}
    assert last_entry(li).action == "refill"
    with UnitOfWork(readonly=True) as uow:
        text = audit.history(uow.session, "recruitment_round", rid)[-1].opinion
    assert text == "01岗位王芳经公示异议核查不予聘用，由李明(岗位排名第2名)递补"

    # decided once: a second decision (either way) is refused, nothing more written
    after = snapshot(rid)
    refused(call(url, "hm_sw", uphold | {"decision": "dismiss"}), 409, "objection_resolved",
            "该异议已有核查结论")  # fmt: skip
    assert snapshot(rid) == after
