"""Deadlines of tasks: due dates in working days, and the stored timers that remind before the deadline,
urge (催办) when it passes and escalate (督办) when it is overdue; the handlers live in `notices`."""

from __future__ import annotations

from datetime import datetime, time

from db.models.tasks import Task
from db.models.timers import Timer
from db.repos import timers as timers_repo
from domain.calendar import due_date
from services import calendar as calendar_service
from services import timers
from services.tasks.types import CaseRef
from services.uow import UnitOfWork

REMIND = "task.remind"
ESCALATE = "task.escalate"
REMIND_HOUR = time(9, 0)  # reminders before a deadline go out at the start of a working day


def due_at(uow: UnitOfWork, case: CaseRef, start: datetime, working_days: int) -> datetime:
    """The due moment N working days after `start` (exclusive end of the deadline day)."""
    return calendar_service.calendar_for(uow.session, case.calendar_keys).due_at(start, working_days)


DeadlinePlan = list[tuple[str, datetime, dict[str, int], str]]  # kind, moment, payload, dedupe suffix


def deadline_plan(uow: UnitOfWork, case: CaseRef, due_at_: datetime) -> DeadlinePlan:
    """The timers of a task of `case` due at `due_at_`: reminders before the deadline day (at the start
    of a working day, only those still ahead), 催办 when it passes, 督办 after the grace period. The one
    rule for a task's timers (`opening.open_steps` writes them)."""
    cal = calendar_service.calendar_for(uow.session, case.calendar_keys)
    deadline_day = due_date(due_at_)
    plan: DeadlinePlan = []
    for n in sorted({n for n in case.remind_before_working_days if n > 0}):
        at = datetime.combine(cal.add_working_days(deadline_day, -n), REMIND_HOUR)
        if at > uow.now:
            plan.append((REMIND, at, {"before": n}, f"-{n}"))
    plan.append((REMIND, due_at_, {"before": 0}, "0"))
    plan.append((ESCALATE, cal.extend_due(due_at_, case.escalate_after_working_days), {"level": 1}, "1"))
    return plan


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
        now=uow.now,
    )


def cancel_deadline_timers(uow: UnitOfWork, task_id: int) -> None:
    session = uow.session
    if any(isinstance(o, Timer) for o in (*session.new, *session.dirty)):
        timers.cancel_for_subject(session, "task", task_id, now=uow.now)  # flushes them first
    else:
        # No timer row waiting to be flushed: cancel at once, leaving the task's own changes to the
        # next flush (one fewer flush on every completion).
        timers_repo.cancel_pending(session, now=uow.now, subject_type="task", subject_id=task_id)
