"""The editable part of the working-day calendar. The national schedule up to chinesecalendar's last year
(2026) is NOT stored here: it is the built-in layer, kept in memory (domain.calendar). These tables hold
only what the package lacks: later years' national schedules, corrections, and regional festivals."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IdMixin


class CalendarDay(IdMixin, Base):
    """One special day: a holiday (day off) or a workday (a weekend day worked, 调休).
    region_key None = national; otherwise a policy-profile key ("ningxia", "xinjiang", "bingtuan")."""

    __tablename__ = "calendar_day"
    __table_args__ = (
        # Unique per region; NULLs are distinct in a UNIQUE constraint, so national rows get a partial index.
        UniqueConstraint("day", "region_key"),
        Index(
            "uq_calendar_day_national",
            "day",
            unique=True,
            sqlite_where=text("region_key IS NULL"),
            postgresql_where=text("region_key IS NULL"),
        ),
        CheckConstraint("kind IN ('holiday', 'workday')", name="kind"),
    )

    day: Mapped[date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))  # domain.calendar.HOLIDAY | WORKDAY
    name: Mapped[str] = mapped_column(String(64))
    region_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CalendarYear(Base):
    """A year whose national schedule (State Council notice) has been entered and published: working-day
    deadlines reaching into a year later than chinesecalendar's are refused until it is."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    published: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(255))  # e.g. 国办发明电〔2026〕X号
    updated_at: Mapped[datetime]


class CalendarVersion(Base):
    """One row (id 1): a random token replaced by every change to the two tables above, so that each
    process can keep its calendars cached and rebuild them only when the token it sees differs."""

    __tablename__ = "calendar_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime]
