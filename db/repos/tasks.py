"""SQL for tasks, task groups and notifications: inbox queries and counts, set-wise cancellation."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from db import hot_rows, prepared
from db.models.tasks import Notification, Task, TaskGroup
from db.repos.by_pk import ByPk, keep

ACTIVE = ("open", "claimed", "delegated")


_TASK = ByPk(Task)
_GROUP = ByPk(TaskGroup)


def get_task(session: Session, task_id: int, *, for_update: bool = False) -> Task | None:
    """The task; `for_update` (an action on it follows) locks its row on PostgreSQL — after locking its
    group's row. Settling a step locks the group and then its sibling tasks (cancelling them); a
    transaction that locked a task before its group could hold a sibling the settling one waits for
    while waiting for the group itself: a deadlock. Group first, then task, everywhere.

    The group comes with the task in one statement (settling the step reads it next): on SQLite, whose
    write transaction is the lock, that is all; on PostgreSQL the statement locks the group only
    (FOR UPDATE OF task_group), and the task is then locked and re-read. What this loads is kept for the
    session (`keep`): a visibility check and the action after it load the task once."""
    if not for_update:
        task = _TASK.get(session, task_id)
    elif _TASK.holds_lock(session, task_id) and _TASK.in_map(session, task_id):
        task = _TASK.get(session, task_id, for_update=True)  # loaded (and locked) in this transaction
    else:
        task = _with_group(session, task_id)
    if task is not None:
        keep(session, task)
    return task


def _with_group(session: Session, task_id: int) -> Task | None:
    """The task and its group by one prepared SELECT (`db.hot_rows`); on PostgreSQL the statement locks the
    group and the task is then locked and read by its own. A row the session holds already is refreshed by
    the ORM's own statement instead."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if _TASK.in_map(session, task_id):  # read before in this transaction, unlocked (PostgreSQL)
        return _with_group_by_orm(session, task_id, sqlite)
    stmts = _rows_with_group()
    rows = prepared.execute(
        session, stmts.sqlite if sqlite else stmts.locked, {"pk": task_id}, autoflush=True
    ).rows
    if not rows:
        return None
    n = stmts.task_columns
    group_id = rows[0][n + stmts.group_id_at]
    if _GROUP.in_map(session, group_id):
        return _with_group_by_orm(session, task_id, sqlite)
    keep(session, hot_rows.materialise(session, TaskGroup, rows[0][n:]))
    if sqlite:
        task: Task = hot_rows.materialise(session, Task, rows[0][:n])
        return task
    _GROUP.mark_locked(session, group_id)
    return _TASK.get(session, task_id, for_update=True)


def _with_group_by_orm(session: Session, task_id: int, sqlite: bool) -> Task | None:
    """The same through the ORM, which refreshes rows the session holds (populate_existing)."""
    row = session.execute(_WITH_GROUP if sqlite else _WITH_GROUP_LOCKED, {"pk": task_id}).first()
    if row is None:
        return None
    keep(session, row[1])
    if sqlite:
        task: Task = row[0]
        return task
    _GROUP.mark_locked(session, row[1].id)
    return _TASK.get(session, task_id, for_update=True)


_WITH_GROUP = (
    select(Task, TaskGroup).join(TaskGroup, TaskGroup.id == Task.group_id).where(Task.id == bindparam("pk"))
)
_WITH_GROUP_LOCKED = _WITH_GROUP.with_for_update(of=TaskGroup).execution_options(populate_existing=True)


class _RowsWithGroup(NamedTuple):
    sqlite: Select[Any]  # the task's columns then its group's, in `db.hot_rows` order
    locked: Select[Any]  # the same, locking the group's row (PostgreSQL)
    task_columns: int
    group_id_at: int  # the group's id among the group's columns


@functools.cache
def _rows_with_group() -> _RowsWithGroup:
    task_cols, group_cols = hot_rows.columns(Task), hot_rows.columns(TaskGroup)
    plain = (
        select(*task_cols, *group_cols)
        .join_from(Task, TaskGroup, TaskGroup.id == Task.group_id)
        .where(Task.id == bindparam("pk"))
    )
    group_id_at = next(i for i, c in enumerate(group_cols) if c is TaskGroup.__table__.c.id)
    return _RowsWithGroup(plain, plain.with_for_update(of=TaskGroup.__table__), len(task_cols), group_id_at)


def get_group(session: Session, group_id: int, *, for_update: bool = False) -> TaskGroup | None:
    return _GROUP.get(session, group_id, for_update=for_update)


def tasks_of_group(session: Session, group_id: int) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.group_id == group_id).order_by(Task.id)))


def groups_of_case(session: Session, case_type: str, case_id: int) -> list[TaskGroup]:
    stmt = (
        select(TaskGroup)
        .where(TaskGroup.case_type == case_type, TaskGroup.case_id == case_id)
        .order_by(TaskGroup.id)
    )
    return list(session.scalars(stmt))


def tasks_of_case(session: Session, case_type: str, case_id: int) -> list[Task]:
    stmt = select(Task).where(Task.case_type == case_type, Task.case_id == case_id).order_by(Task.id)
    return list(session.scalars(stmt))


def case_department_ids(session: Session, case_type: str, case_id: int) -> set[int]:
    """Departments that have (or had) a task on the case: they may see it."""
    stmt = select(Task.candidate_department_id, Task.escalated_to_department_id).where(
        Task.case_type == case_type, Task.case_id == case_id
    )
    out: set[int] = set()
    for a, b in session.execute(stmt):
        out.update(x for x in (a, b) if x is not None)
    return out


def cases_visible_via_tasks(
    session: Session, case_type: str, department_ids: Iterable[int]
) -> Select[tuple[int]]:
    ids = list(department_ids)
    return (
        select(Task.case_id)
        .where(
            Task.case_type == case_type,
            or_(Task.candidate_department_id.in_(ids), Task.escalated_to_department_id.in_(ids)),
        )
        .distinct()
    )


def cancel_active(
    session: Session,
    *,
    group_id: int | None = None,
    case: tuple[str, int] | None = None,
    exclude_task_id: int | None = None,
    now: datetime,
) -> list[int]:
    """Cancel, set-wise, every active task of a group or a case; returns the ids cancelled.
    `exclude_task_id`'s unflushed changes (a task just completed) need no flush to keep it out."""
    if _task_changes_pending(session, exclude_task_id):
        session.flush()  # the database must see them before the set-wise SELECT and UPDATE
    if group_id is not None and case is None:
        params = {"group_id": group_id, "exclude": -1 if exclude_task_id is None else exclude_task_id}
        ids = [int(r[0]) for r in prepared.execute(session, _ACTIVE_IN_GROUP, params, autoflush=True).rows]
    else:
        conds: list[ColumnElement[bool]] = [Task.status.in_(ACTIVE)]
        if group_id is not None:
            conds.append(Task.group_id == group_id)
        if case is not None:
            conds += [Task.case_type == case[0], Task.case_id == case[1]]
        if exclude_task_id is not None:
            conds.append(Task.id != exclude_task_id)
        ids = list(session.scalars(select(Task.id).where(*conds)))
    if ids:
        session.flush()  # e.g. a group's decided state, before the UPDATE that cancels open groups
        session.execute(
            update(Task)
            .where(Task.id.in_(ids), Task.status.in_(ACTIVE))
            .values(status="cancelled", completed_at=now, version=Task.version + 1)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(TaskGroup)
            .where(TaskGroup.id.in_(select(Task.group_id).where(Task.id.in_(ids))), TaskGroup.state == "open")
            .values(state="cancelled", resolved_at=now)
            .execution_options(synchronize_session=False)
        )
        session.expire_all()
    return ids


_task_table = cast(Table, Task.__table__)
_ACTIVE_IN_GROUP = select(_task_table.c.id).where(
    _task_table.c.group_id == bindparam("group_id"),
    or_(*(_task_table.c.status == s for s in ACTIVE)),  # no expanding IN: run as a prepared statement
    _task_table.c.id != bindparam("exclude"),
)


def _task_changes_pending(session: Session, exclude_task_id: int | None) -> bool:
    """Whether a Task other than `exclude_task_id` is new, changed or deleted in the session unflushed."""
    for objs in (session.new, session.dirty, session.deleted):
        for o in objs:
            if isinstance(o, Task) and (o.id is None or o.id != exclude_task_id):
                return True
    return False


@dataclass(frozen=True)
class InboxFilter:
    user_id: int
    groups: Sequence[tuple[int, str]]  # (department_id, role) the user belongs to
    supervised_departments: Sequence[int] = ()
    tab: str = "todo"  # todo | claimed | done | supervise
    case_type: str | None = None
    overdue_only: bool = False
    q: str | None = None
    now: datetime | None = None
    limit: int = 50
    offset: int = 0


def _in_groups(groups: Sequence[tuple[int, str]]) -> ColumnElement[bool]:
    if not groups:
        return false()
    return tuple_(Task.candidate_department_id, Task.candidate_role).in_(list(groups))


def _tab_condition(f: InboxFilter) -> ColumnElement[bool]:
    if f.tab == "todo":  # waiting for my group, or on my desk
        return or_(
            and_(Task.status == "open", _in_groups(f.groups)),
            and_(Task.status.in_(("claimed", "delegated")), Task.assignee_id == f.user_id),
        )
    if f.tab == "claimed":
        return and_(Task.status.in_(("claimed", "delegated")), Task.assignee_id == f.user_id)
    if f.tab == "done":
        return and_(Task.status == "completed", Task.completed_by_id == f.user_id)
    if f.tab == "supervise":  # 督办: escalated to a department I approve or lead in
        ids = list(f.supervised_departments)
        if not ids:
            return false()
        return and_(Task.status.in_(ACTIVE), Task.escalated_to_department_id.in_(ids))
    raise ValueError(f"unknown inbox tab {f.tab!r}")


def inbox(session: Session, f: InboxFilter) -> tuple[list[Task], int]:
    conds = [_tab_condition(f)]
    if f.case_type:
        conds.append(Task.case_type == f.case_type)
    if f.overdue_only and f.now is not None:
        conds += [Task.due_at < f.now, Task.status.in_(ACTIVE)]
    if f.q:
        like = f"%{f.q}%"
        conds.append(or_(Task.case_title.like(like), Task.title.like(like)))
    total = session.scalar(select(func.count()).select_from(Task).where(*conds)) or 0
    order = [Task.completed_at.desc()] if f.tab == "done" else [Task.due_at.asc().nulls_last(), Task.id]
    rows = session.scalars(select(Task).where(*conds).order_by(*order).limit(f.limit).offset(f.offset))
    return list(rows), int(total)


def inbox_counts(session: Session, f: InboxFilter) -> dict[str, int]:
    """Counts per tab (and overdue among my to-dos) in one round trip each; cheap with the indexes."""
    out: dict[str, int] = {}
    for tab in ("todo", "claimed", "supervise"):
        cond = _tab_condition(
            InboxFilter(
                user_id=f.user_id, groups=f.groups, supervised_departments=f.supervised_departments, tab=tab
            )
        )
        out[tab] = int(session.scalar(select(func.count()).select_from(Task).where(cond)) or 0)
        if tab == "todo" and f.now is not None:
            out["overdue"] = int(
                session.scalar(select(func.count()).select_from(Task).where(cond, Task.due_at < f.now)) or 0
            )
    return out


def overdue_tasks(
    session: Session, now: datetime, case_path_prefixes: Sequence[str] | None = None, limit: int = 200
) -> list[Task]:
    conds = [Task.status.in_(ACTIVE), Task.due_at < now]
    if case_path_prefixes is not None:
        if not case_path_prefixes:
            return []
        conds.append(or_(*[Task.case_path.startswith(p) for p in case_path_prefixes]))
    return list(session.scalars(select(Task).where(*conds).order_by(Task.due_at).limit(limit)))


# -- notifications -------------------------------------------------------------------------------


def add_notification(session: Session, n: Notification) -> Notification:
    session.add(n)
    return n


def _notification_cond(user_id: int, groups: Sequence[tuple[int, str]]) -> ColumnElement[bool]:
    conds: list[ColumnElement[bool]] = [Notification.user_id == user_id]
    if groups:
        conds.append(tuple_(Notification.department_id, Notification.role).in_(list(groups)))
    return or_(*conds)


def notifications(
    session: Session,
    user_id: int,
    groups: Sequence[tuple[int, str]],
    *,
    unread_only: bool = False,
    limit: int = 50,
) -> list[Notification]:
    conds = [_notification_cond(user_id, groups)]
    if unread_only:
        conds.append(Notification.read_at.is_(None))
    stmt = select(Notification).where(*conds).order_by(Notification.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def unread_count(session: Session, user_id: int, groups: Sequence[tuple[int, str]]) -> int:
    stmt = (
        select(func.count())
        .select_from(Notification)
        .where(_notification_cond(user_id, groups), Notification.read_at.is_(None))
    )
    return int(session.scalar(stmt) or 0)


def get_notification(session: Session, notification_id: int) -> Notification | None:
    return session.get(Notification, notification_id)
