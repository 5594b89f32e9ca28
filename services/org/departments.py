"""Departments: the usual departments of each level, their names, and the look-ups procedures make (the
department of a kind at or above a node, the supervising department). Placeholder nodes pass questions up."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from db.models.org import Department, Jurisdiction
from db.repos import org as repo
from domain.enums import DEPT_LABELS, DeptKind, Level
from domain.errors import Conflict, InvalidInput, NotFound
from services.org.tree import ancestors, get_jurisdiction

Relative = Literal["self", "parent", "grandparent"]

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
