"""递补: a place left by a candidate who failed the physical exam or investigation, withdrew, declined the
hire or whose objection was upheld is filled from the next in the post's ranking, where the round's
settings allow it (vacancy_refill = next_in_ranking), until the round closes (then the reserve lapses).
Every vacancy is audited on the round ('refill', or 'vacancy' when nobody fills it) and shows in the
round's public list of changes; an unresolved tie at the head of the reserve waits for the officer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from db.models.recruitment_round import Application, RecruitmentRound
from db.repos import recruitment_round as repo
from db.repos import round_followup as frepo
from domain.actor import Actor
from domain.errors import InvalidInput, NotFound, RuleViolation
from domain.ranking import RankedEntry, UnresolvedTie, VacancyRefill, next_refill
from services import audit
from services.recruitment_round import registration, rounds
from services.recruitment_round import settings as rs
from services.uow import UnitOfWork

# Application states that hold one of the post's places.
HOLDING = frozenset({"selected", "proposed", "frozen"})
# Round audit actions shown on the public page (递补、空缺、递补人员公示).
PUBLIC_ACTIONS = ("refill", "vacancy", "supplementary_notice")
_LEFT = frozenset({"followup_failed", "withdrawn", "not_hired"})


def _article(rnd: RecruitmentRound) -> str:
    return rs.article(rnd.settings, "vacancy_refill") or "招聘公告"


def vacate(
    uow: UnitOfWork, actor: Actor | None, app: Application, from_state: str, reason: str
) -> Application | None:
    """`app` has left a place (from one of HOLDING): refill it where the round allows; returns the
    application that now holds the place, or None (not refilled: recorded as a vacancy)."""
    if from_state not in HOLDING:
        return None
    rnd = rounds.load(uow, app.round_id)
    if rnd.status in ("closed", "cancelled"):
        return None
    post = repo.post(uow.session, app.post_id)
    assert post is not None
    base = {"post": post.code, "vacated": app.id, "vacated_name": app.name, "from_state": from_state}
    policy = VacancyRefill(rs.value(rnd.settings, "vacancy_refill", "none"))
    if policy is VacancyRefill.NONE:
        _vacancy(uow, actor, rnd, f"{post.code}岗位{app.name}{reason}；本次招聘不递补，该岗位空缺", base)
        return None
    reserve = frepo.reserve_of_post(uow.session, app.post_id)
    by_id = {a.id: a for a in reserve}
    ranking = [
        RankedEntry(
            a.id, a.post_id, int(a.rank or 0), a.total_score or Decimal(0), a.written_score,
            a.interview_score or Decimal(0), a.bonus or Decimal(0),
        )
        for a in reserve
    ]  # fmt: skip
    try:
        chosen = next_refill(ranking, (), policy)
    except UnresolvedTie as tie:
        rounds.audit_round(
            uow, actor, rnd, action="refill_tie", article=_article(rnd), opinion=tie.message,
            data={**base, "tied": tie.details.get("application_ids", [])},
        )  # fmt: skip
        return None
    if chosen is None:
        _vacancy(uow, actor, rnd, f"{post.code}岗位{app.name}{reason}；已无递补人选，该岗位空缺", base)
        return None
    return _fill(uow, actor, rnd, app, by_id[chosen], reason, post.code)


def _vacancy(
    uow: UnitOfWork, actor: Actor | None, rnd: RecruitmentRound, text: str, data: dict[str, object]
) -> None:
    rounds.audit_round(uow, actor, rnd, action="vacancy", article=_article(rnd), opinion=text, data=data)


def _fill(
    uow: UnitOfWork,
    actor: Actor | None,
    rnd: RecruitmentRound,
    vacated: Application,
    chosen: Application,
    reason: str,
    post_code: str,
) -> Application:
    chosen.refill_for_id = vacated.id
    registration.fire(
        uow, actor, chosen, "refill", article=_article(rnd), opinion=f"递补{vacated.name}({reason})",
        data={"vacated": vacated.id},
    )  # fmt: skip
    rounds.audit_round(
        uow,
        actor,
        rnd,
        action="refill",
        article=_article(rnd),
        opinion=f"{post_code}岗位{vacated.name}{reason}，由{chosen.name}(岗位排名第{chosen.rank}名)递补",
        data={
            "post": post_code,
            "vacated": vacated.id,
            "vacated_name": vacated.name,
            "filled": chosen.id,
            "filled_name": chosen.name,
            "rank": chosen.rank,
        },
    )
    return chosen


def choose_refill(
    uow: UnitOfWork, actor: Actor, vacated_id: int, chosen_id: int, opinion: str
) -> Application:
    """The officer settles a tie at the head of a post's reserve (经研究确定): `chosen_id` fills the place
    `vacated_id` left."""
    vacated = registration.load_application(uow, actor, vacated_id, for_update=True)
    rnd = rounds.load(uow, vacated.round_id)
    rounds.require_officer(actor, rnd)
    text = (opinion or "").strip()
    if not text:
        raise InvalidInput(
            "请填写确定递补人选的研究意见", code="reason_required", details={"field": "opinion"}
        )
    if rnd.status in ("closed", "cancelled"):
        raise RuleViolation("招聘已结束，递补人选名单失效", code="round_closed", article=_article(rnd))
    if vacated.status not in _LEFT or frepo.refilled_by(uow.session, vacated.id) is not None:
        raise RuleViolation("该报名没有待递补的空缺", code="no_vacancy", article=_article(rnd))
    if rs.value(rnd.settings, "vacancy_refill", "none") != VacancyRefill.NEXT_IN_RANKING:
        raise RuleViolation("本次招聘不递补", code="refill_not_allowed", article=_article(rnd))
    reserve = frepo.reserve_of_post(uow.session, vacated.post_id)
    head = [a for a in reserve if a.rank == reserve[0].rank] if reserve else []
    chosen = next((a for a in head if a.id == chosen_id), None)
    if chosen is None:
        raise NotFound("所选人员不是该岗位排名最前的递补人选", code="not_next_in_ranking")
    post = repo.post(uow.session, vacated.post_id)
    assert post is not None
    return _fill(uow, actor, rnd, vacated, chosen, f"出现空缺，经研究确定：{text}", post.code)


def return_surplus(uow: UnitOfWork, actor: Actor, app_id: int, opinion: str) -> Application:
    """With a follow-up ratio above 1:1 more candidates may pass than the post has places: the officer
    returns the extras (lowest ranked, by their decision) to the reserve before the notice."""
    app = registration.load_application(uow, actor, app_id, for_update=True)
    rnd = rounds.load(uow, app.round_id)
    rounds.require_officer(actor, rnd)
    text = (opinion or "").strip()
    if not text:
        raise InvalidInput("请填写退回递补名单的理由", code="reason_required", details={"field": "opinion"})
    post = repo.post(uow.session, app.post_id)
    assert post is not None
    selected = repo.count_applications(uow.session, rnd.id, post_id=post.id, statuses=["selected"])
    if app.status != "selected" or selected <= post.posts:
        raise RuleViolation(
            f"{post.code}岗位体检考察人选未多于招聘人数{post.posts}名，不能退回递补名单",
            code="no_surplus",
            article=_article(rnd),
        )
    registration.fire(uow, actor, app, "return_to_reserve", opinion=text, article=_article(rnd))
    return app


@registration.after_leave
def _after_withdrawal(uow: UnitOfWork, actor: Actor | None, app: Application, from_state: str) -> None:
    vacate(uow, actor, app, from_state, "放弃")


@dataclass(frozen=True)
class Change:
    """One entry of a round's public list of changes (递补、空缺)."""

    at: datetime
    kind: str  # refill | vacancy
    text: str
    post: str
    article: str | None


def changes(uow: UnitOfWork, round_id: int) -> list[Change]:
    """The refills and vacancies of a published round, oldest first, for its public page."""
    rnd = rounds.load(uow, round_id)
    if rnd.published_at is None:
        raise NotFound(f"招聘 {round_id} 不存在", code="round_not_found")
    return [
        Change(e.at, e.action, e.opinion or "", str((e.data or {}).get("post", "")), e.article)
        for e in audit.history(uow.session, rounds.CASE, rnd.id)
        if e.action in PUBLIC_ACTIONS
    ]
