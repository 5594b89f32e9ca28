"""A round's later steps through the services: physical exam with its one re-test, investigation, 递补 from
the post's ranking, the public notice over a holiday closed by its stored timer, objections that freeze
one candidate, and the contract signed by the street that creates the worker."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from db.repos import recruitment_round as repo
from domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleViolation,
    TransitionRefused,
)
from services import audit, org, timers
from services.recruitment_round import followup, hire, notice, objection, refill, registration, rounds
from services.uow import UnitOfWork
from tests.integration.followup_support import (
    NOTICE_DAY,
    T0,
    Clock,
    app,
    round_actions,
    run,
    setup_round,
    to_notice,
)
from tests.integration.round_support import GetActor


@pytest.fixture
def at(set_clock: Clock) -> Clock:
    set_clock(T0)
    return set_clock


def test_physical_fail_then_one_retest_within_seven_days_is_final(actor: GetActor, at: Clock) -> None:
    rid, ids = setup_round(actor, at)
    hr = actor("hm_hr")
    with UnitOfWork() as uow, pytest.raises(InvalidInput):
        followup.record_physical(uow, hr, ids["王芳"], False, "")  # a fail names the items
    with UnitOfWork() as uow, pytest.raises(PermissionDenied):
        followup.record_physical(uow, actor("hm_sw"), ids["王芳"], True)
    run(followup.record_physical, hr, ids["王芳"], False, "血压偏高")
    run(followup.record_physical, hr, ids["丁一"], True)
    with UnitOfWork() as uow, pytest.raises(Conflict):
        followup.record_physical(uow, hr, ids["丁一"], False, "x")
    # the round cannot move on while a re-test may still be asked for
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as blocked:
        rounds.advance(uow, hr, rid)
    assert blocked.value.code == "step_not_ready" and "复检申请期限未满" in blocked.value.message
    at(datetime(2026, 9, 8, 23, 0))  # the 7th day after the notification
    run(followup.request_retest, hr, ids["王芳"], "本人申请复检")
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as twice:
        followup.request_retest(uow, hr, ids["王芳"])
    assert twice.value.code == "retest_already_requested" and twice.value.article == "人社部发〔2016〕140号"
    at(datetime(2026, 9, 10, 9, 0))
    assert timers.sweep(worker_id="t").fired == 0  # the window's timer was cancelled by the request
    run(followup.record_retest, hr, ids["王芳"], True, "复检合格")
    with UnitOfWork() as uow, pytest.raises(Conflict):
        followup.record_retest(uow, hr, ids["王芳"], False, "x")  # the re-test is final
    assert followup.physical_passed(app(ids["王芳"])) and app(ids["王芳"]).status == "selected"
    run(rounds.advance, hr, rid)  # IM art. 8: investigation after the physical exam
    with UnitOfWork(readonly=True) as uow:
        assert rounds.load(uow, rid).status == "investigation"


def test_retest_refused_after_the_window_and_the_sweep_makes_the_fail_final(
    actor: GetActor, at: Clock
) -> None:
    rid, ids = setup_round(actor, at)
    hr = actor("hm_hr")
    run(followup.record_physical, hr, ids["王芳"], False, "肝功能异常")
    at(datetime(2026, 9, 9, 0, 1))
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as late:
        followup.request_retest(uow, hr, ids["王芳"])
    assert late.value.code == "retest_window_passed" and late.value.article == "人社部发〔2016〕140号"
    assert "2026-09-08" in late.value.message
    assert timers.sweep(worker_id="t").fired == 1
    assert app(ids["王芳"]).status == "followup_failed"
    filled = app(ids["李明"])
    assert filled.status == "selected" and filled.refill_for_id == ids["王芳"]
    assert timers.sweep(worker_id="t").fired == 0  # fired once; nothing else moves
    assert app(ids["赵强"]).status == "reserve"
    with UnitOfWork(readonly=True) as uow:
        changes = refill.changes(uow, rid)
    assert [c.kind for c in changes] == ["refill"] and "李明" in changes[0].text and changes[0].post == "01"
    with UnitOfWork() as uow, pytest.raises(TransitionRefused):
        followup.record_retest(uow, hr, ids["王芳"], True)


def test_withdrawal_after_the_physical_exam_refills_in_ranking_order(actor: GetActor, at: Clock) -> None:
    rid, ids = setup_round(actor, at)
    hr = actor("hm_hr")
    run(followup.record_physical, hr, ids["王芳"], True)
    run(registration.withdraw_by_officer, hr, ids["王芳"], "本人书面放弃")
    assert app(ids["李明"]).status == "selected" and app(ids["李明"]).refill_for_id == ids["王芳"]
    run(registration.withdraw_by_officer, hr, ids["李明"], "本人书面放弃")
    assert app(ids["赵强"]).status == "selected" and app(ids["赵强"]).refill_for_id == ids["李明"]
    run(registration.withdraw_by_officer, hr, ids["赵强"], "本人书面放弃")  # the reserve is exhausted
    with UnitOfWork(readonly=True) as uow:
        kinds = [c.kind for c in refill.changes(uow, rid)]
        refilled = [e for e in audit.history(uow.session, "application", ids["赵强"]) if e.action == "refill"]
    assert kinds == ["refill", "refill", "vacancy"]
    assert refilled and refilled[0].actor_id == hr.user_id and refilled[0].to_state == "selected"
    # a withdrawal from the reserve leaves no place to fill
    run(registration.withdraw_by_officer, hr, ids["马丽"], "不再参加")
    assert app(ids["丁一"]).status == "selected"
    assert round_actions(rid).count("vacancy") == 1


def test_a_tie_at_the_head_of_the_reserve_waits_for_the_officer(actor: GetActor, at: Clock) -> None:
    rid, ids = setup_round(actor, at, 赵强={"rank": 2, "total_score": 86.0})  # 李明 and 赵强 tied
    hr = actor("hm_hr")
    run(registration.withdraw_by_officer, hr, ids["王芳"], "本人放弃")
    assert app(ids["李明"]).status == app(ids["赵强"]).status == "reserve"
    assert "refill_tie" in round_actions(rid)
    with UnitOfWork() as uow, pytest.raises(InvalidInput):
        refill.choose_refill(uow, hr, ids["王芳"], ids["赵强"], "")
    run(refill.choose_refill, hr, ids["王芳"], ids["赵强"], "经招聘工作领导小组研究确定")
    assert app(ids["赵强"]).status == "selected" and app(ids["赵强"]).refill_for_id == ids["王芳"]
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as again:
        refill.choose_refill(uow, hr, ids["王芳"], ids["李明"], "再次")
    assert again.value.code == "no_vacancy"


def test_no_refill_when_the_round_says_none(actor: GetActor, at: Clock) -> None:
    rid, ids = setup_round(
        actor,
        at,
        status="investigation",
        settings={"vacancy_refill": "none"},
        王芳={"physical_result": "pass"},
    )
    hr = actor("hm_hr")
    with UnitOfWork() as uow, pytest.raises(InvalidInput):
        followup.record_investigation(uow, hr, ids["王芳"], False, "  ")  # findings are required
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as order:
        followup.record_investigation(uow, hr, ids["丁一"], True, "表现良好")  # physical exam first
    assert order.value.code == "previous_step_pending"
    run(followup.record_investigation, hr, ids["王芳"], False, "考察发现曾受刑事处罚")
    assert app(ids["王芳"]).status == "followup_failed" and app(ids["王芳"]).investigation_note
    assert app(ids["李明"]).status == "reserve"
    with UnitOfWork(readonly=True) as uow:
        changes = refill.changes(uow, rid)
    assert [c.kind for c in changes] == ["vacancy"] and "不递补" in changes[0].text


def test_notice_over_national_day_closed_by_the_sweep_exactly_once(actor: GetActor, at: Clock) -> None:
    rid, ids = to_notice(actor, at)
    hr = actor("hm_hr")
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load(uow, rid)
        assert rnd.status == "public_notice" and rnd.notice_published_at == NOTICE_DAY
        # 7 days would end on 6 Oct (holiday); 5 working days: 30 Sep, 8, 9, Sat 10 (调休), 12 Oct
        assert rnd.notice_closes_at == datetime(2026, 10, 13, 0, 0)
        longer = dict(rnd.settings, notice_days=dict(rnd.settings["notice_days"], value=15))
        rnd.settings = longer
        assert notice.period(uow, rnd, NOTICE_DAY).last_day == date(2026, 10, 14)
        uow.session.rollback()
        listed = notice.notice_list(uow, rid)
    assert app(ids["王芳"]).status == app(ids["丁一"]).status == "proposed"
    assert [r.name for r in listed.rows] == ["丁一", "王芳"]  # surname strokes: 丁 (2) before 王 (4)
    assert listed.last_day == date(2026, 10, 12) and "*" in listed.rows[0].id_masked
    assert listed.rows[0].post_code == "02" and listed.order == "surname_strokes"
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as early:
        rounds.advance(uow, hr, rid)
    assert "公示期未满" in early.value.message
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as not_yet:
        hire.sign_contract(uow, actor("xhxl_hr"), ids["丁一"], 36, 6, date(2026, 10, 20))
    assert not_yet.value.code == "notice_not_over"
    at(datetime(2026, 10, 12, 23, 59))
    timers.sweep(worker_id="t")
    with UnitOfWork(readonly=True) as uow:
        assert rounds.load(uow, rid).status == "public_notice"
    at(datetime(2026, 10, 13, 0, 0))
    timers.sweep(worker_id="t")
    timers.sweep(worker_id="t")
    with UnitOfWork(readonly=True) as uow:
        assert rounds.load(uow, rid).status == "hiring"
    assert round_actions(rid).count("close_notice") == 1


def test_objection_freezes_only_that_candidate_until_resolved(actor: GetActor, at: Clock) -> None:
    rid, ids = to_notice(actor, at)
    hr, sw = actor("hm_hr"), actor("hm_sw")
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as anonymous:
        objection.file_objection(uow, hr, ids["王芳"], "", "13900000000", "有违规行为")
    assert anonymous.value.code == "objection_incomplete"
    at(datetime(2026, 10, 9, 15, 0))
    first = run(objection.file_objection, hr, ids["王芳"], "张三", "13900000000", "该人员在原单位受过处分")
    second = run(objection.file_objection, hr, ids["王芳"], "李四", "13900000001", "学历证书存疑")
    against_ding = run(objection.file_objection, hr, ids["丁一"], "王五", "13900000002", "未如实填报工作经历")
    assert app(ids["王芳"]).status == "frozen" and app(ids["丁一"]).status == "frozen"
    with UnitOfWork() as uow, pytest.raises(PermissionDenied) as officer:
        objection.resolve_objection(uow, hr, first.id, False, "不属实")
    assert officer.value.code == "not_reviewer"
    run(objection.resolve_objection, sw, against_ding.id, False, "经核查，工作经历填报属实")
    assert app(ids["丁一"]).status == "proposed"  # only the named candidate was held
    # the period ends with 王芳 still frozen: the round goes on, 王芳 is settled later
    at(datetime(2026, 10, 13, 0, 1))
    timers.sweep(worker_id="t")
    with UnitOfWork(readonly=True) as uow:
        assert rounds.load(uow, rid).status == "hiring"
    assert app(ids["王芳"]).status == "frozen"
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as late:
        objection.file_objection(uow, hr, ids["丁一"], "赵六", "13900000003", "迟到的异议")
    assert late.value.code == "notice_period_over"
    run(objection.resolve_objection, sw, first.id, False, "处分已撤销，不影响聘用")
    assert app(ids["王芳"]).status == "frozen"  # the second objection is still open
    with UnitOfWork() as uow, pytest.raises(Conflict):
        objection.resolve_objection(uow, sw, first.id, True, "again")
    run(objection.resolve_objection, sw, second.id, True, "学历证书系伪造")
    assert app(ids["王芳"]).status == "not_hired"
    assert app(ids["李明"]).status == "selected" and app(ids["李明"]).refill_for_id == ids["王芳"]


def test_contract_by_the_street_within_the_probation_cap_creates_the_worker(
    actor: GetActor, at: Clock
) -> None:
    rid, ids = to_notice(actor, at)
    at(datetime(2026, 10, 14, 9, 0))
    timers.sweep(worker_id="t")
    street = actor("xhxl_hr")
    with UnitOfWork(readonly=True) as uow:
        post = repo.post(uow.session, app(ids["丁一"]).post_id)
        assert post is not None and post.street_id is not None
        assert org.get_jurisdiction(uow.session, post.street_id).code == "150103003"
    with UnitOfWork() as uow, pytest.raises(PermissionDenied) as county:
        hire.sign_contract(uow, actor("hm_hr"), ids["丁一"], 36, 6, date(2026, 11, 1))
    assert county.value.code == "not_employer" and county.value.article == "IM art. 12"
    for other in ("gml_hr", "xc_hr"):  # another street of the county, another county: not theirs to see
        with UnitOfWork() as uow, pytest.raises(NotFound):
            hire.sign_contract(uow, actor(other), ids["丁一"], 36, 6, date(2026, 11, 1))
    for term, probation in ((36, 7), (12, 3)):
        with UnitOfWork() as uow, pytest.raises(RuleViolation) as cap:
            hire.sign_contract(uow, street, ids["丁一"], term, probation, date(2026, 11, 1))
        assert cap.value.code == "probation_over_cap" and cap.value.article == "劳动合同法 art. 19"
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as early:
        hire.sign_contract(uow, street, ids["丁一"], 36, 6, date(2026, 10, 10))
    assert early.value.code == "starts_too_early"
    at(datetime(2026, 12, 15, 9, 0))
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as late:
        hire.sign_contract(uow, street, ids["丁一"], 36, 6, date(2026, 11, 1))
    assert late.value.code == "contract_late" and late.value.article == "劳动合同法 art. 10"
    contract = run(hire.sign_contract, street, ids["丁一"], 36, 6, date(2026, 12, 1))
    assert contract.probation_ends_on == date(2027, 5, 31) and contract.ends_on == date(2029, 11, 30)
    with UnitOfWork(readonly=True) as uow:
        from db.models.workers import Worker

        worker = uow.session.get(Worker, contract.worker_id)
        assert worker is not None and worker.name == "丁一" and worker.community_id == post.community_id
        assert worker.application_id == ids["丁一"] and worker.probation_ends_on == date(2027, 5, 31)
        assert worker.id_number == app(ids["丁一"]).id_number and worker.started_on == date(2026, 12, 1)
    assert app(ids["丁一"]).status == "hired"
    with UnitOfWork() as uow, pytest.raises(Conflict):
        hire.sign_contract(uow, street, ids["丁一"], 36, 6, date(2026, 12, 1))
    # 王芳 gives up the hire: the next in the post's ranking is refilled while the round is open
    run(hire.decline, street, ids["王芳"], "本人已考取公务员，放弃聘用")
    assert app(ids["王芳"]).status == "not_hired" and app(ids["李明"]).status == "selected"
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as open_refill:
        rounds.close(uow, actor("hm_hr"), rid)
    assert open_refill.value.code == "hires_pending"


def test_a_candidate_refilled_after_publication_gets_a_notice_of_their_own(
    actor: GetActor, at: Clock
) -> None:
    rid, ids = to_notice(actor, at)
    hr, street = actor("hm_hr"), actor("xhxl_hr")
    at(datetime(2026, 9, 30, 9, 0))
    run(registration.withdraw_by_officer, hr, ids["王芳"], "本人放弃")  # during the notice
    assert app(ids["李明"]).status == "selected"
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as nothing:
        notice.publish_supplementary(uow, hr, rid)
    assert nothing.value.code == "nothing_to_publish"
    run(followup.record_physical, hr, ids["李明"], True)
    run(followup.record_investigation, hr, ids["李明"], True, "表现良好")
    at(datetime(2026, 10, 14, 9, 0))
    timers.sweep(worker_id="t")  # the round's own notice closes
    with UnitOfWork(readonly=True) as uow:
        assert rounds.load(uow, rid).status == "hiring"
    p = run(notice.publish_supplementary, hr, rid)
    assert p.last_day == date(2026, 10, 21) and app(ids["李明"]).status == "proposed"
    with UnitOfWork(readonly=True) as uow:
        texts = [c.text for c in refill.changes(uow, rid)]
        listed = notice.notice_list(uow, rid)
    assert any("李明" in t and "公示" in t for t in texts)
    assert {r.name: r.supplementary for r in listed.rows} == {"丁一": False, "李明": True}
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as waiting:
        hire.sign_contract(uow, street, ids["李明"], 36, 6, date(2026, 11, 1))
    assert waiting.value.code == "notice_not_over"
    obj = run(objection.file_objection, hr, ids["李明"], "孙七", "13900000009", "反映其报名材料不实")
    assert app(ids["李明"]).status == "frozen" and app(ids["丁一"]).status == "proposed"
    run(objection.resolve_objection, actor("hm_sw"), obj.id, False, "经核查材料属实")
    at(datetime(2026, 10, 22, 0, 0))
    timers.sweep(worker_id="t")
    contract = run(hire.sign_contract, street, ids["李明"], 36, 6, date(2026, 11, 1))
    assert contract.probation_months == 6 and app(ids["李明"]).status == "hired"
