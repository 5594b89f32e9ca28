"""The simulated clock (demo and test mode only): one row, shared by every process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class SimClock(Base):
    __tablename__ = "sim_clock"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    offset_seconds: Mapped[float] = mapped_column(default=0.0)
    # When set, time stands still at this moment (plus nothing) until advanced or released.
    frozen_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
