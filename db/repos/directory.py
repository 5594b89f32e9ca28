"""SQL for pickers: colleagues in a department, departments to transfer to, whom to 抄送, departments an
admin may grant roles in."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.models.org import Department, Jurisdiction, RoleAssignment, User


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


def departments_under(session: Session, paths: Iterable[str]) -> list[tuple[int, str, str]]:
    """Departments of every jurisdiction in the subtrees at `paths`, as (id, name, jurisdiction name),
    by jurisdiction code then department id (the admin page's picker)."""
    wanted = sorted(set(paths))
    if not wanted:
        return []
    stmt = (
        select(Department.id, Department.name, Jurisdiction.name)
        .join(Jurisdiction, Jurisdiction.id == Department.jurisdiction_id)
        .where(or_(*(Jurisdiction.path.like(f"{p}%") for p in wanted)))
        .order_by(Jurisdiction.code, Department.id)
    )
    return [(did, name, jname) for did, name, jname in session.execute(stmt)]


def departments_near(
    session: Session, jurisdiction_ids: Iterable[int], children_of: int
) -> list[tuple[int, str, str]]:
    """Departments of the given jurisdictions and of the direct children of `children_of`, as
    (id, name, jurisdiction path), top down (the 抄送 picker)."""
    ids = list(jurisdiction_ids)
    stmt = (
        select(Department.id, Department.name, Jurisdiction.path)
        .join(Jurisdiction, Jurisdiction.id == Department.jurisdiction_id)
        .where(or_(Jurisdiction.id.in_(ids), Jurisdiction.parent_id == children_of))
        .order_by(Jurisdiction.path, Department.id)
    )
    return [(did, name, path) for did, name, path in session.execute(stmt)]


def users_in_departments(session: Session, department_ids: Iterable[int]) -> list[tuple[int, str, int, str]]:
    """Active users holding any role in the departments, as (user id, display name, department id, role),
    one row per role held."""
    ids = list(department_ids)
    if not ids:
        return []
    stmt = (
        select(User.id, User.display_name, RoleAssignment.department_id, RoleAssignment.role)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.department_id.in_(ids), User.active.is_(True))
        .order_by(RoleAssignment.department_id, User.display_name, User.id)
    )
    return [(uid, name, did, role) for uid, name, did, role in session.execute(stmt)]
