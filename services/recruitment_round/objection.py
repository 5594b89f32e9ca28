"""Objections (异议) to a proposed hire during its public notice. The objector gives a real name, a way to
be reached and the facts; the round's officer receives it, and it freezes only the named candidate
(raise_objection). An approver of the organising department or of the department supervising it — never
the officer who received it, nor staff recused from the candidate — resolves it: dismissed
(clear_objection, back to proposed once no other objection is open) or upheld (uphold_objection: not
hired, and the place is refilled)."""

from __future__ import annotations

from db.models.recruitment_round import Application, Objection, RecruitmentRound
from db.repos import recruitment_round as repo
from db.repos import round_followup as frepo
from domain.actor import Actor
from domain.calendar import due_date
from domain.enums import Role
from domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation, TransitionRefused
from services import org
from services.recruitment_round import notice, refill, registration, rounds, screening
from services.recruitment_round import settings as rs
from services.uow import UnitOfWork
from states.application import ApplicationMachine

ARTICLE = ApplicationMachine.event_articles.get("raise_objection", "IM art. 8")
_LIMITS = {"objector_name": ("反映人姓名", 64), "contact": ("联系方式", 64), "facts": ("异议事实", 5000)}


def _fields(objector_name: str, contact: str, facts: str) -> dict[str, str]:
    values = {"objector_name": objector_name, "contact": contact, "facts": facts}
    out = {k: (v or "").strip() for k, v in values.items()}
    missing = [k for k, v in out.items() if not v]
    if missing:
        raise InvalidInput(
            "异议须实名提出，并提供联系方式和具体事实；缺少：" + "、".join(_LIMITS[k][0] for k in missing),
            code="objection_incomplete",
            details={"fields": [{"field": k, "message": f"请填写{_LIMITS[k][0]}"} for k in missing]},
        )
    for k, v in out.items():
        label, limit = _LIMITS[k]
        if len(v) > limit:
            raise InvalidInput(f"{label}不能超过{limit}字", code="text_too_long", details={"field": k})
    return out


def file_objection(
    uow: UnitOfWork, actor: Actor, app_id: int, objector_name: str, contact: str, facts: str
) -> Objection:
    """The officer records a real-name objection with facts (by letter, phone or in person), during the
    candidate's notice period: the candidate (only this one) is frozen until it is resolved."""
    app = registration.load_application(uow, actor, app_id, for_update=True)
    rnd = rounds.load(uow, app.round_id)
    rounds.require_officer(actor, rnd)
    return _receive(uow, actor, app, rnd, _fields(objector_name, contact, facts))


def file_public_objection(
    uow: UnitOfWork, round_id: int, app_id: int, objector_name: str, contact: str, facts: str
) -> Objection:
    """A person files a real-name objection on the public notice page (no login), during the candidate's
    notice period: received at once, it freezes only the named candidate, as one the officer receives."""
    app = repo.application(uow.session, app_id, for_update=True)
    rnd = rounds.load(uow, round_id)
    if app is None or app.round_id != rnd.id or rnd.notice_published_at is None:
        raise NotFound("公示名单中没有该人员", code="not_on_notice", details={"field": "application_id"})
    return _receive(uow, None, app, rnd, _fields(objector_name, contact, facts))


def _receive(
    uow: UnitOfWork, actor: Actor | None, app: Application, rnd: RecruitmentRound, f: dict[str, str]
) -> Objection:
    if app.status not in ("proposed", "frozen"):
        state = ApplicationMachine.status_labels()[app.status]
        raise TransitionRefused(f"报名当前为「{state}」，不在公示名单中", code="not_on_notice")
    if not in_notice_period(uow, rnd, app):
        window = notice.notice_window(uow, rnd, app)
        until = f"(公示期至{due_date(window[1]):%Y年%m月%d日}止)" if window else ""
        raise RuleViolation(
            f"异议须在公示期内提出{until}",
            code="notice_period_over",
            article=rs.article(rnd.settings, "notice_days") or ARTICLE,
        )
    obj = repo.add(
        uow.session,
        Objection(
            round_id=rnd.id,
            application_id=app.id,
            objector_name=f["objector_name"],
            objector_contact=f["contact"],
            facts=f["facts"],
            status="open",
            received_by_id=actor.user_id if actor else None,
            received_at=uow.now,
        ),
    )
    data = {"objection": obj.id, "objector": f["objector_name"], "online": actor is None}
    opinion = f"反映人{f['objector_name']}在公示页面实名提出" if actor is None else None
    if app.status == "proposed":
        registration.fire(uow, actor, app, "raise_objection", opinion=opinion, data=data)
    else:  # already frozen by an earlier objection
        registration.audit_app(uow, actor, app, action="raise_objection", from_state=app.status,
                               to_state=app.status, opinion=opinion, article=ARTICLE, data=data)  # fmt: skip
    return obj


def in_notice_period(uow: UnitOfWork, rnd: RecruitmentRound, app: Application) -> bool:
    """Whether the notice that lists `app` (its supplementary one, else the round's) is running now."""
    window = notice.notice_window(uow, rnd, app)
    return window is not None and window[0] <= uow.now < window[1]


def open_to_objection(uow: UnitOfWork, round_id: int) -> set[int]:
    """The applications of a round's notice list that may be objected to now (their period running)."""
    rnd = rounds.load(uow, round_id)
    if rnd.notice_published_at is None:
        return set()
    apps = repo.applications(uow.session, rnd.id, statuses=["proposed", "frozen"])
    return {a.id for a in apps if in_notice_period(uow, rnd, a)}


def may_resolve(uow: UnitOfWork, actor: Actor, rnd: RecruitmentRound) -> bool:
    """An approver of the organising department, or of the department supervising it (the city's, as for
    the opening ratio): when the organiser's approvers must all recuse (回避), the objection still has a
    reviewer, as a review task has by 转办."""
    if actor.in_group(rnd.department_id, Role.APPROVER):
        return True
    above = org.supervising_department(uow.session, rnd.department_id)
    return above is not None and actor.in_group(above.id, Role.APPROVER)


def resolve_objection(
    uow: UnitOfWork, actor: Actor, objection_id: int, upheld: bool, opinion: str
) -> Objection:
    """核查结论 by an approver of the organising department or the one above it: upheld -> not hired (and
    refilled where the round allows); dismissed -> back on the list once no other objection to the
    candidate is open."""
    obj = repo.objection(uow.session, objection_id, for_update=True)
    if obj is None:
        raise NotFound(f"异议 {objection_id} 不存在", code="objection_not_found")
    app = registration.load_application(uow, actor, obj.application_id, for_update=True)
    rnd = rounds.load(uow, app.round_id)
    if not may_resolve(uow, actor, rnd):
        raise PermissionDenied(
            "只有招聘组织部门或其上级主管部门的审核人员可以作出异议核查结论", code="not_reviewer"
        )
    if obj.received_by_id == actor.user_id:
        raise PermissionDenied("受理异议的人员不能同时作出核查结论", code="objection_receiver")
    screening.require_not_recused(uow, actor, app)
    text = (opinion or "").strip()
    if not text:
        raise InvalidInput("请填写核查意见", code="reason_required", details={"field": "opinion"})
    if obj.status != "open":
        raise Conflict("该异议已有核查结论", code="objection_resolved")
    obj.status = "upheld" if upheld else "dismissed"
    obj.resolved_by_id, obj.resolved_at, obj.opinion = actor.user_id, uow.now, text
    uow.session.flush()
    data = {"objection": obj.id, "upheld": upheld}
    if app.status == "frozen" and upheld:
        before = registration.fire(
            uow, actor, app, "uphold_objection", opinion=text, article=ARTICLE, data=data
        )
        refill.vacate(uow, actor, app, before, "经公示异议核查不予聘用")
    elif app.status == "frozen" and frepo.open_objections(uow.session, app.id) == 0:
        registration.fire(uow, actor, app, "clear_objection", opinion=text, article=ARTICLE, data=data)
    else:  # other objections still open, or the candidate has left meanwhile: the conclusion is recorded
        registration.audit_app(uow, actor, app, action="resolve_objection", from_state=app.status,
                               to_state=app.status, opinion=text, article=ARTICLE, data=data)  # fmt: skip
    return obj


def objections(uow: UnitOfWork, actor: Actor, round_id: int) -> list[Objection]:
    """The round's objections, for its officers and reviewers."""
    rnd = rounds.load_visible(uow, actor, round_id)
    return repo.objections_of_round(uow.session, rnd.id)
