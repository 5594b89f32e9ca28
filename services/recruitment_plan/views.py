"""Reading plans: the case page (posts, quota, chain with its tasks, history, allowed actions, diagram),
the list, and the leaders' dashboard. Everything here is scoped to what the actor may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from db.models.audit import AuditEntry
from db.models.recruitment_plan import RecruitmentPlan, RecruitmentPlanPost
from db.models.tasks import Task
from db.repos import recruitment_plan as repo
from db.repos import tasks as task_repo
from domain.actor import Actor
from domain.enums import Role
from domain.errors import InvalidInput, NotFound
from services import audit, org
from services.recruitment_plan import policy
from services.recruitment_plan.machine import allowed
from services.recruitment_plan.quota import QuotaCheck
from services.recruitment_plan.service import quota_of
from services.tasks.types import StepSpec
from services.uow import UnitOfWork
from states.recruitment_plan import RecruitmentPlanMachine

STATUS_LABELS = RecruitmentPlanMachine.status_labels()


def _filter(actor: Actor, **kw: object) -> repo.PlanListFilter:
    return repo.PlanListFilter(
        scope_paths=sorted(actor.scope_paths()),
        department_ids=sorted(actor.department_ids()),
        **kw,  # type: ignore[arg-type]
    )


def visible(uow: UnitOfWork, actor: Actor, plan_id: int) -> RecruitmentPlan:
    """The plan, if the actor oversees its jurisdiction or their department has (had) a task on it.
    Otherwise NotFound: another county's plan does not exist for them."""
    plan = repo.get(uow.session, plan_id)
    if plan is None or not repo.is_visible(uow.session, plan_id, _filter(actor)):
        raise NotFound(f"招聘方案 {plan_id} 不存在", code="plan_not_found")
    return plan


@dataclass
class StepView:
    spec: StepSpec
    state: str  # done | current | pending
    tasks: list[Task] = field(default_factory=list)


@dataclass
class PlanView:
    plan: RecruitmentPlan
    jurisdiction_name: str
    status_label: str
    posts: list[tuple[RecruitmentPlanPost, str]]
    total_posts: int
    quota: QuotaCheck
    steps: list[StepView]
    history: list[AuditEntry]
    actions: list[str]
    diagram: str
    is_drafter: bool


def drafter_actions(actor: Actor, plan: RecruitmentPlan) -> list[str]:
    is_drafter = any(
        m.role == Role.HR_OFFICER and m.jurisdiction_id == plan.jurisdiction_id for m in actor.memberships
    )
    if not is_drafter:
        return []
    acts = [e for e in allowed(plan) if e in ("submit", "withdraw")]
    if plan.status in ("draft", "returned"):
        acts.insert(0, "edit")
    return acts


def get_view(uow: UnitOfWork, actor: Actor, plan_id: int) -> PlanView:
    plan = visible(uow, actor, plan_id)
    organiser = org.get_jurisdiction(uow.session, plan.jurisdiction_id)
    posts = repo.posts_of(uow.session, plan.id)
    names = {j.id: j.name for j in repo.communities_under(uow.session, organiser.path)}
    tasks = task_repo.tasks_of_case(uow.session, "recruitment_plan", plan.id)
    by_step: dict[int, list[Task]] = defaultdict(list)
    groups = {g.id: g for g in task_repo.groups_of_case(uow.session, "recruitment_plan", plan.id)}
    latest_group: dict[int, int] = {}
    for g in groups.values():
        latest_group[g.step_index] = max(latest_group.get(g.step_index, 0), g.id)
    for t in tasks:
        g = groups[t.group_id]
        if latest_group.get(g.step_index) == g.id:
            by_step[g.step_index].append(t)
    steps: list[StepView] = []
    for spec in policy.steps(uow, plan):
        if plan.status == "approved" or (plan.status == "in_review" and spec.index < plan.step_index):
            state = "done"
        elif plan.status == "in_review" and spec.index == plan.step_index:
            state = "current"
        else:
            state = "pending"
        steps.append(StepView(spec, state, by_step.get(spec.index, [])))
    history = audit.history_of(
        uow.session, [("recruitment_plan", [plan.id]), ("task", [t.id for t in tasks])]
    )
    acts = drafter_actions(actor, plan)
    return PlanView(
        plan=plan,
        jurisdiction_name=organiser.name,
        status_label=STATUS_LABELS.get(plan.status, plan.status),
        posts=[(p, names.get(p.community_id, str(p.community_id))) for p in posts],
        total_posts=sum(p.posts for p in posts),
        quota=quota_of(uow, plan),
        steps=steps,
        history=history,
        actions=acts,
        diagram=RecruitmentPlanMachine.mermaid(plan.status),
        is_drafter=bool(acts)
        or any(
            m.role == Role.HR_OFFICER and m.jurisdiction_id == plan.jurisdiction_id for m in actor.memberships
        ),
    )


def list_plans(
    uow: UnitOfWork,
    actor: Actor,
    *,
    status: str | None = None,
    year: int | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[RecruitmentPlan, str]], int]:
    if status and status not in STATUS_LABELS:
        raise InvalidInput(f"未知的方案状态 {status}", code="invalid_status")
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidInput("分页参数超出范围（每页 1-500 条）", code="invalid_paging")
    return repo.list_visible(
        uow.session,
        _filter(
            actor, status=status or None, year=year, q=(q or "").strip() or None, limit=limit, offset=offset
        ),
    )


@dataclass
class DashboardRow:
    jurisdiction_id: int
    name: str
    path: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Dashboard:
    rows: list[DashboardRow]
    totals: dict[str, int]
    overdue: list[Task]
    statuses: dict[str, str]


def dashboard(uow: UnitOfWork, actor: Actor) -> Dashboard:
    """Plans by stage and organising jurisdiction, and overdue tasks, within the actor's oversight."""
    scope = sorted(actor.scope_paths())
    rows: dict[int, DashboardRow] = {}
    totals: dict[str, int] = defaultdict(int)
    for jid, name, path, status, n in repo.counts_by_stage(uow.session, scope):
        row = rows.setdefault(jid, DashboardRow(jid, name, path, defaultdict(int)))
        row.counts[status] += n
        totals[status] += n
    overdue = task_repo.overdue_tasks(uow.session, uow.now, scope)
    return Dashboard(
        rows=sorted(rows.values(), key=lambda r: r.path),
        totals=dict(totals),
        overdue=overdue,
        statuses=STATUS_LABELS,
    )


@dataclass
class DraftContext:
    organisers: list[tuple[int, str]]  # jurisdictions where the actor drafts plans
    jurisdiction_id: int | None
    communities: list[object]
    staffed: dict[int, int]
    organiser_name: str | None


def draft_context(uow: UnitOfWork, actor: Actor, jurisdiction_id: int | None = None) -> DraftContext:
    """What the draft form shows: the actor's organising jurisdictions, and the chosen one's communities
    with their population, households and workers in post."""
    organisers = sorted(
        {(m.jurisdiction_id, m.jurisdiction_name) for m in actor.memberships_with(Role.HR_OFFICER)}
    )
    ids = [jid for jid, _ in organisers]
    if jurisdiction_id is None or jurisdiction_id not in ids:
        jurisdiction_id = ids[0] if ids else None
    if jurisdiction_id is None:
        return DraftContext([], None, [], {}, None)
    organiser = org.get_jurisdiction(uow.session, jurisdiction_id)
    communities = repo.communities_under(uow.session, organiser.path)
    staffed = repo.staffed_by_community(uow.session, [c.id for c in communities])
    return DraftContext(organisers, jurisdiction_id, list(communities), staffed, organiser.name)
