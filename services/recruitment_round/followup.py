"""Physical exam and investigation (体检、考察) of the selected candidates, one by one: pass or fail recorded
by the round's officer; after a failed physical exam one re-test on request within the retest window
(人社部发〔2016〕140号: 7 days of the notification, its result final), a stored timer making the fail final
when the window passes unused; investigation findings. A final fail leaves the place to a refill (递补).
The order of the two steps follows the pinned profile; each step's completion is checked before the round
moves past it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from db.models.recruitment_round import Application, RecruitmentRound
from db.models.timers import Timer
from db.repos import recruitment_round as repo
from domain.actor import Actor
from domain.calendar import due_date
from domain.errors import Conflict, InvalidInput, RuleViolation, TransitionRefused
from services import calendar as calendar_service
from services import timers
from services.recruitment_round import refill, registration, rounds
from services.recruitment_round import settings as rs
from services.uow import UnitOfWork
from states.application import ApplicationMachine
from states.recruitment_round import RecruitmentRoundMachine

RETEST_WINDOW = "application.retest_window"
STEPS = ("physical_exam", "investigation")
_LABEL = {"physical_exam": "体检", "investigation": "考察"}
_COLUMNS = ["name", "physical_result", "retest_requested_at", "retest_result", "investigation_result"]
MAX_TEXT = 5000


def physical_passed(app: Any) -> bool:
    """The physical exam's final result is a pass (first exam, or the re-test)."""
    return bool(app.physical_result == "pass" or app.retest_result == "pass")


def passed(app: Any, step: str) -> bool:
    return physical_passed(app) if step == "physical_exam" else app.investigation_result == "pass"


def _steps_article(rnd: RecruitmentRound) -> str:
    return rs.article(rnd.settings, "steps") or "IM art. 8"


def _retest_article(rnd: RecruitmentRound) -> str:
    return rs.article(rnd.settings, "retest_days") or "人社部发〔2016〕140号"


def retest_due(uow: UnitOfWork, rnd: RecruitmentRound, app: Application) -> datetime:
    """The first moment after the retest window (N days of the notification, in the profile's unit)."""
    assert app.physical_notified_at is not None
    days = int(rs.value(rnd.settings, "retest_days", 7))
    unit = str(rounds.pinned(rnd).recruitment.exam.physical_retest.value.unit)
    cal = calendar_service.calendar_for(uow.session, rnd.policy_keys)
    return cal.due_at(app.physical_notified_at, days, unit)


def _open(uow: UnitOfWork, actor: Actor, app_id: int, step: str) -> tuple[Application, RecruitmentRound]:
    """The selected application, locked, in a round that has reached `step`; the officer only."""
    app = registration.load_application(uow, actor, app_id, for_update=True)
    rnd = rounds.load(uow, app.round_id)
    rounds.require_officer(actor, rnd)
    seq = rounds.sequence(rnd)
    label = _LABEL[step]
    if step not in seq:
        raise RuleViolation(f"本次招聘不设{label}环节", code="step_not_in_round", article=_steps_article(rnd))
    if rnd.status in ("closed", "cancelled") or seq.index(rnd.status) < seq.index(step):
        raise RuleViolation(f"招聘尚未进入{label}环节", code="step_not_started", article=_steps_article(rnd))
    if app.status != "selected":
        state = ApplicationMachine.status_labels()[app.status]
        raise TransitionRefused(f"报名当前为「{state}」，不在{label}人选中", code="not_in_followup")
    for other in STEPS:
        if other != step and other in seq and seq.index(other) < seq.index(step) and not passed(app, other):
            raise RuleViolation(
                f"须先完成{_LABEL[other]}且合格，才能录入{label}结果",
                code="previous_step_pending",
                article=_steps_article(rnd),
            )
    return app, rnd


def _note(text: str | None, *, required: bool, field: str, what: str) -> str:
    out = (text or "").strip()
    if required and not out:
        raise InvalidInput(f"请填写{what}", code="text_required", details={"field": field})
    if len(out) > MAX_TEXT:
        raise InvalidInput(f"{what}不能超过{MAX_TEXT}字", code="text_too_long", details={"field": field})
    return out


def _record(uow: UnitOfWork, actor: Actor | None, app: Application, action: str, **fields: Any) -> None:
    registration.audit_app(
        uow, actor, app, action=action, from_state=app.status, to_state=app.status, **fields
    )


def record_physical(uow: UnitOfWork, actor: Actor, app_id: int, passed: bool, note: str = "") -> Application:
    """体检结论, notified to the candidate now. A fail opens the re-test window (a stored timer)."""
    app, rnd = _open(uow, actor, app_id, "physical_exam")
    text = _note(note, required=not passed, field="note", what="体检不合格的项目或说明")
    if app.physical_result is not None:
        raise Conflict("该人员的体检结论已录入", code="physical_recorded")
    app.physical_result, app.physical_notified_at = ("pass" if passed else "fail"), uow.now
    app.updated_at = uow.now
    data: dict[str, Any] = {"result": app.physical_result}
    if not passed:
        due = retest_due(uow, rnd, app)
        data["retest_until"] = due_date(due).isoformat()
        timers.schedule(uow.session, RETEST_WINDOW, registration.CASE, app.id, due, now=uow.now)
    _record(uow, actor, app, "physical_exam", opinion=text or None, article=_steps_article(rnd), data=data)
    return app


def request_retest(uow: UnitOfWork, actor: Actor, app_id: int, note: str = "") -> Application:
    """The candidate asks for the one re-test, within the window after the notification."""
    app, rnd = _open(uow, actor, app_id, "physical_exam")
    article = _retest_article(rnd)
    if app.physical_result != "fail":
        raise RuleViolation(
            "只有体检结论为不合格的人员可以申请复检", code="retest_not_applicable", article=article
        )
    if app.retest_requested_at is not None:
        raise RuleViolation("复检只能申请一次", code="retest_already_requested", article=article)
    due = retest_due(uow, rnd, app)
    if uow.now >= due:
        days = rs.value(rnd.settings, "retest_days", 7)
        raise RuleViolation(
            f"复检须在接到体检结论通知之日起{days}日内申请(截止{due_date(due):%Y-%m-%d})，已逾期",
            code="retest_window_passed",
            article=article,
        )
    app.retest_requested_at, app.updated_at = uow.now, uow.now
    timers.cancel(uow.session, RETEST_WINDOW, registration.CASE, app.id, now=uow.now)
    text = _note(note, required=False, field="note", what="说明")
    _record(uow, actor, app, "request_retest", opinion=text or None, article=article)
    return app


def record_retest(uow: UnitOfWork, actor: Actor, app_id: int, passed: bool, note: str = "") -> Application:
    """The re-test's result, final (a fail ends the candidate's follow-up and refills the place)."""
    app, rnd = _open(uow, actor, app_id, "physical_exam")
    article = _retest_article(rnd)
    if app.retest_requested_at is None:
        raise RuleViolation("该人员未申请复检", code="retest_not_requested", article=article)
    if app.retest_result is not None:
        raise Conflict("复检结论已录入，复检结论为最终结论", code="retest_recorded")
    text = _note(note, required=not passed, field="note", what="复检不合格的项目或说明")
    app.retest_result, app.updated_at = ("pass" if passed else "fail"), uow.now
    _record(
        uow, actor, app, "retest", opinion=text or None, article=article, data={"result": app.retest_result}
    )
    if not passed:
        _fail(uow, actor, app, "体检复检不合格", article)
    return app


def record_investigation(
    uow: UnitOfWork, actor: Actor, app_id: int, passed: bool, findings: str
) -> Application:
    """考察结论 with its findings (political conduct, character, ability, work record, eligibility re-checked);
    a fail is final and refills the place."""
    app, rnd = _open(uow, actor, app_id, "investigation")
    text = _note(findings, required=True, field="findings", what="考察情况")
    if app.investigation_result is not None:
        raise Conflict("该人员的考察结论已录入", code="investigation_recorded")
    app.investigation_result, app.investigation_note = ("pass" if passed else "fail"), text
    app.updated_at = uow.now
    article = _steps_article(rnd)
    _record(
        uow,
        actor,
        app,
        "investigation",
        opinion=text,
        article=article,
        data={"result": app.investigation_result},
    )
    if not passed:
        _fail(uow, actor, app, "考察不合格", article)
    return app


def _fail(uow: UnitOfWork, actor: Actor | None, app: Application, reason: str, article: str) -> None:
    timers.cancel(uow.session, RETEST_WINDOW, registration.CASE, app.id, now=uow.now)
    before = registration.fire(uow, actor, app, "fail_followup", opinion=reason, article=article)
    refill.vacate(uow, actor, app, before, reason)


@timers.register(RETEST_WINDOW)
def _retest_window_passed(uow: UnitOfWork, timer: Timer) -> None:
    """No re-test asked within the window: the fail is final. Safe twice: a settled row is left alone."""
    app = repo.application(uow.session, timer.subject_id, for_update=True)
    if app is None or app.status != "selected" or app.physical_result != "fail" or app.retest_requested_at:
        return
    rnd = rounds.load(uow, app.round_id)
    _fail(uow, None, app, "体检不合格(复检申请期限内未申请复检)", _retest_article(rnd))


# --- checks before the round moves on ------------------------------------------------------------------


def open_problems(uow: UnitOfWork, rnd: RecruitmentRound, target: str) -> list[str]:
    """What keeps the round from entering `target`: every selected candidate must have passed each
    follow-up step that comes before it (a failed physical exam still open to a re-test is not done)."""
    seq = rounds.sequence(rnd)
    if target not in seq:
        return []
    steps = [s for s in STEPS if s in seq and seq.index(s) < seq.index(target)]
    if not steps:
        return []
    problems: list[str] = []
    for row in repo.rows_in_states(uow.session, rnd.id, ["selected"], _COLUMNS):
        for step in steps:
            if passed(row, step):
                continue
            if step == "physical_exam" and row.physical_result == "fail":
                what = "复检结果待定" if row.retest_requested_at else "体检不合格，复检申请期限未满"
            else:
                what = f"{_LABEL[step]}结论未录入"
            problems.append(f"{row.name}(报名#{row.id}){what}")
    if len(problems) > 20:
        problems = [*problems[:20], f"等共{len(problems)}项"]
    return problems


def _check(target: str) -> Callable[[UnitOfWork, RecruitmentRound], list[str]]:
    def check(uow: UnitOfWork, rnd: RecruitmentRound) -> list[str]:
        return open_problems(uow, rnd, target)

    check.__name__ = f"followup_done_before_{target}"
    return check


for _target in ("physical_exam", "investigation", "public_notice"):
    assert _target in RecruitmentRoundMachine.status_values()
    rounds.precondition(_target)(_check(_target))
