"""Listings for operators: users with their roles, and the tree with populations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.models.org import Jurisdiction
from db.repos import org as repo
from domain.enums import Level, Role
from services.org.tree import jurisdiction_by_code


@dataclass(frozen=True, slots=True)
class Grant:
    """One role a user holds: in which department, of which jurisdiction."""

    department_id: int
    department_name: str
    jurisdiction_path: str
    role: Role

    @property
    def text(self) -> str:
        return f"{self.department_name} · {self.role.label}"


@dataclass(frozen=True, slots=True)
class UserListing:
    user_id: int
    username: str
    display_name: str
    active: bool
    roles: tuple[str, ...]  # "回民区委社会工作部 · 经办人"
    grants: tuple[Grant, ...] = ()


def _grant(r: repo.MembershipRow) -> Grant | None:
    if r.role is None or r.department_id is None:
        return None
    return Grant(r.department_id, r.department_name or "", r.jurisdiction_path or "", Role(r.role))


def users_with_roles(
    session: Session, *, user_id: int | None = None, q: str | None = None
) -> list[UserListing]:
    """Every user (or the one `user_id`; or those whose username or name contains `q`) with the roles
    they hold, by username: one query."""
    if user_id is None:
        rows = repo.all_membership_rows(session)
    else:
        rows = repo.membership_rows(session, user_id=user_id)
    out: dict[int, tuple[str, str, bool, list[Grant]]] = {}
    for r in rows:
        entry = out.setdefault(r.user_id, (r.username, r.display_name, r.active, []))
        if (g := _grant(r)) is not None:
            entry[3].append(g)
    needle = (q or "").strip().lower()
    return [
        UserListing(uid, u, d, a, tuple(g.text for g in grants), tuple(grants))
        for uid, (u, d, a, grants) in out.items()
        if not needle or needle in u.lower() or needle in d.lower()
    ]


@dataclass(frozen=True, slots=True)
class TreeRow:
    depth: int
    id: int
    code: str
    name: str
    level: Level
    policy_key: str | None
    placeholder: bool
    urban_population: int | None  # by the rule of urban_population_of
    households: int | None


def tree(session: Session, code: str | None = None) -> list[TreeRow]:
    """The tree (or the subtree at `code`) depth-first, children by code, with populations: two queries."""
    if code is None:
        nodes = repo.all_jurisdictions(session)
        tops = [n for n in nodes if n.parent_id is None]
    else:
        top = jurisdiction_by_code(session, code)
        nodes = repo.subtree(session, top.path)
        tops = [top]
    children: dict[int, list[Jurisdiction]] = {}
    for n in nodes:
        if n.parent_id is not None:
            children.setdefault(n.parent_id, []).append(n)
    sums: dict[int, tuple[int | None, int | None]] = {}

    def community_sums(n: Jurisdiction) -> tuple[int | None, int | None]:
        if n.level == Level.COMMUNITY.value:
            result = (n.urban_population, n.households)
        else:
            parts = [community_sums(c) for c in children.get(n.id, [])]
            pops = [p for p, _ in parts if p is not None]
            hhs = [h for _, h in parts if h is not None]
            result = (sum(pops) if pops else None, sum(hhs) if hhs else None)
        sums[n.id] = result
        return result

    rows: list[TreeRow] = []

    def walk(n: Jurisdiction, depth: int) -> None:
        pop, hh = sums[n.id]
        rows.append(
            TreeRow(
                depth,
                n.id,
                n.code,
                n.name,
                Level(n.level),
                n.policy_key,
                n.placeholder,
                n.urban_population if n.urban_population is not None else pop,
                n.households if n.households is not None else hh,
            )
        )
        for c in children.get(n.id, []):
            walk(c, depth + 1)

    for t in tops:
        community_sums(t)
        walk(t, 0)
    return rows
