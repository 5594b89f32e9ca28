"""What the recruitment-plan procedure reads from a policy profile: who may draft, the staffing quota
rules, the approval chain resolved to concrete departments, and the task deadline rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from db.models.recruitment_plan import RecruitmentPlan
from domain.enums import DeptKind, Level
from domain.errors import NotFound, RuleViolation
from policies.effective import EffectiveProfile
from policies.loader import load_catalog
from services import org
from services.recruitment_plan.quota import QuotaRules
from services.tasks.types import StepDepartment, StepSpec
from services.uow import UnitOfWork


def resolve(keys: list[str], on: date) -> EffectiveProfile:
    return load_catalog().resolve(keys, on)


def resolve_for(uow: UnitOfWork, jurisdiction_id: int) -> EffectiveProfile:
    return resolve(org.policy_keys_for(uow.session, jurisdiction_id), uow.now.date())


_pinned_cache: dict[str, EffectiveProfile] = {}


def pinned(plan: RecruitmentPlan) -> EffectiveProfile:
    """The profile pinned to the plan when it was drafted (parsed once per fingerprint per process)."""
    hit = _pinned_cache.get(plan.profile_fingerprint)
    if hit is None:
        hit = EffectiveProfile.from_json(plan.profile)
        if len(_pinned_cache) > 256:
            _pinned_cache.clear()
        _pinned_cache[plan.profile_fingerprint] = hit
    return hit


def require_may_draft(profile: EffectiveProfile, level: Level, name: str) -> None:
    organisers = profile.recruitment.drafting_organisers()
    levels = [o.level for o in organisers]
    if level not in levels:
        allowed = "、".join(o.label for o in organisers) or "（未规定）"
        raise RuleViolation(
            f"{name}（{level.label}）不是起草招聘方案的层级；依规定由{allowed}起草",
            code="not_plan_organiser_level",
            article=profile.recruitment.plan_organisers.article,
        )


def quota_rules(profile: EffectiveProfile) -> QuotaRules:
    s = profile.staffing
    per10k, households = s.workers_per_10k_urban, s.households_per_worker
    return QuotaRules(
        workers_per_10k=float(per10k.value) if per10k is not None else None,
        workers_per_10k_article=per10k.article if per10k is not None else None,
        households_per_worker=int(households.value) if households is not None else None,
        households_per_worker_article=households.article if households is not None else None,
    )


@dataclass(frozen=True)
class TaskTiming:
    remind_before: tuple[int, ...]
    escalate_after: int


def task_timing(profile: EffectiveProfile) -> TaskTiming:
    t = profile.tasks
    return TaskTiming(
        remind_before=tuple(t.remind_before_due_working_days.value),
        escalate_after=int(t.escalate_after_due_working_days.value),
    )


def steps(uow: UnitOfWork, plan: RecruitmentPlan) -> list[StepSpec]:
    """The chain the plan is reviewed along: as resolved at submission, else resolved now."""
    if plan.chain:
        return [
            StepSpec(index=s["index"], key=s["key"], label=s["label"], kind=s["kind"],
                     departments=tuple(StepDepartment(d[0], d[1]) for d in s["departments"]),
                     due_working_days=s["due_working_days"], article=s["article"])
            for s in plan.chain
        ]
    return resolve_steps(uow, plan)


def chain_json(specs: list[StepSpec]) -> list[Any]:
    return [
        {"index": s.index, "key": s.key, "label": s.label, "kind": s.kind,
         "departments": [[d.department_id, d.name] for d in s.departments],
         "due_working_days": s.due_working_days, "article": s.article}
        for s in specs
    ]


def resolve_steps(uow: UnitOfWork, plan: RecruitmentPlan) -> list[StepSpec]:
    """The plan's approval chain from its pinned profile, each step's departments found in the tree.
    A chain the tree cannot staff (no such department above) is refused with the article."""
    profile = pinned(plan)
    organiser = org.get_jurisdiction(uow.session, plan.jurisdiction_id)
    chain = profile.recruitment.plan_approval.steps_for(Level(organiser.level))
    if not chain:
        raise RuleViolation(
            "该地区的政策参数没有规定招聘方案的审批环节",
            code="no_approval_chain",
            article=profile.recruitment.plan_organisers.article,
        )
    out: list[StepSpec] = []
    for i, step in enumerate(chain):
        depts: list[StepDepartment] = []
        for kind in step.departments:
            try:
                d = org.department_at(uow.session, organiser.id, step.level, DeptKind(kind))
            except NotFound as exc:
                raise RuleViolation(
                    f"无法确定「{step.label}」的审批部门：{exc.message}",
                    code="approval_department_missing",
                    article=step.article,
                ) from exc
            depts.append(StepDepartment(d.id, d.name))
        out.append(
            StepSpec(
                index=i,
                key=step.key,
                label=step.label,
                kind=step.kind.value,
                departments=tuple(depts),
                due_working_days=int(step.due_working_days.value),
                article=step.article,
            )
        )
    return out
