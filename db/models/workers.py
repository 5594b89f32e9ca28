"""Community workers in post (the staffing that quotas are checked against). Recruitment hires add rows;
exits end them. Kept minimal until the worker procedures arrive."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigId, IdMixin


class Worker(IdMixin, Base):
    __tablename__ = "worker"

    community_id: Mapped[int] = mapped_column(BigId, ForeignKey("jurisdiction.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)  # active | exited
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    # Set for a worker hired by a recruitment round (the contract's application); null for incumbents.
    application_id: Mapped[int | None] = mapped_column(BigId)
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    probation_ends_on: Mapped[date | None]
