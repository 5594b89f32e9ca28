"""SQL for the organisation: the jurisdiction tree, departments, users, role assignments and API tokens.

The tree is a materialised path of ids ('/1/4/9/'): a subtree is one `path LIKE '/1/4/%'` (indexed with
varchar_pattern_ops on PostgreSQL), the ancestors are the ids written in the node's own path."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from db.models.org import ApiToken, Department, Jurisdiction, RoleAssignment, User
from domain.enums import Level

# ---------------------------------------------------------------- jurisdictions


def jurisdiction(session: Session, jurisdiction_id: int) -> Jurisdiction | None:
    return session.get(Jurisdiction, jurisdiction_id)


def jurisdiction_by_code(session: Session, code: str) -> Jurisdiction | None:
    return session.scalars(select(Jurisdiction).where(Jurisdiction.code == code)).first()


def add_jurisdiction(session: Session, node: Jurisdiction, parent_path: str) -> Jurisdiction:
    """Insert `node` and give it its path (the parent's path plus its own new id)."""
    node.path = parent_path or "/"  # provisional: the id is not known before the insert
    session.add(node)
    session.flush()
    node.path = f"{parent_path or '/'}{node.id}/"
    session.flush()
    return node


def add_all(session: Session, rows: Sequence[Jurisdiction | Department | User | RoleAssignment]) -> None:
    """Insert many rows in as few statements as the dialect allows (bulk seeding); ids are set after."""
    session.add_all(rows)
    session.flush()


def jurisdictions_by_ids(session: Session, ids: Iterable[int]) -> list[Jurisdiction]:
    wanted = list(ids)
    if not wanted:
        return []
    return list(session.scalars(select(Jurisdiction).where(Jurisdiction.id.in_(wanted))))


def subtree(session: Session, path: str, *, level: Level | None = None) -> list[Jurisdiction]:
    """Every node whose path starts with `path` (the node itself included), ordered by code."""
    stmt = select(Jurisdiction).where(Jurisdiction.path.like(f"{path}%"))
    if level is not None:
        stmt = stmt.where(Jurisdiction.level == level.value)
    return list(session.scalars(stmt.order_by(Jurisdiction.code)))


def roots(session: Session) -> list[Jurisdiction]:
    stmt = select(Jurisdiction).where(Jurisdiction.parent_id.is_(None)).order_by(Jurisdiction.code)
    return list(session.scalars(stmt))


def all_jurisdictions(session: Session) -> list[Jurisdiction]:
    return list(session.scalars(select(Jurisdiction).order_by(Jurisdiction.code)))


def count_jurisdictions(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Jurisdiction)) or 0)


def community_totals(session: Session, path: str) -> tuple[int | None, int | None]:
    """Sums of urban_population and households over the communities of a subtree (None when none set)."""
    stmt = select(func.sum(Jurisdiction.urban_population), func.sum(Jurisdiction.households)).where(
        Jurisdiction.path.like(f"{path}%"), Jurisdiction.level == Level.COMMUNITY.value
    )
    row = session.execute(stmt).one()
    pop, households = row[0], row[1]
    return (None if pop is None else int(pop)), (None if households is None else int(households))


# ---------------------------------------------------------------- departments


def department(session: Session, department_id: int) -> Department | None:
    return session.get(Department, department_id)


def department_of_kind(session: Session, jurisdiction_id: int, kind: str) -> Department | None:
    stmt = select(Department).where(Department.jurisdiction_id == jurisdiction_id, Department.kind == kind)
    return session.scalars(stmt).first()


def departments_of(session: Session, jurisdiction_id: int) -> list[Department]:
    stmt = select(Department).where(Department.jurisdiction_id == jurisdiction_id).order_by(Department.id)
    return list(session.scalars(stmt))


def departments_of_kind_in(session: Session, jurisdiction_ids: Iterable[int], kind: str) -> list[Department]:
    wanted = list(jurisdiction_ids)
    if not wanted:
        return []
    stmt = select(Department).where(Department.jurisdiction_id.in_(wanted), Department.kind == kind)
    return list(session.scalars(stmt))


def add_department(session: Session, dept: Department) -> Department:
    session.add(dept)
    session.flush()
    return dept


# ---------------------------------------------------------------- users and roles


def user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def usernames_taken(session: Session, usernames: Iterable[str]) -> set[str]:
    wanted = list(usernames)
    if not wanted:
        return set()
    return set(session.scalars(select(User.username).where(User.username.in_(wanted))))


def add_user(session: Session, row: User) -> User:
    session.add(row)
    session.flush()
    return row


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def role_assignment(session: Session, user_id: int, department_id: int, role: str) -> RoleAssignment | None:
    stmt = select(RoleAssignment).where(
        RoleAssignment.user_id == user_id,
        RoleAssignment.department_id == department_id,
        RoleAssignment.role == role,
    )
    return session.scalars(stmt).first()


def add_role_assignment(session: Session, row: RoleAssignment) -> RoleAssignment:
    session.add(row)
    session.flush()
    return row


def delete_role_assignment(session: Session, user_id: int, department_id: int, role: str) -> int:
    stmt = delete(RoleAssignment).where(
        RoleAssignment.user_id == user_id,
        RoleAssignment.department_id == department_id,
        RoleAssignment.role == role,
    )
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class MembershipRow:
    """One user joined with one of their role assignments (all role fields None when they hold none)."""

    user_id: int
    username: str
    display_name: str
    active: bool
    role: str | None
    department_id: int | None
    department_kind: str | None
    department_name: str | None
    jurisdiction_id: int | None
    jurisdiction_name: str | None
    jurisdiction_path: str | None
    jurisdiction_level: str | None


def _membership_select() -> Select[tuple[int, str, str, bool, str, int, str, str, int, str, str, str]]:
    return (
        select(
            User.id,
            User.username,
            User.display_name,
            User.active,
            RoleAssignment.role,
            Department.id,
            Department.kind,
            Department.name,
            Jurisdiction.id,
            Jurisdiction.name,
            Jurisdiction.path,
            Jurisdiction.level,
        )
        .select_from(User)
        .outerjoin(RoleAssignment, RoleAssignment.user_id == User.id)
        .outerjoin(Department, Department.id == RoleAssignment.department_id)
        .outerjoin(Jurisdiction, Jurisdiction.id == Department.jurisdiction_id)
    )


def membership_rows(
    session: Session, *, user_id: int | None = None, token_hash: str | None = None
) -> list[MembershipRow]:
    """A user (by id, or by an unrevoked API token's hash) with every role they hold: ONE query."""
    stmt = _membership_select()
    if token_hash is not None:
        stmt = stmt.join(ApiToken, ApiToken.user_id == User.id).where(
            ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None)
        )
    elif user_id is not None:
        stmt = stmt.where(User.id == user_id)
    else:
        raise ValueError("membership_rows needs user_id or token_hash")
    stmt = stmt.order_by(Jurisdiction.path, Department.id, RoleAssignment.role)
    return [MembershipRow(*row) for row in session.execute(stmt)]


def all_membership_rows(session: Session) -> list[MembershipRow]:
    """Every user with every role (for listings): one query."""
    stmt = _membership_select().order_by(User.username, Jurisdiction.path, Department.id, RoleAssignment.role)
    return [MembershipRow(*row) for row in session.execute(stmt)]


# ---------------------------------------------------------------- API tokens


def add_token(session: Session, row: ApiToken) -> ApiToken:
    session.add(row)
    session.flush()
    return row


def token(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()


def tokens_of_user(session: Session, user_id: int) -> Sequence[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    return list(session.scalars(stmt))


def revoke_tokens_of_user(session: Session, user_id: int, now: datetime) -> None:
    for row in tokens_of_user(session, user_id):
        if row.revoked_at is None:
            row.revoked_at = now
