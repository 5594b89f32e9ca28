"""SQL for opening task groups (`services/tasks/opening`: one case's step, or a batch step's review tasks,
one group per case): groups and tasks with their new ids in the order of the rows given, and the tasks'
deadline timers by INSERT ... ON CONFLICT (dedupe_key) DO NOTHING. Statements built once; SQLite:
multi-row INSERT ... RETURNING. PostgreSQL: the same for a few rows (one case's step); a batch of
`set_wise.COPY_MIN` rows or more has its ids reserved from the table's sequence and is sent by COPY (a
multi-row INSERT ... RETURNING goes to psycopg as an executemany, a statement per row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from db import prepared
from db.models.tasks import Task, TaskGroup
from db.models.timers import Timer
from db.repos import set_wise
from db.repos import timers as timers_repo

_GROUP = cast(Table, TaskGroup.__table__)
_TASK = cast(Table, Task.__table__)
_TIMER = cast(Table, Timer.__table__)
# Built once (SQLite): SQLAlchemy sends the rows as batched multi-row INSERTs ("insertmanyvalues") and
# hands the new ids back sorted in the order of the rows given.
_INSERT_GROUPS = insert(_GROUP).returning(_GROUP.c.id, sort_by_parameter_order=True)
_INSERT_TASKS = insert(_TASK).returning(_TASK.c.id, sort_by_parameter_order=True)


def insert_groups(session: Session, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert task groups (the same keys in every row); their ids, in the order of `rows`."""
    return _insert_returning_ids(session, _INSERT_GROUPS, rows)


def insert_tasks(session: Session, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert tasks (the same keys in every row); their ids, in the order of `rows`."""
    return _insert_returning_ids(session, _INSERT_TASKS, rows)


def _insert_returning_ids(session: Session, stmt: Any, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    if not rows:
        return []
    if len(rows) >= set_wise.COPY_MIN and set_wise.is_postgresql(session):
        table = stmt.table
        ids = set_wise.reserve_ids(session, table, len(rows))
        set_wise.copy_in(session, table, [{"id": i, **r} for i, r in zip(ids, rows, strict=True)])
        return ids
    keys = tuple(rows[0])
    if len(rows) == 1 or not set_wise.is_postgresql(session):
        # One statement per row on the driver (in-process for sqlite3): the ids come back in order.
        return [int(prepared.execute(session, stmt, r, keys=keys).rows[0][0]) for r in rows]
    result = session.connection().execute(stmt, [dict(r) for r in rows])
    return [int(i) for i in result.scalars()]


def insert_timers_if_absent(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert new pending timers (`services.timers.NewTimer.row`: every row the same keys) unless one with
    the same dedupe_key exists, as `timers.insert_if_absent` does for a list: on PostgreSQL by COPY and one
    INSERT ... ON CONFLICT DO NOTHING (not a statement per row) for a batch, otherwise by executemany."""
    if not rows:
        return
    if len(rows) < set_wise.COPY_MIN or not set_wise.is_postgresql(session):
        timers_repo.insert_if_absent(session, [dict(r) for r in rows])
        return
    set_wise.copy_in(session, _TIMER, rows, skip_conflicts_on=["dedupe_key"])
