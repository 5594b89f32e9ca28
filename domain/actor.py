"""Who is acting: a user with the roles they hold in departments of jurisdictions. Every permission
check is role x department x jurisdiction, answered from here without touching the database."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.enums import DeptKind, Role


@dataclass(frozen=True, slots=True)
class Membership:
    department_id: int
    department_kind: DeptKind
    department_name: str
    jurisdiction_id: int
    jurisdiction_name: str
    jurisdiction_path: str  # materialised path, e.g. '/1/4/9/'
    jurisdiction_level: str
    role: Role


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    username: str
    display_name: str
    memberships: tuple[Membership, ...] = field(default_factory=tuple)

    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}

    def has_role(self, role: Role) -> bool:
        return any(m.role == role for m in self.memberships)

    def memberships_with(self, role: Role) -> list[Membership]:
        return [m for m in self.memberships if m.role == role]

    def in_group(self, department_id: int, role: Role) -> bool:
        """Whether the user is in the candidate group 'role in department'."""
        return any(m.department_id == department_id and m.role == role for m in self.memberships)

    def department_ids(self, role: Role | None = None) -> set[int]:
        return {m.department_id for m in self.memberships if role is None or m.role == role}

    def scope_paths(self) -> set[str]:
        """Jurisdiction subtrees the user oversees (any role): cases organised there are visible."""
        return {m.jurisdiction_path for m in self.memberships}

    def oversees(self, jurisdiction_path: str) -> bool:
        return any(jurisdiction_path.startswith(p) for p in self.scope_paths())

    def acts_for(self, jurisdiction_path: str, role: Role, kind: DeptKind | None = None) -> bool:
        """Holds `role` in a department (of `kind`) of this jurisdiction or one above it."""
        return any(
            m.role == role
            and (kind is None or m.department_kind == kind)
            and jurisdiction_path.startswith(m.jurisdiction_path)
            for m in self.memberships
        )

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)
