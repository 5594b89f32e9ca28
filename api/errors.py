"""Map errors to responses: JSON {code, message, article, details} for the API and for htmx requests'
callers that ask for JSON; an error page (or an htmx fragment) for pages. Validation errors of forms and
bodies become 422 with a Chinese message naming the field."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from api.templating import templates
from domain.errors import Conflict, ShegongError, Unauthenticated

# PostgreSQL's answers to two transactions that cannot both go on (deadlock, serialization failure): one
# is rolled back whole, so the request changed nothing and may simply be repeated.
TRANSIENT_SQLSTATES = {"40P01", "40001"}

_MSG = {
    "missing": "缺少必填项",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 YYYY-MM-DDTHH:MM",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "json_invalid": "JSON 格式错误",
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "query", "path", "form"))


def install(app: FastAPI) -> None:
    @app.exception_handler(ShegongError)
    async def _shegong(request: Request, exc: ShegongError) -> Response:
        if isinstance(exc, Unauthenticated) and not wants_json(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if wants_json(request):
            return JSONResponse(exc.to_dict(), status_code=exc.status)
        template = "partials/error.html" if request.headers.get("hx-request") else "error.html"
        return templates.TemplateResponse(
            request, template, {"error": exc, "status": exc.status}, status_code=exc.status
        )

    def _concurrent() -> Conflict:
        return Conflict(
            "该事项刚被他人同时办理，本次操作未生效（未写入任何内容），请刷新后重试",
            code="concurrent_change",
        )

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> Response:
        return await _shegong(request, _concurrent())

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> Response:
        if getattr(exc.orig, "sqlstate", None) in TRANSIENT_SQLSTATES:
            return await _shegong(request, _concurrent())
        raise exc  # anything else is a server error, logged as such

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {
                "field": _field(tuple(e.get("loc", ()))),
                "message": _MSG.get(e.get("type", ""), e.get("msg", "")),
            }
            for e in exc.errors()
        ]
        text = "；".join(f"{p['field']}：{p['message']}" for p in problems)
        err = ShegongError(f"输入有误：{text}", code="invalid_input", details={"fields": problems})
        err.status = 422
        return await _shegong(request, err)
