"""Pages of the recruitment-plan procedure and the dashboard."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import CurrentActor
from api.pages import render
from api.templating import templates
from domain.enums import Role
from domain.errors import ShegongError
from forms.recruitment_plan import PlanForm
from services import directory
from services import recruitment_plan as plans
from services.recruitment_plan import views
from services.recruitment_plan.machine import CASE
from services.tasks.actions import DECISION_LABELS
from services.uow import UnitOfWork
from states.task import TaskMachine

router = APIRouter(include_in_schema=False)
TASK_LABELS = TaskMachine.status_labels()
ACTION_LABELS = {
    "create": "创建方案",
    "edit": "修改方案",
    "submit": "提交审核",
    "open_step": "进入审批环节",
    "pass_step": "环节通过",
    "send_back": "退回",
    "withdraw": "撤回",
    "claim": "签收",
    "release": "退回任务池",
    "complete": "办结",
    "delegate": "委派",
    "resolve": "委派办结",
    "transfer": "转办",
    "remind": "催办",
    "escalate": "督办",
    "cancel_tasks": "取消待办",
    "cc": "抄送",
}


@router.get("/plans", response_class=HTMLResponse)
def plans_page(
    request: Request,
    actor: CurrentActor,
    status: str | None = None,
    year: str | None = None,
    q: str | None = None,
) -> HTMLResponse:
    year_n = int(year) if year and year.isdigit() else None
    with UnitOfWork(readonly=True) as uow:
        rows, total = views.list_plans(uow, actor, status=status or None, year=year_n, q=q)
    return render(
        request,
        "plans.html",
        actor,
        rows=rows,
        total=total,
        statuses=views.STATUS_LABELS,
        status=status,
        year=year_n,
        q=q,
        can_draft=bool(actor.memberships_with(Role.HR_OFFICER)),
    )


def _form_page(
    request: Request,
    actor: CurrentActor,
    form: PlanForm,
    plan_id: int | None = None,
    error: ShegongError | None = None,
) -> HTMLResponse:
    jid = int(form.jurisdiction_id) if form.jurisdiction_id.isdigit() else None
    with UnitOfWork(readonly=True) as uow:
        ctx = views.draft_context(uow, actor, jid)
        form.jurisdiction_id = str(ctx.jurisdiction_id or "")
        quota = None
        if ctx.jurisdiction_id and form.requested():
            try:
                quota = plans.quota_preview(uow, actor, ctx.jurisdiction_id, form.requested(), plan_id)
            except ShegongError:
                quota = None
    return render(
        request,
        "plan_form.html",
        actor,
        status_code=422 if error else 200,
        form=form,
        plan_id=plan_id,
        organisers=[type("J", (), {"id": i, "name": n}) for i, n in ctx.organisers],
        communities=ctx.communities,
        staffed=ctx.staffed,
        organiser_name=ctx.organiser_name,
        quota=quota,
        error=error,
    )


@router.get("/plans/new", response_class=HTMLResponse)
def new_plan(request: Request, actor: CurrentActor, jurisdiction_id: str = "") -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        year = uow.now.year
    return _form_page(request, actor, PlanForm(jurisdiction_id=jurisdiction_id, year=str(year)))


@router.post("/plans/new")
async def create_plan(request: Request, actor: CurrentActor) -> Response:
    form = PlanForm.from_form(await request.form())
    try:
        with UnitOfWork() as uow:
            plan = plans.create_draft(uow, actor, form.to_command())
            uow.commit()
    except ShegongError as exc:
        return _form_page(request, actor, form, error=exc)
    return RedirectResponse(f"/plans/{plan.id}?flash=已保存草稿", status_code=303)


@router.get("/plans/{plan_id}/edit", response_class=HTMLResponse)
def edit_plan(request: Request, plan_id: int, actor: CurrentActor) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        v = views.get_view(uow, actor, plan_id)
    form = PlanForm(
        jurisdiction_id=str(v.plan.jurisdiction_id),
        title=v.plan.title,
        year=str(v.plan.year),
        conditions=v.plan.conditions,
        rows={str(p.community_id): (str(p.posts), p.post_title, p.conditions) for p, _ in v.posts},
    )
    return _form_page(request, actor, form, plan_id=plan_id)


@router.post("/plans/{plan_id}/edit")
async def update_plan(request: Request, plan_id: int, actor: CurrentActor) -> Response:
    form = PlanForm.from_form(await request.form())
    try:
        with UnitOfWork() as uow:
            views.visible(uow, actor, plan_id)
            plans.update_draft(uow, actor, plan_id, form.to_command())
            uow.commit()
    except ShegongError as exc:
        return _form_page(request, actor, form, plan_id=plan_id, error=exc)
    return RedirectResponse(f"/plans/{plan_id}?flash=已保存", status_code=303)


@router.post("/plans/quota", response_class=HTMLResponse)
async def quota_partial(request: Request, actor: CurrentActor) -> HTMLResponse:
    """Live headroom while drafting (htmx)."""
    raw = await request.form()
    form = PlanForm.from_form(raw)
    plan_id = request.headers.get("hx-current-url", "").rstrip("/").split("/plans/")[-1].split("/")[0]
    exclude = int(plan_id) if plan_id.isdigit() else None
    quota = None
    if form.jurisdiction_id.isdigit():
        with UnitOfWork(readonly=True) as uow:
            quota = plans.quota_preview(uow, actor, int(form.jurisdiction_id), form.requested(), exclude)
    return templates.TemplateResponse(request, "partials/quota.html", {"quota": quota})


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, plan_id: int, actor: CurrentActor, flash: str | None = None) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        v = views.get_view(uow, actor, plan_id)
        cc = directory.cc_targets(uow, actor, CASE, plan_id)
    return render(
        request,
        "plan.html",
        actor,
        v=v,
        cc=cc,
        case_type=CASE,
        case_id=plan_id,
        flash=flash,
        task_labels=TASK_LABELS,
        decision_labels=DECISION_LABELS,
        action_labels=ACTION_LABELS,
        state_labels={**TASK_LABELS, **views.STATUS_LABELS},
    )


@router.post("/plans/{plan_id}/submit")
def submit_plan(plan_id: int, actor: CurrentActor) -> Response:
    with UnitOfWork() as uow:
        views.visible(uow, actor, plan_id)
        plans.submit(uow, actor, plan_id)
        uow.commit()
    return RedirectResponse(f"/plans/{plan_id}?flash=已提交审核", status_code=303)


@router.post("/plans/{plan_id}/withdraw")
def withdraw_plan(plan_id: int, actor: CurrentActor, reason: Annotated[str, Form()] = "") -> Response:
    with UnitOfWork() as uow:
        views.visible(uow, actor, plan_id)
        plans.withdraw(uow, actor, plan_id, reason)
        uow.commit()
    return RedirectResponse(f"/plans/{plan_id}?flash=已撤回", status_code=303)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, actor: CurrentActor) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        d = views.dashboard(uow, actor)
    return render(request, "dashboard.html", actor, d=d, task_labels=TASK_LABELS, now=datetime.now())
