"""Opening steps (`services/tasks/opening.py`). One case's rows are checked against values worked out by
hand (group, task, deadline timers over the National Day holidays, audit row). Opening a step for many
cases at once writes exactly the rows that opening it case by case writes: groups, tasks, deadline timers
(same moments, payloads and dedupe keys, a reminder already past left out) and the deferred audit rows in
the same order — for single, countersign and filing steps, cases on different calendars and reminder
rules, by a person or the system, and for a batch big enough to go by COPY on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pytest

from db.repos import set_wise
from db.repos import tasks as task_repo
from db.repos import timers as timers_repo
from domain.actor import Actor
from domain.enums import DeptKind
from services import audit, org, tasks
from services.tasks.opening import open_steps
from services.tasks.types import CaseRef, StepDepartment, StepSpec
from services.uow import UnitOfWork

GetActor = Callable[[str], Actor]
T0 = datetime(2026, 9, 29, 16, 30)  # a Tuesday afternoon before the National Day holidays
RULES: list[tuple[tuple[str, ...], tuple[int, ...], int]] = [
    (("inner_mongolia",), (1,), 2),
    ((), (3, 1, 1, 0), 1),
    (("inner_mongolia",), (), 0),
    (("ordos", "inner_mongolia"), (2,), 3),
    (("inner_mongolia",), (1,), 2),
]


def _cases(path: str, first_id: int, n: int = len(RULES)) -> list[CaseRef]:
    return [
        CaseRef(
            case_type="bulk_case",
            case_id=first_id + k,
            title=f"批量案件{k}",
            path=path,
            calendar_keys=keys,
            remind_before_working_days=remind,
            escalate_after_working_days=escalate,
        )
        for k, (keys, remind, escalate) in enumerate(RULES[i % len(RULES)] for i in range(n))
    ]


def _spec(kind: str, departments: Sequence[StepDepartment], due: int) -> StepSpec:
    return StepSpec(
        index=2,
        key=f"step_{kind}",
        label="批量审核",
        kind=kind,  # type: ignore[arg-type]
        departments=tuple(departments),
        due_working_days=due,
        article="IM art. 8",
    )


def _columns(obj: Any, *skip: str) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in ("id", *skip)}


def _snapshot(cases: Sequence[CaseRef]) -> list[Any]:
    """Everything written for the cases, ids replaced by positions (they differ between the two ways)."""
    out: list[Any] = []
    with UnitOfWork(readonly=True) as uow:
        task_pos: dict[int, str] = {}
        for k, case in enumerate(cases):
            groups = task_repo.groups_of_case(uow.session, case.case_type, case.case_id)
            found = task_repo.tasks_of_case(uow.session, case.case_type, case.case_id)
            out.append([_columns(g, "case_id") for g in groups])
            for j, t in enumerate(found):
                task_pos[t.id] = f"{k}.{j}"
                assert t.group_id == groups[0].id
                out.append(_columns(t, "case_id", "group_id"))
                timers = timers_repo.for_subject(uow.session, "task", t.id)
                assert {x.dedupe_key.rsplit(":", 2)[1] for x in timers} == {str(t.id)}
                out.append(
                    sorted(
                        (x.dedupe_key.replace(f":{t.id}:", ":T:"), _columns(x, "subject_id", "dedupe_key"))
                        for x in timers
                    )
                )
        rows = audit.history_of(uow.session, [("bulk_case", [c.case_id for c in cases])])
        first = cases[0].case_id
        for r in rows:
            data = dict(r.data or {})
            data["tasks"] = [task_pos[i] for i in data.get("tasks", [])]
            skip = ("seq", "prev_hash", "hash", "subject_id", "data")
            out.append((r.subject_id - first, data, _columns(r, *skip)))
    return out


@pytest.mark.parametrize(
    ("kind", "kinds", "due"),
    [
        ("review", (DeptKind.SOCIAL_WORK,), 3),
        ("countersign", (DeptKind.SOCIAL_WORK, DeptKind.ORGANISATION), 5),
        ("filing", (DeptKind.CIVIL_AFFAIRS,), 1),
    ],
)
@pytest.mark.parametrize("who", ["hm_hr", None])
def test_opening_at_once_writes_what_opening_one_by_one_writes(
    actor: GetActor,
    set_clock: Callable[[datetime], None],
    kind: str,
    kinds: tuple[DeptKind, ...],
    due: int,
    who: str | None,
) -> None:
    set_clock(T0)
    by = actor(who) if who else None
    with UnitOfWork(readonly=True) as uow:
        j = org.jurisdiction_by_code(uow.session, "150103")
        depts = [StepDepartment(org.department_at(uow.session, j.id, "self", k).id, k.label) for k in kinds]
    spec = _spec(kind, depts, due)
    one_by_one, at_once = _cases(j.path, 1), _cases(j.path, 1001)
    with UnitOfWork() as uow:
        for case in one_by_one:
            tasks.open_step(uow, case, spec, by)
        uow.commit()
    with UnitOfWork() as uow:
        ids = open_steps(uow, at_once, spec, by)
        uow.commit()
    assert len(ids) == len(at_once)
    expected, got = _snapshot(one_by_one), _snapshot(at_once)
    assert got == expected
    reminders = any(isinstance(x, list) and len(x) >= 3 for x in expected)
    assert reminders == (due >= 3)  # due in one working day: the reminder before it is already past
    assert open_steps(UnitOfWork(), [], spec, by) == []


def test_a_batch_sent_by_copy_writes_what_opening_one_by_one_writes(
    actor: GetActor, set_clock: Callable[[datetime], None]
) -> None:
    """COPY_MIN cases and more: on PostgreSQL ids are reserved and rows sent by COPY; same rows."""
    set_clock(T0)
    with UnitOfWork(readonly=True) as uow:
        j = org.jurisdiction_by_code(uow.session, "150103")
        dept = org.department_at(uow.session, j.id, "self", DeptKind.SOCIAL_WORK)
    spec = _spec("review", [StepDepartment(dept.id, "社工部")], 3)
    n = set_wise.COPY_MIN + 3
    one_by_one, at_once = _cases(j.path, 3001, n), _cases(j.path, 5001, n)
    with UnitOfWork() as uow:
        for case in one_by_one:
            tasks.open_step(uow, case, spec, None)
        uow.commit()
    with UnitOfWork() as uow:
        ids = open_steps(uow, at_once, spec, None)
        uow.commit()
    assert len(set(ids)) == n
    assert _snapshot(at_once) == _snapshot(one_by_one)


def test_one_case_rows_as_worked_out_by_hand(actor: GetActor, set_clock: Callable[[datetime], None]) -> None:
    """A review step due in 3 working days, opened on Tuesday 2026-09-29 16:30 (1-7 October off, Saturday
    10 October a 调休 workday): due at the end of Friday 9 October; the reminder 1 working day before at
    09:00 on Thursday 8 October; 催办 at the due moment; 督办 2 working days after the deadline day (Saturday
    10, Monday 12), i.e. at the end of Monday 12 October."""
    set_clock(T0)
    hr = actor("hm_hr")
    with UnitOfWork(readonly=True) as uow:
        j = org.jurisdiction_by_code(uow.session, "150103")
        dept = org.department_at(uow.session, j.id, "self", DeptKind.SOCIAL_WORK)
    spec = _spec("review", [StepDepartment(dept.id, "社工部")], 3)
    case = CaseRef(
        case_type="bulk_case",
        case_id=9001,
        title="手算案件",
        path=j.path,
        calendar_keys=("inner_mongolia",),
        remind_before_working_days=(1,),
        escalate_after_working_days=2,
    )
    with UnitOfWork() as uow:
        group_id = tasks.open_step(uow, case, spec, hr)
        uow.commit()
    due = datetime(2026, 10, 10, 0, 0)
    with UnitOfWork(readonly=True) as uow:
        [group] = task_repo.groups_of_case(uow.session, "bulk_case", 9001)
        [task] = task_repo.tasks_of_case(uow.session, "bulk_case", 9001)
        timers = timers_repo.for_subject(uow.session, "task", task.id)
        [row] = audit.history(uow.session, "bulk_case", 9001)
    assert group.id == group_id
    assert (group.step_index, group.step_key, group.step_label, group.step_kind) == (
        2,
        "step_review",
        "批量审核",
        "review",
    )
    assert (group.mode, group.state, group.article, group.created_at) == ("single", "open", "IM art. 8", T0)
    assert (task.group_id, task.title, task.kind, task.status) == (
        group_id,
        "批量审核：手算案件",
        "review",
        "open",
    )
    assert (task.candidate_department_id, task.candidate_role, task.assignee_id) == (
        dept.id,
        "approver",
        None,
    )
    assert (task.case_title, task.case_path, task.due_at, task.created_at) == ("手算案件", j.path, due, T0)
    assert task.version == 1
    assert sorted((t.kind, t.due_at, t.payload, t.dedupe_key, t.state) for t in timers) == [
        (
            "task.escalate",
            datetime(2026, 10, 13, 0, 0),
            {"level": 1},
            f"task.escalate:{task.id}:1",
            "pending",
        ),
        ("task.remind", datetime(2026, 10, 8, 9, 0), {"before": 1}, f"task.remind:{task.id}:-1", "pending"),
        ("task.remind", due, {"before": 0}, f"task.remind:{task.id}:0", "pending"),
    ]
    assert (row.action, row.actor_id, row.article) == ("open_step", hr.user_id, "IM art. 8")
    assert row.data == {
        "step": "step_review",
        "label": "批量审核",
        "kind": "review",
        "tasks": [task.id],
        "departments": ["社工部"],
        "due_at": "2026-10-10T00:00:00",
    }


def test_bulk_opened_tasks_are_decided_like_any_other(
    actor: GetActor, set_clock: Callable[[datetime], None]
) -> None:
    """A task opened in bulk is in its department's inbox and settles its group when completed."""
    set_clock(T0)
    with UnitOfWork(readonly=True) as uow:
        j = org.jurisdiction_by_code(uow.session, "150103")
        dept = org.department_at(uow.session, j.id, "self", DeptKind.SOCIAL_WORK)
    spec = _spec("review", [StepDepartment(dept.id, "社工部")], 3)
    with UnitOfWork() as uow:
        open_steps(uow, _cases(j.path, 501)[:2], spec, None)
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        mine = [t for t in tasks.inbox(uow, actor("hm_sw")).tasks if t.case_type == "bulk_case"]
    assert sorted(t.case_id for t in mine) == [501, 502]
