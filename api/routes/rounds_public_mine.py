"""The applicant's own pages (no login; known by ID number + the phone given at registration, carried in
the POST body, never in the address): look up, edit until the window closes or correct after a return,
withdraw, print the admit ticket. A wrong pair gets the same answer whether or not the ID number applied."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from api.pages import render
from api.routes import rounds_rows as rr
from api.routes import rounds_views as rv
from api.routes.rounds_public import form_values, mine_page, render_form, values_of
from domain.errors import ShegongError
from forms.application_input import parse_html_form
from services import org
from services.recruitment_round import exams, registration
from services.uow import UnitOfWork

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


def _lookup(
    request: Request, round_id: int, *, error: ShegongError | None = None, id_number: str = ""
) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        rnd = rr.published(uow, round_id)
    return render(request, "rounds/public_lookup.html", None, status_code=error.status if error else 200,
                  rnd=rnd, error=error, id_number=id_number)  # fmt: skip


@router.get("/public/rounds/{round_id}/mine", response_class=HTMLResponse)
def lookup_form(request: Request, round_id: int) -> HTMLResponse:
    return _lookup(request, round_id)


@router.post("/public/rounds/{round_id}/mine", response_class=HTMLResponse)
def lookup(request: Request, round_id: int, id_number: Text = "", phone: Text = "") -> HTMLResponse:
    try:
        return mine_page(request, round_id, id_number.strip().upper(), phone.strip())
    except ShegongError as exc:
        return _lookup(request, round_id, error=exc, id_number=id_number)


@router.post("/public/rounds/{round_id}/mine/edit", response_class=HTMLResponse)
async def edit(request: Request, round_id: int) -> HTMLResponse:
    """Without `save`: the form filled with the application; with it: the edit (or the correction after a
    return, which resubmits it for screening)."""
    raw = await request.form()
    auth = {
        "auth_id_number": str(raw.get("auth_id_number", "")),
        "auth_phone": str(raw.get("auth_phone", "")),
    }
    action = f"/public/rounds/{round_id}/mine/edit"
    try:
        with UnitOfWork(readonly=True) as uow:
            rnd = rr.published(uow, round_id)
            ctx = rr.applicant_context(uow, rnd)
            app = registration.find_own(uow, round_id, auth["auth_id_number"], auth["auth_phone"])
            code = rr.post_labels(uow, rnd).get(app.post_id, ("", ""))[0]
    except ShegongError as exc:
        return _lookup(request, round_id, error=exc)
    if "save" not in raw:
        return render_form(request, rnd, ctx, values_of(app, code), action=action, auth=auth)
    try:
        form = parse_html_form(raw, ctx)
        with UnitOfWork() as uow:
            saved = registration.edit(uow, round_id, auth["auth_id_number"], auth["auth_phone"],
                                      form.to_registration(), form.post_code)  # fmt: skip
            uow.commit()
            status = saved.status
    except ShegongError as exc:
        return render_form(request, rnd, ctx, form_values(raw), action=action, error=exc, auth=auth)
    flash = (
        f"已补正并重新提交（{rv.APP_LABELS.get(status, status)}）"
        if app.status == "returned"
        else "已保存修改"
    )
    return mine_page(request, round_id, form.id_number, form.phone, flash=flash)


@router.post("/public/rounds/{round_id}/mine/withdraw", response_class=HTMLResponse)
def withdraw(
    request: Request, round_id: int, auth_id_number: Text = "", auth_phone: Text = "", reason: Text = ""
) -> HTMLResponse:
    try:
        with UnitOfWork() as uow:
            registration.withdraw_own(uow, round_id, auth_id_number, auth_phone, reason.strip())
            uow.commit()
    except ShegongError as exc:
        try:
            return mine_page(request, round_id, auth_id_number, auth_phone, error=exc)
        except ShegongError:
            return _lookup(request, round_id, error=exc)
    return mine_page(request, round_id, auth_id_number, auth_phone, flash="已放弃报名")


@router.post("/public/rounds/{round_id}/ticket", response_class=HTMLResponse)
def admit_ticket(
    request: Request, round_id: int, auth_id_number: Text = "", auth_phone: Text = ""
) -> HTMLResponse:
    """The printable admit ticket (准考证), once the written exam has begun and a number is assigned."""
    try:
        with UnitOfWork(readonly=True) as uow:
            rnd = rr.published(uow, round_id)
            ticket = exams.admit_ticket(uow, None, round_id, auth_id_number, auth_phone)
            organiser = org.get_jurisdiction(uow.session, rnd.jurisdiction_id).name
    except ShegongError as exc:
        return _lookup(request, round_id, error=exc)
    return render(request, "rounds/ticket.html", None, t=ticket, organiser=organiser)
