"""Set-wise writes of many rows by id, for batch steps, each database the way it is fast.

PostgreSQL: one `UPDATE t SET c = v.c ... FROM unnest(:ids, :c ...) AS v(id, c ...) WHERE t.id = v.id`
per chunk: one parameter per column (an array), so the statement text is the same whatever the number of
rows (compiled once, cached) and the server joins the rows in one pass. Measured on the application table
(18,867 rows, two columns): 0.4-0.6 s against 1.2-1.3 s for psycopg's pipelined executemany, whose
per-statement cost on the server (parse, plan, execute) dominates; a multi-VALUES statement is slower
still (one bound parameter per value, compiled anew for every chunk).

SQLite: executemany of one prebuilt UPDATE (sqlite3 runs it in-process, without round trips: as fast as
anything else there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

# Rows per UPDATE on PostgreSQL (bounds one statement's arrays; the whole batch is one transaction anyway).
CHUNK = 5000


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def array_param(table: Table, column: str, name: str | None = None) -> Any:
    """A bound parameter carrying a list of `column`'s values as a one-dimensional array of its type
    (dimensions=1: a JSON column's values may themselves be lists)."""
    return bindparam(name or f"a_{column}", type_=ARRAY(table.c[column].type, dimensions=1))


def _arrays(table: Table, names: Sequence[str]) -> Any:
    """`unnest(:a_c1, :a_c2, ...) AS v(c1, c2, ...)`: the rows given as one array per column."""
    params = [array_param(table, c) for c in names]
    return func.unnest(*params).table_valued(*names).render_derived(name="v")


def insert_from_arrays(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    skip_conflicts_on: Sequence[str] | None = None,
) -> None:
    """PostgreSQL only: insert `rows` (the same keys in every row) by `INSERT ... SELECT ... FROM
    unnest(...)`, one statement per chunk; with `skip_conflicts_on` (a unique index's columns), rows that
    would break it are left out (ON CONFLICT DO NOTHING)."""
    if not rows:
        return
    names = list(rows[0])
    v = _arrays(table, names)
    stmt = postgresql.insert(table).from_select(names, select(*[v.c[c] for c in names]))
    if skip_conflicts_on is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(skip_conflicts_on))
    conn = session.connection()
    for i in range(0, len(rows), CHUNK):
        part = rows[i : i + CHUNK]
        conn.execute(stmt, {f"a_{c}": [r[c] for r in part] for c in names})


def update_by_id(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    set_also: Mapping[str, Any],
    only_in: tuple[str, Sequence[Any]] | None = None,
) -> int:
    """Set each row's columns ({"id", col: value, ...}, the same columns in every row) on the row of that
    id, and `set_also` (constants or SQL expressions) on all of them; with `only_in` = (column, values),
    only where the row's column still holds one of the values. Returns the number of rows updated.
    Each id at most once (on PostgreSQL a repeated id would be updated once)."""
    if not rows:
        return 0
    cols = [k for k in rows[0] if k != "id"]
    if is_postgresql(session):
        return _update_from_arrays(session, table, rows, cols, set_also, only_in)
    values: dict[str, Any] = {c: bindparam(f"b_{c}") for c in cols}
    values.update(set_also)
    conds: list[ColumnElement[bool]] = [table.c.id == bindparam("b_id")]
    if only_in is not None:
        # no IN (…) here: an expanding parameter cannot go with executemany
        conds.append(or_(*[table.c[only_in[0]] == v for v in only_in[1]]))
    stmt = update(table).where(and_(*conds)).values(**values)
    params = [{f"b_{k}": v for k, v in r.items()} for r in rows]
    result = session.connection().execute(stmt, params)
    count = result.rowcount
    return count if count is not None and count >= 0 else len(params)


def _update_from_arrays(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    cols: Sequence[str],
    set_also: Mapping[str, Any],
    only_in: tuple[str, Sequence[Any]] | None,
) -> int:
    names = ["id", *cols]
    v = func.unnest(*[array_param(table, c) for c in names]).table_valued(*names).render_derived(name="v")
    values: dict[str, Any] = {c: v.c[c] for c in cols}
    values.update(set_also)
    stmt = update(table).where(table.c.id == v.c.id)
    if only_in is not None:
        stmt = stmt.where(table.c[only_in[0]].in_(list(only_in[1])))
    stmt = stmt.values(**values)
    conn = session.connection()
    moved = 0
    for i in range(0, len(rows), CHUNK):
        part = rows[i : i + CHUNK]
        result = conn.execute(stmt, {f"a_{c}": [r[c] for r in part] for c in names})
        moved += result.rowcount
    return moved
