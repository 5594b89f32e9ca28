"""Supplementary announcements (补充公告) of a round: the officer's form on the round page (preview, then
publish; a refusal is shown in place, in the card, with its article) and the JSON API (list, preview,
publish). The public announcement shows them through amendment_views.public."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor
from api.routes import amendment_views as av
from api.routes import rounds_pages
from db.models.round_amendment import RoundAmendment
from db.repos import round_amendments as repo
from domain.errors import ShegongError
from services.recruitment_round import amendment_rules as ar
from services.recruitment_round import amendments, rounds
from services.recruitment_round.amendments import AmendmentDraft
from services.uow import UnitOfWork

router = APIRouter()
API = "/api/v1/rounds/{round_id}/amendments"


# --- pages ----------------------------------------------------------------------------------------------


async def _read(request: Request) -> tuple[AmendmentDraft, dict[str, str], bool]:
    """The draft the form asks for, the form as typed (browsers' CRLF line ends made plain) and whether
    it asks to edit again (返回修改)."""
    raw = await request.form()
    form = {k: v.replace("\r\n", "\n") for k, v in raw.items() if isinstance(v, str)}
    edit, expected = form.pop("edit", None) is not None, form.pop("expected_number", "")
    changes = {k: v for k, v in form.items() if k not in av.TEXT_FIELDS}
    draft = AmendmentDraft(
        reason=form.get("reason", ""),
        title=form.get("title", ""),
        body=form.get("body", ""),
        changes=changes,
        expected_number=int(expected) if expected.isdigit() else None,
    )
    return draft, form, edit


@router.post("/rounds/{round_id}/amendments/preview", include_in_schema=False)
async def preview_page(request: Request, round_id: int, actor: CurrentActor) -> HTMLResponse:
    """预览: every check runs, nothing is written; the round page shows the amendment as it would be
    published (or why not), with the button that publishes exactly that."""
    draft, form, edit = await _read(request)
    if edit:  # 返回修改: the form again with what was typed
        return rounds_pages._page(request, actor, round_id, amend_state={"form": form})
    try:
        with UnitOfWork(readonly=True) as uow:
            prepared = amendments.preview(uow, actor, round_id, draft)
    except ShegongError as exc:
        return rounds_pages._page(request, actor, round_id, amend_state={"form": form, "error": exc})
    return rounds_pages._page(request, actor, round_id, amend_state={"form": form, "preview": prepared})


@router.post("/rounds/{round_id}/amendments/publish", include_in_schema=False)
async def publish_page(request: Request, round_id: int, actor: CurrentActor) -> Response:
    draft, form, _ = await _read(request)
    try:
        with UnitOfWork() as uow:
            row = amendments.publish(uow, actor, round_id, draft)
            uow.commit()
            number = row.number
    except ShegongError as exc:
        return rounds_pages._page(request, actor, round_id, amend_state={"form": form, "error": exc})
    return RedirectResponse(
        f"/rounds/{round_id}?flash=已发布第{number}号补充公告#amendments", status_code=303
    )


# --- JSON API -------------------------------------------------------------------------------------------


class AmendmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=2_000)
    title: str = Field(default="", max_length=200, description="default: 《round title》第N号补充公告")
    body: str = Field(default="", max_length=20_000, description="the officer's own text, after the changes")
    changes: dict[str, Any] = Field(
        default_factory=dict,
        description="field -> new value: registration_closes_at, announcement, post.<code>.title, "
        "post.<code>.conditions, <step>.at, <step>.place (step: written_exam, interview, assessment, "
        "physical_exam); unchanged values are ignored",
    )

    expected_number: int | None = Field(
        default=None, description="the number the preview gave: 409 if another amendment was published since"
    )

    def draft(self) -> AmendmentDraft:
        return AmendmentDraft(reason=self.reason, title=self.title, body=self.body, changes=self.changes,
                              expected_number=self.expected_number)  # fmt: skip


class ChangeOut(BaseModel):
    key: str
    label: str
    old: Any
    new: Any


class AmendmentOut(BaseModel):
    id: int | None = Field(description="None in a preview")
    round_id: int
    number: int
    title: str
    body: str
    reason: str
    article: str
    round_status: str
    published_at: datetime | None = Field(description="None in a preview")
    changes: list[ChangeOut]

    @classmethod
    def of(cls, a: RoundAmendment) -> AmendmentOut:
        return cls(
            id=a.id, round_id=a.round_id, number=a.number, title=a.title, body=a.body, reason=a.reason,
            article=a.article, round_status=a.round_status, published_at=a.published_at,
            changes=[ChangeOut(key=k, label=ar.label_of(k), old=o, new=n) for k, (o, n) in a.changes.items()],
        )  # fmt: skip

    @classmethod
    def preview(cls, p: amendments.Prepared) -> AmendmentOut:
        return cls(
            id=None, round_id=p.rnd.id, number=p.number, title=p.title, body=p.body, reason=p.reason,
            article=p.article, round_status=p.rnd.status, published_at=None,
            changes=[ChangeOut(key=c.key, label=c.label, old=c.old, new=c.new) for c in p.changes],
        )  # fmt: skip


class AmendmentsOut(BaseModel):
    round_id: int
    amendments: list[AmendmentOut]
    arrangements: dict[str, Any] = Field(description="exam times and places announced: <step>.at / .place")
    marks: dict[str, int] = Field(description="field -> the number of the amendment that last changed it")
    may_change: dict[str, Any] = Field(
        description="for the round's officer: what an amendment may change now"
    )


@router.get(API, response_model=AmendmentsOut, tags=["recruitment_round"])
def list_amendments(round_id: int, actor: CurrentActor) -> AmendmentsOut:
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load_visible(uow, actor, round_id)
        items = repo.of_round(uow.session, rnd.id)
        may = amendments.open_now(rnd, items, uow.now) if rounds.is_officer(actor, rnd) else {}
        return AmendmentsOut(round_id=rnd.id, amendments=[AmendmentOut.of(a) for a in items],
                             arrangements=amendments.arranged(items), marks=amendments.marks(items),
                             may_change=may)  # fmt: skip


@router.post(f"{API}/preview", response_model=AmendmentOut, tags=["recruitment_round"])
def preview(round_id: int, body: AmendmentIn, actor: CurrentActor) -> AmendmentOut:
    """The amendment as it would be published; 422 with every problem and its article, nothing written."""
    with UnitOfWork(readonly=True) as uow:
        return AmendmentOut.preview(amendments.preview(uow, actor, round_id, body.draft()))


@router.post(API, response_model=AmendmentOut, status_code=201, tags=["recruitment_round"])
def publish(round_id: int, body: AmendmentIn, actor: CurrentActor) -> AmendmentOut:
    """Publish 第N号补充公告 (the organising department's HR officer only)."""
    with UnitOfWork() as uow:
        row = amendments.publish(uow, actor, round_id, body.draft())
        uow.commit()
        return AmendmentOut.of(row)
