"""抄送 (carbon copy), 催办 (reminder) and 督办 (escalation to the supervising department), with read
state; and the timer handlers that remind and escalate overdue tasks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from db.models.tasks import Notification, Task
from db.repos import org as org_repo
from db.repos import tasks as repo
from domain.actor import Actor
from domain.enums import Role
from domain.errors import InvalidInput, NotFound, PermissionDenied
from services import audit, timers
from services import org as org_service
from services.tasks import timing
from services.tasks.steps import case_ref
from services.uow import UnitOfWork

ACTIVE = ("open", "claimed", "delegated")


def _groups(actor: Actor) -> list[tuple[int, str]]:
    return [(m.department_id, m.role.value) for m in actor.memberships]


def _notify_task(
    uow: UnitOfWork,
    task: Task,
    kind: str,
    message: str,
    sender: Actor | None,
    data: dict[str, Any] | None = None,
) -> None:
    """Notify whoever holds the task: its assignee, else its candidate group."""
    base = dict(
        kind=kind,
        case_type=task.case_type,
        case_id=task.case_id,
        case_title=task.case_title,
        task_id=task.id,
        message=message,
        sender_id=sender.user_id if sender else None,
        created_at=uow.now,
        data=data,
    )
    if task.assignee_id is not None:
        repo.add_notification(uow.session, Notification(user_id=task.assignee_id, **base))
    else:
        repo.add_notification(
            uow.session,
            Notification(department_id=task.candidate_department_id, role=task.candidate_role, **base),
        )


def _notify_department(uow: UnitOfWork, department_id: int, **fields: Any) -> None:
    """A notice to a department: its approvers and its leaders each see it."""
    for role in (Role.APPROVER, Role.LEADER):
        repo.add_notification(
            uow.session,
            Notification(department_id=department_id, role=role.value, created_at=uow.now, **fields),
        )


def _audit_task(
    uow: UnitOfWork,
    actor: Actor | None,
    task: Task,
    action: str,
    *,
    opinion: str | None = None,
    article: str | None = None,
    **data: Any,
) -> None:
    """One audit row about a task; its case is named in the data so case pages can find it."""
    audit.defer(
        uow.session,
        uow.now,
        actor=actor,
        subject_type="task",
        subject_id=task.id,
        action=action,
        opinion=opinion,
        article=article,
        data={"case_type": task.case_type, "case_id": task.case_id, **data},
    )


def _remind(
    uow: UnitOfWork,
    task: Task,
    message: str,
    actor: Actor | None,
    *,
    opinion: str,
    article: str | None = None,
    **data: Any,
) -> None:
    """催办: count it, tell whoever holds the task, audit it (by hand or by the deadline timer)."""
    task.remind_count += 1
    _notify_task(uow, task, "remind", message, actor)
    _audit_task(uow, actor, task, "remind", opinion=opinion, article=article, **data)


def remind(uow: UnitOfWork, actor: Actor, task_id: int, message: str | None = None) -> Task:
    """催办 by hand: whoever oversees the case (its organiser, a leader above) may urge the handler."""
    task = repo.get_task(uow.session, task_id)
    if task is None:
        raise NotFound(f"待办任务 {task_id} 不存在", code="task_not_found")
    if not actor.oversees(task.case_path):
        raise PermissionDenied("只有案件所属地区的经办人或上级可以催办", code="remind_forbidden")
    if task.status not in ACTIVE:
        raise InvalidInput("该任务已办结或取消，无需催办", code="task_not_active")
    text = (message or "").strip() or f"请尽快办理：{task.title}"
    _remind(uow, task, text, actor, opinion=text)
    return task


def carbon_copy(
    uow: UnitOfWork,
    actor: Actor,
    case_type: str,
    case_id: int,
    *,
    user_ids: Sequence[int] = (),
    department_ids: Sequence[int] = (),
    note: str | None = None,
    task_id: int | None = None,
) -> int:
    """抄送 a case to people or departments (their approvers and leaders); returns how many notices."""
    ref = case_ref(uow, case_type, case_id)
    if not actor.oversees(ref.path) and not (
        task_id is not None
        and (t := repo.get_task(uow.session, task_id)) is not None
        and t.assignee_id == actor.user_id
    ):
        raise PermissionDenied("只有案件的经办人、办理人或上级可以抄送", code="cc_forbidden")
    if not user_ids and not department_ids:
        raise InvalidInput("请选择抄送对象", code="cc_no_target")
    text = (note or "").strip() or f"抄送：{ref.title}"
    count = 0
    for uid in dict.fromkeys(user_ids):
        if org_repo.user(uow.session, uid) is None:
            raise InvalidInput(f"用户 {uid} 不存在", code="cc_unknown_user")
        repo.add_notification(
            uow.session,
            Notification(
                kind="cc",
                case_type=case_type,
                case_id=case_id,
                case_title=ref.title,
                task_id=task_id,
                user_id=uid,
                message=text,
                sender_id=actor.user_id,
                created_at=uow.now,
            ),
        )
        count += 1
    for did in dict.fromkeys(department_ids):
        if org_repo.department(uow.session, did) is None:
            raise InvalidInput(f"部门 {did} 不存在", code="cc_unknown_department")
        _notify_department(
            uow,
            did,
            kind="cc",
            case_type=case_type,
            case_id=case_id,
            case_title=ref.title,
            task_id=task_id,
            message=text,
            sender_id=actor.user_id,
        )
        count += 1
    audit.defer(
        uow.session,
        uow.now,
        actor=actor,
        subject_type=case_type,
        subject_id=case_id,
        action="cc",
        opinion=text,
        data={"users": list(user_ids), "departments": list(department_ids)},
    )
    return count


def notifications_for(
    uow: UnitOfWork, actor: Actor, *, unread_only: bool = False, limit: int = 50
) -> list[Notification]:
    return repo.notifications(
        uow.session, actor.user_id, _groups(actor), unread_only=unread_only, limit=limit
    )


def mark_read(uow: UnitOfWork, actor: Actor, notification_id: int) -> Notification:
    n = repo.get_notification(uow.session, notification_id)
    mine = n is not None and (
        n.user_id == actor.user_id
        or (
            n.department_id is not None
            and n.role is not None
            and actor.in_group(n.department_id, Role(n.role))
        )
    )
    if n is None or not mine:
        raise NotFound(f"通知 {notification_id} 不存在", code="notification_not_found")
    if n.read_at is None:
        n.read_at = uow.now
    return n


# -- timer handlers: fired by the sweep, each in its own unit of work, safe to run twice ---------------


@timers.register(timing.REMIND)
def _on_remind_due(uow: UnitOfWork, timer: Any) -> None:
    task = repo.get_task(uow.session, int(timer.subject_id), for_update=True)
    if task is None or task.status not in ACTIVE:
        return
    _remind(
        uow,
        task,
        f"已到办理期限，请尽快办理：{task.title}",
        None,
        opinion="到期自动催办",
        article=task.article,
        due_at=str(task.due_at),
    )


@timers.register(timing.ESCALATE)
def _on_escalate_due(uow: UnitOfWork, timer: Any) -> None:
    """督办: overdue past the grace period, the department one level up (same kind) is told and may act:
    it sees the task under 督办, may urge or transfer it. Escalates again, level by level, to the top."""
    task = repo.get_task(uow.session, int(timer.subject_id), for_update=True)
    if task is None or task.status not in ACTIVE:
        return
    level = int((timer.payload or {}).get("level", 1))
    if task.escalation_level >= level:
        return  # already done (a second sweeper, or a re-run)
    current = task.escalated_to_department_id or task.candidate_department_id
    if current is None:
        return
    sup = org_service.supervising_department(uow.session, current)
    if sup is None:
        return  # nobody above: the top of the tree
    task.escalation_level = level
    task.escalated_to_department_id = sup.id
    message = f"任务逾期未办，请督办：{task.title}"
    _notify_department(
        uow,
        sup.id,
        kind="escalate",
        case_type=task.case_type,
        case_id=task.case_id,
        case_title=task.case_title,
        task_id=task.id,
        message=message,
        data={"level": level},
    )
    _notify_task(uow, task, "escalate", f"任务已逾期，已报{sup.name}督办", None, {"level": level})
    _audit_task(
        uow,
        None,
        task,
        "escalate",
        opinion=f"逾期未办，报{sup.name}督办",
        article=task.article,
        level=level,
        to_department=sup.name,
        due_at=str(task.due_at),
    )
    ref = case_ref(uow, task.case_type, task.case_id)
    timing.schedule_next_escalation(uow, ref, task, level + 1)
