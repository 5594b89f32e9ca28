"""Pages of the inbox, a task, and notifications; the task forms post here and come back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import CurrentActor
from api.pages import render
from services import directory, org, tasks
from services.tasks.actions import DECISION_LABELS, DECISIONS
from services.tasks.inbox import TABS
from services.uow import UnitOfWork
from states.task import TaskMachine

router = APIRouter(include_in_schema=False)
TASK_LABELS = TaskMachine.status_labels()
KINDS = {"cc": "抄送", "remind": "催办", "escalate": "督办", "info": "通知"}


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(
    request: Request,
    actor: CurrentActor,
    tab: str = "todo",
    case_type: str | None = None,
    overdue: bool = False,
    q: str | None = None,
    offset: int = 0,
    flash: str | None = None,
) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        page = tasks.inbox(uow, actor, tab=tab, case_type=case_type, overdue_only=overdue, q=q, offset=offset)
        now = uow.now
    return render(
        request,
        "inbox.html",
        actor,
        page=page,
        tabs=TABS,
        task_labels=TASK_LABELS,
        q=q,
        case_type=case_type,
        overdue=overdue,
        now=now,
        flash=flash,
    )


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request, actor: CurrentActor) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        items = tasks.notifications_for(uow, actor, limit=200)
    return render(request, "notifications.html", actor, items=items, kinds=KINDS)


@router.post("/notifications/{notification_id}/read", response_class=HTMLResponse)
def notification_read(notification_id: int, actor: CurrentActor) -> HTMLResponse:
    with UnitOfWork() as uow:
        tasks.mark_read(uow, actor, notification_id)
        uow.commit()
    return HTMLResponse('<span class="muted">已读</span>')


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(request: Request, task_id: int, actor: CurrentActor, flash: str | None = None) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        task = tasks.get_visible(uow, actor, task_id)
        actions = tasks.actions_for(actor, task)
        dept = (
            org.get_department(uow.session, task.candidate_department_id)
            if task.candidate_department_id
            else None
        )
        esc = (
            org.get_department(uow.session, task.escalated_to_department_id)
            if task.escalated_to_department_id
            else None
        )
        assignee = directory.user_display_name(uow.session, task.assignee_id) if task.assignee_id else None
        colleagues = directory.colleagues(uow.session, dept.id, exclude_user_id=actor.user_id) if dept else []
        transfer_departments = directory.peer_departments(uow.session, dept.id) if dept else []
        now = uow.now
    return render(
        request,
        "task.html",
        actor,
        task=task,
        actions=actions,
        task_labels=TASK_LABELS,
        dept_name=dept.name if dept else None,
        escalated_to=esc.name if esc else None,
        assignee=assignee,
        overdue=task.due_at is not None
        and task.status in ("open", "claimed", "delegated")
        and task.due_at <= now,
        decisions=DECISIONS[task.kind],
        decision_labels=DECISION_LABELS,
        colleagues=colleagues,
        transfer_departments=transfer_departments,
        flash=flash,
    )


def _back(task_id: int, message: str) -> Response:
    return RedirectResponse(f"/tasks/{task_id}?flash={message}", status_code=303)


@router.post("/tasks/{task_id}/claim")
def claim(task_id: int, actor: CurrentActor) -> Response:
    with UnitOfWork() as uow:
        tasks.get_visible(uow, actor, task_id)
        tasks.claim(uow, actor, task_id)
        uow.commit()
    return _back(task_id, "已签收")


@router.post("/tasks/{task_id}/release")
def release(task_id: int, actor: CurrentActor) -> Response:
    with UnitOfWork() as uow:
        tasks.get_visible(uow, actor, task_id)
        tasks.release(uow, actor, task_id)
        uow.commit()
    return _back(task_id, "已退回任务池")


@router.post("/tasks/{task_id}/complete")
def complete(
    task_id: int,
    actor: CurrentActor,
    decision: Annotated[str, Form()],
    opinion: Annotated[str, Form()] = "",
    return_to: Annotated[str, Form()] = "previous",
) -> Response:
    with UnitOfWork() as uow:
        tasks.get_visible(uow, actor, task_id)
        task = tasks.complete(uow, actor, task_id, decision, opinion, return_to)  # type: ignore[arg-type]
        uow.commit()
    return RedirectResponse(
        f"/plans/{task.case_id}?flash=已办结：{DECISION_LABELS[decision]}", status_code=303
    )


@router.post("/tasks/{task_id}/delegate")
def delegate(
    task_id: int, actor: CurrentActor, to_user_id: Annotated[int, Form()], note: Annotated[str, Form()] = ""
) -> Response:
    with UnitOfWork() as uow:
        tasks.get_visible(uow, actor, task_id)
        tasks.delegate(uow, actor, task_id, to_user_id, note)
        uow.commit()
    return _back(task_id, "已委派")


@router.post("/tasks/{task_id}/resolve")
def resolve(task_id: int, actor: CurrentActor, opinion: Annotated[str, Form()]) -> Response:
    with UnitOfWork() as uow:
        tasks.get_visible(uow, actor, task_id)
        tasks.resolve(uow, actor, task_id, opinion)
        uow.commit()
    return RedirectResponse("/inbox?flash=已交回委派人", status_code=303)


@router.post("/tasks/{task_id}/transfer")
def transfer(
    task_id: int,
    actor: CurrentActor,
    to_department_id: Annotated[int, Form()],
    reason: Annotated[str, Form()],
) -> Response:
    with UnitOfWork() as uow:
        tasks.get_visible(uow, actor, task_id)
        tasks.transfer(uow, actor, task_id, to_department_id=to_department_id, reason=reason)
        uow.commit()
    return RedirectResponse("/inbox?flash=已转办", status_code=303)


@router.post("/tasks/{task_id}/remind")
def remind(task_id: int, actor: CurrentActor, message: Annotated[str, Form()] = "") -> Response:
    with UnitOfWork() as uow:
        tasks.get_visible(uow, actor, task_id)
        tasks.remind(uow, actor, task_id, message)
        uow.commit()
    return _back(task_id, "已催办")
