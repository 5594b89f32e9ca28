"""Deadlines of tasks: due dates in working days, and the stored timers that remind (催办) and
escalate (督办) when a task is overdue; the timer handlers themselves live in `notices`."""

from __future__ import annotations

from datetime import datetime

from db.models.tasks import Task
from services import calendar as calendar_service
from services import timers
from services.tasks.types import CaseRef
from services.uow import UnitOfWork

REMIND = "task.remind"
ESCALATE = "task.escalate"


def due_at(uow: UnitOfWork, case: CaseRef, start: datetime, working_days: int) -> datetime:
    cal = calendar_service.calendar_for(uow.session, case.calendar_keys)
    return cal.due_at(start, working_days)


def schedule_deadline_timers(uow: UnitOfWork, case: CaseRef, task: Task) -> None:
    if task.due_at is None:
        return
    cal = calendar_service.calendar_for(uow.session, case.calendar_keys)
    remind_at = (
        cal.due_at(task.due_at, case.remind_after_working_days)
        if case.remind_after_working_days
        else task.due_at
    )
    escalate_at = cal.due_at(task.due_at, case.escalate_after_working_days)
    timers.schedule(uow.session, REMIND, "task", task.id, remind_at, dedupe_key=f"{REMIND}:{task.id}:0")
    timers.schedule(
        uow.session,
        ESCALATE,
        "task",
        task.id,
        escalate_at,
        payload={"level": 1},
        dedupe_key=f"{ESCALATE}:{task.id}:1",
    )


def cancel_deadline_timers(uow: UnitOfWork, task_id: int) -> None:
    timers.cancel_for_subject(uow.session, "task", task_id)


def schedule_next_escalation(uow: UnitOfWork, case: CaseRef, task: Task, level: int) -> None:
    """If still undone after another grace period, escalate one level further."""
    cal = calendar_service.calendar_for(uow.session, case.calendar_keys)
    at = cal.due_at(uow.now, max(case.escalate_after_working_days, 1))
    timers.schedule(
        uow.session,
        ESCALATE,
        "task",
        task.id,
        at,
        payload={"level": level},
        dedupe_key=f"{ESCALATE}:{task.id}:{level}",
    )
