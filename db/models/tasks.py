"""Human tasks, the groups that decide a step together (会签 / 或签), and notifications (抄送, 催办,
督办) with read state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db import hot_rows
from db.base import Base, BigId, IdMixin
from states.task import TaskMachine

_TASK_STATES = ", ".join(f"'{v}'" for v in TaskMachine.status_values())


class TaskGroup(IdMixin, Base):
    """One step of a case's approval chain: its tasks decide it together. mode: 'single' (one
    department), 'all' (会签: every task must approve), 'any' (或签: the first decision settles it)."""

    __tablename__ = "task_group"
    __table_args__ = (
        CheckConstraint("mode IN ('single', 'all', 'any')", name="mode"),
        CheckConstraint("state IN ('open', 'approved', 'returned', 'cancelled')", name="state"),
        Index("ix_task_group_case", "case_type", "case_id"),
    )

    case_type: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int] = mapped_column(BigId)
    step_index: Mapped[int]
    step_key: Mapped[str] = mapped_column(String(64))
    step_label: Mapped[str] = mapped_column(String(100))
    step_kind: Mapped[str] = mapped_column(String(16))  # review | countersign | any_of | filing
    mode: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16), default="open")
    article: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class Task(IdMixin, Base):
    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint(f"status IN ({_TASK_STATES})", name="status"),
        Index("ix_task_inbox_group", "candidate_department_id", "candidate_role", "status"),
        Index("ix_task_inbox_assignee", "assignee_id", "status"),
        Index("ix_task_case", "case_type", "case_id"),
        Index("ix_task_due", "status", "due_at"),
    )

    group_id: Mapped[int] = mapped_column(BigId, ForeignKey("task_group.id"), index=True)
    case_type: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int] = mapped_column(BigId)
    case_title: Mapped[str] = mapped_column(String(200))
    # Path of the jurisdiction that organises the case: who oversees it may see the task.
    case_path: Mapped[str] = mapped_column(String(255), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # review | filing
    status: Mapped[str] = mapped_column(String(16), default="open")
    candidate_department_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("department.id"))
    candidate_role: Mapped[str | None] = mapped_column(String(32))
    assignee_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    # 委派: the delegator stays owner and gets the task back when the delegate has handled it.
    owner_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    decision: Mapped[str | None] = mapped_column(String(16))  # approve | return | acknowledge
    opinion: Mapped[str | None] = mapped_column(Text)
    article: Mapped[str | None] = mapped_column(String(100))
    due_at: Mapped[datetime | None]
    remind_count: Mapped[int] = mapped_column(default=0)
    escalation_level: Mapped[int] = mapped_column(default=0)
    escalated_to_department_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("department.id"))
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


# Every task action changes a task and often its group: written by prepared UPDATEs at flush.
hot_rows.register(TaskGroup, Task)


class Notification(IdMixin, Base):
    """抄送 (cc), 催办 (reminder) and 督办 (escalation notice), to a person or to a department's role."""

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint("kind IN ('cc', 'remind', 'escalate', 'info')", name="kind"),
        Index("ix_notification_user", "user_id", "read_at"),
        Index("ix_notification_dept", "department_id", "role", "read_at"),
    )

    kind: Mapped[str] = mapped_column(String(16))
    case_type: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int] = mapped_column(BigId)
    case_title: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("task.id"))
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    department_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("department.id"))
    role: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    sender_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any] | None]
