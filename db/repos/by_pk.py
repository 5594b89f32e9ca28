"""Loading one row by primary key with a statement built once per model.

`session.get` builds and keys a new SELECT on every identity-map miss (measured: about twice the cost of
running a prebuilt one); hot paths load through a `ByPk` instead. On SQLite, a row already in the
identity map is answered from it; `for_update` locks the row on PostgreSQL (SQLite has no row locks:
its write transaction is the lock) — once per transaction: a row it locked already is answered from the
identity map.

A row of a hot class (`db.hot_rows`: task, task group, plan) not in the identity map is read by a prepared
SELECT on the driver connection, and made into the ORM's persistent object, instead of by the ORM.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Mapper, Session, class_mapper, defer
from sqlalchemy.orm.interfaces import ORMOption

from db import hot_rows, prepared

T = TypeVar("T")


class ByPk(Generic[T]):
    """`deferred`: attributes left unloaded until used (a large JSON column, say)."""

    def __init__(self, model: type[T], *, deferred: tuple[str, ...] = ()) -> None:
        self.model = model
        self.mapper: Mapper[T] = class_mapper(model)
        (pk,) = self.mapper.primary_key
        self.deferred = deferred
        self.options: tuple[ORMOption, ...] = tuple(defer(getattr(model, a)) for a in deferred)
        self.plain = select(model).options(*self.options).where(pk == bindparam("pk"))
        # A row read before it was locked may have changed meanwhile: the locked read refreshes it.
        self.locked = self.plain.with_for_update().execution_options(populate_existing=True)
        self._rows: dict[bool, Any] = {}  # locked? -> prepared SELECT of the columns (hot rows)

    def get(self, session: Session, pk: Any, *, for_update: bool = False) -> T | None:
        key = self.mapper.identity_key_from_primary_key((pk,))
        if for_update and session.get_bind().dialect.name != "sqlite":
            if key in session.identity_map and key in _locked_keys(session):
                return session.get(self.model, pk, options=self.options)  # locked earlier in this transaction
            if key in session.identity_map:  # read before, unlocked: the ORM's locked read refreshes it
                row = session.scalars(self.locked, {"pk": pk}).first()
            else:
                row = self._load(session, pk, locked=True)
            if row is not None:
                _locked_keys(session).add(key)
            return row
        if key in session.identity_map:
            return session.get(self.model, pk, options=self.options)  # from the map (refreshed if expired)
        return self._load(session, pk, locked=False)

    def _load(self, session: Session, pk: Any, *, locked: bool) -> T | None:
        """A row not in the identity map: by a prepared SELECT for a hot row (`db.hot_rows`), else the ORM."""
        if not hot_rows.is_hot(self.model):
            return session.scalars(self.locked if locked else self.plain, {"pk": pk}).first()
        stmt = self._rows.get(locked)
        if stmt is None:
            (pk_col,) = self.mapper.primary_key
            stmt = select(*hot_rows.columns(self.model, self.deferred)).where(pk_col == bindparam("pk"))
            self._rows[locked] = stmt = stmt.with_for_update() if locked else stmt
        rows = prepared.execute(session, stmt, {"pk": pk}, autoflush=True).rows
        if not rows:
            return None
        obj: T = hot_rows.materialise(session, self.model, rows[0], self.deferred)
        return obj

    def in_map(self, session: Session, pk: Any) -> bool:
        """Whether the row is loaded in the session already."""
        return self.mapper.identity_key_from_primary_key((pk,)) in session.identity_map

    def mark_locked(self, session: Session, pk: Any) -> None:
        """Record that the current transaction has locked the row by some other statement (a join)."""
        _locked_keys(session).add(self.mapper.identity_key_from_primary_key((pk,)))

    def holds_lock(self, session: Session, pk: Any) -> bool:
        """Whether this transaction has locked the row already (always true on SQLite, whose write
        transaction is the lock)."""
        if session.get_bind().dialect.name == "sqlite":
            return True
        return self.mapper.identity_key_from_primary_key((pk,)) in _locked_keys(session)


_KEPT = "shegong.kept_rows"  # session.info key: rows held for the session's lifetime (see `keep`)


def keep(session: Session, obj: object) -> None:
    """Hold a loaded row for the session's lifetime. The identity map is weak: a row loaded alongside
    another (a join) and referenced by nobody would be dropped at once, and loaded again by the next
    `ByPk.get`."""
    session.info.setdefault(_KEPT, []).append(obj)


_LOCKED = "shegong.locked_rows"  # session.info key: (transaction, identity keys locked in it)


def _locked_keys(session: Session) -> set[Any]:
    """Rows this session's current transaction has locked: they stay locked until it ends."""
    transaction = session.get_transaction()
    if transaction is None:
        return set()
    held = session.info.get(_LOCKED)
    if held is None or held[0] is not transaction:
        held = (transaction, set())
        session.info[_LOCKED] = held
    keys: set[Any] = held[1]
    return keys
