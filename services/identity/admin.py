"""Who may administer accounts, and the audit row every account change writes.

Every change to an account — created, password set, deactivated, a role granted or revoked, an API token
issued or revoked — writes one audit row about the user (subject_type "user") in the caller's transaction,
so that the change and its record commit together. Requests that change nothing (a role already held, a
token already revoked) write none.

`actor=None` is the system (the `shegong org` command run by an operator on the server, seeding). A person
must hold the admin role, and may only touch what lies in the jurisdictions they administer: a department
under one of them, a user whose every role is under one of them (a new user, with no role, is anyone's).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from db.repos import org as repo
from domain.actor import Actor
from domain.clock import real_now
from domain.enums import Role
from domain.errors import PermissionDenied
from services import audit

SUBJECT = "user"


def admin_paths(actor: Actor) -> set[str]:
    """The jurisdiction subtrees an actor administers."""
    return {m.jurisdiction_path for m in actor.memberships_with(Role.ADMIN)}


def administers(actor: Actor, jurisdiction_path: str) -> bool:
    return any(jurisdiction_path.startswith(p) for p in admin_paths(actor))


def require_admin(actor: Actor | None, jurisdiction_paths: Iterable[str] = ()) -> None:
    """Refuse a person without the admin role, or acting outside the jurisdictions they administer."""
    if actor is None:
        return
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("需要系统管理员权限", code="admin_required")
    outside = sorted({p for p in jurisdiction_paths if not administers(actor, p)})
    if outside:
        raise PermissionDenied(
            "超出您管理的行政区划范围，不能操作", code="admin_out_of_scope", details={"paths": outside}
        )


def require_admin_of_user(session: Session, actor: Actor | None, user_id: int) -> None:
    """Refuse unless the actor administers every jurisdiction where the user holds a role."""
    if actor is None:
        return
    rows = repo.membership_rows(session, user_id=user_id)
    require_admin(actor, [r.jurisdiction_path for r in rows if r.jurisdiction_path])


def record(
    session: Session,
    now: datetime | None,
    actor: Actor | None,
    user_id: int,
    action: str,
    opinion: str,
    **data: Any,
) -> None:
    """The audit row of one account change (write it last, just before the caller commits)."""
    audit.record(
        session,
        now or real_now(),
        actor=actor,
        subject_type=SUBJECT,
        subject_id=user_id,
        action=action,
        opinion=opinion,
        data=data,
        actor_role=Role.ADMIN.value if actor is not None and actor.is_admin else None,
    )
