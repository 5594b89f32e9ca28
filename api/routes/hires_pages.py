"""/hires: the street office's hiring desk — sign the labour contract of a proposed hire once the notice is
over (IM art. 12), with the term and probation the round's settings propose (within 劳动合同法 art. 19)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import CurrentActor
from api.pages import render
from domain.errors import InvalidInput, ShegongError
from services.recruitment_round import hire, hiring_desk
from services.uow import UnitOfWork

router = APIRouter(include_in_schema=False)


def desk_page(
    request: Request, actor: CurrentActor, *, error: ShegongError | None = None, flash: str | None = None
) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        to_sign, signed = hiring_desk.desk(uow, actor)
    return render(
        request,
        "rounds/hires.html",
        actor,
        status_code=error.status if error else 200,
        to_sign=to_sign,
        signed=signed,
        is_street=bool(hiring_desk.street_ids(actor)),
        error=error,
        flash=flash,
    )


@router.get("/hires", response_class=HTMLResponse)
def hires(request: Request, actor: CurrentActor, flash: str | None = None) -> HTMLResponse:
    return desk_page(request, actor, flash=flash)


def _int(value: str, field: str, label: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(
            f"「{label}」须为整数", code=f"{field}_invalid", details={"field": field}
        ) from None


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "「用工开始日期」格式应为 YYYY-MM-DD", code="starts_on_invalid", details={"field": "starts_on"}
        ) from None


@router.post("/hires/{app_id}/sign")
def sign(
    request: Request,
    app_id: int,
    actor: CurrentActor,
    term_months: Annotated[str, Form()],
    probation_months: Annotated[str, Form()],
    starts_on: Annotated[str, Form()],
) -> Response:
    try:
        with UnitOfWork() as uow:
            contract = hire.sign_contract(
                uow,
                actor,
                app_id,
                _int(term_months, "term_months", "合同期限(月)"),
                _int(probation_months, "probation_months", "试用期(月)"),
                _date(starts_on),
            )
            uow.commit()
            ends = contract.probation_ends_on
    except ShegongError as exc:
        return desk_page(request, actor, error=exc)
    return RedirectResponse(f"/hires?flash=已签订劳动合同，试用期至{ends:%Y-%m-%d}", status_code=303)
