"""Who holds which role where: granting and revoking roles in departments, each change audited about the
user (subject_type "user"). A person needs the admin role over the department's jurisdiction; `actor=None`
is the system (the `shegong org` command, tests, seeding)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from db.models.org import Department, RoleAssignment
from db.repos import org as repo
from domain.actor import Actor
from domain.enums import Role
from domain.errors import InvalidInput
from services import identity
from services.identity import admin
from services.org.departments import get_department
from services.org.tree import get_jurisdiction


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(f"未知的角色“{role}”", code="role_unknown") from None


def _checked(session: Session, actor: Actor | None, department_id: int) -> Department:
    dept = get_department(session, department_id)
    if actor is not None:
        admin.require_admin(actor, [get_jurisdiction(session, dept.jurisdiction_id).path])
    return dept


def grant_role(
    session: Session,
    user_id: int,
    department_id: int,
    role: Role | str,
    *,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> RoleAssignment:
    """Give a user a role in a department (idempotent: granting a held role changes and records nothing)."""
    r = _role(role)
    user = identity.get_user(session, user_id)
    dept = _checked(session, actor, department_id)
    row = repo.role_assignment(session, user_id, department_id, r.value)
    if row is None:
        row = repo.add_role_assignment(
            session, RoleAssignment(user_id=user_id, department_id=department_id, role=r.value)
        )
        admin.record(
            session,
            now,
            actor,
            user.id,
            "grant_role",
            f"授予 {dept.name} · {r.label}",
            department_id=dept.id,
            department=dept.name,
            role=r.value,
        )
    identity.forget_actor(user_id)
    return row


def revoke_role(
    session: Session,
    user_id: int,
    department_id: int,
    role: Role | str,
    *,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> bool:
    """Take a role away; False (nothing recorded) when the user did not hold it. Nobody may take away their
    own last admin role: the system would be left without them as its administrator by mistake."""
    r = _role(role)
    dept = _checked(session, actor, department_id)
    if (
        actor is not None
        and actor.user_id == user_id
        and r is Role.ADMIN
        and actor.department_ids(Role.ADMIN) == {department_id}
    ):
        raise InvalidInput("不能撤销自己唯一的系统管理员角色", code="admin_self_revoke")
    removed = repo.delete_role_assignment(session, user_id, department_id, r.value) > 0
    identity.forget_actor(user_id)
    if removed:
        admin.record(
            session,
            now,
            actor,
            user_id,
            "revoke_role",
            f"撤销 {dept.name} · {r.label}",
            department_id=dept.id,
            department=dept.name,
            role=r.value,
        )
    return removed
