"""Ending a round: cancellation at any step with a reason (its open tasks and timers cancelled), and close
once every proposed hire is settled, the reserve list lapsing with it."""

from __future__ import annotations

from db.models.recruitment_round import RecruitmentRound
from db.repos import recruitment_round as repo
from domain.actor import Actor
from domain.errors import InvalidInput, RuleViolation
from services import audit, tasks, timers
from services.recruitment_round.rounds import CASE, fire, load_visible, require_officer
from services.uow import UnitOfWork
from states.application import ApplicationMachine


def cancel(uow: UnitOfWork, actor: Actor, round_id: int, reason: str) -> RecruitmentRound:
    """取消招聘 at any step, with a reason: open review tasks and timers of the round are cancelled."""
    rnd = load_visible(uow, actor, round_id, for_update=True)
    require_officer(actor, rnd)
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("请填写取消招聘的理由", code="reason_required", details={"field": "reason"})
    fire(uow, actor, rnd, "cancel", opinion=text)
    rnd.cancel_reason = text
    rnd.closed_at = uow.now
    timers.cancel_for_subject(uow.session, CASE, rnd.id, now=uow.now)
    tasks.cancel_case(uow, CASE, rnd.id, actor, f"招聘取消：{text}")
    for app_id in repo.ids_in_states(uow.session, rnd.id, ["pending_review"]):
        tasks.cancel_case(uow, "application", app_id, actor, f"招聘取消：{text}")
    for post in repo.posts_of(uow.session, rnd.id):  # opening-ratio approvals still open
        tasks.cancel_case(uow, "round_post", post.id, actor, f"招聘取消：{text}")
    return rnd


def close(uow: UnitOfWork, actor: Actor, round_id: int) -> RecruitmentRound:
    """招聘结束: every proposed hire has signed or been settled; the reserve list lapses."""
    rnd = load_visible(uow, actor, round_id, for_update=True)
    require_officer(actor, rnd)
    pending = repo.count_applications(uow.session, rnd.id, statuses=["proposed", "frozen", "selected"])
    if pending:
        raise RuleViolation(
            f"还有{pending}名拟聘用人员未办结聘用手续", code="hires_pending", article="IM art. 12"
        )
    fire(uow, actor, rnd, "close")
    rnd.closed_at = uow.now
    _lapse_reserve(uow, actor, rnd)
    return rnd


def _lapse_reserve(uow: UnitOfWork, actor: Actor, rnd: RecruitmentRound) -> None:
    """With the round closed the reserve list lapses (no more 递补): set-wise, audited per application."""
    ids = repo.ids_in_states(uow.session, rnd.id, ["reserve"])
    if not ids:
        return
    target = dict(ApplicationMachine.transition_table()["eliminate"])["reserve"]
    repo.move_many(uow.session, [{"id": i, "status": target} for i in ids], sources=["reserve"], now=uow.now)
    audit.record_many(
        uow.session,
        uow.now,
        [
            audit.AuditDraft(
                actor=actor,
                subject_type="application",
                subject_id=i,
                action="eliminate",
                from_state="reserve",
                to_state=target,
                opinion="招聘结束，递补人选名单失效",
                article="OR art. 8",
            )
            for i in ids
        ],
    )
    repo.expire_applications(uow.session)
