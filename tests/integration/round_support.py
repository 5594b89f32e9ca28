"""Shared steps of the recruitment-round tests: an approved plan, a published round, valid ID numbers,
applications put straight into a given state (for tests of later steps)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.actor import Actor
from domain.recruitment_plan import PlanDraft
from services import org, tasks
from services import recruitment_plan as plans
from services.recruitment_plan import views
from services.recruitment_round import rounds
from services.uow import UnitOfWork

GetActor = Callable[[str], Actor]
HUIMIN = "150103"  # 回民区, Hohhot (Inner Mongolia profile)
ORDOS_DONGSHENG = "150602"  # 东胜区, Ordos (Ordos profile: household registration, 3-month probation)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def make_id(birth: date, *, area: str = "150103", seq: int = 1, male: bool = True) -> str:
    """A valid 18-digit resident ID number (checksum per GB 11643) for a birth date."""
    order = seq * 2 + (1 if male else 0)
    body = f"{area}{birth:%Y%m%d}{order % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + _CHECK[total % 11]


def approved_plan(
    actor: GetActor, *, officer: str = "hm_hr", code: str = HUIMIN, posts: int = 2, communities: int = 2
) -> int:
    """A plan drafted, submitted and approved along its chain (every open step approved by its group)."""
    hr = actor(officer)
    with UnitOfWork(readonly=True) as uow:
        j = org.jurisdiction_by_code(uow.session, code)
        ctx = views.draft_context(uow, hr, j.id)
        ids = [c.id for c in ctx.communities]  # type: ignore[attr-defined]
    draft = PlanDraft(
        jurisdiction_id=j.id,
        title="2026年社区专职工作人员招聘",
        year=2026,
        posts=[{"community_id": c, "posts": posts} for c in ids[:communities]],
    )
    with UnitOfWork() as uow:
        plan = plans.create_draft(uow, hr, draft)
        plans.submit(uow, hr, plan.id)
        uow.commit()
        plan_id = plan.id
    approvers = [actor(u) for u in ("hhht_sw", "hhht_org", "ordos_sw", "ordos_org", "nmg_sw")]
    for _ in range(5):
        with UnitOfWork(readonly=True) as uow:
            if plans.load(uow, plan_id).status == "approved":
                return plan_id
        for a in approvers:
            with UnitOfWork(readonly=True) as uow:
                mine = [
                    t
                    for t in tasks.inbox(uow, a).tasks
                    if t.case_id == plan_id and t.case_type == "recruitment_plan"
                ]
            for t in mine:
                with UnitOfWork() as uow:
                    decision = "acknowledge" if t.kind == "filing" else "approve"
                    tasks.complete(uow, a, t.id, decision, "同意")
                    uow.commit()
    raise AssertionError("plan was not approved")


def published_round(
    actor: GetActor,
    now: datetime,
    *,
    officer: str = "hm_hr",
    code: str = HUIMIN,
    posts: int = 2,
    communities: int = 2,
    days: int = 10,
    settings: dict[str, Any] | None = None,
    track: str = "open_exam",
) -> int:
    """A round created from an approved plan, its registration open from `now` for `days` days."""
    plan_id = approved_plan(actor, officer=officer, code=code, posts=posts, communities=communities)
    hr = actor(officer)
    with UnitOfWork() as uow:
        rnd = rounds.create_from_plan(uow, hr, plan_id, track=track)
        rounds.update_setup(
            uow,
            hr,
            rnd.id,
            rounds.RoundSetup(
                title=rnd.title,
                announcement="根据《内蒙古自治区城市社区工作者管理办法》，现公开招聘社区工作者。",
                registration_opens_at=now,
                registration_closes_at=now + timedelta(days=days),
                settings=settings or {},
            ),
        )
        rounds.publish(uow, hr, rnd.id)
        uow.commit()
        return rnd.id


def put_applications(round_id: int, rows: Sequence[dict[str, Any]], *, now: datetime) -> list[int]:
    """Insert applications directly (status and scores as given) for tests of later steps. Each row needs
    at least post_code; defaults make a valid 30-year-old bachelor."""
    from db.repos import recruitment_round as repo

    with UnitOfWork() as uow:
        posts = {p.code: p.id for p in repo.posts_of(uow.session, round_id)}
        for i, r in enumerate(rows, start=1):
            row = dict(r)
            birth = row.pop("birth", date(1995, 1, 1) + timedelta(days=i))
            values = {
                "round_id": round_id,
                "post_id": posts[row.pop("post_code", "01")],
                "status": row.pop("status", "qualified"),
                "source": "import",
                "name": row.pop("name", f"应聘人{i:05d}"),
                "id_number": row.pop("id_number", make_id(birth, seq=i)),
                "sex": "male",
                "birth_date": birth,
                "phone": row.pop("phone", f"138{i:08d}"),
                "education": row.pop("education", "bachelor"),
                "created_at": now,
                "updated_at": now,
                "version": 1,
                "flags": row.pop("flags", []),
                "missing": [],
                "returns_count": 0,
                "written_absent": False,
                "interview_absent": False,
                "rank_note": "",
                "investigation_note": "",
            }
            for k in ("written_score", "interview_score", "total_score", "bonus"):
                if k in row and row[k] is not None:
                    row[k] = Decimal(str(row[k]))
            values.update(row)
            repo.insert_applications(uow.session, [values])
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        out = [a.id for a in repo.applications(uow.session, round_id)]
    return out
