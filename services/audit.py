"""The audit trail: record an action, record a batch, read a subject's history, verify the chain.

`record` and `record_many` never commit: call them inside the unit of work that makes the state change,
so that the change and its audit row are committed, or rolled back, together.

Appending locks the chain's head until the transaction ends, which serialises every writer from that
moment: record as the LAST write before commit (after the action's own rows are locked and written), so
the lock is held for microseconds and is always taken after, never before, a case's row locks.

`defer` is `record` for hot paths: the row is validated at once but chained when the session commits
(or before the next `record`/read of the trail in the same session), together with every other row the
unit of work deferred: one head lock, one INSERT (executemany), one head update per transaction, taken
after the session's last flush — so the head lock is always the last lock a transaction takes. A rolled
back transaction drops its deferred rows with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from db.models.audit import GENESIS, AuditEntry, entry_hash
from db.repos import audit as repo
from db.repos.audit import AuditChainBroken
from domain.actor import Actor
from domain.errors import InvalidInput
from services.audit_rows import SYSTEM_NAME, AuditDraft
from services.audit_rows import content as _content

__all__ = [
    "SYSTEM_NAME",
    "AuditChainBroken",
    "AuditDraft",
    "AuditEntry",
    "VerifyResult",
    "defer",
    "flush_deferred",
    "history",
    "record",
    "record_many",
    "verify",
]

_PENDING = "shegong.audit.deferred"  # session.info key: rows deferred in the session's transaction


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None  # Chinese, then English
    code: str | None = None  # stable: missing, inserted, altered, broken_link, head_mismatch


def record(
    session: Session,
    now: datetime,
    *,
    actor: Actor | None,
    subject_type: str,
    subject_id: int,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    opinion: str | None = None,
    article: str | None = None,
    data: Mapping[str, Any] | None = None,
    actor_role: str | None = None,
) -> AuditEntry:
    """Append one row to the chain in the caller's transaction (not committed here).

    `actor=None` is the system. `actor_role` defaults to the actor's role when they hold just one."""
    row = _content(
        now,
        AuditDraft(
            actor=actor,
            subject_type=subject_type,
            subject_id=subject_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            opinion=opinion,
            article=article,
            data=data,
            actor_role=actor_role,
        ),
    )
    written = repo.append(session, [*_take_deferred(session), row])
    return AuditEntry(**written[-1])


def defer(
    session: Session,
    now: datetime,
    *,
    actor: Actor | None,
    subject_type: str,
    subject_id: int,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    opinion: str | None = None,
    article: str | None = None,
    data: Mapping[str, Any] | None = None,
    actor_role: str | None = None,
) -> None:
    """`record`, chained at commit: the row is checked now (bad input raises here) and appended with the
    unit of work's other deferred rows, in the order deferred, when the session commits."""
    row = _content(
        now,
        AuditDraft(
            actor=actor,
            subject_type=subject_type,
            subject_id=subject_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            opinion=opinion,
            article=article,
            data=data,
            actor_role=actor_role,
        ),
    )
    if session.in_nested_transaction():
        # A savepoint could roll back part of the buffer: append at once, as `record` does.
        repo.append(session, [*_take_deferred(session), row])
        return
    if not session.in_transaction():
        session.connection()  # the rows belong to this transaction: it ends, they are written or dropped
    session.info.setdefault(_PENDING, []).append(row)


def flush_deferred(session: Session) -> None:
    """Chain and insert the rows deferred so far in this session's transaction (commit does it anyway)."""
    rows = _take_deferred(session)
    if rows:
        repo.append(session, rows)


def _take_deferred(session: Session) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = session.info.pop(_PENDING, [])
    return rows


@event.listens_for(Session, "before_commit")
def _on_commit(session: Session) -> None:
    if session.info.get(_PENDING):
        session.flush()  # the action's own rows first: the head lock is the last lock taken
        flush_deferred(session)


@event.listens_for(Session, "after_transaction_end")
def _on_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed (and flushed above), rolled back or closed
        session.info.pop(_PENDING, None)


def record_many(session: Session, now: datetime, entries: Iterable[AuditDraft]) -> range:
    """Append a batch in the caller's transaction: one head lock, multi-row INSERTs, one head update.
    Returns the seqs assigned (empty for an empty batch)."""
    rows = [_content(now, e) for e in entries]
    earlier = _take_deferred(session)
    written = repo.append(session, [*earlier, *rows])[len(earlier) :]
    if not written:
        return range(0)
    return range(written[0]["seq"], written[-1]["seq"] + 1)


def history(session: Session, subject_type: str, subject_id: int) -> list[AuditEntry]:
    """Every row about one subject, oldest first (for case pages)."""
    flush_deferred(session)
    return repo.history(session, subject_type, subject_id)


def history_of(session: Session, subjects: Sequence[tuple[str, Sequence[int]]]) -> list[AuditEntry]:
    """Every row about several subjects — a case and its tasks — oldest first, in one query."""
    flush_deferred(session)
    return repo.history_of(session, subjects)


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in seq order, `batch` rows at a time, and name the first row altered, missing or
    inserted; then check the head against the last row. Rows appended while verifying are not judged."""
    if batch < 1:
        raise InvalidInput("batch 必须为正整数", code="audit_invalid")
    flush_deferred(session)
    head = repo.get_head(session)
    expected, prev, checked = 1, GENESIS, 0
    for rows in repo.iter_batches(session, upto=head.last_seq if head else None, batch=batch):
        for r in rows:
            fields = r._mapping
            if r.seq < expected:
                return _bad(
                    checked,
                    r.seq,
                    "inserted",
                    f"第 {r.seq} 条记录不在链中（被插入）",
                    f"row seq {r.seq} is out of sequence (inserted)",
                )
            if r.seq > expected:
                return _bad(
                    checked,
                    expected,
                    "missing",
                    f"第 {expected}–{r.seq - 1} 条记录缺失（被删除）",
                    f"rows seq {expected}..{r.seq - 1} are missing (deleted)",
                )
            self_ok = entry_hash(fields) == r.hash
            if r.prev_hash != prev:
                # A row that still matches its own hash kept the old link: its predecessor was rewritten.
                bad = r.seq - 1 if self_ok and r.seq > 1 else r.seq
                return _bad(
                    checked,
                    bad,
                    "broken_link",
                    f"第 {bad} 条记录被改写（链接断开）",
                    f"row seq {bad} was rewritten (chain link broken at seq {r.seq})",
                )
            if not self_ok:
                return _bad(
                    checked,
                    r.seq,
                    "altered",
                    f"第 {r.seq} 条记录的内容与其哈希不符（被修改）",
                    f"row seq {r.seq} does not match its hash (altered)",
                )
            prev = r.hash
            expected += 1
            checked += 1
    last = expected - 1
    if head is None:
        if last:
            return _bad(
                checked,
                1,
                "head_mismatch",
                "链头记录缺失而日志非空",
                "audit_head is missing while the log has rows",
            )
        return VerifyResult(ok=True, checked=0)
    if last < head.last_seq:
        return _bad(
            checked,
            last + 1,
            "missing",
            f"第 {last + 1}–{head.last_seq} 条记录缺失（链尾被删除）",
            f"rows seq {last + 1}..{head.last_seq} are missing (tail deleted)",
        )
    if prev != head.last_hash:
        return _bad(
            checked,
            last,
            "head_mismatch",
            f"链头哈希与第 {last} 条记录不符",
            f"head hash does not match row seq {last}",
        )
    max_seq, head_seq = repo.tail(session)
    if max_seq is not None and head_seq is not None and max_seq > head_seq:
        return _bad(
            checked,
            head_seq + 1,
            "inserted",
            f"第 {head_seq + 1} 条及之后的记录在链头之后（被插入）",
            f"rows from seq {head_seq + 1} lie beyond the head (inserted)",
        )
    return VerifyResult(ok=True, checked=checked)


def _bad(checked: int, seq: int, code: str, zh: str, en: str) -> VerifyResult:
    return VerifyResult(ok=False, checked=checked, first_bad_seq=seq, reason=f"{zh} / {en}", code=code)
