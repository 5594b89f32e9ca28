"""JSON API of the recruitment round: list, create from an approved plan, set up, and the step actions
(publish, close registration, screen, advance, cancel, close). Errors go through the app's handler:
422 with the article for a rule, 409 for a state that does not allow the action, 404 outside one's scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor
from api.routes import rounds_views as rv
from db.models.recruitment_round import BatchRun, RecruitmentRound
from domain.errors import NotFound
from services.recruitment_round import batch, rounds
from services.uow import UnitOfWork

router = APIRouter(prefix="/api/v1/rounds", tags=["recruitment_round"])


class RoundSummary(BaseModel):
    id: int
    plan_id: int
    title: str
    year: int
    track: str
    status: str
    status_label: str
    jurisdiction_id: int
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    published_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, r: RecruitmentRound) -> RoundSummary:
        return cls(
            id=r.id, plan_id=r.plan_id, title=r.title, year=r.year, track=r.track, status=r.status,
            status_label=rv.ROUND_LABELS.get(r.status, r.status), jurisdiction_id=r.jurisdiction_id,
            registration_opens_at=r.registration_opens_at, registration_closes_at=r.registration_closes_at,
            published_at=r.published_at, updated_at=r.updated_at,
        )  # fmt: skip


class SettingOut(BaseModel):
    key: str
    label: str
    value: Any
    article: str | None
    source: str | None


class PostOut(BaseModel):
    id: int
    code: str
    community: str
    title: str
    posts: int
    posts_planned: int
    status: str
    registered: int = Field(description="every application to the post, in any state")
    qualified: int = Field(description="passed the qualification review (and any later step)")
    by_status: dict[str, int]


class StepOut(BaseModel):
    state: str
    label: str
    progress: Literal["done", "current", "todo"]


class RoundOut(RoundSummary):
    """The round as its page shows it; `actions` lists the officer's buttons (batch steps as batch:<kind>)."""

    announcement: str
    cancel_reason: str | None
    policy_keys: list[str]
    profile_fingerprint: str
    steps: list[StepOut]
    next_state: str | None
    settings: list[SettingOut]
    posts: list[PostOut]
    actions: list[str]
    diagram: str


class CreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan_id: int = Field(gt=0)
    track: Literal["open_exam", "programme_conversion"] = "open_exam"
    title: str | None = Field(default=None, max_length=200)


class SetupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=200)
    announcement: str = Field(max_length=50_000)
    registration_opens_at: datetime
    registration_closes_at: datetime
    settings: dict[str, Any] = Field(default_factory=dict, description="only the keys to change")


class AdvanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expected: str | None = Field(default=None, description="the state the caller expects to enter")


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=2000)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(description="screening | opening | admit_tickets | shortlist | ranking | notice")


class BatchOut(BaseModel):
    id: int
    round_id: int
    kind: str
    label: str
    status: Literal["queued", "running", "done", "failed"]
    total: int
    done: int
    summary: dict[str, Any]
    error: str | None
    flow_run_id: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, b: BatchRun) -> BatchOut:
        return cls(
            id=b.id, round_id=b.round_id, kind=b.kind, label=rv.KIND_LABELS.get(b.kind, b.kind),
            status=b.status, total=b.total, done=b.done, summary=b.summary or {}, error=b.error,
            flow_run_id=b.flow_run_id, created_at=b.created_at, started_at=b.started_at, finished_at=b.finished_at,
        )  # fmt: skip


def round_out(uow: UnitOfWork, actor: CurrentActor, round_id: int) -> RoundOut:
    o = rv.overview(uow, actor, round_id)
    r = o.rnd
    return RoundOut(
        **RoundSummary.of(r).model_dump(),
        announcement=r.announcement,
        cancel_reason=r.cancel_reason,
        policy_keys=[str(k) for k in r.policy_keys],
        profile_fingerprint=r.profile_fingerprint,
        steps=[StepOut(state=s, label=label, progress=p) for s, label, p in o.steps],
        next_state=o.next_state,
        settings=[
            SettingOut(**{k: s[k] for k in ("key", "label", "value", "article", "source")})
            for s in o.settings
        ],
        posts=[
            PostOut(
                id=p.post.id,
                code=p.post.code,
                community=p.community,
                title=p.post.title,
                posts=p.post.posts,
                posts_planned=p.post.posts_planned,
                status=p.post.status,
                registered=p.total,
                qualified=p.qualified,
                by_status=p.counts,
            )
            for p in o.posts
        ],
        actions=o.actions,
        diagram=o.diagram,
    )


@router.get("", response_model=list[RoundSummary])
def list_rounds(actor: CurrentActor) -> list[RoundSummary]:
    with UnitOfWork(readonly=True) as uow:
        return [RoundSummary.of(r) for r in rv.visible_rounds(uow, actor)]


@router.post("", response_model=RoundOut, status_code=201)
def create(body: CreateIn, actor: CurrentActor) -> RoundOut:
    with UnitOfWork() as uow:
        rnd = rounds.create_from_plan(uow, actor, body.plan_id, track=body.track, title=body.title)
        uow.commit()
        return round_out(uow, actor, rnd.id)


@router.get("/{round_id}", response_model=RoundOut)
def get(round_id: int, actor: CurrentActor) -> RoundOut:
    with UnitOfWork(readonly=True) as uow:
        return round_out(uow, actor, round_id)


@router.put("/{round_id}/setup", response_model=RoundOut)
def setup(round_id: int, body: SetupIn, actor: CurrentActor) -> RoundOut:
    with UnitOfWork() as uow:
        rounds.update_setup(uow, actor, round_id, rounds.RoundSetup(**body.model_dump()))
        uow.commit()
        return round_out(uow, actor, round_id)


@router.post("/{round_id}/publish", response_model=RoundOut)
def publish(round_id: int, actor: CurrentActor) -> RoundOut:
    with UnitOfWork() as uow:
        rounds.publish(uow, actor, round_id)
        uow.commit()
        return round_out(uow, actor, round_id)


@router.post("/{round_id}/close-registration", response_model=RoundOut)
def close_registration(round_id: int, actor: CurrentActor) -> RoundOut:
    with UnitOfWork() as uow:
        rounds.close_registration(uow, actor, round_id)
        uow.commit()
        return round_out(uow, actor, round_id)


@router.get("/{round_id}/batches", response_model=list[BatchOut])
def batches(round_id: int, actor: CurrentActor) -> list[BatchOut]:
    with UnitOfWork(readonly=True) as uow:
        return [BatchOut.of(b) for b in batch.of_round(uow, actor, round_id)]


@router.post("/{round_id}/batches", response_model=BatchOut, status_code=202)
def request_batch(round_id: int, body: BatchIn, actor: CurrentActor) -> BatchOut:
    """Queue a batch step; the Prefect dispatch flow (or `shegong round-batch drain`) runs it. Poll
    GET …/batches/{id} for its status and progress."""
    with UnitOfWork() as uow:
        row = batch.request(uow, actor, round_id, body.kind)
        uow.commit()
        return BatchOut.of(row)


@router.get("/{round_id}/batches/{batch_id}", response_model=BatchOut)
def get_batch(round_id: int, batch_id: int, actor: CurrentActor) -> BatchOut:
    with UnitOfWork(readonly=True) as uow:
        row = batch.get(uow, actor, batch_id)
        if row.round_id != round_id:
            raise NotFound(f"批处理 {batch_id} 不存在", code="batch_not_found")
        return BatchOut.of(row)


@router.post("/{round_id}/advance", response_model=RoundOut)
def advance(round_id: int, actor: CurrentActor, body: AdvanceIn | None = None) -> RoundOut:
    with UnitOfWork() as uow:
        rounds.advance(uow, actor, round_id, expected=body.expected if body else None)
        uow.commit()
        return round_out(uow, actor, round_id)


@router.post("/{round_id}/cancel", response_model=RoundOut)
def cancel(round_id: int, body: CancelIn, actor: CurrentActor) -> RoundOut:
    with UnitOfWork() as uow:
        rounds.cancel(uow, actor, round_id, body.reason)
        uow.commit()
        return round_out(uow, actor, round_id)


@router.post("/{round_id}/close", response_model=RoundOut)
def close(round_id: int, actor: CurrentActor) -> RoundOut:
    with UnitOfWork() as uow:
        rounds.close(uow, actor, round_id)
        uow.commit()
        return round_out(uow, actor, round_id)
