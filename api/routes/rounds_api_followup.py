"""JSON API of a round's follow-up: the physical exam and its one re-test, the investigation, a withdrawal
(by the officer, or the applicant's own with ID number and phone), a proposed hire's decline, the
officer's choice of refill at a tied reserve and the return of surplus candidates. Each the same service
call as its page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor
from api.routes import rounds_rows as rr
from api.routes.rounds_api_apps import ApplicationOut, _out
from api.routes.rounds_public import PUBLIC_LABELS
from services.recruitment_round import (
    followup,
    hire,
    hiring_desk,
    refill,
    registration,
    rounds,
)
from services.uow import UnitOfWork

router = APIRouter(prefix="/api/v1", tags=["recruitment_round"])
Note = Annotated[str, Field(default="", max_length=2000)]


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


class MovedUpOut(BaseModel):
    id: int = Field(description="the application that moved up into the place")
    name: str


class DeclinedOut(BaseModel):
    """A decline recorded by the post's street office, which does not see the round's applications: only
    what its hiring desk (/hires) shows of the candidate, never the screening reasons, flags or scores."""

    id: int = Field(description="the application")
    name: str
    post: str = Field(description="post code, community and title, as on the hiring desk")
    status: str
    status_label: str
    refilled_by: MovedUpOut | None = Field(description="who moved up into the place (递补), if anyone")


class MineOut(BaseModel):
    id: int
    round_id: int
    post_code: str
    status: str
    status_label: str
    reasons: list[ReasonText]
    missing: list[str]
    admit_ticket: str | None


def _app_out(app_id: int, actor: CurrentActor) -> ApplicationOut:
    with UnitOfWork(readonly=True) as uow:
        return _out(uow, actor, app_id)


def _step(app_id: int, actor: CurrentActor, fn: Callable[..., object], *args: object) -> ApplicationOut:
    """One service call on the application in its own unit of work, then the application as it now is."""
    with UnitOfWork() as uow:
        fn(uow, actor, app_id, *args)
        uow.commit()
    return _app_out(app_id, actor)


@router.post("/applications/{app_id}/physical-exam", response_model=ApplicationOut)
def physical_exam(app_id: int, body: ResultIn, actor: CurrentActor) -> ApplicationOut:
    return _step(app_id, actor, followup.record_physical, body.passed, body.note)


@router.post("/applications/{app_id}/retest-request", response_model=ApplicationOut)
def retest_request(app_id: int, body: NoteIn, actor: CurrentActor) -> ApplicationOut:
    return _step(app_id, actor, followup.request_retest, body.note)


@router.post("/applications/{app_id}/retest", response_model=ApplicationOut)
def retest(app_id: int, body: ResultIn, actor: CurrentActor) -> ApplicationOut:
    return _step(app_id, actor, followup.record_retest, body.passed, body.note)


@router.post("/applications/{app_id}/investigation", response_model=ApplicationOut)
def investigation(app_id: int, body: ResultIn, actor: CurrentActor) -> ApplicationOut:
    return _step(app_id, actor, followup.record_investigation, body.passed, body.note)


@router.post("/applications/{app_id}/withdraw", response_model=ApplicationOut)
def withdraw(app_id: int, body: ReasonIn, actor: CurrentActor) -> ApplicationOut:
    """The officer records that the applicant gave up (a held place is refilled where the round allows)."""
    return _step(app_id, actor, registration.withdraw_by_officer, body.reason)


@router.post("/applications/{app_id}/decline", response_model=ApplicationOut | DeclinedOut)
def decline(app_id: int, body: ReasonIn, actor: CurrentActor) -> ApplicationOut | DeclinedOut:
    """A proposed hire declines the hire (放弃聘用); the place is refilled where the round allows.
    Recorded by the round's officer or by the post's street office. The answer (200 either way) is the
    full application (ApplicationOut) to whoever sees the round: the officer, or a street user who also
    oversees the round's jurisdiction. The street office otherwise gets DeclinedOut: the application id,
    the name, the post, the status and its label, and who moved up into the place."""
    with UnitOfWork() as uow:
        app = hire.decline(uow, actor, app_id, body.reason)
        visible = rounds.is_visible(actor, rounds.load(uow, app.round_id))
        uow.commit()
    if visible:
        return _app_out(app_id, actor)
    with UnitOfWork(readonly=True) as uow:
        return DeclinedOut(**asdict(hiring_desk.declined(uow, app_id)))


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
    return _step(app_id, actor, refill.return_surplus, body.opinion)


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
