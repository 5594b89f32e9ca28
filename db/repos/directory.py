"""SQL for pickers on task pages: colleagues in a department, departments to transfer to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models.org import Department, RoleAssignment, User


def users_in_department(
    session: Session, department_id: int, role: str, *, exclude_user_id: int | None = None
) -> list[tuple[int, str]]:
    stmt = (
        select(User.id, User.display_name)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            RoleAssignment.department_id == department_id, RoleAssignment.role == role, User.active.is_(True)
        )
        .order_by(User.display_name)
    )
    if exclude_user_id is not None:
        stmt = stmt.where(User.id != exclude_user_id)
    return [(uid, name) for uid, name in session.execute(stmt)]


def departments_of_jurisdiction(
    session: Session, jurisdiction_id: int, *, exclude_id: int | None = None
) -> list[tuple[int, str]]:
    stmt = select(Department.id, Department.name).where(Department.jurisdiction_id == jurisdiction_id)
    if exclude_id is not None:
        stmt = stmt.where(Department.id != exclude_id)
    return [(did, name) for did, name in session.execute(stmt.order_by(Department.id))]


def display_name(session: Session, user_id: int) -> str | None:
    return session.scalar(select(User.display_name).where(User.id == user_id))
