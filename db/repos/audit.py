"""SQL for the audit trail: appending under the head lock, reading a subject's history, and streaming the
log in seq order for verification.

Appending costs one SELECT of the head (FOR UPDATE on PostgreSQL), one INSERT and one UPDATE, whatever
the log's size; a batch is the same three steps, its rows sent by executemany (pipelined by psycopg,
in-process for sqlite3: measured 6-15x faster than one multi-VALUES statement, whose 15,000 bound
parameters SQLAlchemy compiles anew for every chunk) — or, a batch step's thousands of rows on PostgreSQL,
by COPY (`set_wise.copy_in`: measured 0.2-0.3 s for 20,000 rows against 0.8-1.4 s by executemany).
Nothing here commits: the rows belong to the caller's transaction, so they land or vanish together with
the state change they record.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import Row, Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db import prepared
from db.models.audit import GENESIS, AuditEntry, AuditHead, entry_hash
from db.repos import set_wise
from domain.errors import ShegongError

HEAD_ID = 1
# Rows per executemany call in a batch (bounds the memory of one round of parameter processing).
INSERT_CHUNK = 1000

log_table = cast(Table, AuditEntry.__table__)
head_table = cast(Table, AuditHead.__table__)

# Built once: a statement reused as is keeps its compiled form and cache key, which matters on a path
# taken by every action (building .values(...) per call costs more than the SQL itself).
_HEAD = select(head_table.c.last_seq, head_table.c.last_hash).where(head_table.c.id == HEAD_ID)
_HEAD_FOR_UPDATE = _HEAD.with_for_update()
_INSERT = insert(log_table)
_MOVE_HEAD = (
    update(head_table)
    .where(head_table.c.id == HEAD_ID)
    .values(last_seq=bindparam("new_seq"), last_hash=bindparam("new_hash"))
)


class AuditChainBroken(ShegongError):
    """The head is missing while the log has rows: appending would fork the chain."""

    status = 500
    code = "audit_chain_broken"


class Head(NamedTuple):
    last_seq: int
    last_hash: str


def lock_head(session: Session) -> Head:
    """The chain's tip, locked until the transaction ends. Creates the head on the very first append."""
    head = _select_head(session, lock=True)
    if head is not None:
        return head
    # Rare path (empty database). Two first appenders may race here: on PostgreSQL the loser's INSERT waits
    # for the winner's row, then does nothing; its next SELECT sees the winner's committed head.
    values = {"id": HEAD_ID, "last_seq": 0, "last_hash": GENESIS}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(head_table).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(head_table).values(values).on_conflict_do_nothing())
    row = session.execute(_HEAD_FOR_UPDATE).one()
    head = Head(row[0], row[1])
    # A head may vanish only with its log: never restart a chain over existing rows.
    if head.last_seq == 0 and session.execute(select(log_table.c.seq).limit(1)).first() is not None:
        raise AuditChainBroken(
            "审计链头记录缺失而日志非空，已拒绝追加；请运行 `shegong audit verify` 检查",
            details={"table": "audit_head"},
        )
    return head


def _select_head(session: Session, *, lock: bool) -> Head | None:
    rows = prepared.execute(session, _HEAD_FOR_UPDATE if lock else _HEAD, autoflush=True).rows
    return Head(rows[0][0], rows[0][1]) if rows else None


def append(session: Session, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Chain and insert `rows` (content fields, without seq/prev_hash/hash) after the head; move the head.
    Returns the rows as written, with seq, prev_hash and hash."""
    if not rows:
        return []
    head = lock_head(session)
    seq, prev = head.last_seq, head.last_hash
    written: list[dict[str, Any]] = []
    for row in rows:
        seq += 1
        full = dict(row, seq=seq, prev_hash=prev)
        full["hash"] = prev = entry_hash(full)
        written.append(full)
    if len(written) >= set_wise.COPY_MIN and set_wise.is_postgresql(session):
        set_wise.copy_in(session, log_table, written)
    else:
        keys = tuple(written[0])
        for i in range(0, len(written), INSERT_CHUNK):
            prepared.executemany(session, _INSERT, written[i : i + INSERT_CHUNK], keys=keys)
    prepared.execute(session, _MOVE_HEAD, {"new_seq": seq, "new_hash": prev})
    return written


def history(session: Session, subject_type: str, subject_id: int) -> list[AuditEntry]:
    """A subject's rows in seq order, detached: they never change, and so stay readable after the unit of
    work ends (a read-only one rolls back, which would otherwise expire them)."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
        .order_by(AuditEntry.seq)
    )
    rows = list(session.scalars(stmt))
    for row in rows:
        session.expunge(row)
    return rows


def history_of(session: Session, subjects: Sequence[tuple[str, Sequence[int]]]) -> list[AuditEntry]:
    """The rows of several subjects (e.g. a case and all its tasks) in one query, in seq order, detached."""
    conds = [
        and_(AuditEntry.subject_type == kind, AuditEntry.subject_id.in_(list(ids)))
        for kind, ids in subjects
        if ids
    ]
    if not conds:
        return []
    rows = list(session.scalars(select(AuditEntry).where(or_(*conds)).order_by(AuditEntry.seq)))
    for row in rows:
        session.expunge(row)
    return rows


def get_head(session: Session) -> Head | None:
    return _select_head(session, lock=False)


def tail(session: Session) -> tuple[int | None, int | None]:
    """(highest seq in the log, head's last_seq), read in one statement so that both see one snapshot."""
    stmt = select(
        select(func.max(log_table.c.seq)).scalar_subquery(),
        select(head_table.c.last_seq).where(head_table.c.id == HEAD_ID).scalar_subquery(),
    )
    row = session.execute(stmt).one()
    return row[0], row[1]


def iter_batches(session: Session, *, upto: int | None, batch: int) -> Iterator[Sequence[Row[Any]]]:
    """Every row (all columns) with seq <= upto (all rows when None), in seq order, `batch` at a time.
    Keyset pagination: each batch is an index range scan, never an OFFSET."""
    after: int | None = None
    while True:
        stmt = select(log_table).order_by(log_table.c.seq).limit(batch)
        if after is not None:
            stmt = stmt.where(log_table.c.seq > after)
        if upto is not None:
            stmt = stmt.where(log_table.c.seq <= upto)
        rows = session.execute(stmt).all()
        if not rows:
            return
        yield rows
        if len(rows) < batch:
            return
        after = rows[-1].seq
