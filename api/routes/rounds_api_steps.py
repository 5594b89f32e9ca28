"""JSON API of a round's steps after the qualification review, each the same service call as its page:
written and interview scores by Excel (the template, and the filled sheet uploaded as multipart: whole
sheet or nothing, every row's problem in `details.rows`), ties a person orders, the physical exam and its
one re-test, the investigation, a withdrawal (by the officer, or the applicant's own with ID number and
phone), a proposed hire's decline, the officer's choice of refill at a tied reserve, the public notice and
its changes, objections (filed by the officer or by a person on the notice, real name; decided by an
approver), and the street's hiring desk (the contract, its probation and the worker it creates)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor
from api.routes import rounds_rows as rr
from api.routes.rounds_api_apps import ApplicationOut, _out
from api.routes.rounds_applicants import MAX_UPLOAD, xlsx
from api.routes.rounds_public import PUBLIC_LABELS
from api.routes.rounds_scores import STAGES
from db.models.recruitment_round import Objection
from db.models.workers import Worker
from domain.errors import InvalidInput, NotFound
from forms.excel_io import RowError
from forms.score_excel import ScoreKind, parse_scores, score_template
from services.recruitment_round import (
    exams,
    followup,
    hire,
    hiring_desk,
    notice,
    objection,
    refill,
    registration,
    rounds,
    score_import,
    ties,
)
from services.uow import UnitOfWork

router = APIRouter(prefix="/api/v1", tags=["recruitment_round"])
KIND_LABELS = {"written": "笔试", "interview": "面试"}
Note = Annotated[str, Field(default="", max_length=2000)]


def _kind(kind: str) -> ScoreKind:
    if kind == "written":
        return "written"
    if kind == "interview":
        return "interview"
    raise InvalidInput("成绩类别只能是笔试（written）或面试（interview）", code="score_kind_unknown")


# -- models -------------------------------------------------------------------------------------------


class ScoreImportOut(BaseModel):
    kind: Literal["written", "interview"]
    imported: int
    absent: int
    missing: int = Field(description="candidates of the roster still without a score")
    message: str


class TieOut(BaseModel):
    post_id: int
    post_code: str
    stage: Literal["shortlist", "ranking", "reserve"]
    stage_label: str
    application_ids: list[int]
    places: int
    blocking: bool


class TieIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order: list[int] = Field(min_length=1, max_length=500, description="the tied applications, first first")
    opinion: str = Field(max_length=2000, description="研究意见 (required)")


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    passed: bool = Field(description="合格 true / 不合格 false")
    note: Note


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Note


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=2000)


class RefillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    chosen_id: int = Field(gt=0, description="the application (at the head of the reserve) to fill the place")
    opinion: str = Field(max_length=2000)


class OpinionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opinion: str = Field(max_length=2000)


class OwnIn(BaseModel):
    """The applicant's own: the ID number and the phone given at registration."""

    model_config = ConfigDict(extra="forbid")
    id_number: str = Field(min_length=1, max_length=32)
    phone: str = Field(min_length=1, max_length=32)


class OwnWithdrawIn(OwnIn):
    reason: str = Field(default="", max_length=2000)


class ReasonText(BaseModel):
    code: str
    message: str
    article: str


class MineOut(BaseModel):
    id: int
    round_id: int
    post_code: str
    status: str
    status_label: str
    reasons: list[ReasonText]
    missing: list[str]
    admit_ticket: str | None


class NoticeRowOut(BaseModel):
    seq: int
    application_id: int
    name: str
    sex: str
    birth: str
    education: str
    post_code: str
    post_title: str
    community: str
    total_score: Decimal | None
    rank: int | None
    supplementary: bool
    open_to_objection: bool


class NoticeOut(BaseModel):
    round_id: int
    title: str
    published_at: datetime
    last_day: date
    order: str
    order_label: str
    article: str
    rows: list[NoticeRowOut]


class ChangeOut(BaseModel):
    at: datetime
    kind: str
    text: str
    post: str
    article: str | None


class ObjectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    objector_name: str = Field(max_length=64, description="real name")
    contact: str = Field(max_length=64)
    facts: str = Field(max_length=5000)


class PublicObjectionIn(ObjectionIn):
    application_id: int = Field(gt=0, description="the proposed hire on the notice")


class ObjectionDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["dismiss", "uphold"] = Field(
        description="dismiss: 异议不成立; uphold: 异议成立，不予聘用"
    )
    opinion: str = Field(max_length=2000)


class ObjectionOut(BaseModel):
    id: int
    round_id: int
    application_id: int
    objector_name: str
    objector_contact: str
    facts: str
    status: str
    received_at: datetime
    resolved_at: datetime | None
    opinion: str

    @classmethod
    def of(cls, o: Objection) -> ObjectionOut:
        return cls(
            id=o.id,
            round_id=o.round_id,
            application_id=o.application_id,
            objector_name=o.objector_name,
            objector_contact=o.objector_contact,
            facts=o.facts,
            status=o.status,
            received_at=o.received_at,
            resolved_at=o.resolved_at,
            opinion=o.opinion or "",
        )


class ObjectionReceived(BaseModel):
    """What a person who filed on the public notice gets back (no one else's data)."""

    id: int
    status: str
    message: str


class ToSignOut(BaseModel):
    application_id: int
    name: str
    id_masked: str
    round_id: int
    round_title: str
    post: str
    total_score: str
    notice_over: bool
    term_months: int
    probation_months: int
    probation_article: str
    starts_on: date


class SignedOut(BaseModel):
    name: str
    term_months: int
    probation_months: int
    starts_on: date
    probation_ends_on: date
    signed_at: str


class DeskOut(BaseModel):
    is_street: bool
    to_sign: list[ToSignOut]
    signed: list[SignedOut]


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    term_months: int = Field(description="合同期限（月）")
    probation_months: int = Field(description="试用期（月），0 表示不约定试用期")
    starts_on: date = Field(description="用工开始日期 YYYY-MM-DD")


class WorkerOut(BaseModel):
    id: int
    name: str
    community_id: int
    status: str
    started_on: date
    probation_ends_on: date | None
    application_id: int | None


class ContractOut(BaseModel):
    id: int
    application_id: int
    round_id: int
    employer_id: int
    term_months: int
    probation_months: int
    starts_on: date
    probation_ends_on: date | None = Field(description="None when no probation was agreed")
    ends_on: date
    article: str
    signed_at: datetime
    worker: WorkerOut


# -- scores and ties ----------------------------------------------------------------------------------


@router.get("/rounds/{round_id}/scores/{kind}/template.xlsx", response_class=Response)
def score_template_xlsx(round_id: int, kind: str, actor: CurrentActor) -> Response:
    """The roster of the exam as the .xlsx to fill (准考证号, 姓名, 岗位代码, the score empty)."""
    k = _kind(kind)
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load_visible(uow, actor, round_id)
        roster = exams.exam_roster(uow, actor, round_id, k)
        data = score_template(k, roster, decimals=rr.decimals(rnd)[k])
    return xlsx(data, f"{KIND_LABELS[k]}成绩导入模板-{round_id}.xlsx")


def _refused(label: str, errors: list[RowError]) -> InvalidInput:
    return InvalidInput(
        f"{label}成绩未导入：{len({e.row for e in errors})}行共{len(errors)}处错误；"
        + "；".join(f"第{e.row}行{e.column}：{e.message}" for e in errors[:20]),
        code="score_import_invalid",
        details={"rows": [e.to_dict() for e in errors]},
    )


@router.post("/rounds/{round_id}/scores/{kind}", response_model=ScoreImportOut)
def import_scores(
    round_id: int, kind: str, actor: CurrentActor, file: Annotated[UploadFile, File()]
) -> ScoreImportOut:
    """The filled template (multipart field `file`): every row checked, the whole sheet or nothing."""
    k = _kind(kind)
    label = KIND_LABELS[k]
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("文件超过20MB，请分成多个文件导入", code="import_too_large")
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load_visible(uow, actor, round_id)
        known = {t: name for t, name, _ in exams.exam_roster(uow, actor, round_id, k)}
        places = rr.decimals(rnd)[k]
    parsed = parse_scores(data, k, known, decimals=places)
    if parsed.errors:
        raise _refused(label, parsed.errors)
    importer = score_import.import_written_scores if k == "written" else score_import.import_interview_scores
    try:
        with UnitOfWork() as uow:
            summary = importer(
                uow,
                actor,
                round_id,
                [(r.ticket, r.score) for r in parsed.rows],
                row_numbers=[r.row for r in parsed.rows],
            )
            uow.commit()
    except InvalidInput as exc:
        if exc.code != "score_import_invalid":
            raise
        rows = [
            RowError(int(p["row"]), "准考证号", str(p["ticket"]), str(p["message"]), str(p["code"]))
            for p in exc.details.get("problems", [])
        ]
        raise _refused(label, rows) from None
    imported, absent, missing = (int(summary.get(x, 0)) for x in ("imported", "absent", "missing"))
    text = f"已导入{label}成绩{imported}人（缺考{absent}人）"
    if missing:
        text += f"；另有{missing}名考生尚无成绩"
    return ScoreImportOut(kind=k, imported=imported, absent=absent, missing=missing, message=text)


@router.get("/rounds/{round_id}/ties", response_model=list[TieOut])
def list_ties(round_id: int, actor: CurrentActor) -> list[TieOut]:
    """Ties a person must order now (shortlist cut-off, ranking, reserve)."""
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load_visible(uow, actor, round_id)
        rounds.require_officer(actor, rnd)
        return [
            TieOut(
                post_id=t.post_id,
                post_code=t.post_code,
                stage=t.stage,
                stage_label=STAGES.get(t.stage, t.stage),
                application_ids=list(t.application_ids),
                places=t.places,
                blocking=t.blocking,
            )
            for t in ties.unresolved_ties(uow, actor, round_id)
        ]


@router.post("/rounds/{round_id}/ties/{post_id}", response_model=list[TieOut])
def resolve_tie(round_id: int, post_id: int, body: TieIn, actor: CurrentActor) -> list[TieOut]:
    """The order a person decided (经研究确定) for the post's open tie; returns the ties still open."""
    with UnitOfWork() as uow:
        ties.resolve_tie(uow, actor, round_id, post_id, body.order, body.opinion)
        uow.commit()
    return list_ties(round_id, actor)


# -- follow-up of one application ---------------------------------------------------------------------


def _app_out(app_id: int, actor: CurrentActor) -> ApplicationOut:
    with UnitOfWork(readonly=True) as uow:
        return _out(uow, actor, app_id)


@router.post("/applications/{app_id}/physical-exam", response_model=ApplicationOut)
def physical_exam(app_id: int, body: ResultIn, actor: CurrentActor) -> ApplicationOut:
    with UnitOfWork() as uow:
        followup.record_physical(uow, actor, app_id, body.passed, body.note)
        uow.commit()
    return _app_out(app_id, actor)


@router.post("/applications/{app_id}/retest-request", response_model=ApplicationOut)
def retest_request(app_id: int, body: NoteIn, actor: CurrentActor) -> ApplicationOut:
    with UnitOfWork() as uow:
        followup.request_retest(uow, actor, app_id, body.note)
        uow.commit()
    return _app_out(app_id, actor)


@router.post("/applications/{app_id}/retest", response_model=ApplicationOut)
def retest(app_id: int, body: ResultIn, actor: CurrentActor) -> ApplicationOut:
    with UnitOfWork() as uow:
        followup.record_retest(uow, actor, app_id, body.passed, body.note)
        uow.commit()
    return _app_out(app_id, actor)


@router.post("/applications/{app_id}/investigation", response_model=ApplicationOut)
def investigation(app_id: int, body: ResultIn, actor: CurrentActor) -> ApplicationOut:
    with UnitOfWork() as uow:
        followup.record_investigation(uow, actor, app_id, body.passed, body.note)
        uow.commit()
    return _app_out(app_id, actor)


@router.post("/applications/{app_id}/withdraw", response_model=ApplicationOut)
def withdraw(app_id: int, body: ReasonIn, actor: CurrentActor) -> ApplicationOut:
    """The officer records that the applicant gave up (a held place is refilled where the round allows)."""
    with UnitOfWork() as uow:
        registration.withdraw_by_officer(uow, actor, app_id, body.reason)
        uow.commit()
    return _app_out(app_id, actor)


@router.post("/applications/{app_id}/decline", response_model=ApplicationOut)
def decline(app_id: int, body: ReasonIn, actor: CurrentActor) -> ApplicationOut:
    """A proposed hire declines the hire (放弃聘用); the place is refilled where the round allows."""
    with UnitOfWork() as uow:
        hire.decline(uow, actor, app_id, body.reason)
        uow.commit()
    return _app_out(app_id, actor)


@router.post("/applications/{app_id}/refill", response_model=ApplicationOut)
def choose_refill(app_id: int, body: RefillIn, actor: CurrentActor) -> ApplicationOut:
    """The place `app_id` left, filled by `chosen_id` when the reserve's head is tied; returns the chosen."""
    with UnitOfWork() as uow:
        chosen = refill.choose_refill(uow, actor, app_id, body.chosen_id, body.opinion)
        uow.commit()
        chosen_id = chosen.id
    return _app_out(chosen_id, actor)


@router.post("/applications/{app_id}/return-to-reserve", response_model=ApplicationOut)
def return_to_reserve(app_id: int, body: OpinionIn, actor: CurrentActor) -> ApplicationOut:
    """More candidates passed than places (a follow-up ratio above 1:1): this one goes back to the reserve."""
    with UnitOfWork() as uow:
        refill.return_surplus(uow, actor, app_id, body.opinion)
        uow.commit()
    return _app_out(app_id, actor)


# -- the applicant's own (no token) -------------------------------------------------------------------


def _mine(round_id: int, id_number: str, phone: str) -> MineOut:
    with UnitOfWork(readonly=True) as uow:
        rnd = rr.published(uow, round_id)
        app = registration.find_own(uow, round_id, id_number.strip().upper(), phone.strip())
        code = rr.post_labels(uow, rnd).get(app.post_id, ("", ""))[0]
        reasons = (app.verdict or {}).get("reasons", []) if app.status in ("rejected", "returned") else []
        return MineOut(
            id=app.id,
            round_id=rnd.id,
            post_code=code,
            status=app.status,
            status_label=PUBLIC_LABELS.get(app.status, app.status),
            reasons=[ReasonText(code=r["code"], message=r["message"], article=r["article"]) for r in reasons],
            missing=[str(m) for m in app.missing or []],
            admit_ticket=app.admit_ticket,
        )


@router.post("/rounds/{round_id}/mine", response_model=MineOut)
def lookup_own(round_id: int, body: OwnIn) -> MineOut:
    """The applicant's own application (no token; ID number and phone in the body, never the address)."""
    return _mine(round_id, body.id_number, body.phone)


@router.post("/rounds/{round_id}/mine/withdraw", response_model=MineOut)
def withdraw_own(round_id: int, body: OwnWithdrawIn) -> MineOut:
    """The applicant gives up (no token): as the public lookup page's button."""
    id_number, phone = body.id_number.strip().upper(), body.phone.strip()
    with UnitOfWork() as uow:
        registration.withdraw_own(uow, round_id, id_number, phone, body.reason.strip())
        uow.commit()
    return _mine(round_id, id_number, phone)


# -- notice and objections ----------------------------------------------------------------------------


@router.get("/rounds/{round_id}/notice", response_model=NoticeOut)
def public_notice(round_id: int) -> NoticeOut:
    """The public notice of the proposed hires (no token): what a paper notice shows, never an ID number;
    `open_to_objection` marks whom a real-name objection may name now."""
    with UnitOfWork(readonly=True) as uow:
        rr.published(uow, round_id)
        n = notice.notice_list(uow, round_id)
        open_ids = objection.open_to_objection(uow, round_id)
    return NoticeOut(
        round_id=n.round_id,
        title=n.title,
        published_at=n.published_at,
        last_day=n.last_day,
        order=n.order,
        order_label=n.order_label,
        article=n.article,
        rows=[
            NoticeRowOut(
                seq=r.seq,
                application_id=r.application_id,
                name=r.name,
                sex=r.sex,
                birth=r.birth,
                education=r.education,
                post_code=r.post_code,
                post_title=r.post_title,
                community=r.community,
                total_score=r.total_score,
                rank=r.rank,
                supplementary=r.supplementary,
                open_to_objection=r.application_id in open_ids,
            )
            for r in n.rows
        ],
    )


@router.get("/rounds/{round_id}/changes", response_model=list[ChangeOut])
def changes(round_id: int) -> list[ChangeOut]:
    """The round's public list of changes (递补、空缺), as its announcement page shows it (no token)."""
    with UnitOfWork(readonly=True) as uow:
        rnd = rr.published(uow, round_id)
        return [
            ChangeOut(at=c.at, kind=c.kind, text=c.text, post=c.post, article=c.article)
            for c in refill.changes(uow, rnd.id)
        ]


@router.post("/rounds/{round_id}/notice/objections", response_model=ObjectionReceived, status_code=201)
def file_public_objection(round_id: int, body: PublicObjectionIn) -> ObjectionReceived:
    """A real-name objection filed on the public notice (no token), during the candidate's notice period."""
    with UnitOfWork(readonly=True) as uow:
        rr.published(uow, round_id)
    with UnitOfWork() as uow:
        obj = objection.file_public_objection(
            uow, round_id, body.application_id, body.objector_name, body.contact, body.facts
        )
        uow.commit()
        return ObjectionReceived(
            id=obj.id,
            status=obj.status,
            message="已收到您的实名反映。招聘单位将进行核查，核查期间对该人员暂缓聘用。",
        )


@router.get("/rounds/{round_id}/objections", response_model=list[ObjectionOut])
def list_objections(round_id: int, actor: CurrentActor) -> list[ObjectionOut]:
    with UnitOfWork(readonly=True) as uow:
        return [ObjectionOut.of(o) for o in objection.objections(uow, actor, round_id)]


@router.post("/applications/{app_id}/objections", response_model=ObjectionOut, status_code=201)
def file_objection(app_id: int, body: ObjectionIn, actor: CurrentActor) -> ObjectionOut:
    """The officer records a real-name objection (letter, phone, in person) during the notice period."""
    with UnitOfWork() as uow:
        obj = objection.file_objection(uow, actor, app_id, body.objector_name, body.contact, body.facts)
        uow.commit()
        return ObjectionOut.of(obj)


@router.post("/objections/{objection_id}/decision", response_model=ObjectionOut)
def decide_objection(objection_id: int, body: ObjectionDecisionIn, actor: CurrentActor) -> ObjectionOut:
    """核查结论 by an approver: uphold (not hired, the place refilled) or dismiss (the candidate goes on)."""
    with UnitOfWork() as uow:
        obj = objection.resolve_objection(uow, actor, objection_id, body.decision == "uphold", body.opinion)
        uow.commit()
        return ObjectionOut.of(obj)


# -- the street's hiring desk -------------------------------------------------------------------------


@router.get("/hires", response_model=DeskOut)
def hiring_desk_list(actor: CurrentActor) -> DeskOut:
    """The proposed hires whose contracts the caller's street signs (with the proposed term and probation),
    and the contracts it has signed."""
    with UnitOfWork(readonly=True) as uow:
        to_sign, signed = hiring_desk.desk(uow, actor)
    return DeskOut(
        is_street=bool(hiring_desk.street_ids(actor)),
        to_sign=[ToSignOut(**asdict(t)) for t in to_sign],
        signed=[SignedOut(**asdict(s)) for s in signed],
    )


@router.post("/hires/{app_id}/sign", response_model=ContractOut, status_code=201)
def sign_contract(app_id: int, body: SignIn, actor: CurrentActor) -> ContractOut:
    """签订劳动合同 once the notice is over: the worker is created, on probation for `probation_months`."""
    with UnitOfWork() as uow:
        c = hire.sign_contract(uow, actor, app_id, body.term_months, body.probation_months, body.starts_on)
        uow.commit()
        w = uow.session.get(Worker, c.worker_id)
        if w is None:  # pragma: no cover - written in the same unit of work
            raise NotFound("工作者记录不存在", code="worker_not_found")
        return ContractOut(
            id=c.id,
            application_id=c.application_id,
            round_id=c.round_id,
            employer_id=c.employer_id,
            term_months=c.term_months,
            probation_months=c.probation_months,
            starts_on=c.starts_on,
            probation_ends_on=c.probation_ends_on if c.probation_months else None,
            ends_on=c.ends_on,
            article=c.article,
            signed_at=c.signed_at,
            worker=WorkerOut(
                id=w.id,
                name=w.name,
                community_id=w.community_id,
                status=w.status,
                started_on=w.started_on,
                probation_ends_on=w.probation_ends_on,
                application_id=w.application_id,
            ),
        )
