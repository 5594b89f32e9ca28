"""Prepared statements: a prebuilt Core statement compiled once per dialect, then run on the driver's own
connection (sqlite3 / psycopg) of the session's transaction.

Why: on the path every task action takes, SQLAlchemy's per-execution machinery (execution context,
parameter processing, cursor result wrapping, events) costs 40-70 µs per statement on these machines,
against 1-5 µs for sqlite3 running the same SQL. A completion runs a dozen such statements. Here the SQL
text, the parameter order and the type processing still come from SQLAlchemy (compiled from the same
statement objects, with each bound value put through its type's bind processing exactly as SQLAlchemy
does); only the per-execution work is done once.

What it does not do, by design (a statement that needs it is refused when it is first prepared, so the
gap cannot go unnoticed): expanding IN parameters (write a constant list as literal SQL), Python-side
column defaults that need an execution context, and engine events (`before_cursor_execute` listeners do
not see these statements). Driver errors are raised as SQLAlchemy's (IntegrityError etc.), as
`Connection.execute` raises them. Nothing here flushes the ORM session unless asked (`autoflush=True`
does what `Session.execute` would); rows the session holds are not refreshed by an UPDATE sent here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.elements import BindParameter

_CONN = "shegong.prepared.connection"  # session.info: (root transaction, driver connection)


class _Param(NamedTuple):
    key: str  # the name the caller's parameters use
    default: Any  # the statement's own value (already bind-processed), when the caller gives none
    required: bool
    process: Callable[[Any], Any] | None


class Prepared(NamedTuple):
    sql: str
    params: tuple[_Param, ...]
    named: tuple[str, ...] | None  # paramstyle with names (psycopg): each parameter's name in the SQL
    results: tuple[Callable[[Any], Any] | None, ...]  # per result column (None: as the driver gives it)
    dialect: Dialect


_CACHE_MAX = 500
_cache: dict[tuple[int, str, tuple[str, ...] | None], tuple[ClauseElement, Prepared]] = {}


class PreparedError(Exception):
    """A statement this module cannot run as SQLAlchemy would (a programming error, found at once)."""


def prepare(stmt: ClauseElement, dialect: Dialect, keys: tuple[str, ...] | None = None) -> Prepared:
    """`stmt` compiled for `dialect` (an INSERT for the column `keys` given), cached for the process.
    Statements are module-level constants: the cache holds them, so their ids stay theirs."""
    cache_key = (id(stmt), dialect.name, keys)
    hit = _cache.get(cache_key)
    if hit is not None and hit[0] is stmt:
        return hit[1]
    prepared = _compile(stmt, dialect, keys)
    if len(_cache) >= _CACHE_MAX:  # only a caller building statements per call gets here: stay bounded
        _cache.clear()
    _cache[cache_key] = (stmt, prepared)
    return prepared


def _compile(stmt: ClauseElement, dialect: Dialect, keys: tuple[str, ...] | None) -> Prepared:
    compiled: Any = stmt.compile(dialect=dialect, column_keys=list(keys) if keys is not None else None)
    if "__[POSTCOMPILE_" in compiled.string:
        raise PreparedError(f"expanding IN parameters are not supported here: {compiled.string}")
    for col in (*compiled.insert_prefetch, *compiled.update_prefetch):
        default = col.default
        if default is None or not default.is_scalar:
            raise PreparedError(f"column {col.key} has a Python-side default that needs an execution context")
    by_name: dict[str, BindParameter[Any]] = {name: bind for bind, name in compiled.bind_names.items()}
    names: list[str] = list(compiled.positiontup) if compiled.positional else list(by_name)
    params: list[_Param] = []
    for name in names:
        bind = by_name[name]
        impl = bind.type.dialect_impl(dialect)
        process = impl.bind_processor(dialect)
        key = bind.key
        required = bool(bind.required)
        default = None if required else bind.effective_value
        col = _prefetched(compiled, key)
        if col is not None:
            default, required = col.default.arg, False
        if default is not None and process is not None:
            default = process(default)
        params.append(_Param(key, default, required, process))
    results: list[Callable[[Any], Any] | None] = []
    # a SELECT's columns, or an INSERT/UPDATE/DELETE's RETURNING columns (none without RETURNING)
    s: Any = stmt
    returned = getattr(s, "selected_columns", None) or getattr(s, "exported_columns", None) or ()
    for col in returned:
        results.append(col.type.dialect_impl(dialect).result_processor(dialect, None))
    return Prepared(
        sql=compiled.string,
        params=tuple(params),
        named=None if compiled.positional else tuple(_escaped(compiled, n) for n in names),
        results=tuple(results),
        dialect=dialect,
    )


def _escaped(compiled: Any, name: str) -> str:
    # the name as the SQL spells it (SQLAlchemy escapes characters a paramstyle cannot carry)
    return str((getattr(compiled, "escaped_bind_names", None) or {}).get(name, name))


def _prefetched(compiled: Any, key: str) -> Any:
    for col in (*compiled.insert_prefetch, *compiled.update_prefetch):
        if col.key == key:
            return col
    return None


def _values(p: Prepared, given: Mapping[str, Any]) -> Any:
    out: list[Any] = []
    for param in p.params:
        if param.key in given:
            value = given[param.key]
            if param.process is not None and value is not None:
                value = param.process(value)
        elif param.required:
            raise exc.InvalidRequestError(f"A value is required for bind parameter {param.key!r}")
        else:
            value = param.default
        out.append(value)
    if p.named is None:
        return tuple(out)
    return dict(zip(p.named, out, strict=True))


def driver_connection(session: Session) -> Any:
    """The DBAPI connection of the session's current transaction (begun here if none is)."""
    txn: SessionTransaction | None = session.get_transaction()
    held = session.info.get(_CONN)
    if txn is not None and held is not None and held[0] is txn:
        return held[1]
    raw = session.connection().connection.driver_connection
    session.info[_CONN] = (session.get_transaction(), raw)
    return raw


class Result(NamedTuple):
    rows: list[tuple[Any, ...]]
    rowcount: int


def execute(
    session: Session,
    stmt: ClauseElement,
    params: Mapping[str, Any] | None = None,
    *,
    keys: tuple[str, ...] | None = None,
    autoflush: bool = False,
) -> Result:
    """Run `stmt` once with `params` in the session's transaction; the rows it returns (processed by
    their column types) and the row count."""
    if autoflush and session.autoflush:
        session.flush()
    conn = driver_connection(session)
    p = prepare(stmt, session.get_bind().dialect, keys)
    values = _values(p, params or {})
    cur = conn.cursor()
    try:
        cur.execute(p.sql, values)
        rows = cur.fetchall() if cur.description is not None else []
        count = cur.rowcount
    except p.dialect.loaded_dbapi.Error as e:
        raise _wrapped(p, values, e) from e
    finally:
        cur.close()
    if rows and any(f is not None for f in p.results):
        rows = [tuple(v if f is None else f(v) for f, v in zip(p.results, r, strict=True)) for r in rows]
    return Result(rows, count)


def executemany(
    session: Session,
    stmt: ClauseElement,
    rows: Sequence[Mapping[str, Any]],
    *,
    keys: tuple[str, ...] | None = None,
) -> int:
    """Run `stmt` (returning nothing) once per row of `rows`, in one driver call; the row count."""
    if not rows:
        return 0
    conn = driver_connection(session)
    p = prepare(stmt, session.get_bind().dialect, keys)
    values = [_values(p, r) for r in rows]
    cur = conn.cursor()
    try:
        cur.executemany(p.sql, values)
        count = cur.rowcount
    except p.dialect.loaded_dbapi.Error as e:
        raise _wrapped(p, values, e) from e
    finally:
        cur.close()
    return int(count)


def _wrapped(p: Prepared, values: Any, e: Exception) -> Exception:
    return exc.DBAPIError.instance(
        p.sql, values, e, p.dialect.loaded_dbapi.Error, dialect=p.dialect, ismulti=isinstance(values, list)
    )
