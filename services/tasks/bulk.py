"""Opening the same step for many cases at once (a batch step's review tasks): the rows `steps.open_step`
writes for each case — its group, one task per department, each task's deadline timers (reminders before
the deadline day, 催办 when it passes, 督办 after the grace period, with `timing`'s dedupe keys) and one
deferred audit row — written set-wise: one write for all the groups, one for the tasks, one for the
timers (`db/repos/tasks_bulk`), instead of several flushes per case. The timers' rule is
`timing.schedule_deadline_timers`'s, restated for a task not yet loaded; tests/integration/test_tasks_bulk.py
compares both ways row for row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from db.repos import tasks_bulk as repo
from domain.actor import Actor
from domain.enums import Role
from services import audit, timers
from services.tasks import timing
from services.tasks.steps import MODE_OF_KIND
from services.tasks.types import CaseRef, StepSpec
from services.uow import UnitOfWork

# (kind, due moment, payload, dedupe-key suffix) of one task's deadline timers
_Plan = list[tuple[str, datetime, dict[str, Any], str]]


def open_steps(uow: UnitOfWork, cases: Sequence[CaseRef], spec: StepSpec, actor: Actor | None) -> list[int]:
    """`steps.open_step(uow, case, spec, actor)` for every case, in order, set-wise; the new groups' ids
    in the order of `cases`. The same rows, column for column, as opening them one by one."""
    if not cases:
        return []
    session, now = uow.session, uow.now
    session.flush()  # rows the unit of work holds go first, as open_step's own flushes would send them
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
