"""The working-day calendar: the /calendar page (month grid, entries, coverage of years, admin edits, the
deadline calculator) and its JSON API under /api/v1/calendar. Viewing needs a login, editing the admin
role; every edit is audited by services.calendar_admin in the same unit of work."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.deps import AdminActor, CurrentActor
from api.pages import render
from domain.actor import Actor
from domain.calendar import KIND_LABELS, MAX_YEAR, MIN_YEAR, format_years
from domain.errors import InvalidInput
from services import calendar_admin as svc
from services.uow import UnitOfWork

router = APIRouter()

UNIT_CHOICES = (("working", "工作日"), ("calendar", "自然日"), ("month", "月"))


def _is_htmx(request: Request) -> bool:
    return bool(request.headers.get("hx-request"))


def _data_ctx(uow: UnitOfWork, year: str | int | None, region: str | None) -> dict[str, Any]:
    """What calendar_data.html needs: the year's grid and entries, and the coverage of years."""
    view = svc.year_view(uow, year if year not in (None, "") else uow.now.year, region)
    years = svc.coverage(uow, uow.now.year, uow.now.year + 1)
    return {
        "view": view,
        "years": years,
        "builtin_years": format_years(i.year for i in years if i.builtin),
        "later_years": [i for i in years if not i.builtin],
        "kind_labels": KIND_LABELS,
        "weekdays": svc.WEEKDAYS,
    }


def _page_ctx(uow: UnitOfWork, year: str | None, region: str | None) -> dict[str, Any]:
    ctx = _data_ctx(uow, year, region)
    shown = ctx["view"].info.year
    picker = sorted({i.year for i in ctx["years"]} | {shown, uow.now.year - 1})
    return ctx | {
        "year_choices": picker,
        "regions": svc.region_options(),
        "units": UNIT_CHOICES,
        "today": uow.now.date(),
        "min_year": MIN_YEAR,
        "max_year": MAX_YEAR,
    }


# -- the page ----------------------------------------------------------------------------------------


@router.get("/calendar", response_class=HTMLResponse, include_in_schema=False)
def calendar_page(
    request: Request, actor: CurrentActor, year: str | None = None, region: str | None = None
) -> Response:
    with UnitOfWork(readonly=True) as uow:
        ctx = _page_ctx(uow, year, region)
    return render(request, "calendar.html", actor, **ctx)


def _after_edit(
    request: Request,
    actor: Actor,
    message: str,
    warnings: list[str],
    view_year: str | None,
    view_region: str | None,
) -> Response:
    """htmx: the result message and the refreshed grid (out of band); otherwise back to the page."""
    if not _is_htmx(request):
        query = f"?year={view_year or ''}&region={view_region or ''}"
        return RedirectResponse(f"/calendar{query}", status_code=303)
    with UnitOfWork(readonly=True) as uow:
        ctx = _data_ctx(uow, view_year, view_region)
    return render(request, "calendar_result.html", actor, message=message, warnings=warnings, oob=True, **ctx)


@router.post("/calendar/days", include_in_schema=False)
def page_add_day(
    request: Request,
    actor: AdminActor,
    day: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    name: Annotated[str, Form()],
    region: Annotated[str, Form()] = "",
    view_year: Annotated[str, Form()] = "",
    view_region: Annotated[str, Form()] = "",
) -> Response:
    with UnitOfWork() as uow:
        change = svc.add_day(uow, actor, day, kind, name, region or None)
        uow.commit()
    v = change.day
    msg = f"已登记 {v.day.isoformat()} {KIND_LABELS[v.kind]}：{v.name}（{v.region_key or '全国'}）"
    return _after_edit(request, actor, msg, change.warnings, view_year or str(v.day.year), view_region)


@router.post("/calendar/days/remove", include_in_schema=False)
def page_remove_day(
    request: Request,
    actor: AdminActor,
    day: Annotated[str, Form()],
    region: Annotated[str, Form()] = "",
    view_year: Annotated[str, Form()] = "",
    view_region: Annotated[str, Form()] = "",
) -> Response:
    with UnitOfWork() as uow:
        v = svc.remove_day(uow, actor, day, region or None)
        uow.commit()
    msg = f"已删除 {v.day.isoformat()} {KIND_LABELS[v.kind]}：{v.name}（{v.region_key or '全国'}）"
    return _after_edit(request, actor, msg, [], view_year or str(v.day.year), view_region)


@router.post("/calendar/years/publish", include_in_schema=False)
def page_publish_year(
    request: Request,
    actor: AdminActor,
    year: Annotated[str, Form()],
    source: Annotated[str, Form()] = "",
    withdraw: Annotated[str, Form()] = "",
    view_region: Annotated[str, Form()] = "",
) -> Response:
    with UnitOfWork() as uow:
        info = svc.publish_year(uow, actor, year, source, published=not withdraw)
        uow.commit()
    msg = f"{info.year}年放假安排已{'发布' if info.published else '撤回发布'}（来源：{info.source or '—'}）"
    return _after_edit(request, actor, msg, [], str(info.year), view_region)


@router.post("/calendar/import", include_in_schema=False)
def page_import(
    request: Request,
    actor: AdminActor,
    csv: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    view_year: Annotated[str, Form()] = "",
    view_region: Annotated[str, Form()] = "",
) -> Response:
    text = csv
    if file is not None and file.filename:
        text = svc.csv_text(file.file.read())
    if not text.strip():
        raise InvalidInput("请粘贴 CSV 内容或选择 CSV 文件", code="calendar_import_empty")
    try:
        with UnitOfWork() as uow:
            result = svc.import_csv(uow, actor, text)
            uow.commit()
    except InvalidInput as exc:
        if exc.code != "calendar_import_invalid" or not _is_htmx(request):
            raise
        return render(request, "calendar_import_errors.html", actor, status_code=422, error=exc)
    years = sorted({v.day.year for v in result.added})
    msg = f"已导入 {len(result.added)} 行（{'、'.join(map(str, years))}年）"
    return _after_edit(request, actor, msg, result.warnings, view_year or str(years[0]), view_region)


@router.get("/calendar/deadline", response_class=HTMLResponse, include_in_schema=False)
def page_deadline(
    request: Request,
    actor: CurrentActor,
    start: str = "",
    n: Annotated[str, Query()] = "",
    unit: str = "working",
    region: str | None = None,
) -> Response:
    count = _parse_n(n)
    with UnitOfWork(readonly=True) as uow:
        answer = svc.deadline(uow, start, count, unit, region)
        if not _is_htmx(request):
            ctx = _page_ctx(uow, str(answer.deadline.year), region)
            return render(request, "calendar.html", actor, answer=answer, **ctx)
    return render(request, "calendar_deadline.html", actor, answer=answer, weekdays=svc.WEEKDAYS)


def _parse_n(raw: str) -> int:
    try:
        return int(str(raw).strip())
    except ValueError:
        raise InvalidInput(f"天数“{raw}”不正确，应为整数", code="calendar_bad_span") from None


# -- JSON API ----------------------------------------------------------------------------------------


class DayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: str = Field(description="YYYY-MM-DD", max_length=40)
    kind: str = Field(description="holiday（放假）| workday（调休上班）", max_length=20)
    name: str = Field(max_length=200)
    region: str | None = Field(default=None, description="政策配置键；空为全国", max_length=64)


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(default="", max_length=1000, description="放假安排来源，如国务院办公厅通知文号")
    published: bool = True


@router.get("/api/v1/calendar/deadline", tags=["calendar"])
def api_deadline(
    actor: CurrentActor, start: str, n: int, unit: str = "working", region: str | None = None
) -> dict[str, Any]:
    """起算日之后第 N 个工作日/自然日/月的截止日（起算日当日不计入）。"""
    with UnitOfWork(readonly=True) as uow:
        return svc.deadline(uow, start, n, unit, region).to_dict()


@router.get("/api/v1/calendar/{year}", tags=["calendar"])
def api_year(year: str, actor: CurrentActor, region: str | None = None) -> dict[str, Any]:
    """某年的节假日与调休上班日（全国及指定地区），以及该年是否已覆盖。"""
    with UnitOfWork(readonly=True) as uow:
        view = svc.year_view(uow, year, region)
        return {
            **view.info.to_dict(),
            "region": view.region,
            "days": [d.to_dict() for d in view.days],
        }


@router.post("/api/v1/calendar/days", status_code=201, tags=["calendar"])
def api_add_day(body: DayIn, actor: AdminActor) -> dict[str, Any]:
    with UnitOfWork() as uow:
        change = svc.add_day(uow, actor, body.day, body.kind, body.name, body.region)
        uow.commit()
    return {"day": change.day.to_dict(), "warnings": change.warnings}


@router.delete("/api/v1/calendar/days/{day}", tags=["calendar"])
def api_remove_day(day: str, actor: AdminActor, region: str | None = None) -> dict[str, Any]:
    with UnitOfWork() as uow:
        view = svc.remove_day(uow, actor, day, region)
        uow.commit()
    return {"removed": view.to_dict()}


@router.post("/api/v1/calendar/years/{year}/publish", tags=["calendar"])
def api_publish(year: str, body: PublishIn, actor: AdminActor) -> dict[str, Any]:
    with UnitOfWork() as uow:
        info = svc.publish_year(uow, actor, year, body.source, published=body.published)
        uow.commit()
    return info.to_dict()


def _import(actor: Actor, text: str) -> dict[str, Any]:
    with UnitOfWork() as uow:
        result = svc.import_csv(uow, actor, text)
        uow.commit()
    return {
        "added": len(result.added),
        "days": [v.to_dict() for v in result.added],
        "warnings": result.warnings,
    }


@router.post(
    "/api/v1/calendar/import",
    status_code=201,
    tags=["calendar"],
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object", "properties": {"csv": {"type": "string"}}}},
            }
        }
    },
)
async def api_import(request: Request, actor: AdminActor) -> dict[str, Any]:
    """导入 CSV（表头 date,kind,name,region）：请求体为 CSV 文本，或 JSON {"csv": "..."}；
    任何一行有误则全部不写入，错误的 details.errors 逐行列出。"""
    raw = await request.body()
    text = svc.csv_text(raw)
    if "application/json" in request.headers.get("content-type", ""):
        try:
            payload = json.loads(text)
        except ValueError:
            raise InvalidInput("JSON 格式错误", code="invalid_input") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("csv"), str):
            raise InvalidInput('JSON 请求体应为 {"csv": "CSV 文本"}', code="invalid_input")
        text = payload["csv"]
    if not text.strip():
        raise InvalidInput("请求体为空：请提交 CSV 文本", code="calendar_import_empty")
    return await run_in_threadpool(_import, actor, text)
