"""The recruitment plan end to end through the services: drafting, quota, the chain per profile,
return and resubmission, withdrawal, visibility, escalation over a holiday."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import event

from db.models.tasks import Task
from domain.actor import Actor
from domain.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation, TransitionRefused
from domain.recruitment_plan import PlanDraft
from services import audit, org, tasks, timers
from services import recruitment_plan as plans
from services.recruitment_plan import views
from services.runtime import Runtime
from services.uow import UnitOfWork

GetActor = Callable[[str], Actor]
HUIMIN = "150103"  # 回民区, Hohhot, Inner Mongolia


def _draft(
    actor: Actor, code: str, posts: int, *, n_communities: int = 1, title: str = "2026年社区专职工作人员招聘"
) -> PlanDraft:
    with UnitOfWork(readonly=True) as uow:
        j = org.jurisdiction_by_code(uow.session, code)
        ctx = views.draft_context(uow, actor, j.id)
        ids = [c.id for c in ctx.communities]  # type: ignore[attr-defined]
        return PlanDraft(
            jurisdiction_id=j.id,
            title=title,
            year=2026,
            posts=[{"community_id": c, "posts": posts} for c in ids[:n_communities]],
        )  # type: ignore[misc]


def create(actor: Actor, code: str, posts: int, n_communities: int = 1) -> int:
    draft = _draft(actor, code, posts, n_communities=n_communities)
    with UnitOfWork() as uow:
        plan = plans.create_draft(uow, actor, draft)
        uow.commit()
        return plan.id


def submit(actor: Actor, plan_id: int) -> None:
    with UnitOfWork() as uow:
        plans.submit(uow, actor, plan_id)
        uow.commit()


def todo(actor: Actor) -> list[Task]:
    with UnitOfWork(readonly=True) as uow:
        return tasks.inbox(uow, actor).tasks


def decide(
    actor: Actor, task_id: int, decision: str, opinion: str | None = None, return_to: str = "previous"
) -> None:
    with UnitOfWork() as uow:
        tasks.complete(uow, actor, task_id, decision, opinion, return_to)  # type: ignore[arg-type]
        uow.commit()


def status(plan_id: int) -> str:
    with UnitOfWork(readonly=True) as uow:
        return plans.load(uow, plan_id).status


def test_inner_mongolia_county_plan_goes_to_league_social_work_then_filing(actor: GetActor) -> None:
    hr, city_sw, city_org = actor("hm_hr"), actor("hhht_sw"), actor("hhht_org")
    pid = create(hr, HUIMIN, 3)
    submit(hr, pid)
    [t] = todo(city_sw)
    assert t.case_id == pid and t.kind == "review" and t.article == "IM art. 8"
    assert todo(city_org) == []  # filing comes after the review, not in parallel
    decide(city_sw, t.id, "approve", "同意")
    [f] = todo(city_org)
    assert f.kind == "filing"
    decide(city_org, f.id, "acknowledge", "予以备案")
    assert status(pid) == "approved"
    with UnitOfWork(readonly=True) as uow:
        actions = [(e.action, e.to_state) for e in audit.history(uow.session, "recruitment_plan", pid)]
    assert ("submit", "in_review") in actions and ("pass_step", "approved") in actions


def test_over_quota_plan_is_refused_with_its_article_and_nothing_written(actor: GetActor) -> None:
    hr = actor("hm_hr")
    pid = create(hr, HUIMIN, 200, n_communities=2)  # 400 posts for ~72,740 residents (cap 130)
    with pytest.raises(RuleViolation) as err:
        submit(hr, pid)
    assert err.value.code == "over_quota" and err.value.article == "IM art. 5"
    assert "配备上限 130" in err.value.message
    assert status(pid) == "draft"
    with UnitOfWork(readonly=True) as uow:
        assert [e.action for e in audit.history(uow.session, "recruitment_plan", pid)] == ["create"]
    assert todo(actor("hhht_sw")) == []


def test_quota_counts_other_live_plans(actor: GetActor) -> None:
    hr = actor("hm_hr")
    first = create(hr, HUIMIN, 60, n_communities=2)  # 120 of 130
    submit(hr, first)
    second = create(hr, HUIMIN, 11)
    with pytest.raises(RuleViolation):
        submit(hr, second)
    ok = create(hr, HUIMIN, 10)
    submit(hr, ok)
    assert status(ok) == "in_review"


def test_return_to_previous_step_then_to_drafter_and_resubmit(actor: GetActor) -> None:
    hr, city_sw, city_org = actor("hm_hr"), actor("hhht_sw"), actor("hhht_org")
    pid = create(hr, HUIMIN, 2)
    submit(hr, pid)
    decide(city_sw, todo(city_sw)[0].id, "approve")
    f = todo(city_org)[0]
    with pytest.raises(InvalidInput) as err:  # a return needs its reasons
        decide(city_org, f.id, "return", "  ")
    assert err.value.code == "opinion_required"
    decide(city_org, f.id, "return", "岗位条件未写明学历要求")
    assert status(pid) == "in_review"
    [again] = todo(city_sw)  # back at the review step
    decide(city_sw, again.id, "return", "请补充招聘条件", return_to="drafter")
    assert status(pid) == "returned"
    with UnitOfWork() as uow:
        v = views.get_view(uow, hr, pid)
        assert "edit" in v.actions and "submit" in v.actions
    submit(hr, pid)
    assert status(pid) == "in_review" and len(todo(city_sw)) == 1


def test_withdraw_cancels_open_tasks(actor: GetActor) -> None:
    hr, city_sw = actor("hm_hr"), actor("hhht_sw")
    pid = create(hr, HUIMIN, 2)
    submit(hr, pid)
    with UnitOfWork() as uow, pytest.raises(InvalidInput):
        plans.withdraw(uow, hr, pid, "")
    with UnitOfWork() as uow:
        plans.withdraw(uow, hr, pid, "人员需求调整")
        uow.commit()
    assert status(pid) == "withdrawn" and todo(city_sw) == []
    with UnitOfWork() as uow, pytest.raises(TransitionRefused):
        plans.submit(uow, hr, pid)


def test_a_county_officer_cannot_see_or_act_on_another_countys_plan(actor: GetActor) -> None:
    hr, other = actor("hm_hr"), actor("xc_hr")  # 回民区 vs 新城区
    pid = create(hr, HUIMIN, 2)
    with UnitOfWork(readonly=True) as uow:
        with pytest.raises(NotFound):
            views.get_view(uow, other, pid)
        _, total = views.list_plans(uow, other)
        assert total == 0
    with UnitOfWork() as uow, pytest.raises(PermissionDenied):
        plans.submit(uow, other, pid)
    submit(hr, pid)
    t = todo(actor("hhht_sw"))[0]
    with UnitOfWork() as uow, pytest.raises(PermissionDenied):
        tasks.complete(uow, actor("hhht_org"), t.id, "approve")  # not the org dept's step
    with UnitOfWork() as uow, pytest.raises(NotFound):
        tasks.get_visible(uow, actor("ds_hr"), t.id)  # Ordos county officer


def test_profile_is_pinned_when_the_plan_is_drafted(actor: GetActor) -> None:
    hr = actor("hm_hr")
    pid = create(hr, HUIMIN, 2)
    with UnitOfWork(readonly=True) as uow:
        plan = plans.load(uow, pid)
    assert plan.policy_keys == ["inner_mongolia"]
    assert plan.profile["staffing"]["workers_per_10k_urban"]["value"] == 18
    assert plan.profile_fingerprint


def test_untouched_review_over_national_day_escalates_on_the_right_working_day(
    actor: GetActor, set_clock: Callable[[datetime], None], runtime: Runtime
) -> None:
    """Submitted Wed 2026-09-30; 10 working days (IM, local config) skip 1-7 Oct and count Sat 10 Oct
    (调休): deadline day Tue 20 Oct. Escalation 1 working day after: fires at the end of Wed 21 Oct."""
    hr, city_sw = actor("hm_hr"), actor("hhht_sw")
    set_clock(datetime(2026, 9, 30, 9, 0))
    pid = create(hr, HUIMIN, 2)
    submit(hr, pid)
    [t] = todo(city_sw)
    assert t.due_at == datetime(2026, 10, 21, 0, 0)  # exclusive end of the deadline day 20 Oct

    def sweep_at(at: datetime) -> None:
        set_clock(at)
        timers.sweep(worker_id="test")

    sweep_at(datetime(2026, 10, 21, 23, 59))
    with UnitOfWork(readonly=True) as uow:
        task = tasks.get_visible(uow, city_sw, t.id)
        assert task.escalation_level == 0 and task.remind_count >= 1  # reminded, not yet escalated
    sweep_at(datetime(2026, 10, 22, 0, 1))
    with UnitOfWork(readonly=True) as uow:
        task = tasks.get_visible(uow, city_sw, t.id)
        assert task.escalation_level == 1
        sup = org.get_department(uow.session, task.escalated_to_department_id or 0)
        assert sup.name.startswith("内蒙古自治区")
    region = actor("nmg_sw")
    with UnitOfWork(readonly=True) as uow:
        page = tasks.inbox(uow, region, tab="supervise")
        assert [x.id for x in page.tasks] == [t.id]
    sweep_at(datetime(2026, 10, 22, 0, 2))  # a second sweep changes nothing
    with UnitOfWork(readonly=True) as uow:
        assert tasks.get_visible(uow, city_sw, t.id).escalation_level == 1
    assert status(pid) == "in_review"


def test_jiulongpo_street_plan_is_countersigned_by_the_two_district_departments(actor: GetActor) -> None:
    """JLP art. 17: a street proposes; the district organisation department AND civil-affairs bureau review."""
    hr, d_org, d_ca = actor("yjp_hr"), actor("jlp_org"), actor("jlp_ca")
    pid = create(hr, "500107001", 2)  # 杨家坪街道
    submit(hr, pid)
    [a], [b] = todo(d_org), todo(d_ca)
    assert a.group_id == b.group_id and a.article == "JLP art. 17"
    decide(d_org, a.id, "approve", "同意")
    assert status(pid) == "in_review"  # 会签: one approval is not enough
    decide(d_ca, b.id, "approve", "同意")
    assert status(pid) == "approved"


def test_jiulongpo_countersign_return_by_either_department_returns_the_plan(actor: GetActor) -> None:
    hr, d_org, d_ca = actor("yjp_hr"), actor("jlp_org"), actor("jlp_ca")
    pid = create(hr, "500107001", 2)
    submit(hr, pid)
    decide(d_ca, todo(d_ca)[0].id, "return", "缺员情况说明不足")
    assert status(pid) == "returned" and todo(d_org) == []  # the sibling task is cancelled


def test_a_county_cannot_draft_where_jiulongpo_says_the_street_drafts(actor: GetActor) -> None:
    with pytest.raises(RuleViolation) as err:
        create(actor("jlp_hr"), "500107", 1)
    assert err.value.code == "not_plan_organiser_level" and err.value.article == "JLP art. 17"


def test_ordos_checks_households_per_worker_per_community(actor: GetActor) -> None:
    """OR art. 3: one worker per 200 resident households, checked per community (on top of IM art. 5)."""
    hr = actor("ds_hr")  # 东胜区, Ordos
    pid = create(hr, "150602", 100)
    with pytest.raises(RuleViolation) as err:
        submit(hr, pid)
    assert err.value.article in ("OR art. 3", "IM art. 5")
    assert any(p["article"] == "OR art. 3" for p in err.value.details["problems"])
    with UnitOfWork(readonly=True) as uow:
        plan = plans.load(uow, pid)
    assert plan.policy_keys == ["inner_mongolia", "ordos"]


def test_a_completion_sends_its_statements_prepared(actor: GetActor, runtime: Runtime) -> None:
    """The task actions' short path (db/prepared.py, db/hot_rows.py) stays short: approving a review (which
    opens the filing step) and acknowledging the filing send every statement prepared on the driver
    connection, none through SQLAlchemy's engine (which costs 40-70 µs per statement here) but the BEGIN
    (and, in this test mode, the simulated clock's row)."""
    hr, city_sw, city_org = actor("hm_hr"), actor("hhht_sw"), actor("hhht_org")
    pid = create(hr, HUIMIN, 1)
    submit(hr, pid)
    seen: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "FROM sim_clock" not in statement:  # the simulated clock: read in demo and test modes only
            seen.append(statement.split()[0].upper())

    for who, decision in ((city_sw, "approve"), (city_org, "acknowledge")):
        [t] = todo(who)
        event.listen(runtime.engine, "before_cursor_execute", before)
        try:
            with UnitOfWork() as uow:
                tasks.get_visible(uow, who, t.id, for_update=True)  # as the API does it
                tasks.complete(uow, who, t.id, decision, "同意")
                uow.commit()
        finally:
            event.remove(runtime.engine, "before_cursor_execute", before)
        assert set(seen) <= {"BEGIN"}, seen
    assert status(pid) == "approved"
