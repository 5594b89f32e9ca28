"""The round's exam pages for its officer: written and interview scores by Excel (the roster as a template,
whole sheet or nothing, every row's problem on the page and the sheet back with a 错误说明 column), and the
ties a person must order (shortlist cut-off, ranking, reserve) with the opinion that decided them."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import CurrentActor
from api.pages import render
from api.routes import rounds_rows as rr
from api.routes import rounds_views as rv
from api.routes.rounds_applicants import MAX_UPLOAD, xlsx
from db.repos import recruitment_round as repo
from domain.actor import Actor
from domain.errors import InvalidInput, ShegongError
from forms.excel_io import XLSX_MIME, RowError, error_report
from forms.score_excel import SHEET, ScoreKind, parse_scores, score_template
from services.recruitment_round import exams, rounds, score_import, ties
from services.uow import UnitOfWork

router = APIRouter(include_in_schema=False)
KINDS = {"written": ("written_exam", "笔试"), "interview": ("interview", "面试")}
STAGES = {"shortlist": "面试入围末位同分", "ranking": "综合成绩同分", "reserve": "递补顺序同分"}


def _kind(kind: str) -> ScoreKind:
    if kind == "written":
        return "written"
    if kind == "interview":
        return "interview"
    raise InvalidInput("成绩类别只能是笔试或面试", code="score_kind_unknown")


def _page(
    request: Request,
    actor: Actor,
    round_id: int,
    *,
    flash: str | None = None,
    error: ShegongError | None = None,
    row_errors: list[RowError] | None = None,
    report: bytes | None = None,
) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load_visible(uow, actor, round_id)
        rounds.require_officer(actor, rnd)
        kind = next((k for k, (step, _) in KINDS.items() if step == rnd.status), None)
        open_ties = ties.unresolved_ties(uow, actor, round_id)
        tied = {i for t in open_ties for i in t.application_ids}
        names = {i: repo.application(uow.session, i) for i in sorted(tied)}
        posts = rr.post_labels(uow, rnd)
        places = rr.decimals(rnd)
    return render(
        request,
        "rounds/scores.html",
        actor,
        status_code=error.status if error else 200,
        rnd=rnd,
        kind=kind,
        kind_label=KINDS[kind][1] if kind else "",
        ties=open_ties,
        apps=names,
        posts=posts,
        stages=STAGES,
        score=rr.score_text,
        places=places,
        round_label=rv.ROUND_LABELS.get(rnd.status, rnd.status),
        flash=flash,
        error=error,
        row_errors=row_errors or [],
        report=base64.b64encode(report).decode() if report else None,
        xlsx_mime=XLSX_MIME,
    )


@router.get("/rounds/{round_id}/scores", response_class=HTMLResponse)
def scores_page(
    request: Request, round_id: int, actor: CurrentActor, flash: str | None = None
) -> HTMLResponse:
    return _page(request, actor, round_id, flash=flash)


@router.get("/rounds/{round_id}/scores/{kind}/template.xlsx")
def template(round_id: int, kind: str, actor: CurrentActor) -> Response:
    k = _kind(kind)
    label = KINDS[k][1]
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load_visible(uow, actor, round_id)
        roster = exams.exam_roster(uow, actor, round_id, k)
        data = score_template(k, roster, decimals=rr.decimals(rnd)[k])
    return xlsx(data, f"{label}成绩导入模板-{round_id}.xlsx")


@router.post("/rounds/{round_id}/scores/{kind}", response_class=HTMLResponse)
async def import_scores(
    request: Request, round_id: int, kind: str, actor: CurrentActor, file: Annotated[UploadFile, File()]
) -> Response:
    data = await file.read(MAX_UPLOAD + 1)
    label = KINDS.get(kind, ("", "成绩"))[1]
    try:
        k = _kind(kind)
        if len(data) > MAX_UPLOAD:
            raise InvalidInput("文件超过20MB，请分成多个文件导入", code="import_too_large")
        with UnitOfWork(readonly=True) as uow:
            rnd = rounds.load_visible(uow, actor, round_id)
            known = {t: name for t, name, _ in exams.exam_roster(uow, actor, round_id, kind)}
            places = rr.decimals(rnd)[kind]
        parsed = parse_scores(data, k, known, decimals=places)
        errors = parsed.errors
        if not errors:
            importer = (
                score_import.import_written_scores
                if kind == "written"
                else score_import.import_interview_scores
            )
            lines = [(r.ticket, r.score) for r in parsed.rows]
            try:
                with UnitOfWork() as uow:
                    summary = importer(uow, actor, round_id, lines, row_numbers=[r.row for r in parsed.rows])
                    uow.commit()
            except InvalidInput as exc:
                if exc.code != "score_import_invalid":
                    raise
                errors = [RowError(int(p["row"]), "准考证号", str(p["ticket"]), str(p["message"]), str(p["code"]))
                          for p in exc.details.get("problems", [])]  # fmt: skip
    except ShegongError as exc:
        return _page(request, actor, round_id, error=exc)
    if errors:
        refused = InvalidInput(
            f"{label}成绩未导入：{len({e.row for e in errors})}行共{len(errors)}处错误；请下载错误报告改正后重新上传",
            code="score_import_invalid",
        )
        report = error_report(data, errors, sheet=SHEET)
        return _page(request, actor, round_id, error=refused, row_errors=errors, report=report)
    text = f"已导入{label}成绩{summary.get('imported', 0)}人（缺考{summary.get('absent', 0)}人）"
    if summary.get("missing"):
        text += f"；另有{summary['missing']}名考生尚无成绩"
    return RedirectResponse(f"/rounds/{round_id}/scores?flash={text}", status_code=303)


@router.post("/rounds/{round_id}/ties/{post_id}", response_class=HTMLResponse)
async def resolve_tie(request: Request, round_id: int, post_id: int, actor: CurrentActor) -> Response:
    """The order a person decided for one tie: each tied application gets its place (1 = first)."""
    raw = await request.form()
    opinion = str(raw.get("opinion", ""))
    try:
        places: list[tuple[int, int]] = []
        for key, value in raw.items():
            if key.startswith("place_") and key[6:].isdigit():
                if not str(value).strip().isdigit():
                    raise InvalidInput("请为每名同分人员填写顺序（1、2、3……）", code="tie_order_invalid")
                places.append((int(str(value)), int(key[6:])))
        with UnitOfWork() as uow:
            ties.resolve_tie(uow, actor, round_id, post_id, [app_id for _, app_id in sorted(places)], opinion)
            uow.commit()
    except ShegongError as exc:
        return _page(request, actor, round_id, error=exc)
    return RedirectResponse(
        f"/rounds/{round_id}/scores?flash=已按研究确定的顺序处理同分人员", status_code=303
    )
