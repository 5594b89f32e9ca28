"""The task engine on its own: 或签 (any-of), 会签, delegate and resolve, transfer, release, carbon copy,
with a procedure of the test's own registered as the case owner."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from db.models.tasks import TaskGroup
from db.repos.tasks import tasks_of_group
from domain.actor import Actor
from domain.enums import DeptKind
from domain.errors import InvalidInput, PermissionDenied, TransitionRefused
from services import org, tasks
from services.tasks.types import CaseRef, StepDepartment, StepSpec
from services.uow import UnitOfWork

GetActor = Callable[[str], Actor]
DECIDED: list[tuple[int, str, str]] = []


def _ref(uow: UnitOfWork, case_id: int) -> CaseRef:
    j = org.jurisdiction_by_code(uow.session, "150103")
    return CaseRef(
        case_type="test_case",
        case_id=case_id,
        title=f"测试案件{case_id}",
        path=j.path,
        calendar_keys=("inner_mongolia",),
    )


def _decided(
    uow: UnitOfWork, group: TaskGroup, outcome: str, actor: Actor, opinion: str | None, return_to: str
) -> None:
    DECIDED.append((group.case_id, outcome, return_to))


tasks.register_case("test_case", _decided, _ref)  # type: ignore[arg-type]


def open_step(kind: str, *kinds: DeptKind, case_id: int = 1) -> list[int]:
    with UnitOfWork() as uow:
        j = org.jurisdiction_by_code(uow.session, "150100")  # 呼和浩特市
        depts = tuple(
            StepDepartment(org.department_at(uow.session, j.id, "self", k).id, k.label) for k in kinds
        )
        spec = StepSpec(
            index=0,
            key="s",
            label="测试环节",
            kind=kind,
            departments=depts,  # type: ignore[arg-type]
            due_working_days=5,
            article="测试",
        )
        group_id = tasks.open_step(uow, _ref(uow, case_id), spec, None)
        uow.commit()
        return [t.id for t in tasks_of_group(uow.session, group_id)]


def act(fn: Any, *args: Any, **kw: Any) -> Any:
    with UnitOfWork() as uow:
        out = fn(uow, *args, **kw)
        uow.commit()
        return out


def status_of(task_id: int, who: Actor) -> str:
    with UnitOfWork(readonly=True) as uow:
        return tasks.get_visible(uow, who, task_id).status


def test_any_of_first_decision_settles_the_step(actor: GetActor) -> None:
    DECIDED.clear()
    sw, org_ = actor("hhht_sw"), actor("hhht_org")
    a, b = open_step("any_of", DeptKind.SOCIAL_WORK, DeptKind.ORGANISATION)
    act(tasks.complete, org_, b, "approve", "同意")
    assert DECIDED == [(1, "approved", "previous")]
    assert status_of(a, sw) == "cancelled"


def test_countersign_waits_for_every_department(actor: GetActor) -> None:
    DECIDED.clear()
    sw, org_ = actor("hhht_sw"), actor("hhht_org")
    a, b = open_step("countersign", DeptKind.SOCIAL_WORK, DeptKind.ORGANISATION)
    act(tasks.complete, sw, a, "approve")
    assert DECIDED == []
    act(tasks.complete, org_, b, "approve")
    assert DECIDED == [(1, "approved", "previous")]


def test_countersign_completed_at_once_by_both_departments_is_decided(actor: GetActor) -> None:
    """The second completion waits for the first to commit (the group's row lock on PostgreSQL, the
    writer lock on SQLite), then sees its sibling's decision: the step is decided, once."""
    DECIDED.clear()
    sw, org_ = actor("hhht_sw"), actor("hhht_org")
    a, b = open_step("countersign", DeptKind.SOCIAL_WORK, DeptKind.ORGANISATION)
    first_done = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with UnitOfWork() as uow:
                tasks.complete(uow, sw, a, "approve")
                first_done.set()
                time.sleep(0.5)  # the second completion runs meanwhile, up to its wait
                uow.commit()
        except BaseException as exc:
            errors.append(exc)
            first_done.set()

    t = threading.Thread(target=first)
    t.start()
    first_done.wait(30)
    act(tasks.complete, org_, b, "approve")
    t.join(30)
    assert not errors
    assert DECIDED == [(1, "approved", "previous")]


def test_claim_release_delegate_resolve_and_transfer(actor: GetActor) -> None:
    DECIDED.clear()
    sw, org_, region = actor("hhht_sw"), actor("hhht_org"), actor("nmg_sw")
    [t] = open_step("review", DeptKind.SOCIAL_WORK)
    with pytest.raises(PermissionDenied):
        act(tasks.claim, org_, t)  # not their department
    act(tasks.claim, sw, t)
    act(tasks.release, sw, t)
    assert status_of(t, sw) == "open"
    act(tasks.claim, sw, t)
    with pytest.raises(InvalidInput):
        act(tasks.delegate, sw, t, sw.user_id)  # not to oneself
    act(tasks.delegate, sw, t, org_.user_id, "请协助核实")
    assert status_of(t, sw) == "delegated"
    with pytest.raises(TransitionRefused):
        act(tasks.complete, org_, t, "approve")  # a delegate hands back, the owner decides
    act(tasks.resolve, org_, t, "已核实，情况属实")
    assert status_of(t, sw) == "claimed"
    with UnitOfWork(readonly=True) as uow:
        dept = org.department_at(
            uow.session, org.jurisdiction_by_code(uow.session, "150100").id, "self", DeptKind.ORGANISATION
        )
    with pytest.raises(InvalidInput):
        act(tasks.transfer, sw, t, to_department_id=dept.id, reason="")  # a transfer needs its reason
    act(tasks.transfer, sw, t, to_department_id=dept.id, reason="属组织部门职责")
    with UnitOfWork(readonly=True) as uow:
        assert [x.id for x in tasks.inbox(uow, org_).tasks] == [t]
        assert tasks.inbox(uow, sw).tasks == []
    act(tasks.complete, org_, t, "approve", "同意")
    assert DECIDED == [(1, "approved", "previous")]
    assert region  # the region's approver was never involved


def test_carbon_copy_has_read_state(actor: GetActor) -> None:
    hr, sw = actor("hm_hr"), actor("hhht_sw")
    open_step("review", DeptKind.SOCIAL_WORK)
    with pytest.raises(InvalidInput):
        act(tasks.carbon_copy, hr, "test_case", 1)
    act(tasks.carbon_copy, hr, "test_case", 1, user_ids=[sw.user_id], note="请知悉")
    with UnitOfWork(readonly=True) as uow:
        [n] = [n for n in tasks.notifications_for(uow, sw) if n.kind == "cc"]
        assert tasks.counts(uow, sw)["unread"] >= 1
    act(tasks.mark_read, sw, n.id)
    with UnitOfWork(readonly=True) as uow:
        assert next(x for x in tasks.notifications_for(uow, sw) if x.id == n.id).read_at is not None
    with pytest.raises(Exception, match="不存在"):
        act(tasks.mark_read, hr, n.id)  # not theirs


def test_any_of_completed_at_once_by_both_departments_decides_once_without_deadlock(
    actor: GetActor,
) -> None:
    """或签 completed by both departments at the same moment, each having opened its task for update: the
    first settles the step and cancels its sibling; the second waits and is then refused because its
    task was cancelled — never a deadlock (PostgreSQL: the group's row is always locked before a task's;
    locking task B before the group would let the first wait for B while the second waits for the group)."""
    DECIDED.clear()
    sw, org_ = actor("hhht_sw"), actor("hhht_org")
    a, b = open_step("any_of", DeptKind.SOCIAL_WORK, DeptKind.ORGANISATION)
    a_locked, b_locked = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with UnitOfWork() as uow:
                tasks.get_visible(uow, sw, a, for_update=True)
                a_locked.set()
                b_locked.wait(1.0)  # the second has opened B by now, unless it waits for this one
                tasks.complete(uow, sw, a, "approve")
                uow.commit()
        except BaseException as exc:
            errors.append(exc)
        finally:
            a_locked.set()

    t = threading.Thread(target=first)
    t.start()
    a_locked.wait(30)
    with UnitOfWork() as uow, pytest.raises(TransitionRefused) as refused:
        tasks.get_visible(uow, org_, b, for_update=True)
        b_locked.set()
        tasks.complete(uow, org_, b, "approve")
    t.join(30)
    assert not errors
    assert "已取消" in str(refused.value)
    assert DECIDED == [(1, "approved", "previous")]
    assert status_of(a, sw) == "completed" and status_of(b, org_) == "cancelled"
