"""Demo data: a realistic slice of each seed region (内蒙古/呼和浩特, 内蒙古/鄂尔多斯, 宁夏/银川, 兵团/第八师,
重庆/九龙坡) — jurisdictions down to communities with population, their departments, and a user for every
role the procedures ask for. The data lives in services/demo_data/*.toml (see its README).

Every demo user's password is DEMO_PASSWORD. The seed hashes it once and gives all demo users that one
hash (same password, same salt): scrypt costs ~50 ms, a hundred of them would make the seed slow, and a
shared salt reveals nothing that the published demo password does not.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models.org import Department, Jurisdiction, RoleAssignment, User
from db.repos import org as repo
from domain.enums import DeptKind, Level, Role
from domain.errors import InvalidInput
from services import identity, org
from services.uow import UnitOfWork

DEMO_PASSWORD = "demo1234"
DATA_DIR = Path(__file__).resolve().parent / "demo_data"
FILE_ORDER = ("inner_mongolia", "ningxia", "bingtuan", "chongqing", "common")
LEVELS = list(Level)


@dataclass(frozen=True, slots=True)
class DemoNode:
    code: str
    name: str
    level: Level
    parent: str | None
    policy_key: str | None = None
    placeholder: bool = False
    urban_population: int | None = None
    households: int | None = None
    department_names: dict[DeptKind, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    display_name: str
    grants: tuple[tuple[str, DeptKind, Role], ...]  # (jurisdiction code, department kind, role)


@dataclass(frozen=True, slots=True)
class DemoData:
    nodes: tuple[DemoNode, ...]  # parents before children
    users: tuple[DemoUser, ...]

    def node(self, code: str) -> DemoNode:
        for n in self.nodes:
            if n.code == code:
                return n
        raise InvalidInput(f"演示数据引用了不存在的区划代码“{code}”", code="demo_data_invalid")


def _bad(where: str, what: str) -> InvalidInput:
    return InvalidInput(f"演示数据 {where}：{what}", code="demo_data_invalid")


def _parse_file(path: Path, nodes: dict[str, DemoNode], users: list[DemoUser]) -> None:
    raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    where = path.name

    def add(code: str, name: str, parent: str | None, **extra: Any) -> None:
        if code in nodes:
            raise _bad(where, f"区划代码 {code} 重复")
        if not org.CODE_RE.match(code) or not name.strip():
            raise _bad(where, f"区划代码或名称不正确：{code} {name}")
        key = extra.get("policy_key")
        if key is not None and not org.POLICY_KEY_RE.match(key):
            raise _bad(where, f"政策配置键不正确：{key}")
        if parent is None:
            level = Level.REGION
        elif parent in nodes:
            depth = nodes[parent].level.depth + 1
            if depth >= len(LEVELS):
                raise _bad(where, f"{name} 的上级 {parent} 已是社区")
            level = LEVELS[depth]
        else:
            raise _bad(where, f"{name} 的上级 {parent} 须在其前出现")
        nodes[code] = DemoNode(code=code, name=name, level=level, parent=parent, **extra)

    for item in raw.get("node", []):
        add(
            str(item["code"]),
            str(item["name"]),
            item.get("parent"),
            policy_key=item.get("policy_key"),
            placeholder=bool(item.get("placeholder", False)),
            urban_population=item.get("urban_population"),
            households=item.get("households"),
            department_names={DeptKind(k): str(v) for k, v in item.get("departments", {}).items()},
        )
    for street in raw.get("street", []):
        add(str(street["code"]), str(street["name"]), str(street["parent"]))
        for code, name, population, households in street.get("communities", []):
            add(
                str(code),
                str(name),
                str(street["code"]),
                urban_population=int(population),
                households=int(households),
            )
    for item in raw.get("users", []):
        pairs = item.get("grants") or [[item["at"], item["dept"], item["role"]]]
        grants = tuple((str(c), DeptKind(k), Role(r)) for c, k, r in pairs)
        users.append(DemoUser(username=str(item["username"]), display_name=str(item["name"]), grants=grants))


@lru_cache(maxsize=1)
def load() -> DemoData:
    """The demo data files, parsed and checked (codes unique, parents first, grants pointing at nodes)."""
    nodes: dict[str, DemoNode] = {}
    users: list[DemoUser] = []
    for stem in FILE_ORDER:
        _parse_file(DATA_DIR / f"{stem}.toml", nodes, users)
    data = DemoData(nodes=tuple(nodes.values()), users=tuple(users))
    seen: set[str] = set()
    for u in data.users:
        if u.username in seen:
            raise _bad("users", f"用户名 {u.username} 重复")
        if not identity.USERNAME_RE.match(u.username) or not u.display_name.strip():
            raise _bad("users", f"用户名或姓名不正确：{u.username} {u.display_name}")
        seen.add(u.username)
        for code, kind, _role in u.grants:
            node = data.node(code)
            if node.placeholder or kind not in org.LEVEL_DEPARTMENTS[node.level]:
                raise _bad("users", f"{u.username}：{node.name}没有{kind.label}")
    return data


def _department_name(node: DemoNode, kind: DeptKind) -> str:
    return node.department_names.get(kind) or org.default_department_name(node.name, node.level, kind)


def demo_logins(session: Session | None = None) -> list[tuple[str, str, str]]:
    """(username, display name, roles text) of every demo user, for the login page in demo mode. Read
    from the data files; given a session, only the demo users that exist in the database (one query)."""
    data = load()
    present = None if session is None else repo.usernames_taken(session, [u.username for u in data.users])
    out = []
    for u in data.users:
        if present is not None and u.username not in present:
            continue
        if all(role is Role.ADMIN for _c, _k, role in u.grants):
            text = "系统管理员（全部地区）"
        else:
            text = "；".join(
                f"{_department_name(data.node(code), kind)} · {role.label}" for code, kind, role in u.grants
            )
        out.append((u.username, u.display_name, text))
    return out


@dataclass(frozen=True, slots=True)
class SeedSummary:
    jurisdictions: int
    departments: int
    users: int
    role_assignments: int


def seed(uow: UnitOfWork) -> SeedSummary:
    """Write the whole demo data set and commit. Fails (nothing written) if any code or username exists.

    Bulk path: load() has already checked what create_jurisdiction / create_department / create_user
    would (level order, unique codes and usernames, departments the level has), so rows are inserted
    level by level in a few multi-row statements (a few dozen round trips, not a thousand)."""
    data = load()
    session = uow.session
    rows: dict[str, Jurisdiction] = {}
    for level in Level:
        batch = [n for n in data.nodes if n.level is level]
        new = [
            Jurisdiction(
                code=n.code, name=n.name, level=n.level.value, path="/",
                parent_id=None if n.parent is None else rows[n.parent].id, policy_key=n.policy_key,
                urban_population=n.urban_population, households=n.households, placeholder=n.placeholder,
            )
            for n in batch
        ]
        repo.add_all(session, new)
        for n, row in zip(batch, new, strict=True):
            row.path = ("/" if n.parent is None else rows[n.parent].path) + f"{row.id}/"
            rows[n.code] = row
    departments: dict[tuple[str, DeptKind], Department] = {}
    for n in data.nodes:
        if not n.placeholder:
            for kind in org.LEVEL_DEPARTMENTS[n.level]:
                departments[(n.code, kind)] = Department(
                    jurisdiction_id=rows[n.code].id, kind=kind.value, name=_department_name(n, kind)
                )
    repo.add_all(session, list(departments.values()))
    password_hash = identity.hash_password(DEMO_PASSWORD)
    users = [
        User(username=u.username, display_name=u.display_name, password_hash=password_hash, active=True,
             created_at=uow.now)
        for u in data.users
    ]
    repo.add_all(session, users)
    grants = [
        RoleAssignment(user_id=row.id, department_id=departments[(code, kind)].id, role=role.value)
        for u, row in zip(data.users, users, strict=True)
        for code, kind, role in u.grants
    ]
    repo.add_all(session, grants)
    uow.commit()
    identity.forget_actor()
    return SeedSummary(len(rows), len(departments), len(users), len(grants))


def seed_if_empty(uow: UnitOfWork) -> bool:
    """Seed when the database holds no jurisdiction yet; True when it did. Safe to run twice, and from two
    processes at once (the loser's insert fails on a unique code, and its transaction is rolled back)."""
    if repo.count_jurisdictions(uow.session) > 0:
        return False
    try:
        seed(uow)
    except IntegrityError:
        uow.session.rollback()
        return False
    return True
