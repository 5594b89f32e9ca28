"""The benchmark's organisation: a region on the Inner Mongolia profile, one league, n counties big enough
for any number of plans; an HR officer per county and one approver each for the league's social-work and
organisation departments, with API tokens."""

from __future__ import annotations

from domain.enums import DeptKind, Level, Role
from services import identity, org
from services.uow import UnitOfWork


def setup_org(n_counties: int) -> tuple[list[int], dict[str, str]]:
    """A region on the Inner Mongolia profile, one league, n counties big enough for any number of plans;
    an HR officer per county and one approver each for the league's social-work and organisation depts."""
    with UnitOfWork() as uow:
        s = uow.session
        region = org.create_jurisdiction(
            s, code="990000", name="基准自治区", level=Level.REGION, policy_key="inner_mongolia"
        )
        city = org.create_jurisdiction(s, code="990100", name="基准市", level=Level.CITY, parent_id=region.id)
        org.ensure_departments(s, region.id)
        city_depts = {d.kind: d for d in org.ensure_departments(s, city.id)}
        pw = identity.hash_password("bench1234")
        for name, kind in (("b_sw", DeptKind.SOCIAL_WORK), ("b_org", DeptKind.ORGANISATION)):
            u = identity.create_user(s, username=name, display_name=name, password_hash=pw)
            org.grant_role(s, u.id, city_depts[kind.value].id, Role.APPROVER)
        counties = []
        for i in range(n_counties):
            c = org.create_jurisdiction(
                s,
                code=f"9902{i:02d}",
                name=f"基准{i}区",
                level=Level.COUNTY,
                parent_id=city.id,
                urban_population=50_000_000,
            )
            depts = {d.kind: d for d in org.ensure_departments(s, c.id)}
            st = org.create_jurisdiction(
                s, code=f"9902{i:02d}001", name=f"基准{i}街道", level=Level.STREET, parent_id=c.id
            )
            org.create_jurisdiction(
                s,
                code=f"9902{i:02d}001001",
                name=f"基准{i}社区",
                level=Level.COMMUNITY,
                parent_id=st.id,
                urban_population=50_000_000,
                households=10_000_000,
            )
            u = identity.create_user(s, username=f"b_hr{i}", display_name=f"hr{i}", password_hash=pw)
            org.grant_role(s, u.id, depts[DeptKind.SOCIAL_WORK.value].id, Role.HR_OFFICER)
            counties.append(c.id)
        tokens = {}
        for name in ["b_sw", "b_org"] + [f"b_hr{i}" for i in range(n_counties)]:
            user = identity.authenticate(s, name, "bench1234")
            tokens[name] = identity.issue_token(s, user.user_id, "bench")
        uow.commit()
    return counties, tokens


def community_of(county_id: int) -> int:
    with UnitOfWork(readonly=True) as uow:
        return next(c.id for c in org.subtree(uow.session, county_id) if c.level == "community")
