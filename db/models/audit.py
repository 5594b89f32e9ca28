"""The audit trail: an append-only, hash-chained log of every action, and its one-row head.

Each row's `hash` is sha256 over a canonical serialisation of its content fields plus `prev_hash` (the
previous row's hash; GENESIS for seq 1), so editing, deleting, inserting or reordering rows breaks the
chain at the first row touched. `audit_head` holds the last seq and hash: appenders lock it (FOR UPDATE on
PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so appending never scans the log.

The canonical form is defined here, beside the columns it covers, and is pure: no database needed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigId

GENESIS = "0" * 64
"""The prev_hash of the first row."""

AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"

# Every column the hash covers, besides prev_hash. Changing this list or the serialisation invalidates
# every existing chain: do it only with a new genesis and a migration that re-chains.
CONTENT_FIELDS: tuple[str, ...] = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "actor_role",
    "subject_type",
    "subject_id",
    "action",
    "from_state",
    "to_state",
    "opinion",
    "article",
    "data",
)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text as is; NaN/Infinity refused (they do not round-trip)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def canonical_bytes(fields: Mapping[Any, Any]) -> bytes:
    """The bytes hashed for one row: its content fields and prev_hash, `at` in a fixed format."""
    doc = {name: fields[name] for name in CONTENT_FIELDS}
    at: datetime = doc["at"]
    doc["at"] = at.strftime(AT_FORMAT)
    doc["prev_hash"] = fields["prev_hash"]
    return canonical_json(doc).encode("utf-8")


def entry_hash(fields: Mapping[Any, Any]) -> str:
    return hashlib.sha256(canonical_bytes(fields)).hexdigest()


class AuditEntry(Base):
    """One action on one subject: who, when, from which state to which, with what opinion, under which
    article. Never updated or deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (
        # Case pages read a subject's history in order; the index serves both the filter and the sort.
        Index("ix_audit_log_subject", "subject_type", "subject_id", "seq"),
        CheckConstraint("seq > 0", name="seq_positive"),
    )

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    # No foreign key: the trail must outlive the users it names; actor_name is the snapshot people read.
    actor_id: Mapped[int | None] = mapped_column(BigId)  # None: the system (a timer, a batch)
    actor_name: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str | None] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(BigId)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    opinion: Mapped[str | None] = mapped_column(Text)  # 意见
    article: Mapped[str | None] = mapped_column(String(200))  # e.g. "IM art. 8"
    # Plain JSON (json, not jsonb, on PostgreSQL): jsonb rewrites numbers (1e+16 -> 10000000000000000),
    # which would change the canonical form and break the hash.
    data: Mapped[dict[str, Any]] = mapped_column(JSON())
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's tip: one row (id 1), locked by every appender. Created by the first append."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigId)
    last_hash: Mapped[str] = mapped_column(String(64))
