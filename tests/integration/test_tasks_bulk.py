"""Opening a step for many cases at once (`services/tasks/bulk.py`) writes exactly the rows that opening
it case by case with `open_step` writes: groups, tasks, deadline timers (same moments, payloads and dedupe
keys, a reminder already past left out) and the deferred audit rows in the same order — for single,
countersign and filing steps, cases on different calendars and reminder rules, by a person or the system."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pytest

from db.repos import tasks as task_repo
from db.repos import timers as timers_repo
from domain.actor import Actor
from domain.enums import DeptKind
from services import audit, org, tasks
from services.tasks.bulk import open_steps
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


def _cases(path: str, first_id: int) -> list[CaseRef]:
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
        for k, (keys, remind, escalate) in enumerate(RULES)
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
def test_bulk_opening_writes_what_open_step_writes(
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
