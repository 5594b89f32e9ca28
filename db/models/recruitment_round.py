"""Recruitment rounds (招聘), their posts, the applications to them, objections during the public notice,
hire contracts, staff recusals and the batch runs that move a whole step at once."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigId, IdMixin
from states.application import ApplicationMachine
from states.recruitment_round import RecruitmentRoundMachine

_ROUND_STATES = ", ".join(f"'{v}'" for v in RecruitmentRoundMachine.status_values())
_APP_STATES = ", ".join(f"'{v}'" for v in ApplicationMachine.status_values())
Score = Numeric(7, 3)


class RecruitmentRound(IdMixin, Base):
    __tablename__ = "recruitment_round"
    __table_args__ = (
        CheckConstraint(f"status IN ({_ROUND_STATES})", name="status"),
        CheckConstraint("track IN ('open_exam', 'programme_conversion')", name="track"),
    )

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("recruitment_plan.id"), index=True)
    jurisdiction_id: Mapped[int] = mapped_column(BigId, ForeignKey("jurisdiction.id"), index=True)
    jurisdiction_path: Mapped[str] = mapped_column(String(255), index=True)
    # The organising department (招聘组织单位): its approvers review doubtful applications.
    department_id: Mapped[int] = mapped_column(BigId, ForeignKey("department.id"))
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    track: Mapped[str] = mapped_column(String(24), default="open_exam")
    status: Mapped[str] = mapped_column(String(24), default="preparing", index=True)
    # The effective profile pinned when the round is created (copied forward from the plan's keys on that day).
    policy_keys: Mapped[list[Any]]
    profile: Mapped[dict[str, Any]]
    profile_fingerprint: Mapped[str] = mapped_column(String(64))
    # The round's own settings, each defaulted from the profile and fixed when the announcement is
    # published (interview ratio, weights, pass lines, tie-breaks, notice period, name order, refill...).
    settings: Mapped[dict[str, Any]]
    announcement: Mapped[str] = mapped_column(Text, default="")
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]  # exclusive end: the first moment it is closed
    notice_published_at: Mapped[datetime | None]
    notice_closes_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RoundPost(IdMixin, Base):
    """A post of the round (岗位): from the plan's posts; the opening ratio may cut or cancel it."""

    __tablename__ = "round_post"
    __table_args__ = (
        UniqueConstraint("round_id", "code"),
        CheckConstraint("status IN ('open', 'cut', 'cancelled')", name="status"),
        CheckConstraint("posts >= 0", name="posts_non_negative"),
    )

    round_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("recruitment_round.id", ondelete="CASCADE"), index=True
    )
    plan_post_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("recruitment_plan_post.id"))
    code: Mapped[str] = mapped_column(String(20))  # 岗位代码, e.g. "01"
    community_id: Mapped[int] = mapped_column(BigId, ForeignKey("jurisdiction.id"))
    street_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("jurisdiction.id"))
    title: Mapped[str] = mapped_column(String(100))
    posts_planned: Mapped[int]
    posts: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="open")
    max_age: Mapped[int | None]
    min_education: Mapped[str | None] = mapped_column(String(24))
    conditions: Mapped[str] = mapped_column(Text, default="")


class Application(IdMixin, Base):
    __tablename__ = "application"
    __table_args__ = (
        UniqueConstraint("round_id", "id_number"),
        UniqueConstraint("round_id", "admit_ticket"),
        CheckConstraint(f"status IN ({_APP_STATES})", name="status"),
        Index("ix_application_round_status", "round_id", "status"),
        Index("ix_application_post_status", "post_id", "status"),
    )

    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("recruitment_round.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(BigId, ForeignKey("round_post.id"))
    status: Mapped[str] = mapped_column(String(24), default="registered")
    source: Mapped[str] = mapped_column(String(8), default="online")  # online | import
    # registration
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18))
    sex: Mapped[str | None] = mapped_column(String(8))
    birth_date: Mapped[date | None]
    phone: Mapped[str] = mapped_column(String(20))
    education: Mapped[str] = mapped_column(String(24))
    major: Mapped[str] = mapped_column(String(100), default="")
    school: Mapped[str] = mapped_column(String(100), default="")
    household_code: Mapped[str] = mapped_column(String(12), default="")
    household_place: Mapped[str] = mapped_column(String(100), default="")
    relaxation_group: Mapped[str] = mapped_column(String(40), default="")
    street_recommended: Mapped[bool] = mapped_column(default=False)
    priority_groups: Mapped[list[Any]] = mapped_column(default=list)
    declared_disqualifications: Mapped[list[Any]] = mapped_column(default=list)
    relatives: Mapped[list[Any]] = mapped_column(default=list)
    service_programme: Mapped[bool] = mapped_column(default=False)
    service_programme_passed: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    # screening and review
    verdict: Mapped[dict[str, Any] | None]  # {"outcome", "reasons": [{"code","message","article"}], "age"}
    flags: Mapped[list[Any]] = mapped_column(default=list)  # accepted priority groups, relaxation applied
    returns_count: Mapped[int] = mapped_column(default=0)
    missing: Mapped[list[Any]] = mapped_column(default=list)  # 一次性告知: everything to supply, at once
    # exams
    admit_ticket: Mapped[str | None] = mapped_column(String(20))
    written_score: Mapped[Decimal | None] = mapped_column(Score)
    written_absent: Mapped[bool] = mapped_column(default=False)
    interview_score: Mapped[Decimal | None] = mapped_column(Score)
    interview_absent: Mapped[bool] = mapped_column(default=False)
    bonus: Mapped[Decimal | None] = mapped_column(Score)
    total_score: Mapped[Decimal | None] = mapped_column(Score)
    rank: Mapped[int | None]
    rank_note: Mapped[str] = mapped_column(String(200), default="")
    # physical exam and investigation
    physical_result: Mapped[str | None] = mapped_column(String(8))  # pass | fail
    physical_notified_at: Mapped[datetime | None]
    retest_requested_at: Mapped[datetime | None]
    retest_result: Mapped[str | None] = mapped_column(String(8))
    investigation_result: Mapped[str | None] = mapped_column(String(8))
    investigation_note: Mapped[str] = mapped_column(Text, default="")
    refill_for_id: Mapped[int | None] = mapped_column(BigId)  # the application this one replaced (递补)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Objection(IdMixin, Base):
    """A real-name objection with facts against a proposed hire during the public notice."""

    __tablename__ = "objection"
    __table_args__ = (CheckConstraint("status IN ('open', 'upheld', 'dismissed')", name="status"),)

    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("recruitment_round.id"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("application.id"), index=True)
    objector_name: Mapped[str] = mapped_column(String(64))
    objector_contact: Mapped[str] = mapped_column(String(64))
    facts: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    # The officer who received it; null when the objector filed it on the public notice page.
    received_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    received_at: Mapped[datetime]
    resolved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    resolved_at: Mapped[datetime | None]
    opinion: Mapped[str] = mapped_column(Text, default="")


class HireContract(IdMixin, Base):
    """The labour contract the street signs with the hire (IM art. 12); its worker enters probation."""

    __tablename__ = "hire_contract"

    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("application.id"), unique=True)
    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("recruitment_round.id"), index=True)
    worker_id: Mapped[int] = mapped_column(BigId, ForeignKey("worker.id"))
    employer_id: Mapped[int] = mapped_column(BigId, ForeignKey("jurisdiction.id"))  # the street
    term_months: Mapped[int]
    probation_months: Mapped[int]
    starts_on: Mapped[date]
    probation_ends_on: Mapped[date]
    ends_on: Mapped[date]
    article: Mapped[str] = mapped_column(String(200))
    signed_by_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"))
    signed_at: Mapped[datetime]


class StaffRecusal(IdMixin, Base):
    """A member of staff barred from reviewing or scoring an application (回避): matched from the
    applicant's declared relatives, or declared by the member of staff."""

    __tablename__ = "staff_recusal"
    __table_args__ = (UniqueConstraint("application_id", "user_id"),)

    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("recruitment_round.id"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("application.id"), index=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # applicant | staff
    relation: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class BatchRun(IdMixin, Base):
    """One set-wise step over a whole round (screening, shortlisting, ranking, publishing): its progress
    shows on the round page; the Prefect flow run that carried it is linked."""

    __tablename__ = "batch_run"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index("ix_batch_run_round_kind", "round_id", "kind"),
    )

    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("recruitment_round.id"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    requested_by_id: Mapped[int] = mapped_column(BigId, ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
