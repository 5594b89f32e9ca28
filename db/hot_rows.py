"""Rows on the hot path (a task, its group, its case): loaded by prepared SELECTs (`materialise`), and
written at flush time by prepared UPDATEs.

Loading: the ORM's row-to-object machinery costs ~0.1-0.2 ms per statement here. A registered class's row
read by a prepared statement (`columns` in order) becomes an object as the ORM would make it: its column
values are the loaded ones (deferred columns left unloaded, loaded on first use), and it joins the session
as a persistent row of its identity. Callers use it only for a row not already in the session's identity
map (the ORM's own load refreshes one that is).

Every task action ends with the ORM flushing two or three changed rows; its unit-of-work machinery costs
about 0.25 ms per row here, several times the UPDATE itself. For the classes registered here, a flush
that only updates rows (nothing new, nothing deleted: no ordering between rows to respect) first writes
each changed row of those classes with one prepared UPDATE of exactly the changed columns
(`db.prepared`), with the same optimistic version check the ORM makes (`version_id_col`: the row's
version must still be the one loaded, else StaleDataError, as the ORM raises), and marks the object as
flushed, so that the ORM finds nothing left to write for it. Anything else (inserts, deletes, other
classes, a change to anything but a plain column) is left to the ORM as before.

A class is accepted only if it maps one table with plain columns and nothing the ORM would add to an
UPDATE on its own (onupdate defaults, server-side onupdate, relationships): checked when it is registered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Column, Table, and_, bindparam, event, inspect, update
from sqlalchemy.orm import ColumnProperty, Mapper, Session, UOWTransaction, make_transient_to_detached
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import ClauseElement

from db import prepared


class _Hot(NamedTuple):
    table: Table
    pk: str  # the primary key's column name (one column)
    version: str | None  # version_id_col's name
    next_version: Any  # the mapper's version generator (old -> new)
    columns: dict[str, str]  # attribute key -> column name


_pending: list[type] = []
_hot: dict[type, _Hot] = {}
_updates: dict[tuple[type, frozenset[str]], ClauseElement] = {}
_order: dict[type, int] = {}  # the class's table's place in dependency order (worked out on first use)


def _rank(cls: type) -> int:
    if not _order:
        tables = {h.table.metadata for h in _hot.values()}
        ranks = {t: i for md in tables for i, t in enumerate(md.sorted_tables)}
        _order.update({c: ranks[h.table] for c, h in _hot.items()})
    return _order[cls]


def register(*classes: type) -> None:
    """Write changed rows of `classes` by prepared UPDATEs at flush (see the module docstring). Called where
    a model is defined; checked (`describe`) on the first flush, once every mapper can be configured."""
    _pending.extend(classes)


def _resolve() -> None:
    while _pending:
        cls = _pending.pop()
        _hot[cls] = describe(cls)
    _order.clear()


def describe(cls: type) -> _Hot:
    """What a prepared UPDATE of `cls` needs; TypeError when the ORM would write more than its columns."""
    mapper: Mapper[Any] = inspect(cls)
    if len(mapper.tables) != 1 or mapper.relationships or mapper.inherits is not None:
        raise TypeError(f"{cls.__name__}: one table, no relationships, no inheritance")
    table = mapper.local_table
    assert isinstance(table, Table)
    if len(table.primary_key.columns) != 1:
        raise TypeError(f"{cls.__name__}: a single-column primary key is needed")
    columns: dict[str, str] = {}
    for prop in mapper.column_attrs:
        if not isinstance(prop, ColumnProperty) or len(prop.columns) != 1:
            raise TypeError(f"{cls.__name__}.{prop.key}: not a plain column")
        col = prop.columns[0]
        if col.onupdate is not None or col.server_onupdate is not None:
            raise TypeError(f"{cls.__name__}.{prop.key}: an onupdate default is not written here")
        columns[prop.key] = str(col.name)
    version = mapper.version_id_col
    if version is not None and not callable(mapper.version_id_generator):
        raise TypeError(f"{cls.__name__}: a version counted by the server is not supported")
    pk = str(next(iter(table.primary_key.columns)).name)
    name = None if version is None else str(version.name)
    return _Hot(table, pk, name, mapper.version_id_generator, columns)


def is_hot(cls: type) -> bool:
    if _pending:
        _resolve()
    return cls in _hot


def columns(cls: type, unloaded: tuple[str, ...] = ()) -> list[Column[Any]]:
    """The table columns `materialise` takes, in its order (every mapped column but `unloaded`)."""
    if _pending:
        _resolve()
    hot = _hot[cls]
    return [hot.table.c[name] for key, name in hot.columns.items() if key not in unloaded]


def materialise(session: Session, cls: type, values: Sequence[Any], unloaded: tuple[str, ...] = ()) -> Any:
    """The persistent object of `cls` for a row read by a prepared statement (`values`: its `columns`
    processed by their types), added to the session. The row must not be in its identity map already."""
    hot = _hot[cls]
    mapper: Mapper[Any] = inspect(cls)
    obj = mapper.class_manager.new_instance()
    d = obj.__dict__
    keys = [k for k in hot.columns if k not in unloaded]
    for key, value in zip(keys, values, strict=True):
        d[key] = value
    make_transient_to_detached(obj)  # identity from its primary key; loaded values are the committed ones
    session.add(obj)  # a detached row with an identity joins as persistent
    return obj


def _statement(cls: type, hot: _Hot, changed: frozenset[str]) -> ClauseElement:
    key = (cls, changed)
    stmt = _updates.get(key)
    if stmt is None:
        t = hot.table
        cond = t.c[hot.pk] == bindparam("hot_pk")
        values: dict[str, Any] = {hot.columns[k]: bindparam(f"hot_{k}") for k in sorted(changed)}
        if hot.version is not None:
            cond = and_(cond, t.c[hot.version] == bindparam("hot_version"))
            values[hot.version] = bindparam("hot_new_version")
        stmt = update(t).where(cond).values(values)
        _updates[key] = stmt
    return stmt


def write(session: Session, obj: Any) -> bool:
    """Write `obj`'s pending column changes now (it must be persistent and of a registered class) and mark
    them flushed. False (nothing done) when it has none or a change this module leaves to the ORM."""
    hot = _hot.get(type(obj))
    if hot is None:
        return False
    state: Any = inspect(obj)
    if not state.persistent or not state.modified:
        return False
    committed = state.committed_state
    if any(k not in hot.columns for k in committed) or state.expired_attributes & committed.keys():
        return False
    d = state.dict
    # as the ORM: a value set back to what was loaded is no change (and does not bump the version)
    changed = frozenset(k for k, old in committed.items() if old is NO_VALUE or old != d[k])
    if not changed:
        state._commit_all(d, session.identity_map)
        return True
    params: dict[str, Any] = {f"hot_{k}": d[k] for k in changed}
    params["hot_pk"] = state.identity[0]
    if hot.version is not None:
        old = state.committed_state.get(hot.version, d.get(hot.version))
        if hot.version in changed or old is None:
            return False  # a version set by hand: the ORM's rules
        params["hot_version"] = old
        params["hot_new_version"] = hot.next_version(old)
    count = prepared.execute(session, _statement(type(obj), hot, changed), params).rowcount
    if count != 1:
        raise StaleDataError(
            f"UPDATE statement on table '{hot.table.name}' expected to update 1 row(s); {count} were matched."
        )
    if hot.version is not None:
        d[hot.version] = params["hot_new_version"]
    # What the ORM does to a row it has just flushed: its current values become the committed ones.
    state._commit_all(d, session.identity_map)
    return True


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    if _pending:
        _resolve()
    if not _hot or session.new or session.deleted:
        return
    rows = [obj for obj in session.dirty if type(obj) in _hot]
    # as the ORM orders a flush (tables in dependency order, then by primary key): on PostgreSQL row locks
    # are taken in the same order by every writer
    rows.sort(key=lambda o: (_rank(type(o)), inspect(o).identity))
    for obj in rows:
        write(session, obj)
