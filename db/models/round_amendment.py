"""Supplementary / correction announcements (补充公告、更正公告) of a published recruitment round."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigId, IdMixin


class RoundAmendment(IdMixin, Base):
    """第N号补充公告: its text, the reason, and what it changed as {field: [old, new]} (the round's
    columns then hold the new values; exam times and places live only here). Published when written."""

    __tablename__ = "round_amendment"
    __table_args__ = (
        UniqueConstraint("round_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("recruitment_round.id", ondelete="CASCADE"))
    number: Mapped[int]  # 第N号, 1, 2, … per round
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any]]  # {field: [old, new]}, JSON-able (datetimes as ISO text)
    reason: Mapped[str] = mapped_column(Text)
    round_status: Mapped[str] = mapped_column(String(24))  # the step the round was in
    article: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"))
    published_at: Mapped[datetime]
