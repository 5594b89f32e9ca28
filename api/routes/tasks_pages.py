"""Pages of the inbox, a task, and notifications; the task forms and the 抄送 form (of task and case pages)
post here and come back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import CurrentActor
from api.pages import render
from api.templating import templates
from domain.errors import InvalidInput
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
        cc = directory.cc_targets(uow, actor, task.case_type, task.case_id, task_assignee_id=task.assignee_id)
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
        cc=cc,
        case_type=task.case_type,
        case_id=task.case_id,
        task_id=task.id,
        flash=flash,
    )


def _back(task_id: int, message: str) -> Response:
    return RedirectResponse(f"/tasks/{task_id}?flash={message}", status_code=303)


@router.post("/tasks/{task_id}/claim")
def claim(task_id: int, actor: CurrentActor) -> Response:
    with UnitOfWork() as uow:
        tasks.get_visible(uow, actor, task_id, for_update=True)  # the action reads it from the session
        tasks.claim(uow, actor, task_id)
        uow.commit()
    return _back(task_id, "已签收")


@router.post("/tasks/{task_id}/release")
def release(task_id: int, actor: CurrentActor) -> Response:
    with UnitOfWork() as uow:
        tasks.get_visible(uow, actor, task_id, for_update=True)  # the action reads it from the session
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
        tasks.get_visible(uow, actor, task_id, for_update=True)  # the action reads it from the session
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
        tasks.get_visible(uow, actor, task_id, for_update=True)  # the action reads it from the session
        tasks.delegate(uow, actor, task_id, to_user_id, note)
        uow.commit()
    return _back(task_id, "已委派")


@router.post("/tasks/{task_id}/resolve")
def resolve(task_id: int, actor: CurrentActor, opinion: Annotated[str, Form()]) -> Response:
    with UnitOfWork() as uow:
        tasks.get_visible(uow, actor, task_id, for_update=True)  # the action reads it from the session
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
        tasks.get_visible(uow, actor, task_id, for_update=True)  # the action reads it from the session
        tasks.transfer(uow, actor, task_id, to_department_id=to_department_id, reason=reason)
        uow.commit()
    return RedirectResponse("/inbox?flash=已转办", status_code=303)


@router.post("/tasks/{task_id}/remind")
def remind(task_id: int, actor: CurrentActor, message: Annotated[str, Form()] = "") -> Response:
    with UnitOfWork() as uow:
        tasks.get_visible(uow, actor, task_id, for_update=True)  # the action reads it from the session
        tasks.remind(uow, actor, task_id, message)
        uow.commit()
    return _back(task_id, "已催办")


CASE_PAGES = {"recruitment_plan": "/plans/{id}"}


@router.post("/cases/{case_type}/{case_id}/cc")
def carbon_copy(
    request: Request,
    case_type: str,
    case_id: int,
    actor: CurrentActor,
    user_ids: Annotated[list[int] | None, Form()] = None,
    department_ids: Annotated[list[int] | None, Form()] = None,
    note: Annotated[str, Form(max_length=200)] = "",
    task_id: Annotated[int | None, Form()] = None,
) -> Response:
    """抄送 from a task or case page: only to the people and departments its picker offers."""
    users, depts = user_ids or [], department_ids or []
    with UnitOfWork() as uow:
        assignee = None
        if task_id is not None:
            task = tasks.get_visible(uow, actor, task_id)
            if (task.case_type, task.case_id) != (case_type, case_id):
                raise InvalidInput("任务不属于该案件", code="cc_task_mismatch")
            assignee = task.assignee_id
        targets = directory.cc_targets(uow, actor, case_type, case_id, task_assignee_id=assignee)
        if targets is not None:
            targets.check(users, depts)
        sent = tasks.carbon_copy(
            uow,
            actor,
            case_type,
            case_id,
            user_ids=users,
            department_ids=depts,
            note=note,
            task_id=task_id,
        )
        uow.commit()
    if request.headers.get("hx-request"):
        assert targets is not None  # carbon_copy refused otherwise
        dept_names, user_names = dict(targets.departments), {u[0]: u[1] for u in targets.users}
        names = [dept_names[d] for d in dict.fromkeys(depts)]
        names += [user_names[u] for u in dict.fromkeys(users)]
        return templates.TemplateResponse(request, "partials/cc_result.html", {"sent": sent, "names": names})
    page = f"/tasks/{task_id}" if task_id else CASE_PAGES.get(case_type, "/inbox").format(id=case_id)
    return RedirectResponse(f"{page}?flash=已抄送 {sent} 个对象", status_code=303)
