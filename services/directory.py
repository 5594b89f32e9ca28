"""Who can be picked on a task page: colleagues to delegate to, departments to transfer to."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.repos import directory as repo
from domain.enums import Role
from services import org


def colleagues(
    session: Session, department_id: int, *, exclude_user_id: int | None = None
) -> list[tuple[int, str]]:
    """Approvers of the same department (委派 targets)."""
    return repo.users_in_department(
        session, department_id, Role.APPROVER.value, exclude_user_id=exclude_user_id
    )


def peer_departments(session: Session, department_id: int) -> list[tuple[int, str]]:
    """Other departments of the same jurisdiction (转办 targets)."""
    dept = org.get_department(session, department_id)
    return repo.departments_of_jurisdiction(session, dept.jurisdiction_id, exclude_id=dept.id)


def user_display_name(session: Session, user_id: int) -> str | None:
    return repo.display_name(session, user_id)
