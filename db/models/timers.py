"""Stored timers: a deadline is a row with a due moment, fired by a sweep (never a sleep in memory)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigId, IdMixin


class TimerState(StrEnum):
    PENDING = "pending"  # waiting for its due moment (or for a retry after a failed attempt)
    FIRED = "fired"  # its handler ran and committed
    CANCELLED = "cancelled"  # withdrawn before it fired (the subject moved on)
    FAILED = "failed"  # its handler failed on every attempt; needs a person


TIMER_STATES = tuple(s.value for s in TimerState)


class Timer(IdMixin, Base):
    __tablename__ = "timer"
    __table_args__ = (
        # The sweep's query: pending rows in due order.
        Index("ix_timer_state_due_at", "state", "due_at"),
        Index("ix_timer_subject", "subject_type", "subject_id"),
        CheckConstraint("state IN ('pending', 'fired', 'cancelled', 'failed')", name="state"),
    )

    kind: Mapped[str] = mapped_column(String(64))  # "task.remind", "task.escalate", "notice.close"...
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[int] = mapped_column(BigId)
    # Scheduling the same key twice is one timer (default "kind:subject_type:subject_id").
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    due_at: Mapped[datetime]  # naive CST, the legal moment
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default=TimerState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # After a failed attempt: not before this moment (backoff); null otherwise.
    retry_at: Mapped[datetime | None]
    fired_at: Mapped[datetime | None]
    fired_by: Mapped[str | None] = mapped_column(String(128))  # the sweeper that fired it
    cancelled_at: Mapped[datetime | None]
    # A sweeper's claim; it expires (wall-clock time) so a crashed sweeper's rows are taken over.
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
