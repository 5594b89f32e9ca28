"""The inbox (待办箱): my group's open tasks and those on my desk, with filters, counts and paging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db.models.tasks import Task
from db.repos import tasks as repo
from domain.actor import Actor
from domain.enums import Role
from domain.errors import InvalidInput
from services.uow import UnitOfWork

TABS = {"todo": "待办", "claimed": "办理中", "done": "已办", "supervise": "督办"}


@dataclass(frozen=True)
class InboxPage:
    tab: str
    tasks: list[Task]
    total: int
    counts: dict[str, int]
    limit: int
    offset: int


def _filter(actor: Actor, uow: UnitOfWork, **kw: Any) -> repo.InboxFilter:
    groups = [(m.department_id, m.role.value) for m in actor.memberships]
    supervised = sorted(
        {m.department_id for m in actor.memberships if m.role in (Role.APPROVER, Role.LEADER)}
    )
    return repo.InboxFilter(
        user_id=actor.user_id, groups=groups, supervised_departments=supervised, now=uow.now, **kw
    )


def counts(uow: UnitOfWork, actor: Actor) -> dict[str, int]:
    out = repo.inbox_counts(uow.session, _filter(actor, uow))
    groups = [(m.department_id, m.role.value) for m in actor.memberships]
    out["unread"] = repo.unread_count(uow.session, actor.user_id, groups)
    return out


def inbox(
    uow: UnitOfWork,
    actor: Actor,
    *,
    tab: str = "todo",
    case_type: str | None = None,
    overdue_only: bool = False,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> InboxPage:
    if tab not in TABS:
        raise InvalidInput(f"未知的待办分类 {tab}，可选：{'、'.join(TABS)}", code="invalid_tab")
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidInput("分页参数超出范围（每页 1-500 条）", code="invalid_paging")
    f = _filter(
        actor,
        uow,
        tab=tab,
        case_type=case_type or None,
        overdue_only=overdue_only,
        q=(q or "").strip() or None,
        limit=limit,
        offset=offset,
    )
    tasks, total = repo.inbox(uow.session, f)
    return InboxPage(tab=tab, tasks=tasks, total=total, counts=counts(uow, actor), limit=limit, offset=offset)
