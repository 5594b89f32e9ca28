"""Who holds which role where: granting and revoking roles in departments."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models.org import RoleAssignment
from db.repos import org as repo
from domain.enums import Role
from domain.errors import InvalidInput
from services import identity
from services.org.departments import get_department


def grant_role(session: Session, user_id: int, department_id: int, role: Role | str) -> RoleAssignment:
    """Give a user a role in a department (idempotent)."""
    try:
        r = Role(role)
    except ValueError:
        raise InvalidInput(f"未知的角色“{role}”", code="role_unknown") from None
    identity.get_user(session, user_id)
    get_department(session, department_id)
    row = repo.role_assignment(session, user_id, department_id, r.value)
    if row is None:
        row = repo.add_role_assignment(
            session, RoleAssignment(user_id=user_id, department_id=department_id, role=r.value)
        )
    identity.forget_actor(user_id)
    return row


def revoke_role(session: Session, user_id: int, department_id: int, role: Role | str) -> bool:
    """Take a role away; False when the user did not hold it."""
    removed = repo.delete_role_assignment(session, user_id, department_id, Role(role).value) > 0
    identity.forget_actor(user_id)
    return removed
