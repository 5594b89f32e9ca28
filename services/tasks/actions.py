"""Actions on one task: claim (签收), release, delegate (委派) and resolve, transfer (转办), complete.
Each checks who may act, sends the event through the task machine, and writes one audit row."""

from __future__ import annotations

from typing import Any

from db.models.tasks import Task
from db.repos import org as org_repo
from db.repos import tasks as repo
from domain.actor import Actor
from domain.enums import Role
from domain.errors import InvalidInput, NotFound, PermissionDenied
from services import audit
from services.tasks import timing
from services.tasks.steps import settle_group
from services.tasks.types import ReturnTo
from services.uow import UnitOfWork
from states.base import Binding
from states.task import TaskMachine

DECISIONS = {"review": ("approve", "return"), "filing": ("acknowledge", "return")}
DECISION_LABELS = {"approve": "同意", "return": "退回", "acknowledge": "予以备案"}
MAX_OPINION = 2000


def _load(uow: UnitOfWork, task_id: int) -> Task:
    task = repo.get_task(uow.session, task_id, for_update=True)
    if task is None:
        raise NotFound(f"待办任务 {task_id} 不存在", code="task_not_found")
    return task


def _in_group(actor: Actor, task: Task) -> bool:
    return (
        task.candidate_department_id is not None
        and task.candidate_role is not None
        and actor.in_group(task.candidate_department_id, Role(task.candidate_role))
    )


def _require_assignee(actor: Actor, task: Task) -> None:
    if task.assignee_id != actor.user_id:
        raise PermissionDenied("该任务不在您的名下，请先签收", code="task_not_yours")


def _event(
    uow: UnitOfWork,
    actor: Actor,
    task: Task,
    event: str,
    *,
    opinion: str | None = None,
    data: dict[str, Any] | None = None,
    machine: Binding | None = None,
    **kwargs: Any,
) -> None:
    before = task.status
    (machine or TaskMachine.bind(task)).fire(event, **kwargs)
    audit.defer(
        uow.session,
        uow.now,
        actor=actor,
        subject_type="task",
        subject_id=task.id,
        action=event,
        from_state=before,
        to_state=task.status,
        opinion=opinion,
        article=task.article,
        data={"case_type": task.case_type, "case_id": task.case_id, **(data or {})},
    )


def _clean_opinion(opinion: str | None, *, required: bool, what: str) -> str | None:
    text = (opinion or "").strip()
    if len(text) > MAX_OPINION:
        raise InvalidInput(f"{what}不能超过 {MAX_OPINION} 字", code="opinion_too_long")
    if required and not text:
        raise InvalidInput(f"请填写{what}", code="opinion_required")
    return text or None


def claim(uow: UnitOfWork, actor: Actor, task_id: int) -> Task:
    task = _load(uow, task_id)
    if not _in_group(actor, task):
        raise PermissionDenied("您不在该任务的办理部门或角色中", code="not_candidate")
    _claim(uow, actor, task)
    return task


def _claim(uow: UnitOfWork, actor: Actor, task: Task, machine: Binding | None = None) -> None:
    _event(uow, actor, task, "claim", machine=machine)
    task.assignee_id = actor.user_id
    task.claimed_at = uow.now


def release(uow: UnitOfWork, actor: Actor, task_id: int) -> Task:
    task = _load(uow, task_id)
    _require_assignee(actor, task)
    _event(uow, actor, task, "release", has_group=task.candidate_department_id is not None)
    task.assignee_id = None
    task.claimed_at = None
    return task


def delegate(uow: UnitOfWork, actor: Actor, task_id: int, to_user_id: int, note: str | None = None) -> Task:
    """委派: someone else handles it and hands it back; the delegator stays owner and decides."""
    task = _load(uow, task_id)
    _require_assignee(actor, task)
    if to_user_id == actor.user_id:
        raise InvalidInput("不能委派给自己", code="delegate_to_self")
    target = org_repo.user(uow.session, to_user_id)
    if target is None or not target.active:
        raise InvalidInput(f"被委派人 {to_user_id} 不存在或已停用", code="delegate_unknown_user")
    note = _clean_opinion(note, required=False, what="委派说明")
    _event(uow, actor, task, "delegate", opinion=note, data={"to_user": target.display_name})
    task.owner_id = actor.user_id
    task.assignee_id = target.id
    return task


def resolve(uow: UnitOfWork, actor: Actor, task_id: int, opinion: str | None) -> Task:
    """The delegate hands the task back to its owner with an opinion."""
    task = _load(uow, task_id)
    _require_assignee(actor, task)
    text = _clean_opinion(opinion, required=True, what="办理意见")
    _event(uow, actor, task, "resolve", opinion=text)
    task.assignee_id = task.owner_id
    task.owner_id = None
    return task


def transfer(
    uow: UnitOfWork,
    actor: Actor,
    task_id: int,
    *,
    to_department_id: int | None = None,
    to_user_id: int | None = None,
    reason: str | None = None,
) -> Task:
    """转办: hand the task over entirely, to another department's approvers or to a person."""
    task = _load(uow, task_id)
    if task.status == "open":
        if not _in_group(actor, task):
            raise PermissionDenied("您不在该任务的办理部门或角色中", code="not_candidate")
    else:
        _require_assignee(actor, task)
    if (to_department_id is None) == (to_user_id is None):
        raise InvalidInput("请选择转办到一个部门或一个人（只选其一）", code="transfer_target")
    text = _clean_opinion(reason, required=True, what="转办理由")
    if to_department_id is not None:
        dept = org_repo.department(uow.session, to_department_id)
        if dept is None:
            raise InvalidInput(f"部门 {to_department_id} 不存在", code="transfer_unknown_department")
        _event(uow, actor, task, "transfer", opinion=text, data={"to_department": dept.name}, to_group=True)
        task.candidate_department_id = dept.id
        task.candidate_role = Role.APPROVER.value
        task.assignee_id = None
    else:
        assert to_user_id is not None
        user = org_repo.user(uow.session, to_user_id)
        if user is None or not user.active:
            raise InvalidInput(f"用户 {to_user_id} 不存在或已停用", code="transfer_unknown_user")
        _event(
            uow, actor, task, "transfer", opinion=text, data={"to_user": user.display_name}, to_group=False
        )
        task.assignee_id = user.id
    task.owner_id = None
    return task


def complete(
    uow: UnitOfWork,
    actor: Actor,
    task_id: int,
    decision: str,
    opinion: str | None = None,
    return_to: ReturnTo = "previous",
) -> Task:
    """办结 with a decision and an opinion (意见). Completing an unclaimed task of one's group claims it.
    A return (退回) needs reasons; it goes to the previous step, or to the drafter."""
    task = _load(uow, task_id)
    allowed = DECISIONS[task.kind]
    if decision not in allowed:
        labels = "、".join(DECISION_LABELS[d] for d in allowed)
        raise InvalidInput(
            f"该任务只能选择：{labels}", code="invalid_decision", details={"allowed": list(allowed)}
        )
    if return_to not in ("previous", "drafter"):
        raise InvalidInput("退回目标只能是上一步或经办人", code="invalid_return_to")
    text = _clean_opinion(
        opinion, required=decision == "return", what="退回理由" if decision == "return" else "意见"
    )
    machine = TaskMachine.bind(task)  # one machine for the claim and the completion
    if task.status in TaskMachine.final_values():
        machine.fire("complete")  # refused, naming the state it is in (已办结 / 已取消)
    if task.status == "open" and _in_group(actor, task):
        _claim(uow, actor, task, machine)
    _require_assignee(actor, task)
    _event(
        uow,
        actor,
        task,
        "complete",
        machine=machine,
        opinion=text,
        data={"decision": decision, "return_to": return_to if decision == "return" else None},
    )
    task.decision = decision
    task.opinion = text
    task.completed_at = uow.now
    task.completed_by_id = actor.user_id
    timing.cancel_deadline_timers(uow, task.id)  # flushes the task's row first
    settle_group(uow, task, actor, return_to)
    return task
