"""Recruitment plan use cases: draft, edit, submit (quota-checked), review along the profile's chain,
send back, resubmit, withdraw. Each takes a unit of work and an actor; the caller commits."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from db.models.recruitment_plan import RecruitmentPlan, RecruitmentPlanPost
from db.models.tasks import TaskGroup
from db.repos import recruitment_plan as repo
from domain.actor import Actor
from domain.enums import Level, Role
from domain.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation, TransitionRefused
from domain.recruitment_plan import PlanDraft
from services import audit, org, tasks
from services.recruitment_plan import policy
from services.recruitment_plan.machine import CASE, fire
from services.recruitment_plan.quota import QuotaCheck, check
from services.tasks.types import CaseRef, Outcome, ReturnTo
from services.uow import UnitOfWork


def _audit(uow: UnitOfWork, actor: Actor, plan: RecruitmentPlan, **fields: Any) -> None:
    """One audit row about the plan, in the use case's transaction."""
    audit.defer(uow.session, uow.now, actor=actor, subject_type=CASE, subject_id=plan.id, **fields)


def load(uow: UnitOfWork, plan_id: int, *, for_update: bool = False) -> RecruitmentPlan:
    plan = repo.get(uow.session, plan_id, for_update=for_update)
    if plan is None:
        raise NotFound(f"招聘方案 {plan_id} 不存在", code="plan_not_found")
    return plan


def _require_drafter(actor: Actor, plan_jurisdiction_id: int) -> None:
    if not any(
        m.role == Role.HR_OFFICER and m.jurisdiction_id == plan_jurisdiction_id for m in actor.memberships
    ):
        raise PermissionDenied(
            "只有本级组织招聘的经办人可以起草、修改、提交或撤回招聘方案", code="not_plan_drafter"
        )


def _posts(uow: UnitOfWork, draft: PlanDraft, organiser_path: str) -> list[RecruitmentPlanPost]:
    communities = {c.id: c for c in repo.communities_under(uow.session, organiser_path)}
    problems = [line.community_id for line in draft.posts if line.community_id not in communities]
    if problems:
        raise InvalidInput(
            f"社区 {', '.join(map(str, problems))} 不在本级管辖范围内",
            code="community_out_of_scope",
            details={"community_ids": problems},
        )
    return [
        RecruitmentPlanPost(
            community_id=p.community_id, post_title=p.post_title, posts=p.posts, conditions=p.conditions
        )
        for p in draft.posts
    ]


def quota_preview(
    uow: UnitOfWork,
    actor: Actor,
    jurisdiction_id: int,
    requested: dict[int, int],
    exclude_plan_id: int | None = None,
) -> QuotaCheck:
    """Live headroom while drafting: the same check submission applies."""
    organiser = org.get_jurisdiction(uow.session, jurisdiction_id)
    if not actor.oversees(organiser.path):
        raise PermissionDenied("无权查看该地区的配备情况", code="forbidden_scope")
    profile = policy.resolve_for(uow, jurisdiction_id)
    return check(
        uow.session, policy.quota_rules(profile), organiser, requested, exclude_plan_id=exclude_plan_id
    )


def create_draft(uow: UnitOfWork, actor: Actor, draft: PlanDraft) -> RecruitmentPlan:
    organiser = org.get_jurisdiction(uow.session, draft.jurisdiction_id)
    _require_drafter(actor, organiser.id)
    keys = org.policy_keys_for(uow.session, organiser.id)
    effective = policy.resolve(keys, uow.now.date())
    policy.require_may_draft(effective, Level(organiser.level), organiser.name)
    posts = _posts(uow, draft, organiser.path)
    plan = repo.add(
        uow.session,
        RecruitmentPlan(
            jurisdiction_id=organiser.id,
            jurisdiction_path=organiser.path,
            title=draft.title,
            year=draft.year,
            conditions=draft.conditions,
            status="draft",
            step_index=0,
            policy_keys=keys,
            profile=effective.to_json(),
            profile_fingerprint=effective.fingerprint,
            created_by_id=actor.user_id,
            created_at=uow.now,
            updated_at=uow.now,
        ),
    )
    repo.replace_posts(uow.session, plan.id, posts)
    _audit(
        uow,
        actor,
        plan,
        action="create",
        to_state="draft",
        data={"title": plan.title, "posts": sum(p.posts for p in posts), "profile": plan.profile_fingerprint},
    )
    return plan


def update_draft(uow: UnitOfWork, actor: Actor, plan_id: int, draft: PlanDraft) -> RecruitmentPlan:
    plan = load(uow, plan_id, for_update=True)
    _require_drafter(actor, plan.jurisdiction_id)
    if plan.status not in ("draft", "returned"):
        raise TransitionRefused(
            "方案已提交审核，不能修改；如需修改请先撤回或等待退回", code="plan_not_editable"
        )
    if draft.jurisdiction_id != plan.jurisdiction_id:
        raise InvalidInput("不能更改方案的组织地区", code="plan_jurisdiction_fixed")
    repo.replace_posts(uow.session, plan.id, _posts(uow, draft, plan.jurisdiction_path))
    plan.title, plan.year, plan.conditions, plan.updated_at = (
        draft.title,
        draft.year,
        draft.conditions,
        uow.now,
    )
    _audit(
        uow,
        actor,
        plan,
        action="edit",
        from_state=plan.status,
        to_state=plan.status,
        data={"title": plan.title},
    )
    return plan


def quota_of(uow: UnitOfWork, plan: RecruitmentPlan) -> QuotaCheck:
    requested: dict[int, int] = defaultdict(int)
    for p in repo.posts_of(uow.session, plan.id):
        requested[p.community_id] += p.posts
    organiser = org.get_jurisdiction(uow.session, plan.jurisdiction_id)
    rules = policy.quota_rules(policy.pinned(plan))
    return check(uow.session, rules, organiser, dict(requested), exclude_plan_id=plan.id)


def submit(uow: UnitOfWork, actor: Actor, plan_id: int) -> RecruitmentPlan:
    """提交 (or resubmit after a return): refused with the article when over quota; opens the first step."""
    plan = load(uow, plan_id, for_update=True)
    _require_drafter(actor, plan.jurisdiction_id)
    quota = quota_of(uow, plan)
    if not quota.ok:
        first = quota.problems[0]
        raise RuleViolation(
            "招聘人数超出社区工作者配备标准：" + "；".join(line.message() for line in quota.problems),
            code="over_quota",
            article=first.article,
            details={
                "problems": [{"message": line.message(), "article": line.article} for line in quota.problems]
            },
        )
    steps = policy.resolve_steps(uow, plan)
    before = plan.status
    fire(plan, "submit")
    plan.chain = policy.chain_json(steps)
    plan.step_index = 0
    plan.submitted_at = plan.updated_at = uow.now
    _audit(
        uow,
        actor,
        plan,
        action="submit",
        from_state=before,
        to_state=plan.status,
        article=steps[0].article,
        data={"chain": [s.label for s in steps]},
    )
    tasks.open_step(uow, ref_of(plan), steps[0], actor)
    return plan


def withdraw(uow: UnitOfWork, actor: Actor, plan_id: int, reason: str | None) -> RecruitmentPlan:
    plan = load(uow, plan_id, for_update=True)
    _require_drafter(actor, plan.jurisdiction_id)
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("请填写撤回理由", code="reason_required")
    before = plan.status
    fire(plan, "withdraw")
    plan.decided_at = plan.updated_at = uow.now
    tasks.cancel_case(uow, CASE, plan.id, actor, f"方案撤回：{text}")
    _audit(
        uow,
        actor,
        plan,
        action="withdraw",
        from_state=before,
        to_state=plan.status,
        opinion=text,
    )
    return plan


def case_ref(uow: UnitOfWork, plan_id: int) -> CaseRef:
    return ref_of(load(uow, plan_id))


def ref_of(plan: RecruitmentPlan) -> CaseRef:
    timing = policy.task_timing(policy.pinned(plan))
    return CaseRef(
        case_type=CASE,
        case_id=plan.id,
        title=plan.title,
        path=plan.jurisdiction_path,
        calendar_keys=tuple(plan.policy_keys),
        remind_before_working_days=timing.remind_before,
        escalate_after_working_days=timing.escalate_after,
    )


def on_step_decided(
    uow: UnitOfWork,
    group: TaskGroup,
    outcome: Outcome,
    actor: Actor,
    opinion: str | None,
    return_to: ReturnTo,
) -> None:
    """A step was decided: move the plan's machine and open the next (or previous) step."""
    plan = repo.get(uow.session, group.case_id, for_update=True, with_profile=False)
    if plan is None:
        raise NotFound(f"招聘方案 {group.case_id} 不存在", code="plan_not_found")
    steps = policy.steps(uow, plan)
    before = plan.status
    index = group.step_index
    if outcome == "approved":
        last = index >= len(steps) - 1
        fire(plan, "pass_step", is_last=last)
        if last:
            plan.decided_at = uow.now
        else:
            plan.step_index = index + 1
        action, article = "pass_step", steps[index].article
    else:
        to_drafter = return_to == "drafter" or index == 0
        fire(plan, "send_back", to_drafter=to_drafter)
        if not to_drafter:
            plan.step_index = index - 1
        action, article = "send_back", steps[index].article
    plan.updated_at = uow.now
    _audit(
        uow,
        actor,
        plan,
        action=action,
        from_state=before,
        to_state=plan.status,
        opinion=opinion,
        article=article,
        data={"step": steps[index].key, "label": steps[index].label, "next_step": plan.step_index},
    )
    if plan.status == "in_review":
        tasks.open_step(uow, ref_of(plan), steps[plan.step_index], actor)


tasks.register_case(CASE, on_step_decided, case_ref)
