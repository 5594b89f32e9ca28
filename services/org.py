"""The organisation: the jurisdiction tree (region > city > county > street > community), the departments
of each node, who holds which role where, and the look-ups procedures make on it (policy-profile chain,
the department of a kind at or above a node, the supervising department, urban population).

Placeholder nodes (`Jurisdiction.placeholder`) keep the strict level order where the real hierarchy skips
a level — 重庆市 (a municipality) → 重庆市市辖区 → 九龙坡区. They hold no departments; every look-up that
lands on one moves up to the nearest real node (so the "city" departments above 九龙坡区 are 重庆市's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from db.models.org import Department, Jurisdiction, RoleAssignment
from db.repos import org as repo
from domain.enums import DEPT_LABELS, DeptKind, Level, Role
from domain.errors import Conflict, InvalidInput, NotFound
from services import identity

Relative = Literal["self", "parent", "grandparent"]

CODE_RE = re.compile(r"^[0-9A-Za-z_-]{2,32}$")
POLICY_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
LEVELS = list(Level)

# The departments a node of each level normally has (ensure_departments creates them).
LEVEL_DEPARTMENTS: dict[Level, tuple[DeptKind, ...]] = {
    Level.REGION: (
        DeptKind.SOCIAL_WORK,
        DeptKind.ORGANISATION,
        DeptKind.CIVIL_AFFAIRS,
        DeptKind.HR_BUREAU,
        DeptKind.FINANCE,
    ),
    Level.CITY: (
        DeptKind.SOCIAL_WORK,
        DeptKind.ORGANISATION,
        DeptKind.CIVIL_AFFAIRS,
        DeptKind.HR_BUREAU,
        DeptKind.FINANCE,
    ),
    Level.COUNTY: (
        DeptKind.SOCIAL_WORK,
        DeptKind.ORGANISATION,
        DeptKind.CIVIL_AFFAIRS,
        DeptKind.HR_BUREAU,
        DeptKind.FINANCE,
        DeptKind.DISCIPLINE,
        DeptKind.PARTY_COMMITTEE,
    ),
    Level.STREET: (DeptKind.STREET_OFFICE,),
    Level.COMMUNITY: (DeptKind.COMMUNITY_COMMITTEE,),
}

# Who supervises a department (escalation): the same kind one level up, except that a street office
# answers to the county party social-work department and a community committee to its street office.
SUPERVISOR_KIND: dict[DeptKind, DeptKind] = {
    DeptKind.STREET_OFFICE: DeptKind.SOCIAL_WORK,
    DeptKind.COMMUNITY_COMMITTEE: DeptKind.STREET_OFFICE,
}


# ---------------------------------------------------------------- the tree


def get_jurisdiction(session: Session, jurisdiction_id: int) -> Jurisdiction:
    node = repo.jurisdiction(session, jurisdiction_id)
    if node is None:
        raise NotFound(f"行政区划 {jurisdiction_id} 不存在", code="jurisdiction_not_found")
    return node


def jurisdiction_by_code(session: Session, code: str) -> Jurisdiction:
    node = repo.jurisdiction_by_code(session, code.strip())
    if node is None:
        raise NotFound(f"区划代码“{code}”不存在", code="jurisdiction_not_found", details={"code": code})
    return node


def create_jurisdiction(
    session: Session,
    *,
    code: str,
    name: str,
    level: Level | str,
    parent_id: int | None = None,
    policy_key: str | None = None,
    urban_population: int | None = None,
    households: int | None = None,
    placeholder: bool = False,
) -> Jurisdiction:
    """Add a node under `parent_id` (a region when None); it must sit exactly one level below its parent."""
    code, name = code.strip(), name.strip()
    try:
        lvl = Level(level)
    except ValueError:
        raise InvalidInput(f"未知的层级“{level}”", code="level_unknown") from None
    if not CODE_RE.match(code):
        raise InvalidInput(
            f"区划代码“{code}”格式不正确（2-32 位字母或数字）", code="jurisdiction_code_invalid"
        )
    if not name:
        raise InvalidInput("区划名称不能为空", code="jurisdiction_name_missing")
    if policy_key is not None and not POLICY_KEY_RE.match(policy_key):
        raise InvalidInput(f"政策配置键“{policy_key}”格式不正确", code="policy_key_invalid")
    for label, value in (("城镇常住人口", urban_population), ("常住户数", households)):
        if value is not None and value < 0:
            raise InvalidInput(f"{label}不能为负数", code="population_negative")
    parent = None if parent_id is None else get_jurisdiction(session, parent_id)
    if parent is None:
        if lvl is not Level.REGION:
            raise InvalidInput(
                f"“{name}”是{lvl.label}，必须建在上级区划之下；只有省级区划可以没有上级",
                code="jurisdiction_level_order",
            )
    else:
        parent_level = Level(parent.level)
        if lvl.depth != parent_level.depth + 1:
            expected = LEVELS[parent_level.depth + 1].label if parent_level.depth + 1 < len(LEVELS) else None
            hint = f"应为{expected}" if expected else "社区之下不能再设区划"
            raise InvalidInput(
                f"层级不符：“{parent.name}”是{parent_level.label}，其下级“{name}”不能是{lvl.label}（{hint}）",
                code="jurisdiction_level_order",
                details={"parent_level": parent_level.value, "level": lvl.value},
            )
    if repo.jurisdiction_by_code(session, code) is not None:
        raise Conflict(f"区划代码“{code}”已存在", code="jurisdiction_code_taken", details={"code": code})
    node = Jurisdiction(
        code=code,
        name=name,
        level=lvl.value,
        parent_id=None if parent is None else parent.id,
        policy_key=policy_key,
        urban_population=urban_population,
        households=households,
        placeholder=placeholder,
    )
    return repo.add_jurisdiction(session, node, "/" if parent is None else parent.path)


def subtree(session: Session, jurisdiction_id: int, *, level: Level | None = None) -> list[Jurisdiction]:
    """The node and everything below it (only nodes of `level` when given), ordered by code."""
    return repo.subtree(session, get_jurisdiction(session, jurisdiction_id).path, level=level)


def path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def ancestors(session: Session, jurisdiction_id: int, *, include_self: bool = True) -> list[Jurisdiction]:
    """The chain from the root down to the node (root→leaf)."""
    node = get_jurisdiction(session, jurisdiction_id)
    ids = path_ids(node.path)
    if not include_self:
        ids = ids[:-1]
    by_id = {n.id: n for n in repo.jurisdictions_by_ids(session, ids)}
    return [by_id[i] for i in ids if i in by_id]


def policy_keys_for(session: Session, jurisdiction_id: int) -> list[str]:
    """The policy-profile chain of a node: the policy_key of every ancestor (itself included) that has
    one, root→leaf; later keys override earlier ones."""
    return [n.policy_key for n in ancestors(session, jurisdiction_id) if n.policy_key]


def urban_population_of(session: Session, jurisdiction_id: int) -> int | None:
    """城镇常住人口 of a node: its own recorded value when it has one, otherwise the sum over the
    communities of its subtree (None when no community records one)."""
    node = get_jurisdiction(session, jurisdiction_id)
    if node.urban_population is not None:
        return node.urban_population
    return repo.community_totals(session, node.path)[0]


def households_of(session: Session, jurisdiction_id: int) -> int | None:
    """实际常住户数, by the same rule as urban_population_of."""
    node = get_jurisdiction(session, jurisdiction_id)
    if node.households is not None:
        return node.households
    return repo.community_totals(session, node.path)[1]


# ---------------------------------------------------------------- departments


def default_department_name(node_name: str, level: Level | str, kind: DeptKind) -> str:
    """The usual name of a department, e.g. 回民区委社会工作部, 内蒙古自治区民政厅, 杨家坪街道办事处."""
    lvl = Level(level)
    provincial = node_name.endswith(("自治区", "省"))
    # 市委/区委/旗委/县委 for ordinary places; 党委 for provinces, autonomous regions and the Bingtuan.
    ordinary = (
        node_name.endswith(("市", "区", "县", "旗", "盟")) and not provincial and "兵团" not in node_name
    )
    party = f"{node_name}委" if ordinary and "师" not in node_name else f"{node_name}党委"
    bureau = "厅" if provincial and lvl is Level.REGION else "局"
    match kind:
        case DeptKind.SOCIAL_WORK:
            return f"{party}社会工作部"
        case DeptKind.ORGANISATION:
            return f"{party}组织部"
        case DeptKind.CIVIL_AFFAIRS:
            return f"{node_name}民政{bureau}"
        case DeptKind.HR_BUREAU:
            return f"{node_name}人力资源和社会保障{bureau}"
        case DeptKind.FINANCE:
            return f"{node_name}财政{bureau}"
        case DeptKind.DISCIPLINE:
            return f"{node_name}纪委监委"
        case DeptKind.PARTY_COMMITTEE:
            return f"中共{node_name}委员会"
        case DeptKind.STREET_OFFICE:
            return f"{node_name}办事处" if node_name.endswith("街道") else f"{node_name}人民政府"
        case DeptKind.COMMUNITY_COMMITTEE:
            return f"{node_name}居民委员会"
    return f"{node_name}{DEPT_LABELS[kind]}"


def create_department(
    session: Session, jurisdiction_id: int, kind: DeptKind | str, name: str | None = None
) -> Department:
    """Add the department of `kind` to a node (at most one per kind; none on placeholder nodes)."""
    try:
        dkind = DeptKind(kind)
    except ValueError:
        raise InvalidInput(f"未知的部门类型“{kind}”", code="department_kind_unknown") from None
    node = get_jurisdiction(session, jurisdiction_id)
    if node.placeholder:
        raise InvalidInput(f"“{node.name}”是占位区划，不设部门", code="placeholder_has_no_departments")
    if repo.department_of_kind(session, node.id, dkind.value) is not None:
        raise Conflict(f"“{node.name}”已有{dkind.label}", code="department_exists")
    dept = Department(
        jurisdiction_id=node.id,
        kind=dkind.value,
        name=(name or "").strip() or default_department_name(node.name, node.level, dkind),
    )
    return repo.add_department(session, dept)


def ensure_departments(
    session: Session, jurisdiction_id: int, names: dict[DeptKind, str] | None = None
) -> list[Department]:
    """Create whichever of the level's usual departments the node lacks; returns all of them."""
    node = get_jurisdiction(session, jurisdiction_id)
    if node.placeholder:
        return []
    names = names or {}
    out = []
    for kind in LEVEL_DEPARTMENTS[Level(node.level)]:
        dept = repo.department_of_kind(session, node.id, kind.value)
        out.append(dept or create_department(session, node.id, kind, names.get(kind)))
    return out


def get_department(session: Session, department_id: int) -> Department:
    dept = repo.department(session, department_id)
    if dept is None:
        raise NotFound(f"部门 {department_id} 不存在", code="department_not_found")
    return dept


def departments_of(session: Session, jurisdiction_id: int) -> list[Department]:
    return repo.departments_of(session, jurisdiction_id)


def find_department(session: Session, jurisdiction_id: int, kind: DeptKind | str) -> Department | None:
    """The department of `kind` of exactly this node, if it has one."""
    return repo.department_of_kind(session, jurisdiction_id, DeptKind(kind).value)


def _resolve(chain: list[Jurisdiction], where: Relative | Level | str) -> Jurisdiction | None:
    """Pick the node `where` names from a root→leaf chain, then skip placeholders upward."""
    if where == "self":
        idx = len(chain) - 1
    elif where == "parent":
        idx = len(chain) - 2
    elif where == "grandparent":
        idx = len(chain) - 3
    else:
        try:
            lvl = Level(where)
        except ValueError:
            raise InvalidInput(f"未知的相对层级“{where}”", code="relative_level_unknown") from None
        idx = next((i for i, n in enumerate(chain) if n.level == lvl.value), -1)
    while idx >= 0 and chain[idx].placeholder:
        idx -= 1
    return chain[idx] if idx >= 0 else None


def department_at(
    session: Session, jurisdiction_id: int, relative_level: Relative | Level | str, kind: DeptKind | str
) -> Department:
    """The department of `kind` at the node `relative_level` names from `jurisdiction_id`: "self",
    "parent", "grandparent", or an absolute level at or above it ("city": the league/city above a county).
    Placeholder nodes pass the question up. NotFound (code department_not_found) when there is none."""
    dkind = DeptKind(kind)
    chain = ancestors(session, jurisdiction_id)
    target = _resolve(chain, relative_level)
    if target is None:
        raise NotFound(
            f"“{chain[-1].name}”之上没有“{relative_level}”一级的区划",
            code="department_not_found",
            details={"jurisdiction_id": jurisdiction_id, "relative_level": str(relative_level)},
        )
    dept = repo.department_of_kind(session, target.id, dkind.value)
    if dept is None:
        raise NotFound(
            f"“{target.name}”没有{dkind.label}",
            code="department_not_found",
            details={"jurisdiction_id": target.id, "kind": dkind.value},
        )
    return dept


def supervising_department(session: Session, department_id: int) -> Department | None:
    """The department a task escalates to: see SUPERVISOR_KIND; None at the top of the tree."""
    dept = get_department(session, department_id)
    kind = DeptKind(dept.kind)
    chain = ancestors(session, dept.jurisdiction_id, include_self=False)
    target = _resolve(chain, "self") if chain else None
    if target is None:
        return None
    return repo.department_of_kind(session, target.id, SUPERVISOR_KIND.get(kind, kind).value)


# ---------------------------------------------------------------- roles


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


# ---------------------------------------------------------------- listings


@dataclass(frozen=True, slots=True)
class UserListing:
    user_id: int
    username: str
    display_name: str
    active: bool
    roles: tuple[str, ...]  # "回民区委社会工作部 · 经办人"


def users_with_roles(session: Session) -> list[UserListing]:
    rows = repo.all_membership_rows(session)
    out: dict[int, tuple[str, str, bool, list[str]]] = {}
    for r in rows:
        entry = out.setdefault(r.user_id, (r.username, r.display_name, r.active, []))
        if r.role is not None:
            entry[3].append(f"{r.department_name} · {Role(r.role).label}")
    return [UserListing(uid, u, d, a, tuple(roles)) for uid, (u, d, a, roles) in out.items()]


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
