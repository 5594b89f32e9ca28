"""Opening a step (one task per department, grouped) and deciding it: the group's outcome is handed to
the procedure that owns the case, which moves its machine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from db.models.tasks import Task, TaskGroup
from db.repos import tasks as repo
from domain.actor import Actor
from domain.enums import Role
from domain.errors import ShegongError
from services import audit
from services.tasks import timing
from services.tasks.types import CaseRef, Outcome, ReturnTo, StepSpec
from services.uow import UnitOfWork

MODE_OF_KIND: dict[str, str] = {"review": "single", "filing": "single", "countersign": "all", "any_of": "any"}


class CaseHandler(Protocol):
    def __call__(
        self,
        uow: UnitOfWork,
        group: TaskGroup,
        outcome: Outcome,
        actor: Actor,
        opinion: str | None,
        return_to: ReturnTo,
    ) -> None: ...


_handlers: dict[str, CaseHandler] = {}
_case_refs: dict[str, Callable[[UnitOfWork, int], CaseRef]] = {}


def register_case(
    case_type: str, on_decided: CaseHandler, case_ref: Callable[[UnitOfWork, int], CaseRef]
) -> None:
    """A procedure registers what happens when one of its steps is decided, and how to describe a case."""
    _handlers[case_type] = on_decided
    _case_refs[case_type] = case_ref


def case_ref(uow: UnitOfWork, case_type: str, case_id: int) -> CaseRef:
    try:
        return _case_refs[case_type](uow, case_id)
    except KeyError:
        raise ShegongError(f"未知的业务类型 {case_type}", code="unknown_case_type") from None


def open_step(uow: UnitOfWork, case: CaseRef, spec: StepSpec, actor: Actor | None) -> TaskGroup:
    """Queue one task per department of the step for its approvers, due in the step's working days."""
    now = uow.now
    due_at = timing.due_at(uow, case, now, spec.due_working_days)
    group = TaskGroup(
        case_type=case.case_type,
        case_id=case.case_id,
        step_index=spec.index,
        step_key=spec.key,
        step_label=spec.label,
        step_kind=spec.kind,
        mode=MODE_OF_KIND[spec.kind],
        state="open",
        article=spec.article,
        created_at=now,
    )
    uow.session.add(group)
    uow.session.flush()
    tasks = [
        Task(
            group_id=group.id,
            case_type=case.case_type,
            case_id=case.case_id,
            case_title=case.title,
            case_path=case.path,
            title=f"{spec.label}：{case.title}",
            kind="filing" if spec.kind == "filing" else "review",
            status="open",
            candidate_department_id=d.department_id,
            candidate_role=Role.APPROVER.value,
            article=spec.article,
            due_at=due_at,
            created_at=now,
        )
        for d in spec.departments
    ]
    uow.session.add_all(tasks)
    uow.session.flush()
    for t in tasks:
        timing.schedule_deadline_timers(uow, case, t)
    audit.defer(
        uow.session,
        now,
        actor=actor,
        subject_type=case.case_type,
        subject_id=case.case_id,
        action="open_step",
        opinion=None,
        article=spec.article,
        data={
            "step": spec.key,
            "label": spec.label,
            "kind": spec.kind,
            "tasks": [t.id for t in tasks],
            "departments": [d.name for d in spec.departments],
            "due_at": due_at.isoformat(),
        },
    )
    return group


def settle_group(uow: UnitOfWork, task: Task, actor: Actor, return_to: ReturnTo) -> None:
    """After a task was completed: decide its group when the group's mode says it is decided.
    The group's row is locked (PostgreSQL): two tasks of a group completed at once are settled one after
    the other, so a countersign sees its siblings' decisions and an any-of is decided once."""
    group = repo.get_group(uow.session, task.group_id, for_update=True)
    assert group is not None
    if group.state != "open":
        return
    outcome: Outcome | None = None
    if task.decision == "return":
        outcome = "returned"
    elif group.mode in ("single", "any"):
        outcome = "approved"
    else:  # 会签: every task must have approved
        siblings = repo.tasks_of_group(uow.session, group.id)
        if all(t.status == "completed" and t.decision in ("approve", "acknowledge") for t in siblings):
            outcome = "approved"
    if outcome is None:
        return
    group.state = outcome
    group.resolved_at = uow.now
    cancelled = repo.cancel_active(uow.session, group_id=group.id, exclude_task_id=task.id, now=uow.now)
    for tid in cancelled:
        timing.cancel_deadline_timers(uow, tid)
    _handlers[group.case_type](uow, group, outcome, actor, task.opinion, return_to)


def cancel_case(uow: UnitOfWork, case_type: str, case_id: int, actor: Actor | None, reason: str) -> list[int]:
    """Cancel every active task of a case (withdrawal, cancellation): set-wise, audited once."""
    ids = repo.cancel_active(uow.session, case=(case_type, case_id), now=uow.now)
    for tid in ids:
        timing.cancel_deadline_timers(uow, tid)
    if ids:
        audit.defer(
            uow.session,
            uow.now,
            actor=actor,
            subject_type=case_type,
            subject_id=case_id,
            action="cancel_tasks",
            opinion=reason,
            data={"tasks": ids},
        )
    return ids
