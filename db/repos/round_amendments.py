"""Queries of a round's supplementary announcements (补充公告)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models.round_amendment import RoundAmendment


def of_round(session: Session, round_id: int) -> list[RoundAmendment]:
    """The round's amendments, 第1号 first."""
    stmt = select(RoundAmendment).where(RoundAmendment.round_id == round_id).order_by(RoundAmendment.number)
    return list(session.scalars(stmt))


def next_number(session: Session, round_id: int) -> int:
    """The next 第N号 (call with the round's row locked, so two officers cannot take the same number)."""
    stmt = select(func.coalesce(func.max(RoundAmendment.number), 0)).where(
        RoundAmendment.round_id == round_id
    )
    return int(session.scalar(stmt) or 0) + 1


def add(session: Session, row: RoundAmendment) -> RoundAmendment:
    session.add(row)
    session.flush()
    return row
