"""SQL for recruitment plans: loading, posts, the staffing figures quotas are checked against, the
visible list and the dashboard's counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from db.models.org import Jurisdiction
from db.models.recruitment_plan import RecruitmentPlan, RecruitmentPlanPost
from db.models.tasks import Task
from db.models.workers import Worker
from db.repos.by_pk import ByPk

# Plans whose posts count against the quota: under review or approved.
LIVE = ("in_review", "approved")


_PLAN = ByPk(RecruitmentPlan)
_PLAN_WITHOUT_PROFILE = ByPk(RecruitmentPlan, deferred=("profile",))


def get(
    session: Session, plan_id: int, *, for_update: bool = False, with_profile: bool = True
) -> RecruitmentPlan | None:
    """The plan; `for_update` locks its row on PostgreSQL (on SQLite the write transaction is the lock, and
    the identity map may answer). `with_profile=False` leaves its pinned profile (tens of kB of JSON)
    unread until used — for use cases that only need the profile's parsed form, cached by fingerprint,
    and that do not let the plan outlive their unit of work."""
    by_pk = _PLAN if with_profile else _PLAN_WITHOUT_PROFILE
    return by_pk.get(session, plan_id, for_update=for_update)


def add(session: Session, plan: RecruitmentPlan) -> RecruitmentPlan:
    session.add(plan)
    session.flush()
    return plan


def posts_of(session: Session, plan_id: int) -> list[RecruitmentPlanPost]:
    stmt = (
        select(RecruitmentPlanPost)
        .where(RecruitmentPlanPost.plan_id == plan_id)
        .order_by(RecruitmentPlanPost.id)
    )
    return list(session.scalars(stmt))


def replace_posts(session: Session, plan_id: int, posts: Sequence[RecruitmentPlanPost]) -> None:
    for old in posts_of(session, plan_id):
        session.delete(old)
    session.flush()
    for p in posts:
        p.plan_id = plan_id
        session.add(p)
    session.flush()


def communities_under(session: Session, path: str) -> list[Jurisdiction]:
    stmt = (
        select(Jurisdiction)
        .where(Jurisdiction.path.startswith(path), Jurisdiction.level == "community")
        .order_by(Jurisdiction.path)
    )
    return list(session.scalars(stmt))


def staffed_by_community(session: Session, community_ids: Iterable[int]) -> dict[int, int]:
    ids = list(community_ids)
    if not ids:
        return {}
    stmt = (
        select(Worker.community_id, func.count())
        .where(Worker.community_id.in_(ids), Worker.status == "active")
        .group_by(Worker.community_id)
    )
    return {cid: int(n) for cid, n in session.execute(stmt)}


def pending_by_community(
    session: Session, community_ids: Iterable[int], *, exclude_plan_id: int | None = None
) -> dict[int, int]:
    """Posts already asked for by live plans (under review or approved), per community."""
    ids = list(community_ids)
    if not ids:
        return {}
    conds: list[ColumnElement[bool]] = [
        RecruitmentPlanPost.community_id.in_(ids),
        RecruitmentPlan.status.in_(LIVE),
    ]
    if exclude_plan_id is not None:
        conds.append(RecruitmentPlan.id != exclude_plan_id)
    stmt = (
        select(RecruitmentPlanPost.community_id, func.sum(RecruitmentPlanPost.posts))
        .join(RecruitmentPlan, RecruitmentPlan.id == RecruitmentPlanPost.plan_id)
        .where(*conds)
        .group_by(RecruitmentPlanPost.community_id)
    )
    return {cid: int(n or 0) for cid, n in session.execute(stmt)}


@dataclass(frozen=True)
class PlanListFilter:
    scope_paths: Sequence[str]  # jurisdictions the actor oversees
    department_ids: Sequence[int]  # departments that had a task on a plan may see it
    status: str | None = None
    year: int | None = None
    q: str | None = None
    limit: int = 100
    offset: int = 0


def _visible(f: PlanListFilter) -> ColumnElement[bool]:
    conds: list[ColumnElement[bool]] = [
        RecruitmentPlan.jurisdiction_path.startswith(p) for p in f.scope_paths
    ]
    if f.department_ids:
        via_tasks = select(Task.case_id).where(
            Task.case_type == "recruitment_plan",
            or_(
                Task.candidate_department_id.in_(list(f.department_ids)),
                Task.escalated_to_department_id.in_(list(f.department_ids)),
            ),
        )
        conds.append(RecruitmentPlan.id.in_(via_tasks))
    return or_(*conds) if conds else RecruitmentPlan.id < 0


def list_visible(session: Session, f: PlanListFilter) -> tuple[list[tuple[RecruitmentPlan, str]], int]:
    conds = [_visible(f)]
    if f.status:
        conds.append(RecruitmentPlan.status == f.status)
    if f.year:
        conds.append(RecruitmentPlan.year == f.year)
    if f.q:
        conds.append(RecruitmentPlan.title.like(f"%{f.q}%"))
    total = int(session.scalar(select(func.count()).select_from(RecruitmentPlan).where(*conds)) or 0)
    stmt = (
        select(RecruitmentPlan, Jurisdiction.name)
        .join(Jurisdiction, Jurisdiction.id == RecruitmentPlan.jurisdiction_id)
        .where(*conds)
        .order_by(RecruitmentPlan.updated_at.desc(), RecruitmentPlan.id.desc())
        .limit(f.limit)
        .offset(f.offset)
    )
    return [(p, name) for p, name in session.execute(stmt)], total


def is_visible(session: Session, plan_id: int, f: PlanListFilter) -> bool:
    stmt = select(RecruitmentPlan.id).where(RecruitmentPlan.id == plan_id, _visible(f))
    return session.scalar(stmt) is not None


def counts_by_stage(session: Session, scope_paths: Sequence[str]) -> list[tuple[int, str, str, str, int]]:
    """(jurisdiction id, name, path, status, count) for the dashboard, within the actor's scope."""
    if not scope_paths:
        return []
    stmt = (
        select(Jurisdiction.id, Jurisdiction.name, Jurisdiction.path, RecruitmentPlan.status, func.count())
        .join(Jurisdiction, Jurisdiction.id == RecruitmentPlan.jurisdiction_id)
        .where(or_(*[RecruitmentPlan.jurisdiction_path.startswith(p) for p in scope_paths]))
        .group_by(Jurisdiction.id, Jurisdiction.name, Jurisdiction.path, RecruitmentPlan.status)
        .order_by(Jurisdiction.path)
    )
    return [(a, b, c, d, int(e)) for a, b, c, d, e in session.execute(stmt)]
