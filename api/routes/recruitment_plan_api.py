"""JSON API of the recruitment-plan procedure."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CurrentActor
from api.schemas import TaskOut
from db.models.recruitment_plan import RecruitmentPlan
from domain.recruitment_plan import PlanDraft
from services import recruitment_plan as plans
from services.recruitment_plan import views
from services.recruitment_plan.quota import QuotaCheck
from services.uow import UnitOfWork
from states.recruitment_plan import RecruitmentPlanMachine

router = APIRouter(prefix="/api/v1/recruitment-plans", tags=["recruitment_plan"])


class QuotaLineOut(BaseModel):
    scope: str
    basis: str
    base: int | None
    cap: int | None
    staffed: int
    pending: int
    requested: int
    headroom: int | None
    ok: bool
    article: str
    message: str


class QuotaOut(BaseModel):
    ok: bool
    lines: list[QuotaLineOut]

    @classmethod
    def of(cls, q: QuotaCheck) -> QuotaOut:
        return cls(
            ok=q.ok,
            lines=[
                QuotaLineOut(
                    scope=line.scope,
                    basis=line.basis,
                    base=line.base,
                    cap=line.cap,
                    staffed=line.staffed,
                    pending=line.pending,
                    requested=line.requested,
                    headroom=line.headroom,
                    ok=line.ok,
                    article=line.article,
                    message=line.message(),
                )
                for line in q.lines
            ],
        )


class PlanSummary(BaseModel):
    id: int
    title: str
    year: int
    status: str
    status_label: str
    jurisdiction_id: int
    jurisdiction: str
    step_index: int
    updated_at: datetime

    @classmethod
    def of(cls, p: RecruitmentPlan, jurisdiction: str) -> PlanSummary:
        return cls(
            id=p.id,
            title=p.title,
            year=p.year,
            status=p.status,
            status_label=views.STATUS_LABELS.get(p.status, p.status),
            jurisdiction_id=p.jurisdiction_id,
            jurisdiction=jurisdiction,
            step_index=p.step_index,
            updated_at=p.updated_at,
        )


class PostOut(BaseModel):
    community_id: int
    community: str
    post_title: str
    posts: int
    conditions: str


class StepOut(BaseModel):
    index: int
    key: str
    label: str
    kind: str
    departments: list[str]
    due_working_days: int
    article: str
    state: str
    tasks: list[TaskOut]


class PlanOut(PlanSummary):
    conditions: str
    policy_keys: list[str]
    profile_fingerprint: str
    posts: list[PostOut]
    total_posts: int
    quota: QuotaOut
    steps: list[StepOut]
    actions: list[str]
    diagram: str


class PlanList(BaseModel):
    total: int
    items: list[PlanSummary]


class WithdrawIn(BaseModel):
    reason: str = Field(max_length=2000)


class QuotaPreviewIn(BaseModel):
    jurisdiction_id: int = Field(gt=0)
    posts: dict[int, int] = Field(description="posts per community id")
    exclude_plan_id: int | None = None


def _out(uow: UnitOfWork, actor: CurrentActor, plan_id: int) -> PlanOut:
    v = views.get_view(uow, actor, plan_id)
    p = v.plan
    return PlanOut(
        **PlanSummary.of(p, v.jurisdiction_name).model_dump(),
        conditions=p.conditions,
        policy_keys=list(p.policy_keys),
        profile_fingerprint=p.profile_fingerprint,
        posts=[
            PostOut(
                community_id=post.community_id,
                community=name,
                post_title=post.post_title,
                posts=post.posts,
                conditions=post.conditions,
            )
            for post, name in v.posts
        ],
        total_posts=v.total_posts,
        quota=QuotaOut.of(v.quota),
        steps=[
            StepOut(
                index=s.spec.index,
                key=s.spec.key,
                label=s.spec.label,
                kind=s.spec.kind,
                departments=[d.name for d in s.spec.departments],
                due_working_days=s.spec.due_working_days,
                article=s.spec.article,
                state=s.state,
                tasks=[TaskOut.of(t, actor, uow.now) for t in s.tasks],
            )
            for s in v.steps
        ],
        actions=v.actions,
        diagram=v.diagram,
    )


@router.get("", response_model=PlanList)
def list_plans(
    actor: CurrentActor,
    status: str | None = None,
    year: int | None = None,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PlanList:
    with UnitOfWork(readonly=True) as uow:
        rows, total = views.list_plans(uow, actor, status=status, year=year, q=q, limit=limit, offset=offset)
        return PlanList(total=total, items=[PlanSummary.of(p, name) for p, name in rows])


@router.post("", response_model=PlanOut, status_code=201)
def create(body: PlanDraft, actor: CurrentActor) -> PlanOut:
    with UnitOfWork() as uow:
        plan = plans.create_draft(uow, actor, body)
        uow.commit()
        return _out(uow, actor, plan.id)


@router.post("/quota-preview", response_model=QuotaOut)
def quota_preview(body: QuotaPreviewIn, actor: CurrentActor) -> QuotaOut:
    with UnitOfWork(readonly=True) as uow:
        return QuotaOut.of(
            plans.quota_preview(uow, actor, body.jurisdiction_id, body.posts, body.exclude_plan_id)
        )


@router.get("/{plan_id}", response_model=PlanOut)
def get(plan_id: int, actor: CurrentActor) -> PlanOut:
    with UnitOfWork(readonly=True) as uow:
        return _out(uow, actor, plan_id)


@router.put("/{plan_id}", response_model=PlanOut)
def update(plan_id: int, body: PlanDraft, actor: CurrentActor) -> PlanOut:
    with UnitOfWork() as uow:
        views.visible(uow, actor, plan_id)
        plans.update_draft(uow, actor, plan_id, body)
        uow.commit()
        return _out(uow, actor, plan_id)


@router.post("/{plan_id}/submit", response_model=PlanOut)
def submit(plan_id: int, actor: CurrentActor) -> PlanOut:
    with UnitOfWork() as uow:
        views.visible(uow, actor, plan_id)
        plans.submit(uow, actor, plan_id)
        uow.commit()
        return _out(uow, actor, plan_id)


@router.post("/{plan_id}/withdraw", response_model=PlanOut)
def withdraw(plan_id: int, body: WithdrawIn, actor: CurrentActor) -> PlanOut:
    with UnitOfWork() as uow:
        views.visible(uow, actor, plan_id)
        plans.withdraw(uow, actor, plan_id, body.reason)
        uow.commit()
        return _out(uow, actor, plan_id)


@router.get("/{plan_id}/diagram", response_model=dict[str, str])
def diagram(plan_id: int, actor: CurrentActor) -> dict[str, str]:
    with UnitOfWork(readonly=True) as uow:
        plan = views.visible(uow, actor, plan_id)
        return {"mermaid": RecruitmentPlanMachine.mermaid(plan.status), "status": plan.status}
