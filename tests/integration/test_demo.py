"""Demo data: idempotent, quick, and a user for every role the procedures need in each seed region."""

from __future__ import annotations

import time
from collections import defaultdict

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from db.models.org import Department, Jurisdiction, RoleAssignment, User
from db.repos import org as org_repo
from domain.enums import DeptKind, Level, Role
from services import demo, identity, org
from services.runtime import Runtime
from services.uow import UnitOfWork

# The five seed regions: the county-level nodes of each (code of the node carrying the profile, if any).
SEED_COUNTIES = {
    "inner_mongolia (呼和浩特)": ["150102", "150103"],
    "ordos": ["150602", "150603"],
    "ningxia": ["640104", "640106"],
    "bingtuan": ["659001"],
    "jiulongpo": ["500107"],
}


def _counts(uow: UnitOfWork) -> tuple[int, ...]:
    s = uow.session
    return tuple(
        int(s.scalar(select(func.count()).select_from(m)) or 0)
        for m in (Jurisdiction, Department, User, RoleAssignment)
    )


def test_seed_if_empty_is_idempotent_and_fast(runtime: Runtime) -> None:
    started = time.perf_counter()
    with UnitOfWork() as uow:
        assert demo.seed_if_empty(uow) is True
    elapsed = time.perf_counter() - started
    if runtime.engine.dialect.name == "sqlite":
        assert elapsed < 2.0, f"seeding took {elapsed:.2f} s"
    with UnitOfWork(readonly=True) as uow:
        first = _counts(uow)
    with UnitOfWork() as uow:
        assert demo.seed_if_empty(uow) is False
    with UnitOfWork(readonly=True) as uow:
        assert _counts(uow) == first
    data = demo.load()
    assert first[0] == len(data.nodes) and first[2] == len(data.users)


def test_seed_refuses_to_write_twice(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        demo.seed(uow)
    with UnitOfWork() as uow, pytest.raises(IntegrityError):
        demo.seed(uow)
    with UnitOfWork(readonly=True) as uow:
        assert _counts(uow)[0] == len(demo.load().nodes)


@pytest.fixture
def seeded(runtime: Runtime) -> Runtime:
    with UnitOfWork() as uow:
        demo.seed(uow)
    return runtime


def _holders(uow: UnitOfWork) -> dict[tuple[int, Role], list[str]]:
    """(department id, role) -> usernames."""
    out: dict[tuple[int, Role], list[str]] = defaultdict(list)
    for r in org_repo.all_membership_rows(uow.session):
        if r.role is not None and r.department_id is not None:
            out[(r.department_id, Role(r.role))].append(r.username)
    return out


@pytest.mark.parametrize("region", list(SEED_COUNTIES))
def test_every_role_is_staffed(seeded: Runtime, region: str) -> None:
    with UnitOfWork(readonly=True) as uow:
        s = uow.session
        holders = _holders(uow)

        def staffed(jurisdiction_id: int, where: str, kind: DeptKind, role: Role) -> None:
            dept = org.department_at(s, jurisdiction_id, where, kind)
            assert holders[(dept.id, role)], f"{region}: nobody is {role} in {dept.name}"

        for code in SEED_COUNTIES[region]:
            county = org.jurisdiction_by_code(s, code)
            staffed(county.id, "self", DeptKind.SOCIAL_WORK, Role.HR_OFFICER)
            for kind in (
                DeptKind.SOCIAL_WORK,
                DeptKind.ORGANISATION,
                DeptKind.CIVIL_AFFAIRS,
                DeptKind.HR_BUREAU,
                DeptKind.FINANCE,
            ):
                staffed(county.id, "self", kind, Role.APPROVER)
            staffed(county.id, "self", DeptKind.PARTY_COMMITTEE, Role.LEADER)
            staffed(county.id, "city", DeptKind.SOCIAL_WORK, Role.APPROVER)
            staffed(county.id, "city", DeptKind.ORGANISATION, Role.APPROVER)
            staffed(county.id, "city", DeptKind.CIVIL_AFFAIRS, Role.APPROVER)
            staffed(county.id, "city", DeptKind.SOCIAL_WORK, Role.LEADER)
            staffed(county.id, "region", DeptKind.SOCIAL_WORK, Role.LEADER)
            streets = org.subtree(s, county.id, level=Level.STREET)
            assert 2 <= len(streets) <= 3
            for street in streets:
                staffed(street.id, "self", DeptKind.STREET_OFFICE, Role.HR_OFFICER)
                staffed(street.id, "self", DeptKind.STREET_OFFICE, Role.APPROVER)
                communities = org.subtree(s, street.id, level=Level.COMMUNITY)
                assert 2 <= len(communities) <= 4
                for c in communities:
                    assert c.urban_population is not None and 3000 <= c.urban_population <= 15000
                    assert c.households is not None and 1000 <= c.households <= 5000
                    assert org.find_department(s, c.id, DeptKind.COMMUNITY_COMMITTEE) is not None


def test_profiles_attached(seeded: Runtime) -> None:
    with UnitOfWork(readonly=True) as uow:
        keyed = dict(
            uow.session.execute(
                select(Jurisdiction.name, Jurisdiction.policy_key).where(Jurisdiction.policy_key.is_not(None))
            ).all()
        )
    assert keyed == {
        "内蒙古自治区": "inner_mongolia",
        "鄂尔多斯市": "ordos",
        "宁夏回族自治区": "ningxia",
        "新疆生产建设兵团": "bingtuan",
        "九龙坡区": "jiulongpo",
    }


def test_demo_users_log_in(seeded: Runtime) -> None:
    with UnitOfWork(readonly=True) as uow:
        s = uow.session
        hr = identity.authenticate(s, "jlp_hr", demo.DEMO_PASSWORD)
        assert hr.acts_for(
            org.jurisdiction_by_code(s, "500107001001").path, Role.HR_OFFICER, DeptKind.SOCIAL_WORK
        )
        admin = identity.authenticate(s, "admin", demo.DEMO_PASSWORD)
        assert admin.is_admin
        for code in ("150603001001", "640106002001", "659001001001", "500107001001"):
            assert admin.oversees(org.jurisdiction_by_code(s, code).path)
        leader = identity.authenticate(s, "ordos_lead", demo.DEMO_PASSWORD)
        assert leader.oversees(org.jurisdiction_by_code(s, "150603001001").path)
        assert not leader.oversees(org.jurisdiction_by_code(s, "150103003001").path)


def test_demo_logins(runtime: Runtime) -> None:
    logins = demo.demo_logins()
    assert len(logins) == len(demo.load().users) > 90
    table = {u: (name, roles) for u, name, roles in logins}
    assert table["hm_hr"] == ("马丽娟", "回民区委社会工作部 · 经办人")
    assert table["jlp_org"] == ("蒋小兵", "九龙坡区委组织部 · 审核人")
    assert table["bt8_ca"][1] == "第八师石河子市民政局 · 审核人"
    assert table["admin"][1] == "系统管理员（全部地区）"
    assert all(u.isascii() for u in table)
    with UnitOfWork(readonly=True) as uow:
        assert demo.demo_logins(uow.session) == []  # nothing seeded yet
    with UnitOfWork() as uow:
        demo.seed(uow)
    with UnitOfWork(readonly=True) as uow:
        assert demo.demo_logins(uow.session) == logins
