"""Response and request shapes of the JSON API shared by several routers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from db.models.tasks import Notification, Task
from domain.actor import Actor
from services import tasks as task_service


class TaskOut(BaseModel):
    id: int
    case_type: str
    case_id: int
    case_title: str
    title: str
    kind: str
    status: str
    candidate_department_id: int | None
    candidate_role: str | None
    assignee_id: int | None
    owner_id: int | None
    due_at: datetime | None
    overdue: bool
    escalation_level: int
    escalated_to_department_id: int | None
    remind_count: int
    decision: str | None
    opinion: str | None
    article: str | None
    created_at: datetime
    completed_at: datetime | None
    actions: list[str]

    @classmethod
    def of(cls, task: Task, actor: Actor, now: datetime) -> TaskOut:
        return cls(
            id=task.id,
            case_type=task.case_type,
            case_id=task.case_id,
            case_title=task.case_title,
            title=task.title,
            kind=task.kind,
            status=task.status,
            candidate_department_id=task.candidate_department_id,
            candidate_role=task.candidate_role,
            assignee_id=task.assignee_id,
            owner_id=task.owner_id,
            due_at=task.due_at,
            overdue=task.due_at is not None
            and task.status in ("open", "claimed", "delegated")
            and task.due_at < now,
            escalation_level=task.escalation_level,
            escalated_to_department_id=task.escalated_to_department_id,
            remind_count=task.remind_count,
            decision=task.decision,
            opinion=task.opinion,
            article=task.article,
            created_at=task.created_at,
            completed_at=task.completed_at,
            actions=task_service.actions_for(actor, task),
        )


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    case_type: str
    case_id: int
    case_title: str
    task_id: int | None
    message: str
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls.model_validate(n)


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "return", "acknowledge"]
    opinion: str | None = Field(default=None, max_length=2000)
    return_to: Literal["previous", "drafter"] = "previous"


class DelegateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_user_id: int = Field(gt=0)
    note: str | None = Field(default=None, max_length=2000)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opinion: str = Field(max_length=2000)


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_department_id: int | None = Field(default=None, gt=0)
    to_user_id: int | None = Field(default=None, gt=0)
    reason: str = Field(max_length=2000)


class RemindIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str | None = Field(default=None, max_length=500)


class CcIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_ids: list[int] = Field(default_factory=list, max_length=100)
    department_ids: list[int] = Field(default_factory=list, max_length=100)
    note: str | None = Field(default=None, max_length=1000)
    task_id: int | None = None
