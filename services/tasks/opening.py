"""Opening a step of a case's approval chain: its group, one task per department for that department's
approvers, each task's deadline timers (reminders before the deadline day, 催办 when it passes, 督办 after
the grace period: `timing.deadline_plan`) and one deferred audit row — for one case (`open_step`, every
approval that moves a case on) or for many at once (`open_steps`, a batch step's review tasks).

Both write set-wise with statements built once (`db/repos/tasks_bulk`): one INSERT for the groups, one
for the tasks, one for the timers, whatever the number of cases — never ORM objects and flushes, which
cost an approval two flush cycles (measured: about a fifth of a whole completion's CPU). The rows are
not in the session's identity map; the steps that act on them later load them as they load any task.
tests/integration/test_tasks_bulk.py checks many cases at once against one at a time, and one case's
rows against values worked out by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from db.repos import tasks_bulk as repo
from domain.actor import Actor
from domain.enums import Role
from services import audit, timers
from services.tasks import timing
from services.tasks.types import CaseRef, StepSpec
from services.uow import UnitOfWork

MODE_OF_KIND: dict[str, str] = {"review": "single", "filing": "single", "countersign": "all", "any_of": "any"}

# (kind, due moment, payload, dedupe-key suffix) of one task's deadline timers
_Plan = list[tuple[str, datetime, dict[str, Any], str]]


def open_step(uow: UnitOfWork, case: CaseRef, spec: StepSpec, actor: Actor | None) -> int:
    """Queue one task per department of the step for its approvers, due in the step's working days.
    Returns the new group's id."""
    return open_steps(uow, [case], spec, actor)[0]


def open_steps(uow: UnitOfWork, cases: Sequence[CaseRef], spec: StepSpec, actor: Actor | None) -> list[int]:
    """`open_step` for every case, in order, set-wise; the new groups' ids in the order of `cases`. The
    same rows, column for column, as opening them one by one."""
    if not cases:
        return []
    session, now = uow.session, uow.now
    if session.new:
        # Rows the unit of work is about to insert go first, so that ids follow the order of the use
        # case's steps. Changes to loaded rows (the task just completed, its group, the case) need no
        # flush here: nothing below reads them; the commit sends them.
        session.flush()
    due_of: dict[tuple[str, ...], datetime] = {}
    for case in cases:
        if case.calendar_keys not in due_of:
            due_of[case.calendar_keys] = timing.due_at(uow, case, now, spec.due_working_days)
    group_ids = repo.insert_groups(
        session,
        [
            {
                "case_type": case.case_type,
                "case_id": case.case_id,
                "step_index": spec.index,
                "step_key": spec.key,
                "step_label": spec.label,
                "step_kind": spec.kind,
                "mode": MODE_OF_KIND[spec.kind],
                "state": "open",
                "article": spec.article,
                "created_at": now,
            }
            for case in cases
        ],
    )
    task_rows = [
        {
            "group_id": group_id,
            "case_type": case.case_type,
            "case_id": case.case_id,
            "case_title": case.title,
            "case_path": case.path,
            "title": f"{spec.label}：{case.title}",
            "kind": "filing" if spec.kind == "filing" else "review",
            "status": "open",
            "candidate_department_id": d.department_id,
            "candidate_role": Role.APPROVER.value,
            "article": spec.article,
            "due_at": due_of[case.calendar_keys],
            "created_at": now,
        }
        for case, group_id in zip(cases, group_ids, strict=True)
        for d in spec.departments
    ]
    task_ids = repo.insert_tasks(session, task_rows)
    per_case = len(spec.departments)
    plans: dict[tuple[Any, ...], _Plan] = {}
    timer_rows: list[dict[str, Any]] = []
    for k, case in enumerate(cases):
        plan = _deadline_plan(uow, case, due_of[case.calendar_keys], plans)
        for task_id in task_ids[k * per_case : (k + 1) * per_case]:
            timer_rows += [
                timers.NewTimer(kind, "task", task_id, at, dict(payload), f"{kind}:{task_id}:{suffix}").row(
                    now
                )
                for kind, at, payload, suffix in plan
            ]
    repo.insert_timers_if_absent(session, timer_rows)
    departments = [d.name for d in spec.departments]
    for k, case in enumerate(cases):
        audit.defer(
            session,
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
                "tasks": task_ids[k * per_case : (k + 1) * per_case],
                "departments": departments,
                "due_at": due_of[case.calendar_keys].isoformat(),
            },
        )
    return group_ids


def _deadline_plan(
    uow: UnitOfWork, case: CaseRef, due_at: datetime, memo: dict[tuple[Any, ...], _Plan]
) -> _Plan:
    """`timing.deadline_plan` for a task of `case` due at `due_at`: the same for every task with the same
    calendar, rules and due moment, so computed once per such group."""
    key = (case.calendar_keys, case.remind_before_working_days, case.escalate_after_working_days, due_at)
    if key in memo:
        return memo[key]
    plan: _Plan = timing.deadline_plan(uow, case, due_at)
    memo[key] = plan
    return plan
