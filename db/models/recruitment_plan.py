"""Recruitment plans (招聘方案) and their posts per community."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db import hot_rows
from db.base import Base, BigId, IdMixin
from states.recruitment_plan import RecruitmentPlanMachine

_STATES = ", ".join(f"'{v}'" for v in RecruitmentPlanMachine.status_values())


class RecruitmentPlan(IdMixin, Base):
    __tablename__ = "recruitment_plan"
    __table_args__ = (CheckConstraint(f"status IN ({_STATES})", name="status"),)

    jurisdiction_id: Mapped[int] = mapped_column(BigId, ForeignKey("jurisdiction.id"), index=True)
    jurisdiction_path: Mapped[str] = mapped_column(String(255), index=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    conditions: Mapped[str] = mapped_column(Text, default="")  # 招聘条件 (education, age, ...)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    step_index: Mapped[int] = mapped_column(default=0)  # current step of the approval chain
    # The effective policy profile, pinned when the plan is created: later edits do not touch it.
    policy_keys: Mapped[list[Any]]
    profile: Mapped[dict[str, Any]]
    profile_fingerprint: Mapped[str] = mapped_column(String(64))
    # The approval chain resolved to departments when the plan was (re)submitted: the steps it is reviewed
    # along do not change under it if the tree or the profile data change while it is in review.
    chain: Mapped[list[Any] | None]
    created_by_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


hot_rows.register(RecruitmentPlan)  # a decided step moves the plan: written by a prepared UPDATE at flush


class RecruitmentPlanPost(IdMixin, Base):
    __tablename__ = "recruitment_plan_post"
    __table_args__ = (CheckConstraint("posts > 0", name="posts_positive"),)

    plan_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("recruitment_plan.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int] = mapped_column(BigId, ForeignKey("jurisdiction.id"))
    post_title: Mapped[str] = mapped_column(String(100))
    posts: Mapped[int]
    conditions: Mapped[str] = mapped_column(Text, default="")
