"""Prepared statements on the driver connection (`db/prepared.py`) and the hot rows' prepared UPDATEs at
flush (`db/hot_rows.py`), on both databases: they write and read exactly what SQLAlchemy would (types
through the same processing), in the session's transaction, refuse what they cannot do as SQLAlchemy
does it, and raise SQLAlchemy's errors; the ORM writes nothing more for a row written here."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import ForeignKey, bindparam, event, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.exc import StaleDataError

from db import hot_rows, prepared
from db.models.org import Jurisdiction, User
from db.models.tasks import Task, TaskGroup
from db.models.timers import Timer
from services.runtime import Runtime
from services.uow import UnitOfWork

T0 = datetime(2026, 10, 8, 9, 0, 0, 123456)
T1 = datetime(2026, 10, 9, 17, 30)
_TIMERS = Timer.__table__
_GROUPS = TaskGroup.__table__
_INSERT_TIMER = insert(_TIMERS)
_TIMER_BY_KEY = select(_TIMERS.c.id, _TIMERS.c.due_at, _TIMERS.c.payload, _TIMERS.c.state).where(
    _TIMERS.c.dedupe_key == bindparam("key")
)
_DUE_LATER = update(_TIMERS).where(_TIMERS.c.dedupe_key == bindparam("key")).values(due_at=bindparam("due"))
_OPEN_IN = select(_GROUPS.c.id).where(_GROUPS.c.state.in_(["open", "approved"]))


def _timer(key: str) -> dict[str, Any]:
    return {
        "kind": "task.remind",
        "subject_type": "task",
        "subject_id": 7,
        "dedupe_key": key,
        "due_at": T0,
        "payload": {"before": 2, "说明": "节后第一天"},
        "state": "pending",
        "attempts": 0,
        "created_at": T0,
        "updated_at": T0,
    }


@pytest.fixture
def statements(runtime: Runtime) -> Iterator[list[str]]:
    """What goes through SQLAlchemy's engine (prepared statements do not)."""
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.split()[0].upper())

    event.listen(runtime.engine, "before_cursor_execute", before)
    yield seen
    event.remove(runtime.engine, "before_cursor_execute", before)


def test_rows_round_trip_as_sqlalchemy_writes_and_reads_them(runtime: Runtime) -> None:
    keys = tuple(_timer("a"))
    with UnitOfWork() as uow:
        prepared.executemany(uow.session, _INSERT_TIMER, [_timer("a"), _timer("b")], keys=keys)
        rows = prepared.execute(uow.session, _TIMER_BY_KEY, {"key": "a"}).rows
        assert rows == [(rows[0][0], T0, {"before": 2, "说明": "节后第一天"}, "pending")]
        assert prepared.execute(uow.session, _DUE_LATER, {"key": "b", "due": T1}).rowcount == 1
        uow.commit()
    with UnitOfWork(readonly=True) as uow:  # read back by the ORM: the same values, the same types
        got = {t.dedupe_key: t for t in uow.session.scalars(select(Timer))}
        assert (got["a"].due_at, got["a"].payload, got["a"].attempts) == (T0, _timer("a")["payload"], 0)
        assert got["b"].due_at == T1


def test_statements_belong_to_the_session_transaction(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        prepared.executemany(uow.session, _INSERT_TIMER, [_timer("gone")], keys=tuple(_timer("gone")))
        assert prepared.execute(uow.session, _TIMER_BY_KEY, {"key": "gone"}).rows
    # not committed: rolled back with the unit of work
    with UnitOfWork(readonly=True) as uow:
        assert uow.session.scalars(select(Timer)).all() == []


def test_refusals_and_errors_are_sqlalchemys(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        with pytest.raises(InvalidRequestError, match="'key'"):
            prepared.execute(uow.session, _TIMER_BY_KEY, {})
        with pytest.raises(prepared.PreparedError, match="expanding IN"):
            prepared.execute(uow.session, _OPEN_IN)
        row = _timer("dup")
        prepared.executemany(uow.session, _INSERT_TIMER, [row], keys=tuple(row))
        with pytest.raises(IntegrityError):  # dedupe_key is unique
            prepared.executemany(uow.session, _INSERT_TIMER, [row], keys=tuple(row))


def _group_and_task(session: Session) -> Task:
    group = TaskGroup(
        case_type="demo",
        case_id=1,
        step_index=0,
        step_key="k",
        step_label="审核",
        step_kind="review",
        mode="single",
        created_at=T0,
    )
    session.add(group)
    session.flush()
    task = Task(
        group_id=group.id,
        case_type="demo",
        case_id=1,
        case_title="案",
        case_path="/1/",
        title="审核：案",
        kind="review",
        created_at=T0,
    )
    session.add(task)
    session.flush()
    return task


def test_hot_rows_written_by_one_prepared_update_each(runtime: Runtime, statements: list[str]) -> None:
    with UnitOfWork() as uow:
        task_id = _group_and_task(uow.session).id
        uow.commit()
    with UnitOfWork() as uow:
        task = uow.session.get(Task, task_id)
        group = uow.session.get(TaskGroup, task.group_id)
        assert task is not None and group is not None and task.version == 1
        statements.clear()
        task.status, task.opinion, task.completed_at = "completed", "同意", T1
        group.state = "approved"
        uow.session.flush()
        assert "UPDATE" not in statements  # nothing left for the ORM to write
        assert task.version == 2 and not uow.session.dirty
        task.remind_count = task.remind_count  # set back to what it is: no change, no version bump
        uow.session.flush()
        assert task.version == 2
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        task = uow.session.get(Task, task_id)
        assert task is not None
        assert (task.status, task.opinion, task.completed_at, task.version) == ("completed", "同意", T1, 2)
        assert uow.session.get(TaskGroup, task.group_id).state == "approved"  # type: ignore[union-attr]


def test_hot_row_changed_elsewhere_is_stale_as_the_orm_says(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        task_id = _group_and_task(uow.session).id
        uow.commit()
    with UnitOfWork() as uow:
        task = uow.session.get(Task, task_id)
        assert task is not None
        # another writer's change, behind the session's back: the version moved on
        uow.session.connection().execute(update(Task.__table__).values(version=5))
        task.status = "claimed"
        with pytest.raises(StaleDataError):
            uow.session.flush()
    with UnitOfWork(readonly=True) as uow:
        assert uow.session.get(Task, task_id).status == "open"  # type: ignore[union-attr]


def test_a_flush_that_inserts_is_left_to_the_orm(runtime: Runtime, statements: list[str]) -> None:
    with UnitOfWork() as uow:
        task = _group_and_task(uow.session)
        statements.clear()
        task.status = "claimed"
        new_group = TaskGroup(**_group_kwargs())
        uow.session.add(new_group)
        uow.session.flush()
        assert statements.count("UPDATE") == 1 and statements.count("INSERT") == 1
        assert task.version == 2 and new_group.id is not None
        uow.commit()


def _group_kwargs() -> dict[str, Any]:
    return {
        "case_type": "demo",
        "case_id": 2,
        "step_index": 0,
        "step_key": "k",
        "step_label": "审核",
        "step_kind": "review",
        "mode": "single",
        "created_at": T0,
    }


class _Base(DeclarativeBase):
    pass


class _Stamped(_Base):
    __tablename__ = "stamped"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(onupdate=datetime.now)


class _Parent(_Base):
    __tablename__ = "parent"
    id: Mapped[int] = mapped_column(primary_key=True)
    children: Mapped[list[_Child]] = relationship()


class _Child(_Base):
    __tablename__ = "child"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("parent.id"))


def test_register_refuses_what_it_would_write_wrongly() -> None:
    with pytest.raises(TypeError, match="onupdate"):
        hot_rows.describe(_Stamped)
    with pytest.raises(TypeError, match="relationships"):
        hot_rows.describe(_Parent)
    assert set(hot_rows.describe(_Child).columns) == {"id", "parent_id"}  # plain columns only: accepted


def test_hot_row_loaded_by_a_prepared_select_is_the_orms_row(runtime: Runtime, statements: list[str]) -> None:
    from db.repos import tasks as task_repo

    with UnitOfWork() as uow:
        task = _group_and_task(uow.session)
        task.due_at = T1
        task_id, group_id = task.id, task.group_id
        uow.commit()
    with UnitOfWork() as uow:
        statements.clear()
        task = task_repo.get_task(uow.session, task_id, for_update=True)
        assert task is not None
        assert statements.count("SELECT") == 0  # task and group by one prepared statement
        assert uow.session.identity_map.contains_state(inspect(task))
        assert (task.title, task.due_at, task.created_at, task.version) == ("审核：案", T1, T0, 2)
        group = task_repo.get_group(uow.session, group_id)
        assert group is not None and group.step_label == "审核" and inspect(group).persistent
        assert task_repo.get_task(uow.session, task_id, for_update=True) is task  # the map answers
        assert not uow.session.dirty
        task.status = "claimed"  # changes and flushes as a row the ORM loaded
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        assert uow.session.get(Task, task_id).status == "claimed"  # type: ignore[union-attr]
        assert task_repo.get_task(uow.session, 10**9) is None


def test_deferred_column_of_a_prepared_load_is_read_on_first_use(runtime: Runtime) -> None:
    from db.models.recruitment_plan import RecruitmentPlan
    from db.repos import recruitment_plan as plan_repo

    profile = {"key": "inner_mongolia", "值": [1, 2]}
    with UnitOfWork() as uow:
        jur = Jurisdiction(code="150000", name="内蒙古自治区", level="region", path="/")
        user = User(username="hr", display_name="人社干部", password_hash="x", created_at=T0)
        uow.session.add_all([jur, user])
        uow.session.flush()
        plan = RecruitmentPlan(
            jurisdiction_id=jur.id,
            jurisdiction_path="/1/",
            title="方案",
            year=2026,
            status="draft",
            step_index=0,
            policy_keys=["inner_mongolia"],
            profile=profile,
            profile_fingerprint="f",
            chain=[],
            created_by_id=user.id,
            created_at=T0,
            updated_at=T0,
        )
        uow.session.add(plan)
        uow.commit()
        plan_id = plan.id
    with UnitOfWork() as uow:
        plan = plan_repo.get(uow.session, plan_id, with_profile=False)
        assert plan is not None and "profile" not in plan.__dict__
        assert plan.title == "方案" and plan.policy_keys == ["inner_mongolia"]
        assert plan.profile == profile  # loaded now
        plan.title = "方案（改）"
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        assert uow.session.get(RecruitmentPlan, plan_id).title == "方案（改）"  # type: ignore[union-attr]
