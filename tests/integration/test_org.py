"""The jurisdiction tree, departments and the look-ups procedures make on them."""

from __future__ import annotations

import pytest

from db.models.org import Jurisdiction
from domain.enums import DeptKind, Level, Role
from domain.errors import Conflict, InvalidInput, NotFound
from services import demo, identity, org
from services.runtime import Runtime
from services.uow import UnitOfWork


def _chain(uow: UnitOfWork) -> list[Jurisdiction]:
    """region > city > county > street > community, each with its usual departments."""
    s = uow.session
    nodes: list[Jurisdiction] = []
    parent_id = None
    for i, level in enumerate(Level):
        node = org.create_jurisdiction(
            s,
            code=f"99{i}",
            name=f"{level.label}{i}",
            level=level,
            parent_id=parent_id,
            urban_population=5000 if level is Level.COMMUNITY else None,
            households=1800 if level is Level.COMMUNITY else None,
        )
        org.ensure_departments(s, node.id)
        nodes.append(node)
        parent_id = node.id
    return nodes


def _id(uow: UnitOfWork, code: str) -> int:
    return org.jurisdiction_by_code(uow.session, code).id


def test_paths_are_materialised(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        nodes = _chain(uow)
        uow.commit()
    expected = "/"
    for n in nodes:
        expected += f"{n.id}/"
        assert n.path == expected
    assert nodes[0].parent_id is None
    assert nodes[3].parent_id == nodes[2].id


@pytest.mark.parametrize(
    ("parent_index", "level"),
    [(None, Level.CITY), (0, Level.COUNTY), (0, Level.REGION), (2, Level.COMMUNITY), (4, Level.COMMUNITY)],
)
def test_level_order_is_enforced(runtime: Runtime, parent_index: int | None, level: Level) -> None:
    with UnitOfWork() as uow:
        nodes = _chain(uow)
        parent_id = None if parent_index is None else nodes[parent_index].id
        with pytest.raises(InvalidInput) as err:
            org.create_jurisdiction(uow.session, code="1234", name="错层", level=level, parent_id=parent_id)
        assert err.value.code == "jurisdiction_level_order"
        assert "错层" in err.value.message


def test_duplicate_code_is_refused(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        org.create_jurisdiction(uow.session, code="150000", name="内蒙古自治区", level=Level.REGION)
        uow.commit()
    with UnitOfWork() as uow:
        with pytest.raises(Conflict) as err:
            org.create_jurisdiction(uow.session, code="150000", name="又一个", level="region")
        assert err.value.code == "jurisdiction_code_taken"
        assert "150000" in err.value.message


def test_bad_input_is_refused(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        for kwargs, code in [
            ({"code": "1", "name": "x", "level": "region"}, "jurisdiction_code_invalid"),
            ({"code": "100000", "name": " ", "level": "region"}, "jurisdiction_name_missing"),
            ({"code": "100000", "name": "x", "level": "province"}, "level_unknown"),
            (
                {"code": "100000", "name": "x", "level": "region", "policy_key": "Bad Key"},
                "policy_key_invalid",
            ),
            ({"code": "100000", "name": "x", "level": "region", "households": -1}, "population_negative"),
        ]:
            with pytest.raises(InvalidInput) as err:
                org.create_jurisdiction(uow.session, **kwargs)  # type: ignore[arg-type]
            assert err.value.code == code
        with pytest.raises(NotFound):
            org.create_jurisdiction(uow.session, code="100100", name="x", level="city", parent_id=999)


def test_subtree_and_ancestors(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        nodes = _chain(uow)
        sibling = org.create_jurisdiction(
            uow.session, code="9921", name="另一个旗县", level=Level.COUNTY, parent_id=nodes[1].id
        )
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        s = uow.session
        assert {n.id for n in org.subtree(s, nodes[1].id)} == {n.id for n in nodes[1:]} | {sibling.id}
        assert [n.id for n in org.subtree(s, nodes[1].id, level=Level.COUNTY)] == [nodes[2].id, sibling.id]
        assert [n.id for n in org.subtree(s, nodes[4].id)] == [nodes[4].id]
        assert [n.id for n in org.ancestors(s, nodes[4].id)] == [n.id for n in nodes]
        assert [n.id for n in org.ancestors(s, sibling.id, include_self=False)] == [nodes[0].id, nodes[1].id]
        with pytest.raises(NotFound):
            org.ancestors(s, 12345)


def test_subtree_does_not_leak_into_id_prefixed_siblings(runtime: Runtime) -> None:
    """'/1/' must not match '/10/...': the path ends with a slash."""
    with UnitOfWork() as uow:
        roots = [
            org.create_jurisdiction(uow.session, code=f"R{i:02d}", name=f"省{i}", level="region")
            for i in range(12)
        ]
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        assert [n.id for n in org.subtree(uow.session, roots[0].id)] == [roots[0].id]


@pytest.fixture
def seeded(runtime: Runtime) -> Runtime:
    with UnitOfWork() as uow:
        demo.seed(uow)
    return runtime


def test_policy_keys_for(seeded: Runtime) -> None:
    with UnitOfWork(readonly=True) as uow:
        s = uow.session
        assert org.policy_keys_for(s, _id(uow, "150603001001")) == [
            "inner_mongolia",
            "ordos",
        ]  # 康巴什 阳光社区
        assert org.policy_keys_for(s, _id(uow, "150603")) == ["inner_mongolia", "ordos"]
        assert org.policy_keys_for(s, _id(uow, "150103003001")) == ["inner_mongolia"]  # 回民区
        assert org.policy_keys_for(s, _id(uow, "500107001001")) == ["jiulongpo"]  # 九龙坡 团结路社区
        assert org.policy_keys_for(s, _id(uow, "500000")) == []  # 重庆市 has none
        assert org.policy_keys_for(s, _id(uow, "640106002001")) == ["ningxia"]
        assert org.policy_keys_for(s, _id(uow, "659001001001")) == ["bingtuan"]


def test_department_at(seeded: Runtime) -> None:
    with UnitOfWork(readonly=True) as uow:
        s = uow.session
        kbs, ordos, nmg = _id(uow, "150603"), _id(uow, "150600"), _id(uow, "150000")
        community = _id(uow, "150603001001")
        parent_sw = org.department_at(s, kbs, "parent", DeptKind.SOCIAL_WORK)
        assert (parent_sw.jurisdiction_id, parent_sw.name) == (ordos, "鄂尔多斯市委社会工作部")
        assert org.department_at(s, kbs, "self", "organisation").name == "康巴什区委组织部"
        assert org.department_at(s, kbs, "grandparent", DeptKind.CIVIL_AFFAIRS).name == "内蒙古自治区民政厅"
        assert org.department_at(s, community, Level.CITY, DeptKind.ORGANISATION).jurisdiction_id == ordos
        assert org.department_at(s, community, "county", DeptKind.SOCIAL_WORK).name == "康巴什区委社会工作部"
        assert org.department_at(s, community, "street", "street_office").name == "哈巴格希街道办事处"
        # 九龙坡区's parent is a placeholder: the question goes up to 重庆市.
        cq = _id(uow, "500000")
        jlp = org.department_at(s, _id(uow, "500107"), "parent", DeptKind.SOCIAL_WORK)
        assert (jlp.jurisdiction_id, jlp.name) == (cq, "重庆市委社会工作部")
        assert org.department_at(s, _id(uow, "500107001"), "city", "organisation").jurisdiction_id == cq
        with pytest.raises(NotFound) as err:
            org.department_at(s, nmg, "parent", DeptKind.SOCIAL_WORK)
        assert err.value.code == "department_not_found"
        with pytest.raises(NotFound) as err:
            org.department_at(s, kbs, "self", DeptKind.STREET_OFFICE)
        assert "康巴什区" in err.value.message
        with pytest.raises(NotFound):
            org.department_at(s, kbs, "street", DeptKind.STREET_OFFICE)  # below, not above
        with pytest.raises(InvalidInput):
            org.department_at(s, kbs, "uncle", DeptKind.SOCIAL_WORK)


def test_find_department_and_supervisor(seeded: Runtime) -> None:
    with UnitOfWork(readonly=True) as uow:
        s = uow.session
        hm = _id(uow, "150103")
        ca = org.find_department(s, hm, DeptKind.CIVIL_AFFAIRS)
        assert ca is not None and ca.name == "回民区民政局"
        assert org.find_department(s, hm, DeptKind.STREET_OFFICE) is None
        assert org.find_department(s, _id(uow, "500100"), DeptKind.SOCIAL_WORK) is None  # placeholder

        sup = org.supervising_department(s, ca.id)
        assert sup is not None and sup.name == "呼和浩特市民政局"
        top = org.supervising_department(s, sup.id)
        assert top is not None and top.name == "内蒙古自治区民政厅"
        assert org.supervising_department(s, top.id) is None

        office = org.find_department(s, _id(uow, "150103005"), DeptKind.STREET_OFFICE)
        assert office is not None
        sup = org.supervising_department(s, office.id)
        assert sup is not None and sup.name == "回民区委社会工作部"
        committee = org.find_department(s, _id(uow, "150103005001"), DeptKind.COMMUNITY_COMMITTEE)
        assert committee is not None and committee.name == "光明路社区居民委员会"
        sup = org.supervising_department(s, committee.id)
        assert sup is not None and sup.id == office.id

        jlp_sw = org.find_department(s, _id(uow, "500107"), DeptKind.SOCIAL_WORK)
        assert jlp_sw is not None
        sup = org.supervising_department(s, jlp_sw.id)
        assert sup is not None and sup.name == "重庆市委社会工作部"
        with pytest.raises(NotFound):
            org.supervising_department(s, 99999)


def test_urban_population_of(seeded: Runtime) -> None:
    with UnitOfWork() as uow:
        s = uow.session
        assert org.urban_population_of(s, _id(uow, "500107001001")) == 12860
        assert org.urban_population_of(s, _id(uow, "500107001")) == 12860 + 10420 + 14350 + 8760
        jlp = _id(uow, "500107")
        communities = org.subtree(s, jlp, level=Level.COMMUNITY)
        assert org.urban_population_of(s, jlp) == sum(c.urban_population or 0 for c in communities)
        assert org.households_of(s, jlp) == sum(c.households or 0 for c in communities)
        assert org.urban_population_of(s, _id(uow, "500000")) == org.urban_population_of(s, jlp)
        # A recorded figure of its own wins over the sum.
        org.get_jurisdiction(s, jlp).urban_population = 1_230_000
        s.flush()
        assert org.urban_population_of(s, jlp) == 1_230_000
    with UnitOfWork() as uow:
        lone = org.create_jurisdiction(uow.session, code="990000", name="空省", level="region")
        assert org.urban_population_of(uow.session, lone.id) is None


def test_departments(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        s = uow.session
        region = org.create_jurisdiction(s, code="640000", name="宁夏回族自治区", level="region")
        city = org.create_jurisdiction(s, code="640100", name="银川市", level="city", parent_id=region.id)
        ph = org.create_jurisdiction(
            s, code="640199", name="占位", level="county", parent_id=city.id, placeholder=True
        )
        depts = org.ensure_departments(s, city.id)
        assert [d.kind for d in depts] == [k.value for k in org.LEVEL_DEPARTMENTS[Level.CITY]]
        assert org.ensure_departments(s, city.id) == depts  # idempotent
        assert org.ensure_departments(s, ph.id) == []
        with pytest.raises(Conflict) as conflict:
            org.create_department(s, city.id, DeptKind.SOCIAL_WORK)
        assert conflict.value.code == "department_exists"
        with pytest.raises(InvalidInput) as invalid:
            org.create_department(s, ph.id, DeptKind.SOCIAL_WORK)
        assert invalid.value.code == "placeholder_has_no_departments"
        with pytest.raises(InvalidInput):
            org.create_department(s, city.id, "ministry")
        named = org.create_department(s, region.id, DeptKind.SOCIAL_WORK, "中共宁夏区委社会工作部")
        assert named.name == "中共宁夏区委社会工作部"
        assert [d.id for d in org.departments_of(s, region.id)] == [named.id]


@pytest.mark.parametrize(
    ("name", "level", "kind", "expected"),
    [
        ("内蒙古自治区", "region", DeptKind.SOCIAL_WORK, "内蒙古自治区党委社会工作部"),
        ("内蒙古自治区", "region", DeptKind.HR_BUREAU, "内蒙古自治区人力资源和社会保障厅"),
        ("重庆市", "region", DeptKind.CIVIL_AFFAIRS, "重庆市民政局"),
        ("重庆市", "region", DeptKind.ORGANISATION, "重庆市委组织部"),
        ("新疆生产建设兵团", "region", DeptKind.FINANCE, "新疆生产建设兵团财政局"),
        ("第八师石河子市", "city", DeptKind.SOCIAL_WORK, "第八师石河子市党委社会工作部"),
        ("鄂尔多斯市", "city", DeptKind.CIVIL_AFFAIRS, "鄂尔多斯市民政局"),
        ("伊金霍洛旗", "county", DeptKind.ORGANISATION, "伊金霍洛旗委组织部"),
        ("九龙坡区", "county", DeptKind.DISCIPLINE, "九龙坡区纪委监委"),
        ("九龙坡区", "county", DeptKind.PARTY_COMMITTEE, "中共九龙坡区委员会"),
        ("杨家坪街道", "street", DeptKind.STREET_OFFICE, "杨家坪街道办事处"),
        ("华岩镇", "street", DeptKind.STREET_OFFICE, "华岩镇人民政府"),
        ("团结路社区", "community", DeptKind.COMMUNITY_COMMITTEE, "团结路社区居民委员会"),
    ],
)
def test_default_department_names(name: str, level: str, kind: DeptKind, expected: str) -> None:
    assert org.default_department_name(name, level, kind) == expected


def test_grant_and_revoke_roles(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        s = uow.session
        nodes = _chain(uow)
        dept = org.find_department(s, nodes[2].id, DeptKind.SOCIAL_WORK)
        assert dept is not None
        user = identity.create_user(s, username="zhang", display_name="张三", password="secret-123")
        first = org.grant_role(s, user.id, dept.id, Role.APPROVER)
        assert org.grant_role(s, user.id, dept.id, "approver").id == first.id  # idempotent
        with pytest.raises(InvalidInput):
            org.grant_role(s, user.id, dept.id, "boss")
        with pytest.raises(NotFound):
            org.grant_role(s, user.id, 99999, Role.APPROVER)
        with pytest.raises(NotFound):
            org.grant_role(s, 99999, dept.id, Role.APPROVER)
        assert identity.actor_for_user(s, user.id).in_group(dept.id, Role.APPROVER)
        assert org.revoke_role(s, user.id, dept.id, Role.APPROVER) is True
        assert org.revoke_role(s, user.id, dept.id, Role.APPROVER) is False
        assert identity.actor_for_user(s, user.id).memberships == ()
        listing = org.users_with_roles(s)
        assert [(u.username, u.roles) for u in listing] == [("zhang", ())]


def test_tree_rows(seeded: Runtime) -> None:
    with UnitOfWork(readonly=True) as uow:
        rows = org.tree(uow.session, "500000")
        assert [(r.depth, r.code) for r in rows[:4]] == [
            (0, "500000"),
            (1, "500100"),
            (2, "500107"),
            (3, "500107001"),
        ]
        assert rows[1].placeholder and rows[2].policy_key == "jiulongpo"
        assert rows[0].urban_population == org.urban_population_of(uow.session, rows[0].id)
        everything = org.tree(uow.session)
        assert [r.code for r in everything if r.depth == 0] == ["150000", "500000", "640000", "660000"]
        with pytest.raises(NotFound):
            org.tree(uow.session, "000000")
