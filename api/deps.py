"""Request dependencies: who is acting (session cookie for pages, bearer token for the API).

A bearer token's Actor is kept for a moment (TOKEN_TTL seconds) so that a client's burst of requests
costs one lookup: a revoked token, a deactivated user or a changed role takes effect at once for changes
written by this process (any flush touching accounts, roles or the org tree empties the cache) and within
TOKEN_TTL for changes written by another process."""

from __future__ import annotations

import threading
import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from db.models.org import ApiToken, Department, Jurisdiction, RoleAssignment, User
from domain.actor import Actor
from domain.enums import Role
from domain.errors import PermissionDenied, Unauthenticated
from services import identity
from services.runtime import get_runtime
from services.uow import UnitOfWork

COOKIE = "shegong_session"
SESSION_MAX_AGE = 12 * 3600
TOKEN_TTL = 2.0  # seconds
_TOKEN_CACHE_MAX = 4096
_IDENTITY_ROWS = (ApiToken, User, RoleAssignment, Department, Jurisdiction)

_tokens: dict[str, tuple[float, Actor]] = {}
_tokens_lock = threading.Lock()


def forget_tokens() -> None:
    with _tokens_lock:
        _tokens.clear()


@event.listens_for(Session, "after_flush")
def _on_flush(session: Session, _flush: UOWTransaction) -> None:
    if _tokens and any(
        isinstance(o, _IDENTITY_ROWS) for rows in (session.new, session.dirty, session.deleted) for o in rows
    ):
        forget_tokens()


def _actor_for_token(token: str) -> Actor:
    now = time.monotonic()
    hit = _tokens.get(token)
    if hit is not None and hit[0] > now:
        return hit[1]
    with UnitOfWork(readonly=True) as uow:
        actor = identity.actor_for_token(uow.session, token)  # Unauthenticated: not kept
    with _tokens_lock:
        if len(_tokens) >= _TOKEN_CACHE_MAX:
            _tokens.clear()
        _tokens[token] = (now + TOKEN_TTL, actor)
    return actor


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


async def optional_actor(request: Request) -> Actor | None:
    """Async, so that a request whose actor is known already costs no trip to the thread pool (FastAPI
    runs every sync dependency there); a database lookup still runs in the pool."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
        hit = _tokens.get(token)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        return await run_in_threadpool(_actor_for_token, token)
    cookie = request.cookies.get(COOKIE)
    if cookie:
        uid = _user_id_from_cookie(cookie)
        if uid is not None:
            return await run_in_threadpool(_actor_for_user, uid)
    return None


def _actor_for_user(uid: int) -> Actor | None:
    with UnitOfWork(readonly=True) as uow:
        try:
            return identity.actor_for_user(uow.session, uid)
        except Unauthenticated:
            return None


async def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    if actor is None:
        raise Unauthenticated("请先登录", code="login_required")
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


async def require_admin(actor: CurrentActor) -> Actor:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("需要系统管理员权限", code="admin_required")
    return actor


AdminActor = Annotated[Actor, Depends(require_admin)]
