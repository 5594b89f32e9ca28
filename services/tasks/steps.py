"""Deciding a step: the group's outcome is handed to the procedure that owns the case, which moves its
machine (and opens the next step through `opening`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from db.models.tasks import Task, TaskGroup
from db.repos import tasks as repo
from domain.actor import Actor
from domain.errors import ShegongError
from services import audit
from services.tasks import timing
from services.tasks.types import CaseRef, Outcome, ReturnTo
from services.uow import UnitOfWork


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
