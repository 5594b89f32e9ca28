"""The applicant list of a round (filters, pages, Excel export with ID numbers masked for readers without
the right: see rounds_views) and the officer's Excel import: the template, the whole-file import, and on
refusal every row's problem on the page plus the uploaded file back with a 错误说明 column to download."""

from __future__ import annotations

import base64
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import CurrentActor
from api.pages import render
from api.routes import rounds_rows as rr
from api.routes import rounds_views as rv
from domain.actor import Actor
from domain.errors import InvalidInput, ShegongError
from forms.applicant_excel import SHEET, allowed_values, applicant_template, parse_applicants
from forms.applicant_export import applicants_export
from forms.excel_io import XLSX_MIME, RowError, error_report
from services.recruitment_round import registration, rounds
from services.recruitment_round.registration import ImportRefused, ImportRow
from services.uow import UnitOfWork

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 20 * 1024 * 1024


def _int(v: str | None) -> int | None:
    return int(v) if v and v.isdigit() else None


def _filters(post: str | None, status: str | None, q: str | None) -> rr.Filters:
    return rr.Filters(post=_int(post), status=status or None, q=(q or "").strip() or None)


def xlsx(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type=XLSX_MIME,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


def _list_page(
    request: Request,
    actor: Actor,
    round_id: int,
    f: rr.Filters,
    page: int = 1,
    *,
    flash: str | None = None,
    error: ShegongError | None = None,
    row_errors: list[RowError] | None = None,
    report: bytes | None = None,
) -> HTMLResponse:
    page = max(page, 1)
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load_visible(uow, actor, round_id)
        full = rr.sees_full_ids(actor, rnd)
        posts = rr.post_labels(uow, rnd)
        total = rr.count(uow, rnd, f)
        apps = rr.applicants(uow, rnd, f, offset=(page - 1) * rr.PAGE_SIZE)
        rows = [rr.applicant_row(a, posts, full) for a in apps]
        ctx = rr.applicant_context(uow, rnd)
    return render(
        request,
        "rounds/applicants.html",
        actor,
        status_code=error.status if error else 200,
        rnd=rnd,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // rr.PAGE_SIZE)),
        f=f,
        posts=posts,
        statuses=rv.APP_LABELS,
        full=full,
        total_places=rr.decimals(rnd)["total"],
        score=rr.score_text,
        officer=rounds.is_officer(actor, rnd),
        round_label=rv.ROUND_LABELS.get(rnd.status, rnd.status),
        flash=flash,
        error=error,
        row_errors=row_errors or [],
        report=base64.b64encode(report).decode() if report else None,
        xlsx_mime=XLSX_MIME,
        allowed=allowed_values(ctx),
    )


@router.get("/rounds/{round_id}/applicants", response_class=HTMLResponse)
def applicants_page(
    request: Request,
    round_id: int,
    actor: CurrentActor,
    post: str | None = None,
    status: str | None = None,
    q: str | None = None,
    page: int = 1,
    flash: str | None = None,
) -> HTMLResponse:
    return _list_page(request, actor, round_id, _filters(post, status, q), page, flash=flash)


@router.get("/rounds/{round_id}/applicants.xlsx")
def export(
    round_id: int,
    actor: CurrentActor,
    post: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> Response:
    """The filtered list as Excel (every page); ID and phone numbers masked unless the actor has the right."""
    f = _filters(post, status, q)
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load_visible(uow, actor, round_id)
        full = rr.sees_full_ids(actor, rnd)
        posts = rr.post_labels(uow, rnd)
        rows = [rr.applicant_row(a, posts, full) for a in rr.applicants(uow, rnd, f, limit=None)]
        title = rnd.title
    mapped = ({h: row[k] for h, k in rr.EXPORT_COLUMNS.items()} for row in rows)
    # the rows are masked (or not) above; the writer's own masking would mask them again, not unmask
    data = applicants_export(mapped, list(rr.EXPORT_COLUMNS), mask_ids=False)
    return xlsx(data, f"{title}报名人员.xlsx")


@router.get("/rounds/{round_id}/applicants/template.xlsx")
def import_template(round_id: int, actor: CurrentActor) -> Response:
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load_visible(uow, actor, round_id)
        data = applicant_template(rr.applicant_context(uow, rnd))
    return xlsx(data, f"报名信息导入模板-{rnd.id}.xlsx")


def _problems(exc: ImportRefused) -> list[RowError]:
    rows: list[dict[str, Any]] = exc.details.get("rows", [])
    return [
        RowError(int(r["row"]), str(r["column"]), str(r["value"]), str(r["message"]), str(r["code"]))
        for r in rows
    ]


@router.post("/rounds/{round_id}/import", response_class=HTMLResponse)
async def import_applicants(
    request: Request, round_id: int, actor: CurrentActor, file: Annotated[UploadFile, File()]
) -> Response:
    """Whole file or nothing: parse every row (form checks), then the service's checks (ID checksum, post,
    one per person, not registered already); any problem refuses the file, naming each row."""
    f = rr.Filters()
    data = await file.read(MAX_UPLOAD + 1)
    try:
        with UnitOfWork(readonly=True) as uow:
            rnd = rounds.load_visible(uow, actor, round_id)
            rounds.require_officer(actor, rnd)
            ctx = rr.applicant_context(uow, rnd)
        if len(data) > MAX_UPLOAD:
            raise InvalidInput("文件超过20MB，请分成多个文件导入", code="import_too_large")
        parsed = parse_applicants(data, ctx)
        errors = parsed.errors
        if not errors:
            try:
                with UnitOfWork() as uow:
                    n = registration.import_applicants(
                        uow,
                        actor,
                        round_id,
                        [ImportRow(r.row, r.registration, r.post_code) for r in parsed.rows],
                    )
                    uow.commit()
            except ImportRefused as exc:
                errors = _problems(exc)
    except ShegongError as exc:
        return _list_page(request, actor, round_id, f, error=exc)
    if errors:
        refused = InvalidInput(
            f"导入未完成：{len({e.row for e in errors})}行共{len(errors)}处错误，全部行均未导入；"
            "请下载错误报告，按「错误说明」改正后重新上传",
            code="import_rows_invalid",
        )
        return _list_page(request, actor, round_id, f, error=refused, row_errors=errors,
                          report=error_report(data, errors, sheet=SHEET))  # fmt: skip
    return RedirectResponse(f"/rounds/{round_id}/applicants?flash=已导入{n}人", status_code=303)
