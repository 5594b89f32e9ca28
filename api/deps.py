"""Request dependencies: who is acting (session cookie for pages, bearer token for the API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from domain.actor import Actor
from domain.enums import Role
from domain.errors import PermissionDenied, Unauthenticated
from services import identity
from services.runtime import get_runtime
from services.uow import UnitOfWork

COOKIE = "shegong_session"
SESSION_MAX_AGE = 12 * 3600


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_runtime().settings.secret_key, salt="shegong-session")


def session_cookie(user_id: int) -> str:
    return _signer().dumps({"uid": user_id})


def _user_id_from_cookie(value: str) -> int | None:
    try:
        data = _signer().loads(value, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    uid = data.get("uid") if isinstance(data, dict) else None
    return uid if isinstance(uid, int) else None


def optional_actor(request: Request) -> Actor | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        with UnitOfWork(readonly=True) as uow:
            return identity.actor_for_token(uow.session, auth[7:].strip())
    cookie = request.cookies.get(COOKIE)
    if cookie:
        uid = _user_id_from_cookie(cookie)
        if uid is not None:
            with UnitOfWork(readonly=True) as uow:
                try:
                    return identity.actor_for_user(uow.session, uid)
                except Unauthenticated:
                    return None
    return None


def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    if actor is None:
        raise Unauthenticated("请先登录", code="login_required")
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


def require_admin(actor: CurrentActor) -> Actor:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("需要系统管理员权限", code="admin_required")
    return actor


AdminActor = Annotated[Actor, Depends(require_admin)]
