"""A round's exam steps through the services: the opening ratio decided by approval tasks, admission
tickets, written scores imported whole or not at all, the interview shortlist (pass line, ties at the
cut-off), interview scores, the ranking (weights, rounding, tie-break chain, ties a person decides), staff
recusal, the conversion track's assessment, and `advance` refused until each step's work is done."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from db.repos import recruitment_round as repo
from domain.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation, ShegongError
from services import audit, tasks
from services.recruitment_round import (
    assessment,
    exams,
    opening,
    ranking,
    rounds,
    score_import,
    screening,
    ties,
)
from services.recruitment_round import settings as rs
from services.uow import UnitOfWork
from tests.integration.round_support import ORDOS_DONGSHENG, GetActor, published_round, put_applications

T0 = datetime(2026, 3, 2, 9, 0)
D = Decimal


@pytest.fixture
def at(set_clock: Callable[[datetime], None]) -> Callable[[datetime], None]:
    set_clock(T0)
    return set_clock


def call(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    with UnitOfWork() as uow:
        out = fn(uow, *args, **kw)
        uow.commit()
        return out


def in_review(actor: GetActor, rows: Sequence[dict[str, Any]], *, officer: str = "hm_hr", **kw: Any) -> int:
    """A round in qualification review holding `rows` (inserted straight into their states)."""
    rid = published_round(actor, T0, officer=officer, **kw)
    call(rounds.close_registration, actor(officer), rid)
    put_applications(rid, rows, now=T0)
    return rid


def people(rid: int) -> dict[str, Any]:
    with UnitOfWork(readonly=True) as uow:
        return {a.name: a for a in repo.applications(uow.session, rid)}


def posts(rid: int) -> dict[str, Any]:
    with UnitOfWork(readonly=True) as uow:
        return {p.code: p for p in repo.posts_of(uow.session, rid)}


def refused(actor: GetActor, rid: int) -> RuleViolation:
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as exc:
        rounds.advance(uow, actor("hm_hr"), rid)
    assert exc.value.code == "step_not_ready"
    return exc.value


def in_written(actor: GetActor, rows: Sequence[dict[str, Any]], settings: dict[str, Any], **kw: Any) -> int:
    kw = {"posts": 1, "communities": 1, **kw}
    rid = in_review(actor, rows, settings={"opening_ratio": 1, **settings}, **kw)
    call(opening.check_opening, actor("hm_hr"), rid)
    call(rounds.advance, actor("hm_hr"), rid)
    return rid


def tickets(rid: int) -> dict[str, str]:
    return {name: a.admit_ticket for name, a in people(rid).items() if a.admit_ticket}


def in_interview(actor: GetActor, rows: Sequence[dict[str, Any]], settings: dict[str, Any], **kw: Any) -> int:
    written = {r["name"]: r.pop("w") for r in rows}
    rid = in_written(actor, rows, settings, **kw)
    t = tickets(rid)
    call(score_import.import_written_scores, actor("hm_hr"), rid, [(t[n], w) for n, w in written.items()])
    call(exams.shortlist, actor("hm_hr"), rid)
    call(rounds.advance, actor("hm_hr"), rid)
    return rid


def test_opening_ratio_cut_cancel_or_keep_only_through_approval(actor: GetActor, at: Any) -> None:
    hr = actor("hm_hr")
    rows = (
        [{"post_code": "01", "name": f"甲{i}"} for i in range(4)]
        + [{"post_code": "02", "name": f"乙{i}"} for i in range(2)]
        + [{"post_code": "02", "name": "乙弃", "status": "rejected"}]
        + [{"post_code": "03", "name": f"丙{i}"} for i in range(5)]
    )
    rid = in_review(actor, rows, posts=2, communities=3)  # 2 places per post, opening ratio 3:1
    assert "尚未报批" in refused(actor, rid).message
    first = call(opening.check_opening, hr, rid)
    assert first["opened"] == ["01", "02", "03"]
    again = call(opening.check_opening, hr, rid)  # safe to run twice: no second task
    assert again["opened"] == [] and again["waiting"] == ["01", "02", "03"]
    assert "待审批" in refused(actor, rid).message

    # the supervising department (the city's party social-work department) approves, not the organiser's
    with UnitOfWork(readonly=True) as uow:
        assert not [t for t in tasks.inbox(uow, actor("hm_sw")).tasks if t.case_type == "round_post"]
        mine = [t for t in tasks.inbox(uow, actor("hhht_sw")).tasks if t.case_type == "round_post"]
    code = {p.id: c for c, p in posts(rid).items()}
    by_post = {code[t.case_id]: t for t in mine}
    assert sorted(by_post) == ["01", "02", "03"]
    city = actor("hhht_sw")
    call(tasks.complete, city, by_post["01"].id, "approve", "同意核减")
    call(tasks.complete, city, by_post["02"].id, "approve", "同意取消")
    call(tasks.complete, city, by_post["03"].id, "return", "该社区急需补员，保留原招聘人数")

    p = posts(rid)
    assert (p["01"].status, p["01"].posts) == ("cut", 1)  # floor(4 / 3)
    assert (p["02"].status, p["02"].posts) == ("cancelled", 0)
    assert (p["03"].status, p["03"].posts) == ("open", 2)
    who = people(rid)
    assert {who[f"乙{i}"].status for i in range(2)} == {"post_cancelled"}
    assert who["乙弃"].status == "rejected"
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load(uow, rid)
        cut = [e for e in audit.history(uow.session, "round_post", p["01"].id) if e.action == "cut_posts"]
        assert cut and cut[0].article == rs.article(rnd.settings, "opening_ratio")
        assert cut[0].data["posts_before"] == 2 and cut[0].data["posts"] == 1

    assert call(opening.check_opening, hr, rid)["kept"] == ["03"]
    call(rounds.advance, hr, rid)
    t = tickets(rid)
    assert len(t) == 9 and len(set(t.values())) == 9  # 4 + 5 admitted; the cancelled post's none
    assert all(v.startswith(f"2026{rid:04d}") for v in t.values())


def test_a_proposal_lapses_with_a_cancelled_round(actor: GetActor, at: Any) -> None:
    hr = actor("hm_hr")
    rid = in_review(actor, [{"name": "甲"}], posts=2, communities=1)
    assert call(opening.check_opening, hr, rid)["opened"] == ["01"]
    with UnitOfWork(readonly=True) as uow:
        (task,) = [t for t in tasks.inbox(uow, actor("hhht_sw")).tasks if t.case_type == "round_post"]
    call(rounds.cancel, hr, rid, "财政预算调整")
    with UnitOfWork(readonly=True) as uow:  # cancelling the round cancels its open approvals
        assert not [t for t in tasks.inbox(uow, actor("hhht_sw")).tasks if t.case_type == "round_post"]
    with pytest.raises(ShegongError):
        call(tasks.complete, actor("hhht_sw"), task.id, "approve", "同意")
    assert (posts(rid)["01"].status, people(rid)["甲"].status) == ("open", "qualified")


def test_written_import_lists_every_problem_writes_nothing_and_refuses_related_staff(
    actor: GetActor, at: Any
) -> None:
    hr = actor("hm_hr")
    rid = in_written(actor, [{"name": n} for n in ("甲", "乙", "丙", "丁")], {})
    t = tickets(rid)
    who = people(rid)
    card = call(exams.admit_ticket, None, rid, who["甲"].id_number, who["甲"].phone)
    assert (card.ticket, card.name, card.post_code) == (t["甲"], "甲", "01")
    with UnitOfWork(readonly=True) as uow, pytest.raises(NotFound):
        exams.admit_ticket(uow, None, rid, who["甲"].id_number, "13900000000")
    call(screening.declare_recusal, hr, who["丁"].id, "spouse")

    lines = [(t["甲"], D("85.5")), ("X999", D(70)), (t["乙"], D(101)), (t["丙"], D("77.25")),
             (t["甲"], D(80)), (t["丁"], D(66))]  # fmt: skip
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as exc:
        score_import.import_written_scores(uow, hr, rid, lines)
    assert exc.value.code == "score_import_invalid"
    assert [(p["row"], p["code"]) for p in exc.value.details["problems"]] == [
        (2, "ticket_unknown"),
        (3, "score_out_of_range"),
        (4, "score_too_many_decimals"),
        (5, "ticket_duplicate"),
        (6, "recused"),
    ]
    assert all(a.written_score is None for a in people(rid).values())  # nothing written

    ok = call(
        score_import.import_written_scores, hr, rid, [(t["甲"], D("85.5")), (t["乙"], None), (t["丙"], D(77))]
    )
    assert ok == {"imported": 3, "absent": 1, "missing": 1}
    who = people(rid)
    assert who["甲"].written_score == D("85.5") and who["乙"].written_absent
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as missing:
        exams.shortlist(uow, hr, rid)
    assert missing.value.code == "scores_missing" and t["丁"] in missing.value.details["tickets"]
    assert "未录入笔试成绩" in refused(actor, rid).message


def test_shortlist_pass_line_and_everyone_tied_at_the_cutoff(actor: GetActor, at: Any) -> None:
    hr = actor("hm_hr")
    rid = in_written(
        actor, [{"name": n} for n in "ABCDEF"], {"interview_ratio": 2, "written_pass_line": "60"}
    )
    t = tickets(rid)
    scores = {"A": D(90), "B": D(85), "C": D(85), "D": D(80), "E": D(55), "F": None}
    call(score_import.import_written_scores, hr, rid, [(t[n], s) for n, s in scores.items()])
    assert "未确定是否进入面试" in refused(actor, rid).message
    summary = call(exams.shortlist, hr, rid)
    assert summary["shortlisted"] == 3 and summary["eliminated"] == 3 and summary["tied_in"] == 1
    who = people(rid)
    assert {n for n, a in who.items() if a.status == "shortlisted"} == {"A", "B", "C"}  # 1:2, C tied in
    assert "一并进入面试" in who["C"].rank_note
    assert "1:2" in who["D"].rank_note
    assert "低于笔试合格分数线60分" in who["E"].rank_note
    assert who["F"].rank_note == "笔试缺考" and who["F"].status == "eliminated"
    assert call(exams.shortlist, hr, rid)["shortlisted"] == 0  # safe to run twice
    call(rounds.advance, hr, rid)
    assert rounds_status(rid) == "interview"


def rounds_status(rid: int) -> str:
    with UnitOfWork(readonly=True) as uow:
        return rounds.load(uow, rid).status


def test_tie_straddling_the_quota_waits_for_a_decision_when_ties_are_not_admitted(
    actor: GetActor, at: Any
) -> None:
    hr = actor("hm_hr")
    settings = {"interview_ratio": 1, "admit_ties_at_cutoff": False}
    rid = in_written(actor, [{"name": n} for n in "ABCD"], settings, posts=2)
    t = tickets(rid)
    scores = {"A": D(90), "B": D(80), "C": D(80), "D": D(70)}
    call(score_import.import_written_scores, hr, rid, [(t[n], s) for n, s in scores.items()])
    who = people(rid)
    assert call(exams.shortlist, hr, rid)["undecided_posts"] == {"01": sorted([who["B"].id, who["C"].id])}
    assert {a.status for a in people(rid).values()} == {"qualified"}  # the post is left whole
    refused(actor, rid)
    with UnitOfWork(readonly=True) as uow:
        (tie,) = ties.unresolved_ties(uow, hr, rid)
    assert (tie.stage, tie.places, tie.blocking) == ("shortlist", 1, True)
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as bad:
        ties.resolve_tie(uow, hr, rid, tie.post_id, [who["A"].id, who["C"].id], "研究确定")
    assert bad.value.code == "tie_set_mismatch"
    call(
        ties.resolve_tie,
        hr,
        rid,
        tie.post_id,
        [who["C"].id, who["B"].id],
        "经招聘领导小组研究，按现场抽签结果确定",
    )
    who = people(rid)
    assert {n for n, a in who.items() if a.status == "shortlisted"} == {"A", "C"}
    assert who["B"].status == "eliminated" and "经研究确定" in who["B"].rank_note
    call(rounds.advance, hr, rid)


def test_ranking_weights_rounding_tie_breaks_and_an_unresolved_tie(actor: GetActor, at: Any) -> None:
    hr = actor("hm_hr")
    settings = {
        "interview_ratio": 10, "written_percent": 40, "interview_percent": 60, "decimals_total": 0,
        "interview_pass_line": 60, "tie_breaks": ["written_score", "later_birth_date"],
    }  # fmt: skip
    twin = date(1994, 6, 1)
    rows = [
        {"name": "A", "w": D("80.5")}, {"name": "B", "w": D(85)},
        {"name": "C", "w": D(70), "birth": date(1995, 1, 1)}, {"name": "D", "w": D(70), "birth": date(1996, 1, 1)},
        {"name": "E", "w": D(60), "birth": twin}, {"name": "F", "w": D(60), "birth": twin},
        {"name": "I", "w": D(70)}, {"name": "J", "w": D(75)},
        {"name": "G", "w": D(90), "birth": twin, "post_code": "02"},
        {"name": "H", "w": D(90), "birth": twin, "post_code": "02"},
    ]  # fmt: skip
    rid = in_interview(actor, rows, settings, communities=2)
    t = tickets(rid)
    interview = {"A": D("70.5"), "B": D("67.5"), "C": D(75), "D": D(75), "E": D(62), "F": D(62),
                 "I": D(55), "J": None, "G": D(90), "H": D(90)}  # fmt: skip
    call(score_import.import_interview_scores, hr, rid, [(t[n], s) for n, s in interview.items()])
    summary = call(ranking.rank, hr, rid)
    who = people(rid)
    assert summary["unresolved_posts"] == {"02": sorted([who["G"].id, who["H"].id])}
    assert (summary["selected"], summary["reserve"], summary["eliminated"]) == (1, 5, 2)
    # 40/60: A 80.5×40% + 70.5×60% = 74.5 and B 85×40% + 67.5×60% = 74.5, both 75 when rounded half up
    assert who["A"].total_score == who["B"].total_score == 75
    assert (who["B"].rank, who["B"].status) == (1, "selected")
    assert who["B"].rank_note == "总成绩相同，笔试成绩高者优先"
    assert (who["A"].rank, who["A"].status) == (2, "reserve")
    assert (who["D"].rank, who["C"].rank) == (3, 4) and who["D"].rank_note == "总成绩相同，年龄小者优先"
    assert who["E"].rank == who["F"].rank == 5 and who["E"].rank_note == ranking.UNRESOLVED_NOTE
    assert "低于面试合格分数线60分" in who["I"].rank_note and who["I"].status == "eliminated"
    assert who["J"].rank_note == "面试缺考" and who["J"].total_score is None
    assert {who["G"].status, who["H"].status} == {"shortlisted"} and who["G"].rank == who["H"].rank == 1
    with UnitOfWork(readonly=True) as uow:
        ranked = [e for e in audit.history(uow.session, "recruitment_round", rid) if e.action == "rank"]
        assert "总成绩保留0位小数" in ranked[0].data["rules"] and "四舍五入" in ranked[0].data["rules"]
    assert "尚未排名" in refused(actor, rid).message

    with UnitOfWork(readonly=True) as uow:
        found = {(x.post_code, x.stage, x.blocking) for x in ties.unresolved_ties(uow, hr, rid)}
    assert found == {("02", "ranking", True), ("01", "reserve", False)}
    p = posts(rid)
    call(ties.resolve_tie, hr, rid, p["02"].id, [who["H"].id, who["G"].id], "经招聘领导小组研究确定")
    call(ties.resolve_tie, hr, rid, p["01"].id, [who["F"].id, who["E"].id], "经招聘领导小组研究确定")
    who = people(rid)
    assert (who["H"].status, who["H"].rank, who["G"].status, who["G"].rank) == ("selected", 1, "reserve", 2)
    assert (who["F"].rank, who["E"].rank) == (5, 6) and who["E"].rank_note == ties.DECIDED_NOTE
    call(rounds.advance, hr, rid)
    assert rounds_status(rid) == "physical_exam"  # IM art. 8: physical exam before investigation


def test_related_staff_cannot_score(actor: GetActor, at: Any) -> None:
    hr = actor("hm_hr")
    rid = in_interview(actor, [{"name": "甲", "w": D(80)}, {"name": "乙", "w": D(78)}], {})
    who, t = people(rid), tickets(rid)
    call(screening.declare_recusal, hr, who["乙"].id, "lineal")
    with UnitOfWork() as uow, pytest.raises(PermissionDenied) as one:
        score_import.record_interview_score(uow, hr, who["乙"].id, D(80))
    assert one.value.code == "recused"
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as sheet:
        score_import.import_interview_scores(uow, hr, rid, [(t["甲"], D(81)), (t["乙"], D(80))])
    assert [p["code"] for p in sheet.value.details["problems"]] == ["recused"]
    call(score_import.record_interview_score, hr, who["甲"].id, D("81.5"))
    assert people(rid)["甲"].interview_score == D("81.5") and people(rid)["乙"].interview_score is None


def test_conversion_track_assessment(actor: GetActor, at: Any) -> None:
    ds = actor("ds_hr")
    rows = [{"name": "甲", "service_programme": True}, {"name": "乙", "service_programme": True}]
    rid = in_review(actor, rows, officer="ds_hr", code=ORDOS_DONGSHENG, communities=1, posts=2,
                    track="programme_conversion")  # fmt: skip
    with UnitOfWork() as uow:
        rounds.advance(uow, ds, rid)
        uow.commit()
        assert rounds.load(uow, rid).status == "assessment"
    who = people(rid)
    call(assessment.record_assessment, ds, who["甲"].id, True, "考核合格", score=D("88.50"))
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as left:
        rounds.advance(uow, ds, rid)
    assert left.value.code == "step_not_ready"
    with UnitOfWork() as uow, pytest.raises(InvalidInput):
        assessment.record_assessment(uow, ds, who["乙"].id, False, " ")
    call(assessment.record_assessment, ds, who["乙"].id, False, "服务期满考核不合格")
    who = people(rid)
    assert (who["甲"].status, who["乙"].status) == ("selected", "eliminated")
    assert who["乙"].rank_note.startswith("直接考核不合格")
    call(rounds.advance, ds, rid)
    assert rounds_status(rid) == "public_notice"
