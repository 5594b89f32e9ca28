"""Issue 3's acceptance check at the service level: one whole recruitment round in 回民区 (Inner Mongolia
profile) driven only through the services a user's click calls — no status set by hand, nothing inserted
straight — with applicants on every boundary: 40 and 41 at the registration deadline, a wrong ID checksum,
no degree but recommended by the street, a relative of the reviewer, a tie at the interview cut-off, a
withdrawal after the physical exam, an objection during a notice period that spans National Day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from db.models.workers import Worker
from db.repos import recruitment_round as repo
from domain.applicant import Registration, Relation, Relative
from domain.errors import InvalidInput, PermissionDenied, RuleViolation
from services import audit, calendar, org, tasks, timers
from services.recruitment_round import (
    exams,
    followup,
    hire,
    objection,
    opening,
    ranking,
    refill,
    registration,
    rounds,
    score_import,
    screening,
    ties,
)
from services.uow import UnitOfWork
from tests.integration.round_support import GetActor, make_id, published_round

Clock = Callable[[datetime], None]
T0 = datetime(2026, 6, 1, 9, 0)  # registration opens (Monday)
CLOSES = T0 + timedelta(days=10)  # 2026-06-11 09:00: the deadline day is 11 June
NOTICE_DAY = datetime(2026, 9, 29, 10, 0)  # the notice's 7 days and 5 working days run past National Day
D = Decimal
SEQ = iter(range(1, 100))
STREET_USERS = {"150103003": "xhxl_hr", "150103005": "gml_hr", "150103006": "gtl_hr"}


def reg(name: str, birth: date = date(1992, 5, 20), **kw: Any) -> Registration:
    seq = next(SEQ)
    fields: dict[str, Any] = {"phone": f"139{seq:08d}", "education": "bachelor", **kw}
    return Registration(name=name, id_number=make_id(birth, seq=seq), **fields)


def run(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    with UnitOfWork() as uow:
        out = fn(uow, *args, **kw)
        uow.commit()
        return out


def refused(exc: type[Exception], fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """The call fails with `exc`, and its unit of work is rolled back (nothing half-written)."""
    with UnitOfWork() as uow, pytest.raises(exc) as info:
        fn(uow, *args, **kw)
    return info.value


def sweep(worker: str) -> int:
    """One run of the timer sweep (as the Prefect flow runs it): every due timer fires without error."""
    result = timers.sweep(worker_id=worker)
    assert result.failed == 0, result
    return result.fired


def people(rid: int) -> dict[str, Any]:
    with UnitOfWork(readonly=True) as uow:
        return {a.name: a for a in repo.applications(uow.session, rid)}


def status(rid: int) -> dict[str, str]:
    return {n: a.status for n, a in people(rid).items()}


def round_status(rid: int) -> str:
    with UnitOfWork(readonly=True) as uow:
        return rounds.load(uow, rid).status


def my_tasks(actor: Any, case_type: str) -> list[Any]:
    with UnitOfWork(readonly=True) as uow:
        return [t for t in tasks.inbox(uow, actor).tasks if t.case_type == case_type]


def actions(subject_type: str, subject_id: int) -> list[Any]:
    with UnitOfWork(readonly=True) as uow:
        return audit.history(uow.session, subject_type, subject_id)


# post 01 (2 places): eight qualify; 郑四 and 王五 tie at the interview cut-off (1:3 -> 6th place)
WRITTEN_01 = {
    "李一": 92,
    "周二": 90,
    "吴三": 88,
    "赵四十": 85,
    "孙党员": 83,
    "郑四": 80,
    "王五": 80,
    "冯六": 70,
}
INTERVIEW_01 = {"李一": 88, "周二": 86, "吴三": 84, "赵四十": 85, "孙党员": 81, "郑四": 75, "王五": 75}
# post 02 (2 places, 4 qualify: cut to 1 by the opening ratio 3:1)
WRITTEN_02 = {"褚亲属": 86, "卫甲": 84, "蒋乙": 78, "沈丙": 65}
INTERVIEW_02 = {"褚亲属": 82, "卫甲": 80, "蒋乙": 58}


def register_everyone(rid: int) -> dict[str, Registration]:
    """Step 1: the public form. Ages are counted on the deadline day, 11 June 2026."""
    regs = {
        "赵四十": reg("赵四十", date(1985, 6, 12)),  # 40 on 11 June 2026 (41 the day after): passes
        "钱四一": reg("钱四一", date(1985, 6, 11)),  # 41 on the deadline day itself: IM art. 9
        "孙党员": reg("孙党员", date(1980, 3, 1), education="senior_secondary",
                      relaxation_group="local_party_member", street_recommended=True),
        **{n: reg(n) for n in ("李一", "周二", "吴三", "郑四", "王五", "冯六")},
    }  # fmt: skip
    post_02 = {
        "褚亲属": reg("褚亲属", education="senior_secondary", relaxation_group="veteran", street_recommended=True,
                      relatives=(Relative("周德胜", Relation.LINEAL, "150103", "社会工作部科员"),)),
        **{n: reg(n) for n in ("卫甲", "蒋乙", "沈丙")},
    }  # fmt: skip
    for name, r in {**regs, **post_02}.items():
        run(registration.register, rid, r, "02" if name in post_02 else "01")
    # a wrong checksum is refused at once, naming the expected digit; nothing is written
    good = make_id(date(1990, 1, 1), seq=77)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = len(people(rid))
    err = refused(
        InvalidInput, registration.register, rid, Registration("陈错号", bad, "13900000077", "bachelor"), "01"
    )
    assert err.code == "id_checksum" and "第18位应为" in err.message
    assert len(people(rid)) == before and "陈错号" not in people(rid)
    return {**regs, **post_02}


def qualification_review(rid: int, actor: GetActor, regs: dict[str, Registration], at: Clock) -> None:
    """Step 1 (cont.): screening, the review with one return, the relative's recusal, the opening ratio."""
    hr, sw, city = actor("hm_hr"), actor("hm_sw"), actor("hhht_sw")
    at(CLOSES + timedelta(minutes=5))
    sweep("e2e")  # the registration's stored timer closes it
    assert round_status(rid) == "qualification_review"
    assert any(
        e.action == "close_registration" and e.actor_id is None for e in actions("recruitment_round", rid)
    )
    summary = run(screening.screen_round, hr, rid)
    assert summary == {"screened": 13, "qualified": 10, "rejected": 1, "pending_review": 2}
    who = people(rid)
    assert who["赵四十"].status == "qualified" and who["赵四十"].verdict["age"] == 40
    assert who["钱四一"].status == "rejected" and who["钱四一"].verdict["age"] == 41
    assert [r["article"] for r in who["钱四一"].verdict["reasons"]] == ["IM art. 9"]
    assert who["孙党员"].status == who["褚亲属"].status == "pending_review"
    with UnitOfWork(readonly=True) as uow:  # 周德胜 (hm_sw) is barred from his relative's application
        assert sw.user_id in repo.recused_users(uow.session, who["褚亲属"].id)

    # 孙党员: returned once with the complete list, corrected by the applicant, then passed
    assert {t.case_id for t in my_tasks(sw, "application")} == {who["孙党员"].id, who["褚亲属"].id}
    missing = ["街道党工委推荐函原件", "党员组织关系证明", "高中毕业证书"]
    run(screening.review, sw, who["孙党员"].id, "return", "请一次性补齐以下材料", missing)
    assert people(rid)["孙党员"].missing == missing and people(rid)["孙党员"].status == "returned"
    r = regs["孙党员"]
    # the correction supplies what was listed; it is no late registration for another (shorter) post
    moved = refused(RuleViolation, registration.edit, rid, r.id_number, r.phone, r, "02")
    assert (moved.code, moved.article) == ("post_fixed", "IM art. 8") and status(rid)["孙党员"] == "returned"
    run(registration.edit, rid, r.id_number, r.phone, r, "01")
    assert people(rid)["孙党员"].status == "pending_review"
    assert refused(RuleViolation, screening.review, sw, who["孙党员"].id, "return", None, ["再补"]).code == (
        "already_returned"
    )
    run(screening.review, sw, who["孙党员"].id, "pass", "推荐材料齐全，同意放宽学历(IM art. 9)")

    # 褚亲属: 周德胜 may not review his relative; he hands the task to the city's department (转办)
    assert refused(PermissionDenied, screening.review, sw, who["褚亲属"].id, "pass", "同意").code == "recused"
    (task,) = [t for t in my_tasks(sw, "application") if t.case_id == who["褚亲属"].id]
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load(uow, rid)
        city_dept = org.supervising_department(uow.session, rnd.department_id)
        assert city_dept is not None
    run(tasks.transfer, sw, task.id, to_department_id=city_dept.id, reason="本人系该应聘人员亲属，依规回避")
    assert [t.case_id for t in my_tasks(city, "application")] == [who["褚亲属"].id]
    # the city's approver decides it on the application page (pass, fail or return), as hm_sw would have
    run(screening.review, city, who["褚亲属"].id, "pass", "退役军人，经街道推荐，同意放宽学历")
    assert status(rid)["褚亲属"] == "qualified"

    # the opening ratio 3:1: post 01 has 8 qualified for 2 places, post 02 only 4 -> cut to 1 on approval
    assert run(opening.check_opening, hr, rid)["opened"] == ["02"]
    assert not my_tasks(sw, "round_post")  # the organiser's department does not approve its own cut
    (proposal,) = my_tasks(city, "round_post")
    assert "核减为1名" in proposal.title
    run(tasks.complete, city, proposal.id, "approve", "同意核减为1名")
    with UnitOfWork(readonly=True) as uow:
        posts = {p.code: p for p in repo.posts_of(uow.session, rid)}
    assert (posts["01"].posts, posts["02"].status, posts["02"].posts) == (2, "cut", 1)


def exams_and_ranking(rid: int, actor: GetActor, at: Clock) -> None:
    """Step 2: written exam (admission tickets), a tie at the interview cut-off, interview, ranking."""
    hr = actor("hm_hr")
    at(datetime(2026, 6, 20, 9, 0))
    run(rounds.advance, hr, rid)
    who = people(rid)
    ticket = {n: a.admit_ticket for n, a in who.items() if a.admit_ticket}
    assert len(ticket) == 12 and "钱四一" not in ticket  # the qualified of both posts
    at(datetime(2026, 7, 4, 9, 0))
    lines = [(ticket[n], D(s)) for n, s in {**WRITTEN_01, **WRITTEN_02}.items()]
    assert run(score_import.import_written_scores, hr, rid, lines)["imported"] == 12
    sl = run(exams.shortlist, hr, rid)
    assert (sl["shortlisted"], sl["eliminated"], sl["tied_in"], sl["undecided_posts"]) == (10, 2, 1, {})
    who = people(rid)
    assert who["郑四"].status == who["王五"].status == "shortlisted"  # both tied at the cut-off included
    assert ["一并进入面试" in who[n].rank_note for n in ("郑四", "王五")].count(True) == 1  # the one past 6th
    assert who["冯六"].status == who["沈丙"].status == "eliminated"
    run(rounds.advance, hr, rid)

    at(datetime(2026, 7, 25, 9, 0))
    lines = [(ticket[n], D(s)) for n, s in {**INTERVIEW_01, **INTERVIEW_02}.items()]
    run(score_import.import_interview_scores, hr, rid, lines)
    summary = run(ranking.rank, hr, rid)
    assert (summary["selected"], summary["reserve"], summary["eliminated"]) == (3, 6, 1)
    assert summary["unresolved_posts"] == {}
    who = people(rid)
    assert [(who[n].rank, who[n].total_score) for n in ("李一", "周二", "吴三")] == [
        (1, D("90.00")), (2, D("88.00")), (3, D("86.00")),
    ]  # fmt: skip
    assert who["蒋乙"].status == "eliminated" and "面试合格分数线" in who["蒋乙"].rank_note
    # 郑四 and 王五 are equal on the total and every tie-break: a person decides their reserve order
    with UnitOfWork(readonly=True) as uow:
        (tie,) = ties.unresolved_ties(uow, hr, rid)
    assert (tie.stage, tie.blocking, set(tie.application_ids)) == (
        "reserve",
        False,
        {who["郑四"].id, who["王五"].id},
    )
    run(
        ties.resolve_tie,
        hr,
        rid,
        tie.post_id,
        [who["王五"].id, who["郑四"].id],
        "经招聘工作领导小组研究，按抽签结果确定",
    )
    assert (people(rid)["王五"].rank, people(rid)["郑四"].rank) == (6, 7)
    with UnitOfWork(readonly=True) as uow:
        assert ties.unresolved_ties(uow, hr, rid) == []
    run(rounds.advance, hr, rid)
    assert round_status(rid) == "physical_exam"


def followup_steps(rid: int, actor: GetActor, at: Clock) -> None:
    """Step 3: physical exam, a withdrawal after passing it refilled from the ranking, investigation."""
    hr = actor("hm_hr")
    at(datetime(2026, 8, 10, 9, 0))
    who = people(rid)
    for n in ("李一", "周二", "褚亲属"):
        run(followup.record_physical, hr, who[n].id, True)
    run(registration.withdraw_by_officer, hr, who["李一"].id, "本人书面申请放弃聘用资格")
    who = people(rid)
    assert who["李一"].status == "withdrawn"
    assert who["吴三"].status == "selected" and who["吴三"].refill_for_id == who["李一"].id
    assert who["赵四十"].status == "reserve"
    with UnitOfWork(readonly=True) as uow:
        (change,) = refill.changes(uow, rid)
    assert change.kind == "refill" and change.post == "01" and "吴三" in change.text and "李一" in change.text
    assert change.article
    refused_step = refused(RuleViolation, rounds.advance, hr, rid)
    assert "吴三" in refused_step.message  # the refilled candidate still has to take the physical exam
    run(followup.record_physical, hr, who["吴三"].id, True)
    run(rounds.advance, hr, rid)
    assert round_status(rid) == "investigation"
    at(datetime(2026, 9, 1, 9, 0))
    for n in ("周二", "吴三", "褚亲属"):
        run(followup.record_investigation, hr, who[n].id, True, "政治素质好，群众口碑好，无违法违纪记录")


def to_notice(actor: GetActor, at: Clock) -> int:
    """Steps 1-3 and the notice published on NOTICE_DAY."""
    at(T0)
    rid = published_round(actor, T0, posts=2, communities=2, days=10)
    regs = register_everyone(rid)
    qualification_review(rid, actor, regs, at)
    exams_and_ranking(rid, actor, at)
    followup_steps(rid, actor, at)
    at(NOTICE_DAY)
    run(rounds.advance, actor("hm_hr"), rid)
    return rid


def notice_and_objection(rid: int, actor: GetActor, at: Clock) -> None:
    """Step 4: the notice over National Day, an objection freezing one candidate, closed by its timer."""
    hr, sw = actor("hm_hr"), actor("hm_sw")
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load(uow, rid)
        cal = calendar.calendar_for(uow.session, rnd.policy_keys)
    assert rnd.status == "public_notice" and rnd.notice_published_at == NOTICE_DAY
    # National Day 1-7 Oct 2026 off, Saturday 10 Oct a working day (调休)
    assert not any(cal.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_working_day(date(2026, 10, 10)) and not cal.is_working_day(date(2026, 10, 11))
    # 7 days end on 6 Oct, a holiday; 5 working days (30 Sep, 8, 9, Sat 10, 12 Oct) end on 12 Oct
    assert cal.add_calendar_days(NOTICE_DAY, 7) == date(2026, 10, 6)
    assert cal.add_working_days(NOTICE_DAY, 5) == date(2026, 10, 12)
    assert rnd.notice_closes_at == datetime(2026, 10, 13, 0, 0)
    assert {n: s for n, s in status(rid).items() if s == "proposed"} == dict.fromkeys(
        ("周二", "吴三", "褚亲属"), "proposed"
    )
    assert refused(RuleViolation, rounds.advance, hr, rid).code == "step_not_ready"  # 公示期未满

    at(datetime(2026, 10, 9, 15, 0))
    who = people(rid)
    obj = run(
        objection.file_objection,
        hr,
        who["周二"].id,
        "刘群众",
        "13800001234",
        "反映其在原单位工作期间受过处分",
    )
    assert status(rid)["周二"] == "frozen"
    assert status(rid)["吴三"] == status(rid)["褚亲属"] == "proposed"  # only the named candidate is held

    at(datetime(2026, 10, 12, 23, 59))
    sweep("e2e")
    assert round_status(rid) == "public_notice"
    at(datetime(2026, 10, 13, 0, 0))
    assert sweep("e2e-1") >= 1
    sweep("e2e-2")
    assert round_status(rid) == "hiring"
    assert [e.action for e in actions("recruitment_round", rid)].count("close_notice") == 1

    at(datetime(2026, 10, 14, 10, 0))
    assert refused(PermissionDenied, objection.resolve_objection, hr, obj.id, False, "不属实").code == (
        "not_reviewer"
    )
    run(objection.resolve_objection, sw, obj.id, False, "经向原单位核实，该处分已于2023年撤销，不影响聘用")
    assert status(rid)["周二"] == "proposed"


def hiring(rid: int, actor: GetActor, at: Clock) -> None:
    """Step 4 (cont.): contracts signed by the post's street, within the probation cap; the round closes."""
    at(datetime(2026, 10, 20, 9, 0))
    who = people(rid)
    with UnitOfWork(readonly=True) as uow:
        street_of = {
            p.id: STREET_USERS[org.get_jurisdiction(uow.session, p.street_id).code]
            for p in repo.posts_of(uow.session, rid)
            if p.street_id is not None
        }
    first = who["周二"]
    over = refused(
        RuleViolation, hire.sign_contract, actor(street_of[first.post_id]), first.id, 36, 7, date(2026, 11, 1)
    )
    assert over.code == "probation_over_cap" and over.article == "劳动合同法 art. 19"
    contracts = {}
    for n in ("周二", "吴三", "褚亲属"):
        street = actor(street_of[who[n].post_id])
        contracts[n] = run(hire.sign_contract, street, who[n].id, 36, 6, date(2026, 11, 1))
    assert contracts["周二"].probation_ends_on == date(2027, 4, 30)
    with UnitOfWork(readonly=True) as uow:
        workers = {n: uow.session.get(Worker, c.worker_id) for n, c in contracts.items()}
    assert {n: (w.name, w.application_id, w.status) for n, w in workers.items() if w} == {
        n: (n, who[n].id, "active") for n in ("周二", "吴三", "褚亲属")
    }
    assert set(status(rid).values()) >= {"hired"} and status(rid)["褚亲属"] == "hired"
    had_reserve = [n for n, st in status(rid).items() if st == "reserve"]
    run(rounds.close, actor("hm_hr"), rid)
    assert round_status(rid) == "closed"
    assert "reserve" not in status(rid).values()  # the reserve list lapses with the round
    assert all(status(rid)[n] == "eliminated" for n in had_reserve)
    sweep("e2e")
    with UnitOfWork(readonly=True) as uow:  # nothing of the round is left ticking or failed
        subjects = [("recruitment_round", rid)] + [("application", a.id) for a in who.values()]
        left = [(t.kind, t.subject_id, t.state) for st, sid in subjects for t in timers.for_subject(uow.session, st, sid)
                if t.state in ("pending", "failed")]  # fmt: skip
    assert left == []
    for user in ("hm_sw", "hhht_sw", "hm_hr"):  # and no task of it is left in anyone's inbox
        assert not [t for t in my_tasks(actor(user), "application") + my_tasks(actor(user), "round_post")]


def test_a_whole_round_with_applicants_on_every_boundary(actor: GetActor, set_clock: Clock) -> None:
    rid = to_notice(actor, set_clock)
    notice_and_objection(rid, actor, set_clock)
    hiring(rid, actor, set_clock)

    # Step 5: 吴三's history shows every step, each citing its article; the audit chain is intact
    wu = people(rid)["吴三"]
    history = actions("application", wu.id)
    assert [e.action for e in history] == [
        "register", "screen_pass", "written_score", "shortlist", "interview_score", "hold_in_reserve",
        "refill", "physical_exam", "investigation", "propose", "hire",
    ]  # fmt: skip
    assert [e.action for e in history if not e.article] == []
    assert history[-1].to_state == "hired"
    sun = [(e.action, e.to_state, bool(e.article)) for e in actions("application", people(rid)["孙党员"].id)]
    assert [a for a, to, _ in sun if to] == [  # the review task's own rows (open_step) have no state
        "register", "screen_doubt", "review_return", "resubmit", "screen_doubt", "review_pass", "written_score",
        "shortlist", "interview_score", "hold_in_reserve", "eliminate",  # the reserve lapsed at close
    ]  # fmt: skip
    assert [a for a, _, cited in sun if not cited] == []
    with UnitOfWork(readonly=True) as uow:  # every row about the round, its posts and applications cites one
        subjects = [
            ("recruitment_round", [rid]),
            ("round_post", [p.id for p in repo.posts_of(uow.session, rid)]),
            ("application", [a.id for a in repo.applications(uow.session, rid)]),
        ]
        uncited = {
            (e.subject_type, e.action) for e in audit.history_of(uow.session, subjects) if not e.article
        }
        assert uncited == set()
        result = audit.verify(uow.session)
    assert result.ok, result.reason


def test_an_objection_to_the_reviewers_relative_is_decided_by_the_supervising_department(
    actor: GetActor, set_clock: Clock
) -> None:
    """周德胜 (hm_sw) is the organiser's only approver and 褚亲属's relative: the objection to 褚亲属 goes to
    the department above (the city's), as his review did; otherwise it would stay open and the round could
    never close."""
    rid = to_notice(actor, set_clock)
    hr, sw, city = actor("hm_hr"), actor("hm_sw"), actor("hhht_sw")
    set_clock(datetime(2026, 10, 9, 15, 0))
    chu = people(rid)["褚亲属"]
    obj = run(objection.file_objection, hr, chu.id, "钱群众", "13800004321", "反映其退役证明材料与实际不符")
    assert status(rid)["褚亲属"] == "frozen"
    assert (
        refused(PermissionDenied, objection.resolve_objection, sw, obj.id, False, "不属实").code == "recused"
    )
    assert refused(
        PermissionDenied, objection.resolve_objection, actor("hm_org"), obj.id, False, "x"
    ).code == ("not_reviewer")  # another department of the county is no reviewer of the round
    run(objection.resolve_objection, city, obj.id, False, "经向退役军人事务部门核实，退役证明真实有效")
    assert status(rid)["褚亲属"] == "proposed"
    (resolved,) = [e for e in actions("application", chu.id) if e.action == "clear_objection"]
    assert resolved.actor_id == city.user_id and resolved.article
