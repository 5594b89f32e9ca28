"""Registration (报名): the public form (no login: the applicant is known by ID number and phone), the
officer's Excel import (whole file or nothing), edits until the window closes, corrections after a
return (一次性告知), withdrawal. One application per person per round."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.models.recruitment_round import Application, RecruitmentRound, RoundPost
from db.repos import recruitment_round as repo
from domain.actor import Actor
from domain.applicant import Registration
from domain.errors import Conflict, InvalidInput, NotFound, RuleViolation, TransitionRefused
from domain.id_number import parse_id
from services import audit, tasks
from services.recruitment_round.rounds import load, load_visible, require_officer
from services.uow import UnitOfWork
from states.application import ApplicationMachine

CASE = ApplicationMachine.procedure
# 报名与资格审查 (IM art. 8): what registering, editing, correcting and withdrawing an application cite.
ARTICLE = "IM art. 8"
MAX_IMPORT_ROWS = 50_000

# After an application left the race (withdrawn or failed) from a state that held a place: the follow-up
# module refills the place (递补). fn(uow, actor, application, from_state)
AfterLeave = Callable[[UnitOfWork, Actor | None, Application, str], None]
_after_leave: list[AfterLeave] = []


def after_leave(fn: AfterLeave) -> AfterLeave:
    _after_leave.append(fn)
    return fn


def notify_left(uow: UnitOfWork, actor: Actor | None, app: Application, from_state: str) -> None:
    for fn in _after_leave:
        fn(uow, actor, app, from_state)


def audit_app(uow: UnitOfWork, actor: Actor | None, app: Application, **fields: Any) -> None:
    audit.record(uow.session, uow.now, actor=actor, subject_type=CASE, subject_id=app.id, **fields)


def fire(uow: UnitOfWork, actor: Actor | None, app: Application, event: str, **kwargs: Any) -> str:
    """Send one event to one application (bound machine), audited; returns the state it left."""
    before = app.status
    opinion = kwargs.pop("opinion", None)
    data = kwargs.pop("data", None)
    article = kwargs.pop("article", None) or ApplicationMachine.event_articles.get(event)
    ApplicationMachine.bind(app).fire(event, **kwargs)
    app.updated_at = uow.now
    audit_app(
        uow,
        actor,
        app,
        action=event,
        from_state=before,
        to_state=app.status,
        opinion=opinion,
        article=article,
        data=data,
    )
    return before


def window_open(rnd: RecruitmentRound, now: datetime) -> bool:
    return (
        rnd.status == "registration"
        and rnd.registration_opens_at is not None
        and rnd.registration_closes_at is not None
        and rnd.registration_opens_at <= now < rnd.registration_closes_at
    )


def _require_window(rnd: RecruitmentRound, now: datetime) -> None:
    if not window_open(rnd, now):
        if rnd.status == "registration" and rnd.registration_opens_at and now < rnd.registration_opens_at:
            raise RuleViolation("报名尚未开始", code="registration_not_open", article="IM art. 8")
        raise RuleViolation("报名已截止或未开放", code="registration_closed", article="IM art. 8")


def _post(uow: UnitOfWork, rnd: RecruitmentRound, code: str) -> RoundPost:
    post = repo.post_by_code(uow.session, rnd.id, (code or "").strip())
    if post is None or post.status == "cancelled" or post.posts <= 0:
        raise InvalidInput(
            f"岗位代码「{code}」不存在或已取消", code="post_unknown", details={"field": "post"}
        )
    return post


def _columns(reg: Registration, uow: UnitOfWork) -> dict[str, Any]:
    facts = parse_id(reg.id_number, today=uow.now.date())  # refuses a malformed number at once
    return {
        "name": reg.name.strip(),
        "id_number": facts.number,
        "sex": facts.sex.value,
        "birth_date": facts.birth_date,
        "phone": reg.phone.strip(),
        "education": str(reg.education),
        "major": reg.major,
        "school": reg.school,
        "household_code": reg.household_code,
        "household_place": reg.household_place,
        "relaxation_group": reg.relaxation_group,
        "street_recommended": reg.street_recommended,
        "priority_groups": list(reg.priority_groups),
        "declared_disqualifications": list(reg.declared_disqualifications),
        "relatives": [
            {
                "name": r.name,
                "relation": str(r.relation),
                "workplace_code": r.workplace_code,
                "position": r.position,
            }
            for r in reg.relatives
        ],
        "service_programme": reg.service_programme,
        "service_programme_passed": reg.service_programme_passed,
        "note": reg.note,
    }


def register(uow: UnitOfWork, round_id: int, reg: Registration, post_code: str) -> Application:
    """The public form: one application per person per round, while the window is open."""
    rnd = load(uow, round_id, for_update=True)
    _require_window(rnd, uow.now)
    post = _post(uow, rnd, post_code)
    cols = _columns(reg, uow)
    if repo.application_by_person(uow.session, rnd.id, cols["id_number"]) is not None:
        raise Conflict("该身份证号已报名本次招聘，每人限报一个岗位", code="duplicate_application")
    app = repo.add(
        uow.session,
        Application(
            round_id=rnd.id,
            post_id=post.id,
            status="registered",
            source="online",
            created_at=uow.now,
            updated_at=uow.now,
            **cols,
        ),
    )
    audit_app(
        uow, None, app, action="register", to_state="registered", article=ARTICLE,
        data={"post": post.code, "via": "online"},
    )  # fmt: skip
    return app


def find_own(uow: UnitOfWork, round_id: int, id_number: str, phone: str) -> Application:
    """The applicant's own application, by ID number and the phone given at registration."""
    number = (id_number or "").strip().upper()
    app = repo.application_by_person(uow.session, round_id, number)
    if app is None or app.phone != (phone or "").strip():
        raise NotFound("未找到报名信息，请核对身份证号和手机号码", code="application_not_found")
    return app


def edit(
    uow: UnitOfWork, round_id: int, id_number: str, phone: str, reg: Registration, post_code: str
) -> Application:
    """Edit until the window closes; after a return for correction, the correction (same post: the window
    has closed) resubmits it."""
    rnd = load(uow, round_id, for_update=True)
    app = find_own(uow, round_id, id_number, phone)
    if app.status == "returned":
        if rnd.status != "qualification_review":
            raise RuleViolation("资格审查已结束，不能再补正", code="correction_closed", article="IM art. 8")
    elif app.status == "registered":
        _require_window(rnd, uow.now)
    else:
        raise TransitionRefused(
            f"报名当前为「{ApplicationMachine.status_labels()[app.status]}」，不能修改",
            code="application_locked",
        )
    post = _post(uow, rnd, post_code)
    if app.status == "returned" and post.id != app.post_id:
        raise RuleViolation(
            "报名已截止，补正只能补充或更正所列材料，不能改报其他岗位",
            code="post_fixed",
            article=ARTICLE,
            details={"field": "post"},
        )
    cols = _columns(reg, uow)
    if cols["id_number"] != app.id_number:
        raise InvalidInput(
            "身份证号不能修改；如填错请放弃后重新报名", code="id_number_fixed", details={"field": "id_number"}
        )
    for k, v in cols.items():
        setattr(app, k, v)
    app.post_id = post.id
    app.updated_at = uow.now
    if app.status == "returned":
        fire(uow, None, app, "resubmit", article=ARTICLE, data={"post": post.code})
        app.missing = []
        from services.recruitment_round import screening  # the single-row path of the same screening

        screening.screen_one(uow, rnd, app)
    else:
        audit_app(
            uow,
            None,
            app,
            action="edit",
            from_state=app.status,
            to_state=app.status,
            article=ARTICLE,
            data={"post": post.code},
        )
    return app


def withdraw_own(uow: UnitOfWork, round_id: int, id_number: str, phone: str, reason: str) -> Application:
    app = find_own(uow, round_id, id_number, phone)
    return _withdraw(uow, None, app, reason or "本人放弃")


def withdraw_by_officer(uow: UnitOfWork, actor: Actor, app_id: int, reason: str) -> Application:
    """The officer records that the applicant gave up (e.g. after the physical exam): the place is refilled
    from the post's ranking where the round allows it."""
    app = load_application(uow, actor, app_id, for_update=True)
    require_officer(actor, load(uow, app.round_id))
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("请填写放弃的情况说明", code="reason_required", details={"field": "reason"})
    return _withdraw(uow, actor, app, text)


def _withdraw(uow: UnitOfWork, actor: Actor | None, app: Application, reason: str) -> Application:
    before = fire(uow, actor, app, "withdraw", opinion=reason, article=ARTICLE)
    if before == "pending_review":
        tasks.cancel_case(uow, CASE, app.id, actor, f"报名人放弃：{reason}")
    notify_left(uow, actor, app, before)
    return app


def load_application(uow: UnitOfWork, actor: Actor, app_id: int, *, for_update: bool = False) -> Application:
    app = repo.application(uow.session, app_id, for_update=for_update)
    if app is None:
        raise NotFound(f"报名 {app_id} 不存在", code="application_not_found")
    load_visible(uow, actor, app.round_id)  # not found for other counties
    return app


@dataclass(frozen=True)
class ImportRow:
    row: int  # the sheet's row number, for messages
    registration: Registration
    post_code: str


@dataclass(frozen=True)
class ImportProblem:
    row: int
    column: str
    value: str
    message: str
    code: str


class ImportRefused(InvalidInput):
    """Some rows were refused: nothing was imported. `details["rows"]` lists every problem."""


def import_applicants(uow: UnitOfWork, actor: Actor, round_id: int, rows: Sequence[ImportRow]) -> int:
    """The officer's import of a parsed sheet: every row is checked (ID number, post, one per person, not
    already registered) and the whole file is refused if any row fails, naming each; else all are added."""
    rnd = load_visible(uow, actor, round_id, for_update=True)
    require_officer(actor, rnd)
    if rnd.status != "registration":
        raise RuleViolation("只能在报名期间导入报名信息", code="registration_closed", article="IM art. 8")
    if len(rows) > MAX_IMPORT_ROWS:
        raise InvalidInput(f"一次最多导入{MAX_IMPORT_ROWS}行", code="import_too_many_rows")
    posts = {p.code: p for p in repo.posts_of(uow.session, rnd.id) if p.status != "cancelled" and p.posts > 0}
    problems: list[ImportProblem] = []
    values: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for r in rows:
        post = posts.get(r.post_code.strip())
        if post is None:
            problems.append(
                ImportProblem(r.row, "报考岗位代码", r.post_code, "岗位代码不存在或已取消", "post_unknown")
            )
            continue
        try:
            cols = _columns(r.registration, uow)
        except InvalidInput as exc:
            problems.append(
                ImportProblem(r.row, "公民身份号码", r.registration.id_number, exc.message, exc.code)
            )
            continue
        first = seen.setdefault(cols["id_number"], r.row)
        if first != r.row:
            problems.append(
                ImportProblem(
                    r.row,
                    "公民身份号码",
                    cols["id_number"],
                    f"与第{first}行身份证号重复",
                    "duplicate_in_file",
                )
            )
            continue
        values.append({"_row": r.row, "round_id": rnd.id, "post_id": post.id, **cols})
    already = repo.existing_id_numbers(uow.session, rnd.id, [v["id_number"] for v in values])
    for v in values:
        if v["id_number"] in already:
            problems.append(
                ImportProblem(
                    v["_row"],
                    "公民身份号码",
                    v["id_number"],
                    "该身份证号已报名本次招聘",
                    "duplicate_application",
                )
            )
    if problems:
        problems.sort(key=lambda p: p.row)
        raise ImportRefused(
            f"导入未完成：{len(problems)}处错误，请修改后重新导入(全部行均未导入)",
            code="import_rows_invalid",
            details={"rows": [p.__dict__ for p in problems]},
        )
    now = uow.now
    inserts = [
        {**{k: v for k, v in row.items() if k != "_row"}, "status": "registered", "source": "import", "created_at": now,
         "updated_at": now, "version": 1, "flags": [], "missing": [], "returns_count": 0, "written_absent": False,
         "interview_absent": False, "rank_note": "", "investigation_note": ""}
        for row in values
    ]  # fmt: skip
    repo.insert_applications(uow.session, inserts)
    ids = repo.ids_by_person(uow.session, rnd.id, [v["id_number"] for v in inserts])
    post_codes = {p.id: p.code for p in posts.values()}
    audit.record_many(
        uow.session,
        now,
        [
            audit.AuditDraft(
                actor=actor,
                subject_type=CASE,
                subject_id=ids[v["id_number"]],
                action="register",
                to_state="registered",
                article=ARTICLE,
                data={"post": post_codes[v["post_id"]], "via": "import"},
            )
            for v in inserts
        ],
    )
    audit.record(
        uow.session,
        now,
        actor=actor,
        subject_type="recruitment_round",
        subject_id=rnd.id,
        action="import_applications",
        article="IM art. 8",
        data={"rows": len(inserts)},
    )
    return len(inserts)
