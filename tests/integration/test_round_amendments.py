"""Supplementary announcements (补充公告) of a published round through the services: the registration window
extended (its close timer moved, ages still counted on the announced deadline), texts corrected, exam times
and places announced before the exam; refusals (shortening, published rules, too late, not the officer)
each with its article and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from db.repos import recruitment_round as round_repo
from db.repos import round_amendments as amendment_repo
from db.repos import timers as timer_repo
from domain.applicant import Registration
from domain.clock import real_now
from domain.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from services import audit, timers
from services.recruitment_round import amendments, registration, rounds, screening
from services.recruitment_round.amendments import AmendmentDraft
from services.uow import UnitOfWork
from tests.integration.followup_support import put_round_in
from tests.integration.round_support import GetActor, make_id, published_round

T0 = datetime(2026, 3, 2, 9, 0)
CLOSES = T0 + timedelta(days=10)  # 2026-03-12 09:00
PRACTICE = "招聘公告通行做法"
Clock = Callable[[datetime], None]


@pytest.fixture
def at(set_clock: Clock) -> Clock:
    set_clock(T0)
    return set_clock


def publish(actor: GetActor, rid: int, user: str = "hm_hr", **kw: Any) -> Any:
    kw.setdefault("reason", "报名人数未达开考比例")
    with UnitOfWork() as uow:
        row = amendments.publish(uow, actor(user), rid, AmendmentDraft(**kw))
        uow.commit()
        return row


def snapshot(rid: int) -> dict[str, Any]:
    """Everything an amendment could write, to show that a refusal wrote nothing."""
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load(uow, rid)
        return {
            "round": (rnd.registration_closes_at, rnd.announcement, dict(rnd.settings), rnd.version),
            "posts": [(p.title, p.conditions) for p in round_repo.posts_of(uow.session, rid)],
            "amendments": len(amendment_repo.of_round(uow.session, rid)),
            "audit": len(audit.history(uow.session, rounds.CASE, rid)),
            "timers": [
                (t.kind, t.due_at, t.state) for t in timers.for_subject(uow.session, rounds.CASE, rid)
            ],
        }


def refused(actor: GetActor, rid: int, exc: type[Exception] = RuleViolation, **kw: Any) -> Any:
    before = snapshot(rid)
    with pytest.raises(exc) as info:
        publish(actor, rid, **kw)
    assert snapshot(rid) == before  # nothing half-written
    return info.value


def test_extend_registration_moves_the_close_timer_and_keeps_the_age_date(actor: GetActor, at: Clock) -> None:
    rid = published_round(actor, T0)
    # 40 on the announced deadline day (2026-03-12), 41 on 03-15: IM art. 9 says 40周岁以下
    born = make_id(date(1985, 3, 15), seq=3)
    with UnitOfWork() as uow:
        registration.register(uow, rid, Registration(name="郭建华", id_number=born, phone="13800000003",
                                                     education="bachelor"), "01")  # fmt: skip
        uow.commit()
    new_close = CLOSES + timedelta(days=7)
    row = publish(actor, rid, changes={"registration_closes_at": new_close.isoformat()})
    assert row.number == 1 and row.title.endswith("第1号补充公告")
    assert row.changes == {"registration_closes_at": ["2026-03-12T09:00", "2026-03-19T09:00"]}
    assert "延长至2026年03月19日09:00" in row.body and PRACTICE in row.article
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load(uow, rid)
        assert rnd.registration_closes_at == new_close
        assert screening.deadline_of(rnd) == date(2026, 3, 12)
        assert rnd.settings["conditions_as_of"]["source"] == "amendment"
        (timer,) = timers.for_subject(uow.session, rounds.CASE, rid)
        assert (timer.kind, timer.due_at, timer.state) == (rounds.CLOSE_REGISTRATION, new_close, "pending")
        (entry,) = [e for e in audit.history(uow.session, rounds.CASE, rid) if e.action == "amend"]
        assert entry.article == row.article and entry.opinion == "报名人数未达开考比例"
        assert entry.data["changes"] == row.changes and entry.data["number"] == 1
    # the announced moment passes: the sweep leaves the round open, registration still accepted
    at(CLOSES + timedelta(hours=1))
    timers.sweep(worker_id="h3")
    with UnitOfWork() as uow:
        registration.register(uow, rid, Registration(name="韩梅", id_number=make_id(date(1996, 2, 1), seq=4),
                                                     phone="13800000004", education="bachelor"), "02")  # fmt: skip
        uow.commit()
    # the new deadline closes it; the screening counts ages on the announced day: 郭建华 is still 40
    at(new_close + timedelta(minutes=1))
    timers.sweep(worker_id="h3")
    with UnitOfWork() as uow:
        assert rounds.load(uow, rid).status == "qualification_review"
        screening.screen_round(uow, None, rid)
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        guo = round_repo.application_by_person(uow.session, rid, born)
        assert guo is not None and guo.verdict is not None and guo.verdict["age"] == 40
        assert not any(r["code"].startswith("age") for r in guo.verdict["reasons"])


def test_an_extension_wins_over_a_sweep_that_had_already_claimed_the_close_timer(
    actor: GetActor, at: Clock
) -> None:
    rid = published_round(actor, T0)
    at(CLOSES)  # a sweeper leases the due close timer ...
    with UnitOfWork() as uow:
        lease = real_now()
        (timer_id,) = timer_repo.claim_due(uow.session, now=uow.now, lease_now=lease, owner="w#1",
                                           lease_until=lease + timedelta(minutes=5),
                                           kinds=[rounds.CLOSE_REGISTRATION], limit=10)  # fmt: skip
        uow.commit()
    at(CLOSES - timedelta(seconds=1))  # ... while the officer extends the window, a moment earlier
    new_close = CLOSES + timedelta(days=3)
    publish(actor, rid, changes={"registration_closes_at": new_close.isoformat()})
    at(CLOSES + timedelta(seconds=1))
    assert timers._fire(None, timer_id, "w#1", "w", 5, 1.0) == "skipped"  # not due any more
    with UnitOfWork(readonly=True) as uow:
        assert rounds.load(uow, rid).status == "registration"
        (timer,) = timers.for_subject(uow.session, rounds.CASE, rid)
        assert (timer.state, timer.due_at, timer.lease_owner) == ("pending", new_close, None)
    at(new_close)
    assert timers.sweep(worker_id="h3").fired == 1
    with UnitOfWork(readonly=True) as uow:
        assert rounds.load(uow, rid).status == "qualification_review"


def test_shortening_and_published_rules_are_refused_with_articles(actor: GetActor, at: Clock) -> None:
    rid = published_round(actor, T0)
    err = refused(actor, rid, changes={"registration_closes_at": (CLOSES - timedelta(days=1)).isoformat()})
    assert err.code == "registration_shortened" and PRACTICE in str(err.article)
    assert "不得缩短" in err.message
    err = refused(actor, rid, changes={"interview_ratio": 5})
    assert err.code == "amendment_fixed_field" and err.article == "人社部(2017)"
    assert "面试比例" in err.message
    # every problem at once, each with its article
    err = refused(actor, rid, changes={"written_percent": 40, "post.01.max_age": 45,
                                       "registration_closes_at": "2026-03-01T09:00"})  # fmt: skip
    assert err.code == "amendment_refused"
    codes = sorted(p["code"] for p in err.details["problems"])
    assert codes == [
        "amendment_fixed_field",
        "amendment_fixed_field",
        "moment_in_past",
        "registration_shortened",
    ]
    assert all(p["article"] for p in err.details["problems"])
    err = refused(actor, rid, InvalidInput, changes={"registration_closes_at": "下周一"})
    assert err.code == "datetime_invalid"
    err = refused(actor, rid, InvalidInput, changes={"post.99.title": "网格员"})
    assert err.code == "post_unknown"
    err = refused(actor, rid, InvalidInput, reason=" ", body="补充说明")
    assert err.code == "reason_required"
    err = refused(actor, rid, InvalidInput, changes={"registration_closes_at": CLOSES.isoformat()})
    assert err.code == "amendment_empty"  # the same value: nothing changes, nothing said


def test_only_the_organising_officer(actor: GetActor, at: Clock) -> None:
    rid = published_round(actor, T0)
    for user in ("hm_sw", "hhht_sw"):  # same department's approver; the city above sees the round
        before = snapshot(rid)
        with pytest.raises(PermissionDenied):
            publish(actor, rid, user, body="补充说明")
        assert snapshot(rid) == before
    with pytest.raises(NotFound):
        publish(actor, rid, "xc_hr", body="补充说明")  # another county does not see it


def test_texts_corrected_while_registration_is_open_then_too_late(actor: GetActor, at: Clock) -> None:
    rid = published_round(actor, T0)
    row = publish(actor, rid, changes={"post.01.title": "社区专职工作人员（网格）",
                                       "post.01.conditions": "熟悉少数民族语言者优先",
                                       "announcement": "更正后的公告正文。",
                                       "written_exam.at": "2026-03-28T09:00",
                                       "written_exam.place": "回民区第一中学"})  # fmt: skip
    assert row.number == 1 and set(row.changes) == {
        "post.01.title", "post.01.conditions", "announcement", "written_exam.at", "written_exam.place"
    }  # fmt: skip
    assert "笔试时间定为：2026年03月28日09:00" in row.body
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load(uow, rid)
        post = round_repo.post_by_code(uow.session, rid, "01")
        assert rnd.announcement == "更正后的公告正文。" and post is not None
        assert (post.title, post.conditions) == ("社区专职工作人员（网格）", "熟悉少数民族语言者优先")
        rows = amendment_repo.of_round(uow.session, rid)
        assert amendments.arranged(rows) == {"written_exam.at": "2026-03-28T09:00",
                                             "written_exam.place": "回民区第一中学"}  # fmt: skip
        assert amendments.marks(rows)["post.01.title"] == 1
    # the exam must come after the registration closes and before the interview
    err = refused(actor, rid, changes={"registration_closes_at": "2026-03-30T09:00"})
    assert err.code == "exam_before_registration_closes"
    # registration closes: texts are fixed, the exam's time and place may still move before the exam
    with UnitOfWork() as uow:
        rounds.close_registration(uow, actor("hm_hr"), rid)
        uow.commit()
    err = refused(actor, rid, changes={"post.02.conditions": "须有两年社区工作经历"})
    assert err.code == "amendment_too_late" and PRACTICE in str(err.article)
    assert "报名截止前" in err.message
    row = publish(
        actor, rid, changes={"written_exam.place": "回民区第二中学", "interview.at": "2026-04-11T09:00"}
    )
    assert row.number == 2 and row.changes["written_exam.place"] == ["回民区第一中学", "回民区第二中学"]
    err = refused(actor, rid, changes={"interview.at": "2026-03-20T09:00"})
    assert err.code == "exam_order"
    # in the written exam, before its announced time: still movable; after it: refused
    put_round_in(rid, "written_exam")
    publish(actor, rid, changes={"written_exam.at": "2026-03-29T09:00"}, reason="考点调整")
    at(datetime(2026, 3, 29, 10, 0))
    err = refused(actor, rid, changes={"written_exam.place": "回民区第三中学"})
    assert err.code == "amendment_too_late" and "已经开始" in err.message
    # a note (补充说明) may still be published while the round is under way
    note = publish(actor, rid, body="笔试成绩将于考后10个工作日内公布。", reason="补充说明成绩公布时间")
    assert note.number == 4 and note.changes == {} and "10个工作日" in note.body


def test_before_publication_and_after_the_end(actor: GetActor, at: Clock) -> None:
    rid = published_round(actor, T0)
    put_round_in(rid, "preparing")
    err = refused(actor, rid, body="补充说明")
    assert err.code == "amendment_before_publish"
    put_round_in(rid, "registration")
    with UnitOfWork() as uow:
        rounds.cancel(uow, actor("hm_hr"), rid, "经费未落实")
        uow.commit()
    err = refused(actor, rid, body="补充说明")
    assert err.code == "round_ended" and err.article


def test_preview_writes_nothing(actor: GetActor, at: Clock) -> None:
    rid = published_round(actor, T0)
    before = snapshot(rid)
    with UnitOfWork(readonly=True) as uow:
        p = amendments.preview(uow, actor("hm_hr"), rid, AmendmentDraft(
            reason="延长报名", changes={"registration_closes_at": "2026-03-15T17:00"}, body="咨询电话不变。"))  # fmt: skip
    assert p.number == 1 and [c.key for c in p.changes] == ["registration_closes_at"]
    assert p.body.splitlines()[-2:] == ["咨询电话不变。", "原公告其他内容不变。"]
    assert snapshot(rid) == before
