"""The jurisdiction tree: adding nodes, looking them up, their ancestors and subtrees, the policy-profile
chain and the population figures procedures read."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from db.models.org import Jurisdiction
from db.repos import org as repo
from domain.enums import Level
from domain.errors import Conflict, InvalidInput, NotFound

CODE_RE = re.compile(r"^[0-9A-Za-z_-]{2,32}$")
POLICY_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
LEVELS = list(Level)


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
