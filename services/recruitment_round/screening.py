"""Qualification screening (资格审查) of a round's applications by its pinned profile, set-wise: every
verdict cites its article; a clear pass or fail moves the application at once, a doubtful one becomes a
review task for the organising department's approvers, who pass, fail, or return it once with the complete
list of what is missing (一次性告知). Related staff (回避) are recorded and may not review."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from db.models.recruitment_round import Application, RecruitmentRound, StaffRecusal
from db.models.tasks import TaskGroup
from db.repos import recruitment_round as repo
from db.repos import tasks as task_repo
from domain.actor import Actor
from domain.applicant import PostFacts, Registration, Relation, Relative
from domain.eligibility import Outcome, Verdict, screen, screen_many
from domain.enums import Role
from domain.errors import InvalidInput, PermissionDenied, RuleViolation
from policies.screening import rules_from_profile
from services import audit, tasks
from services.recruitment_round import settings as rs
from services.recruitment_round.registration import CASE, fire, load_application
from services.recruitment_round.rounds import load, pinned
from services.tasks.opening import open_steps
from services.tasks.types import CaseRef, ReturnTo, StepDepartment, StepSpec
from services.tasks.types import Outcome as TaskOutcome
from services.uow import UnitOfWork

_COLUMNS = [
    "name", "id_number", "phone", "education", "major", "school", "household_code", "household_place",
    "relaxation_group", "street_recommended", "priority_groups", "declared_disqualifications", "relatives",
    "service_programme", "service_programme_passed", "note", "post_id",
]  # fmt: skip
EVENT_OF = {Outcome.PASS: "screen_pass", Outcome.FAIL: "screen_fail", Outcome.DOUBTFUL: "screen_doubt"}
TARGET_OF = {Outcome.PASS: "qualified", Outcome.FAIL: "rejected", Outcome.DOUBTFUL: "pending_review"}
REVIEW_KEY = "application_review"  # session.info key: the reviewer's exact decision for the handler

Progress = Callable[[int, int], None]


def deadline_of(rnd: RecruitmentRound) -> date:
    """The registration deadline day (ages are counted on it): the last day the window was open; after a
    supplementary announcement extended the window, still the day first announced (settings
    'conditions_as_of'), so that nobody who registered stops qualifying because of the extension."""
    assert rnd.registration_closes_at is not None
    last_open = (rnd.registration_closes_at - timedelta(microseconds=1)).date()
    announced = rs.value(rnd.settings, "conditions_as_of")
    return min(last_open, date.fromisoformat(announced)) if announced else last_open


def _registration(row: Any) -> Registration:
    return Registration(
        name=row.name,
        id_number=row.id_number,
        phone=row.phone,
        education=row.education,
        major=row.major,
        school=row.school,
        household_code=row.household_code,
        household_place=row.household_place,
        relaxation_group=row.relaxation_group,
        street_recommended=row.street_recommended,
        priority_groups=tuple(row.priority_groups or ()),
        declared_disqualifications=tuple(row.declared_disqualifications or ()),
        relatives=tuple(
            Relative(r["name"], Relation(r["relation"]), r.get("workplace_code", ""), r.get("position", ""))
            for r in (row.relatives or [])
        ),
        service_programme=row.service_programme,
        service_programme_passed=row.service_programme_passed,
        note=row.note,
    )


def _post_facts(uow: UnitOfWork, rnd: RecruitmentRound) -> dict[int, PostFacts]:
    places = repo.post_places(uow.session, rnd.id)
    return {
        p.id: PostFacts(
            post_id=p.id,
            community_code=places[p.id][0],
            street_code=places[p.id][2],
            max_age=p.max_age,
            min_education=p.min_education,
        )
        for p in repo.posts_of(uow.session, rnd.id)
    }


def _verdict_json(v: Verdict) -> dict[str, Any]:
    return {
        "outcome": str(v.outcome),
        "age": v.age,
        "reasons": [
            {"code": r.code, "message": r.message, "article": r.article, "outcome": str(r.outcome)}
            for r in v.reasons
        ],
        "notes": [{"code": r.code, "message": r.message, "article": r.article} for r in v.notes],
    }


def _flags(v: Verdict) -> list[str]:
    return [*v.priority_groups, *(f"relaxed:{x}" for x in v.relaxation_applied)]


def screen_round(
    uow: UnitOfWork, actor: Actor | None, round_id: int, *, progress: Progress | None = None
) -> dict[str, int]:
    """Screen every registered application of a round in qualification review, set-wise (one UPDATE per
    outcome, one bulk audit insert); doubtful ones become review tasks. Safe to run twice: only rows still
    'registered' are screened."""
    rnd = load(uow, round_id, for_update=True)
    if rnd.status != "qualification_review":
        raise RuleViolation("只能在资格审查环节进行资格初审", code="not_in_review_step", article="IM art. 8")
    rows = repo.rows_in_states(uow.session, rnd.id, ["registered"], _COLUMNS)
    posts = _post_facts(uow, rnd)
    rules = rules_from_profile(pinned(rnd), rs.value(rnd.settings, "household_scope_codes", []))
    deadline = deadline_of(rnd)
    verdicts = screen_many(((_registration(r), posts[r.post_id]) for r in rows), rules, deadline)
    if progress:
        progress(len(rows) // 2, len(rows))
    updates: dict[Outcome, list[dict[str, Any]]] = {o: [] for o in Outcome}
    drafts: list[audit.AuditDraft] = []
    for row, v in zip(rows, verdicts, strict=True):
        updates[v.outcome].append(
            {"id": row.id, "status": TARGET_OF[v.outcome], "verdict": _verdict_json(v), "flags": _flags(v)}
        )
        drafts.append(
            audit.AuditDraft(
                actor=actor,
                subject_type=CASE,
                subject_id=row.id,
                action=EVENT_OF[v.outcome],
                from_state="registered",
                to_state=TARGET_OF[v.outcome],
                article=v.articles[0] if v.articles else "IM art. 9",
                opinion="；".join(r.message for r in v.reasons) or None,
            )
        )
    for items in updates.values():
        repo.move_many(uow.session, items, sources=["registered"], now=uow.now)
    _match_staff_recusals(uow, rnd, [(row.id, v) for row, v in zip(rows, verdicts, strict=True)])
    audit.record_many(uow.session, uow.now, drafts)
    repo.expire_applications(uow.session)
    doubtful = [u["id"] for u in updates[Outcome.DOUBTFUL]]
    _open_reviews(uow, actor, rnd, doubtful)
    summary = {"screened": len(rows), **{TARGET_OF[o]: len(updates[o]) for o in Outcome}}
    audit.record(
        uow.session, uow.now, actor=actor, subject_type="recruitment_round", subject_id=rnd.id,
        action="screen", article="IM art. 9", data=summary,
    )  # fmt: skip
    if progress:
        progress(len(rows), len(rows))
    return summary


def screen_one(uow: UnitOfWork, rnd: RecruitmentRound, app: Application) -> Verdict:
    """The same screening for one application (after a correction was resubmitted)."""
    rules = rules_from_profile(pinned(rnd), rs.value(rnd.settings, "household_scope_codes", []))
    v = screen(_registration(app), None, _post_facts(uow, rnd)[app.post_id], rules, deadline_of(rnd))
    app.verdict, app.flags = _verdict_json(v), _flags(v)
    fire(uow, None, app, EVENT_OF[v.outcome], article=v.articles[0] if v.articles else "IM art. 9",
         opinion="；".join(r.message for r in v.reasons) or None)  # fmt: skip
    _match_staff_recusals(uow, rnd, [(app.id, v)])
    if v.outcome is Outcome.DOUBTFUL:
        _open_reviews(uow, None, rnd, [app.id])
    return v


def _match_staff_recusals(
    uow: UnitOfWork, rnd: RecruitmentRound, verdicts: Sequence[tuple[int, Verdict]]
) -> None:
    """Staff named as relatives (same name, working in the named unit) are barred from the application."""
    wanted = {(r.name, r.workplace_code): r for _, v in verdicts for r in v.staff_recusal}
    if not wanted:
        return
    users = repo.users_named_at(uow.session, list(wanted))
    existing = {(r.application_id, r.user_id) for r in repo.recusals_of_round(uow.session, rnd.id)}
    rows = []
    for app_id, v in verdicts:
        for rel in v.staff_recusal:
            for user_id in users.get((rel.name, rel.workplace_code), ()):
                if (app_id, user_id) not in existing:
                    existing.add((app_id, user_id))
                    rows.append(StaffRecusal(round_id=rnd.id, application_id=app_id, user_id=user_id,
                                             source="applicant", relation=str(rel.relation), created_at=uow.now))  # fmt: skip
    repo.add_all(uow.session, rows)


def review_spec(rnd: RecruitmentRound) -> StepSpec:
    return StepSpec(
        index=0,
        key="qualification_review",
        label="资格审查(人工审核)",
        kind="review",
        departments=(StepDepartment(rnd.department_id, "招聘组织部门"),),
        due_working_days=int(rs.value(rnd.settings, "review_due_working_days", 3)),
        article="IM art. 8",
    )


def _open_reviews(
    uow: UnitOfWork, actor: Actor | None, rnd: RecruitmentRound, app_ids: Sequence[int]
) -> None:
    """One review task per doubtful application, opened set-wise (the rows `tasks.open_step` writes)."""
    open_steps(uow, [_ref(rnd, app_id) for app_id in app_ids], review_spec(rnd), actor)


def _ref(rnd: RecruitmentRound, app_id: int) -> CaseRef:
    return CaseRef(
        case_type=CASE,
        case_id=app_id,
        title=f"{rnd.title} 报名#{app_id}",
        path=rnd.jurisdiction_path,
        calendar_keys=tuple(rnd.policy_keys),
        remind_before_working_days=(1,),
        escalate_after_working_days=2,
    )


def case_ref(uow: UnitOfWork, app_id: int) -> CaseRef:
    app = repo.application(uow.session, app_id)
    assert app is not None
    return _ref(load(uow, app.round_id), app_id)


def require_not_recused(uow: UnitOfWork, actor: Actor, app: Application) -> None:
    if actor.user_id in repo.recused_users(uow.session, app.id):
        rnd = load(uow, app.round_id)
        recusal = pinned(rnd).recruitment.conditions.recusal
        raise PermissionDenied(
            "您与该应聘人员有亲属关系，应当回避，不能审核或评分",
            code="recused",
            details={"article": recusal.article if recusal else "事业单位公开招聘人员暂行规定 art. 27"},
        )


def declare_recusal(uow: UnitOfWork, actor: Actor, app_id: int, relation: str) -> None:
    """A member of staff declares a relation to an applicant: they are barred from it from now on."""
    app = load_application(uow, actor, app_id)
    try:
        rel = Relation(relation)
    except ValueError:
        raise InvalidInput("亲属关系无效", code="relation_invalid", details={"field": "relation"}) from None
    if actor.user_id in repo.recused_users(uow.session, app.id):
        return
    repo.add_all(uow.session, [StaffRecusal(round_id=app.round_id, application_id=app.id, user_id=actor.user_id,
                                            source="staff", relation=rel.value, created_at=uow.now)])  # fmt: skip
    audit.record(uow.session, uow.now, actor=actor, subject_type=CASE, subject_id=app.id, action="declare_recusal",
                 article="事业单位公开招聘人员暂行规定 art. 27", data={"relation": rel.value})  # fmt: skip


DECISIONS = ("pass", "fail", "return")


def review(
    uow: UnitOfWork,
    actor: Actor,
    app_id: int,
    decision: str,
    opinion: str | None,
    missing: Sequence[str] = (),
) -> Application:
    """A reviewer (an approver of the organising department, or the holder of the review task after 转办)
    decides a doubtful application: pass, fail (with reasons), or return it ONCE with the complete list of
    what is missing (一次性告知)."""
    app = load_application(uow, actor, app_id, for_update=True)
    if decision not in DECISIONS:
        raise InvalidInput("审核结论只能是通过、不通过或退回补正", code="invalid_decision")
    rnd = load(uow, app.round_id)
    open_tasks = [
        t
        for t in task_repo.tasks_of_case(uow.session, CASE, app.id)
        if t.status in ("open", "claimed", "delegated")
    ]
    # the organiser's approvers, or whoever holds the review task now (转办, e.g. when they must recuse)
    if not actor.in_group(rnd.department_id, Role.APPROVER) and not any(
        "complete" in tasks.actions_for(actor, t) for t in open_tasks
    ):
        raise PermissionDenied("只有招聘组织部门的审核人员可以审核报名", code="not_reviewer")
    require_not_recused(uow, actor, app)
    items = [m.strip() for m in missing if m and m.strip()]
    if decision == "return" and not items:
        raise InvalidInput(
            "退回补正须一次性列明需补正的全部材料或事项",
            code="missing_list_required",
            details={"field": "missing"},
        )
    if decision == "fail" and not (opinion or "").strip():
        raise InvalidInput("审核不通过须说明理由", code="reason_required", details={"field": "opinion"})
    if app.status != "pending_review" or not open_tasks:
        raise RuleViolation("该报名不在待人工审核状态", code="not_pending_review", article="IM art. 8")
    uow.session.info[REVIEW_KEY] = (decision, items)
    text = (opinion or "").strip() or ("；".join(items) if decision == "return" else "审核通过")
    tasks.complete(uow, actor, open_tasks[0].id, "approve" if decision == "pass" else "return", text)
    return app


def on_review_decided(
    uow: UnitOfWork,
    group: TaskGroup,
    outcome: TaskOutcome,
    actor: Actor,
    opinion: str | None,
    return_to: ReturnTo,
) -> None:
    """The review task was completed (from the application page, or the generic task page: approve passes,
    return returns for correction with the opinion's lines as the list)."""
    decision, items = uow.session.info.pop(REVIEW_KEY, (None, []))
    app = repo.application(uow.session, group.case_id, for_update=True)
    assert app is not None
    require_not_recused(uow, actor, app)
    if decision is None:
        decision = "pass" if outcome == "approved" else "return"
        items = [line.strip() for line in (opinion or "").splitlines() if line.strip()]
    if decision == "pass":
        fire(uow, actor, app, "review_pass", opinion=opinion)
    elif decision == "fail":
        fire(uow, actor, app, "review_fail", opinion=opinion)
    else:
        if app.returns_count >= 1:
            raise RuleViolation(
                "该报名已退回补正过一次，不能再次退回，请作出通过或不通过的结论",
                code="already_returned",
                article="IM art. 8",
            )
        fire(
            uow,
            actor,
            app,
            "review_return",
            returns_so_far=app.returns_count,
            opinion=opinion,
            data={"missing": items},
        )
        app.returns_count += 1
        app.missing = items


tasks.register_case(CASE, on_review_decided, case_ref)
