"""JSON API of a round's last steps, each the same service call as its page: the public notice and its
changes, objections (filed by the officer or by a person on the notice, real name; decided by an
approver), and the street's hiring desk (the contract, its probation and the worker it creates). Scores
and ties: rounds_api_scores; physical exam to refill: rounds_api_followup."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor
from api.routes import rounds_rows as rr
from db.models.recruitment_round import Objection
from db.models.workers import Worker
from domain.errors import NotFound
from services.recruitment_round import (
    hire,
    hiring_desk,
    notice,
    objection,
    refill,
)
from services.uow import UnitOfWork

router = APIRouter(prefix="/api/v1", tags=["recruitment_round"])


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
