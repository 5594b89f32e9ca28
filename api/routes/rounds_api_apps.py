"""JSON API of applications: the round's list (filters, pages; ID and phone numbers masked unless the
caller is an HR officer of the organising department), one application, the reviewer's decision, and the
public registration (no token: the same checks as the public form, every problem named at once)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor
from api.routes import rounds_rows as rr
from api.routes import rounds_views as rv
from db.models.recruitment_round import Application
from domain.actor import Actor
from domain.errors import InvalidInput
from forms.application_input import validate_application
from services.recruitment_round import registration, rounds, screening
from services.uow import UnitOfWork
from states.application import ApplicationMachine

router = APIRouter(prefix="/api/v1", tags=["recruitment_round"])


class ApplicationSummary(BaseModel):
    id: int
    post_code: str
    post: str
    name: str
    sex: str
    id_number: str = Field(description="masked (150103********123X) unless the caller has the right")
    phone: str
    birth_date: date | None
    education: str
    status: str
    status_label: str
    admit_ticket: str | None
    written_score: Decimal | None
    interview_score: Decimal | None
    total_score: Decimal | None
    rank: int | None


class ApplicationList(BaseModel):
    total: int
    masked: bool
    items: list[ApplicationSummary]


class ReasonOut(BaseModel):
    code: str
    message: str
    article: str
    outcome: str | None = None


class ApplicationOut(ApplicationSummary):
    round_id: int
    masked: bool
    flags: list[str]
    verdict_outcome: str | None
    reasons: list[ReasonOut]
    missing: list[str]
    returns_count: int
    actions: list[str]
    diagram: str


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["pass", "fail", "return"]
    opinion: str | None = Field(default=None, max_length=2000)
    missing: list[str] = Field(
        default_factory=list, max_length=100, description="everything to supply, at once"
    )


class Registered(BaseModel):
    id: int
    status: str
    status_label: str
    post_code: str


def _summary(app: Application, posts: dict[int, tuple[str, str]], full: bool) -> dict[str, Any]:
    row = rr.applicant_row(app, posts, full)
    return {k: row[k] for k in ApplicationSummary.model_fields}


def _out(uow: UnitOfWork, actor: Actor, app_id: int) -> ApplicationOut:
    app = registration.load_application(uow, actor, app_id)
    rnd = rounds.load(uow, app.round_id)
    full = rr.sees_full_ids(actor, rnd)
    verdict = app.verdict or {}
    actions = []
    if app.status == "pending_review" and rv.may_review(actor, rnd):
        actions = ["pass", "fail"] + (["return"] if app.returns_count == 0 else [])
    return ApplicationOut(
        **_summary(app, rr.post_labels(uow, rnd), full),
        round_id=rnd.id,
        masked=not full,
        flags=[str(f) for f in app.flags or []],
        verdict_outcome=verdict.get("outcome"),
        reasons=[ReasonOut(**r) for r in verdict.get("reasons", [])],
        missing=[str(m) for m in app.missing or []],
        returns_count=app.returns_count,
        actions=actions,
        diagram=ApplicationMachine.mermaid(app.status),
    )


@router.get("/rounds/{round_id}/applications", response_model=ApplicationList)
def list_applications(
    round_id: int,
    actor: CurrentActor,
    post_id: int | None = None,
    status: str | None = None,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ApplicationList:
    f = rr.Filters(post=post_id, status=status, q=q)
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load_visible(uow, actor, round_id)
        full = rr.sees_full_ids(actor, rnd)
        posts = rr.post_labels(uow, rnd)
        items = [
            ApplicationSummary(**_summary(a, posts, full))
            for a in rr.applicants(uow, rnd, f, offset=offset, limit=limit)
        ]
        return ApplicationList(total=rr.count(uow, rnd, f), masked=not full, items=items)


@router.post("/rounds/{round_id}/applications", response_model=Registered, status_code=201)
def register(round_id: int, body: Annotated[dict[str, Any], Body()]) -> Registered:
    """Public registration (no token). Fields as the public form names them; relatives as a list of
    {name, relation, workplace_code, position}; yes/no fields as booleans or 是/否."""
    with UnitOfWork(readonly=True) as uow:
        ctx = rr.applicant_context(uow, rr.published(uow, round_id))
    form, problems = validate_application(body, ctx)
    if form is None:
        raise InvalidInput(
            "报名表填写有误：" + "；".join(p.message for p in problems),
            code="application_invalid",
            details={
                "fields": [
                    {"field": p.field, "label": p.label, "message": p.message, "code": p.code}
                    for p in problems
                ]
            },
        )
    with UnitOfWork() as uow:
        app = registration.register(uow, round_id, form.to_registration(), form.post_code)
        uow.commit()
        return Registered(
            id=app.id, status=app.status, status_label=rv.APP_LABELS[app.status], post_code=form.post_code
        )


@router.get("/applications/{app_id}", response_model=ApplicationOut)
def get_application(app_id: int, actor: CurrentActor) -> ApplicationOut:
    with UnitOfWork(readonly=True) as uow:
        return _out(uow, actor, app_id)


@router.post("/applications/{app_id}/review", response_model=ApplicationOut)
def review(app_id: int, body: ReviewIn, actor: CurrentActor) -> ApplicationOut:
    with UnitOfWork() as uow:
        screening.review(uow, actor, app_id, body.decision, body.opinion, body.missing)
        uow.commit()
        return _out(uow, actor, app_id)
