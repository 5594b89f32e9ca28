"""Login and logout for the pages; bearer tokens for the API are issued by `shegong org token`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from api.deps import COOKIE, SESSION_MAX_AGE, CurrentActor, OptionalActor, session_cookie
from api.pages import render
from domain.errors import Unauthenticated
from services import identity
from services.uow import UnitOfWork

router = APIRouter()


def _demo_logins() -> list[tuple[str, str, str]]:
    from services import demo  # demo data exists only for demo/test mode

    with UnitOfWork(readonly=True) as uow:
        if not uow.runtime.settings.simulated_clock_allowed:
            return []
        return list(demo.demo_logins(uow.session))


def _safe_next(next_url: str | None) -> str:
    return next_url if next_url and next_url.startswith("/") and not next_url.startswith("//") else "/inbox"


@router.get("/", include_in_schema=False)
def home(actor: OptionalActor) -> Response:
    return RedirectResponse("/inbox" if actor else "/login", status_code=303)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/inbox") -> HTMLResponse:
    return render(request, "login.html", None, next=_safe_next(next), logins=_demo_logins())


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/inbox",
) -> Response:
    try:
        with UnitOfWork(readonly=True) as uow:
            actor = identity.authenticate(uow.session, username.strip(), password)
    except Unauthenticated as exc:
        return render(
            request,
            "login.html",
            None,
            status_code=401,
            error=exc,
            username=username,
            next=_safe_next(next),
            logins=_demo_logins(),
        )
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(
        COOKIE, session_cookie(actor.user_id), max_age=SESSION_MAX_AGE, httponly=True, samesite="lax"
    )
    return resp


@router.post("/logout", include_in_schema=False)
def logout() -> Response:
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


class MeOut(BaseModel):
    user_id: int
    username: str
    display_name: str
    roles: list[dict[str, object]]


@router.get("/api/v1/me", response_model=MeOut, tags=["identity"])
def me(actor: CurrentActor) -> MeOut:
    return MeOut(
        user_id=actor.user_id,
        username=actor.username,
        display_name=actor.display_name,
        roles=[
            {
                "role": m.role.value,
                "department_id": m.department_id,
                "department": m.department_name,
                "jurisdiction": m.jurisdiction_name,
            }
            for m in actor.memberships
        ],
    )
