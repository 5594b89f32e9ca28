"""聘用: the street office of the post's community signs the labour contract (IM art. 12; the employer is
the pinned profile's contract.employer) once the candidate's public notice is over: a term, a probation
within the profile and the cap of 劳动合同法 art. 19 (one probation per employer), a start no longer ago
than the signing limit (劳动合同法 art. 10: within one month of starting). The contract creates the worker,
who now enters probation. A proposed hire may instead decline: the place is refilled while the round is
still open (after it closes the reserve list has lapsed)."""

from __future__ import annotations

from datetime import date, timedelta

from db.models.recruitment_round import Application, HireContract, RecruitmentRound, RoundPost
from db.models.workers import Worker
from db.repos import recruitment_round as repo
from db.repos import round_followup as frepo
from domain.actor import Actor
from domain.calendar import add_months
from domain.enums import Role
from domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation, TransitionRefused
from services import org
from services.recruitment_round import notice, refill, registration, rounds
from services.recruitment_round import settings as rs
from services.uow import UnitOfWork
from states.application import ApplicationMachine

_SIGNING_ROLES = (Role.HR_OFFICER, Role.APPROVER)


def _load(uow: UnitOfWork, app_id: int) -> tuple[Application, RecruitmentRound, RoundPost]:
    app = repo.application(uow.session, app_id, for_update=True)
    if app is None:
        raise NotFound(f"报名 {app_id} 不存在", code="application_not_found")
    post = repo.post(uow.session, app.post_id)
    assert post is not None
    return app, rounds.load(uow, app.round_id), post


def employer_of(uow: UnitOfWork, rnd: RecruitmentRound, post: RoundPost) -> int:
    """The jurisdiction that signs the contract: the post community's street (or the profile's level)."""
    employer = rounds.pinned(rnd).contract.employer
    level = str(employer.value.level)
    if level == "street" and post.street_id is not None:
        return post.street_id
    for node in org.ancestors(uow.session, post.community_id):
        if node.level == level:
            return node.id
    raise RuleViolation("未能确定签订劳动合同的单位", code="employer_unknown", article=employer.article)


def _is_employer(uow: UnitOfWork, actor: Actor, rnd: RecruitmentRound, post: RoundPost) -> bool:
    kinds = set(rounds.pinned(rnd).contract.employer.value.departments)
    employer_id = employer_of(uow, rnd, post)
    return any(
        m.jurisdiction_id == employer_id and m.department_kind in kinds and m.role in _SIGNING_ROLES
        for m in actor.memberships
    )


def _not_found_unless(allowed: bool, app_id: int) -> None:
    if not allowed:
        raise NotFound(f"报名 {app_id} 不存在", code="application_not_found")


def sign_contract(
    uow: UnitOfWork,
    actor: Actor,
    app_id: int,
    term_months: int,
    probation_months: int,
    starts_on: date,
) -> HireContract:
    """签订劳动合同 by the street office (an HR officer or approver of its street_office department)."""
    app, rnd, post = _load(uow, app_id)
    employer = rounds.pinned(rnd).contract.employer
    if not _is_employer(uow, actor, rnd, post):
        _not_found_unless(actor.oversees(rnd.jurisdiction_path), app_id)
        raise PermissionDenied(
            f"劳动合同由岗位所在{employer.value.label}签订", code="not_employer", article=employer.article
        )
    if repo.contract_of(uow.session, app.id) is not None:
        raise Conflict("该人员已签订劳动合同", code="contract_exists")
    if app.status != "proposed":
        state = ApplicationMachine.status_labels()[app.status]
        raise TransitionRefused(f"报名当前为「{state}」，不能签订劳动合同", code="not_proposed")
    window = notice.notice_window(uow, rnd, app)
    if rnd.status != "hiring" or window is None or uow.now < window[1]:
        raise RuleViolation(
            "公示期满后方可办理聘用手续",
            code="notice_not_over",
            article=rs.article(rnd.settings, "notice_days"),
        )
    if not isinstance(term_months, int) or term_months < 1:
        raise InvalidInput(
            "劳动合同期限须为正整数(月)", code="term_invalid", details={"field": "term_months"}
        )
    if not isinstance(probation_months, int) or probation_months < 0:
        raise InvalidInput(
            "试用期须为非负整数(月)", code="probation_invalid", details={"field": "probation_months"}
        )
    profile = rounds.pinned(rnd)
    rs.check_probation(profile, term_months, probation_months)
    if probation_months and _had_probation(uow, app.id_number, employer_of(uow, rnd, post)):
        raise RuleViolation(
            "同一用人单位与同一劳动者只能约定一次试用期",
            code="probation_once",
            article=profile.probation.once_per_employer.article,
        )
    limit = profile.contract.sign_within_months
    if starts_on < window[1].date():
        raise InvalidInput(
            "用工开始日期不能早于公示期满", code="starts_too_early", details={"field": "starts_on"}
        )
    if add_months(starts_on, limit.value) < uow.now.date():
        raise RuleViolation(
            f"应自用工之日起{limit.value}个月内订立书面劳动合同", code="contract_late", article=limit.article
        )
    probation_ends = add_months(starts_on, probation_months) - timedelta(days=1)
    worker = repo.add(
        uow.session,
        Worker(
            community_id=post.community_id,
            name=app.name,
            status="active",
            started_on=starts_on,
            application_id=app.id,
            id_number=app.id_number,
            probation_ends_on=probation_ends if probation_months else None,
        ),
    )
    contract = repo.add(
        uow.session,
        HireContract(
            application_id=app.id,
            round_id=rnd.id,
            worker_id=worker.id,
            employer_id=employer_of(uow, rnd, post),
            term_months=term_months,
            probation_months=probation_months,
            starts_on=starts_on,
            probation_ends_on=probation_ends,  # the day before the start when there is no probation
            ends_on=add_months(starts_on, term_months) - timedelta(days=1),
            article=f"{employer.article}；{profile.probation.caps.article}"[:200],
            signed_by_id=actor.user_id,
            signed_at=uow.now,
        ),
    )
    registration.fire(
        uow, actor, app, "hire", article=employer.article,
        data={"contract": contract.id, "worker": worker.id, "term_months": term_months,
              "probation_months": probation_months, "starts_on": starts_on.isoformat()},
    )  # fmt: skip
    return contract


def _had_probation(uow: UnitOfWork, id_number: str, employer_id: int) -> bool:
    """Whether this person already served a probation with this employer (a community of the street)."""
    earlier = [w for w in frepo.workers_by_id_number(uow.session, id_number) if w.probation_ends_on]
    parents = frepo.community_parents(uow.session, [w.community_id for w in earlier])
    return any(parents.get(w.community_id) == employer_id or w.community_id == employer_id for w in earlier)


def decline(uow: UnitOfWork, actor: Actor, app_id: int, reason: str) -> Application:
    """放弃聘用, recorded by the round's officer or the street office: not hired; the place is refilled."""
    app, rnd, post = _load(uow, app_id)
    if not (rounds.is_officer(actor, rnd) or _is_employer(uow, actor, rnd, post)):
        _not_found_unless(actor.oversees(rnd.jurisdiction_path), app_id)
        raise PermissionDenied("只有招聘经办人或岗位所在街道可以登记放弃聘用", code="not_round_officer")
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("请填写放弃聘用的情况说明", code="reason_required", details={"field": "reason"})
    before = registration.fire(uow, actor, app, "decline", opinion=text, article="IM art. 12")
    refill.vacate(uow, actor, app, before, "放弃聘用")
    return app
