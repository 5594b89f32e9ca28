"""User administration pages (/admin/users), for the admin role only: list users and their roles, create a
user, grant or revoke a role in a department, issue or revoke an API token. Every change goes through
services.identity / services.org, which check the admin's jurisdictions and write the audit row in the same
unit of work; the user's audit history is shown on their page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import AdminActor
from api.pages import render
from domain.actor import Actor
from domain.enums import ROLE_LABELS, Role
from domain.errors import NotFound, ShegongError
from services import audit, directory, identity, org
from services.uow import UnitOfWork

router = APIRouter(include_in_schema=False)

ACTION_LABELS = {
    "create_user": "创建用户",
    "grant_role": "授予角色",
    "revoke_role": "撤销角色",
    "issue_token": "签发令牌",
    "revoke_token": "吊销令牌",
    "set_password": "重设密码",
    "deactivate": "停用账号",
}
ROLES = [(r.value, ROLE_LABELS[r]) for r in Role]


def _user_page(
    request: Request,
    actor: Actor,
    user_id: int,
    *,
    status_code: int = 200,
    error: ShegongError | None = None,
    new_token: str | None = None,
    flash: str | None = None,
) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        found = org.users_with_roles(uow.session, user_id=user_id)
        if not found:
            raise NotFound(f"用户 {user_id} 不存在", code="user_not_found")
        tokens = identity.list_tokens(uow.session, user_id)
        history = audit.history(uow.session, identity.SUBJECT, user_id)
        departments = directory.admin_departments(uow.session, actor)
    return render(
        request,
        "admin_user.html",
        actor,
        status_code=status_code,
        u=found[0],
        tokens=tokens,
        history=history,
        departments=departments,
        roles=ROLES,
        action_labels=ACTION_LABELS,
        in_scope=lambda path: identity.administers(actor, path),
        error=error,
        new_token=new_token,
        flash=flash,
    )


def _change(
    request: Request, actor: Actor, user_id: int, message: str, fn: Callable[[UnitOfWork], Any]
) -> Response:
    """Run one change in a unit of work; back to the user's page with `message`, or the page with the
    error (its status) and nothing written."""
    try:
        with UnitOfWork() as uow:
            fn(uow)
            uow.commit()
    except ShegongError as exc:
        if exc.status == 404 and exc.code == "user_not_found":
            raise
        return _user_page(request, actor, user_id, status_code=exc.status, error=exc)
    return RedirectResponse(f"/admin/users/{user_id}?flash={message}", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request, actor: AdminActor, q: str | None = None, flash: str | None = None
) -> HTMLResponse:
    return _list_page(request, actor, q=q, flash=flash)


def _list_page(
    request: Request,
    actor: Actor,
    *,
    q: str | None = None,
    flash: str | None = None,
    error: ShegongError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        users = org.users_with_roles(uow.session, q=q)
    return render(
        request,
        "admin_users.html",
        actor,
        status_code=error.status if error else 200,
        users=users,
        q=q or "",
        flash=flash,
        error=error,
        form=form or {},
    )


@router.post("/admin/users")
def create_user(
    request: Request,
    actor: AdminActor,
    username: Annotated[str, Form(max_length=64)],
    display_name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    try:
        with UnitOfWork() as uow:
            user = identity.create_user(
                uow.session,
                username=username,
                display_name=display_name,
                password=password,
                now=uow.now,
                actor=actor,
            )
            uow.commit()
    except ShegongError as exc:
        form = {"username": username, "display_name": display_name}
        return _list_page(request, actor, error=exc, form=form)
    return RedirectResponse(f"/admin/users/{user.id}?flash=已创建用户 {user.username}", status_code=303)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_page(
    request: Request, user_id: int, actor: AdminActor, flash: str | None = None
) -> HTMLResponse:
    return _user_page(request, actor, user_id, flash=flash)


@router.post("/admin/users/{user_id}/grant")
def grant(
    request: Request,
    user_id: int,
    actor: AdminActor,
    department_id: Annotated[int, Form()],
    role: Annotated[str, Form()],
) -> Response:
    def run(uow: UnitOfWork) -> None:
        org.grant_role(uow.session, user_id, department_id, role, now=uow.now, actor=actor)

    return _change(request, actor, user_id, "已授予角色", run)


@router.post("/admin/users/{user_id}/revoke")
def revoke(
    request: Request,
    user_id: int,
    actor: AdminActor,
    department_id: Annotated[int, Form()],
    role: Annotated[str, Form()],
) -> Response:
    def run(uow: UnitOfWork) -> None:
        identity.get_user(uow.session, user_id)
        org.revoke_role(uow.session, user_id, department_id, role, now=uow.now, actor=actor)

    return _change(request, actor, user_id, "已撤销角色", run)


@router.post("/admin/users/{user_id}/tokens", response_class=HTMLResponse)
def issue_token(
    request: Request, user_id: int, actor: AdminActor, label: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    """The new token is shown once, on this answer (never in a URL); only its hash is kept."""
    try:
        with UnitOfWork() as uow:
            token = identity.issue_token(uow.session, user_id, label, now=uow.now, actor=actor)
            uow.commit()
    except ShegongError as exc:
        if exc.code == "user_not_found":
            raise
        return _user_page(request, actor, user_id, status_code=exc.status, error=exc)
    response = _user_page(request, actor, user_id, new_token=token, flash="已签发令牌")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/admin/users/{user_id}/tokens/{token_id}/revoke")
def revoke_token(request: Request, user_id: int, token_id: int, actor: AdminActor) -> Response:
    def run(uow: UnitOfWork) -> None:
        identity.revoke_token(uow.session, token_id, user_id=user_id, now=uow.now, actor=actor)

    return _change(request, actor, user_id, "已吊销令牌", run)
