"""JSON API of a round's scores: written and interview scores by Excel (the template, and the filled sheet
uploaded as multipart: whole sheet or nothing, every row's problem in `details.rows`), and the ties a
person orders. Each the same service call as its page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor
from api.routes import rounds_rows as rr
from api.routes.rounds_applicants import MAX_UPLOAD, xlsx
from api.routes.rounds_scores import STAGES
from domain.errors import InvalidInput
from forms.excel_io import RowError
from forms.score_excel import ScoreKind, parse_scores, score_template
from services.recruitment_round import (
    exams,
    rounds,
    score_import,
    ties,
)
from services.uow import UnitOfWork

router = APIRouter(prefix="/api/v1", tags=["recruitment_round"])


KIND_LABELS = {"written": "笔试", "interview": "面试"}


def _kind(kind: str) -> ScoreKind:
    if kind == "written":
        return "written"
    if kind == "interview":
        return "interview"
    raise InvalidInput("成绩类别只能是笔试（written）或面试（interview）", code="score_kind_unknown")


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
