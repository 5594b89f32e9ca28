"""API tokens: 'sg_' + 32 random bytes (urlsafe base64); only their sha256 is stored. Issuing and revoking
are audited (see admin.py); the token itself never reaches the audit trail."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from db.models.org import ApiToken
from db.repos import org as repo
from domain.actor import Actor
from domain.clock import real_now
from domain.errors import InvalidInput, NotFound, Unauthenticated
from services.identity import admin
from services.identity.actor import actor_from_rows
from services.identity.users import get_user

TOKEN_PREFIX = "sg_"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session, user_id: int, label: str, *, now: datetime | None = None, actor: Actor | None = None
) -> str:
    """A new bearer token for the user; returned once, only its sha256 is kept."""
    user = get_user(session, user_id)
    admin.require_admin_of_user(session, actor, user_id)
    if not user.active:
        raise InvalidInput("账号已停用，不能签发令牌", code="account_inactive")
    label = label.strip() or "api"
    if len(label) > 64:
        raise InvalidInput("令牌名称不能超过 64 个字符", code="token_label_too_long")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    at = now or real_now()
    row = repo.add_token(
        session, ApiToken(user_id=user_id, token_hash=_token_hash(token), label=label, created_at=at)
    )
    admin.record(
        session, at, actor, user_id, "issue_token", f"签发访问令牌“{label}”", token_id=row.id, label=label
    )
    return token


def actor_for_token(session: Session, token: str) -> Actor:
    """The Actor behind a bearer token (one query); unknown, revoked, disabled user -> Unauthenticated."""
    token = token.strip()
    if not token.startswith(TOKEN_PREFIX):
        raise Unauthenticated("访问令牌无效或已吊销", code="bad_token")
    rows = repo.membership_rows(session, token_hash=_token_hash(token))
    if not rows or not rows[0].active:
        raise Unauthenticated("访问令牌无效或已吊销", code="bad_token")
    return actor_from_rows(rows)


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return list(repo.tokens_of_user(session, user_id))


def _revoke(session: Session, row: ApiToken, now: datetime | None, actor: Actor | None, how: str) -> None:
    if row.revoked_at is not None:
        return
    row.revoked_at = now or real_now()
    admin.record(
        session,
        row.revoked_at,
        actor,
        row.user_id,
        "revoke_token",
        f"吊销访问令牌“{row.label}”",
        token_id=row.id,
        label=row.label,
        how=how,
    )


def revoke_token(
    session: Session,
    token_id: int,
    *,
    now: datetime | None = None,
    actor: Actor | None = None,
    user_id: int | None = None,
) -> None:
    """Revoke a token by its id (idempotent). With `user_id`, only a token of that user."""
    row = repo.token(session, token_id)
    if row is None or (user_id is not None and row.user_id != user_id):
        raise NotFound(f"令牌 {token_id} 不存在", code="token_not_found")
    admin.require_admin_of_user(session, actor, row.user_id)
    _revoke(session, row, now, actor, "by_id")


def revoke_bearer(
    session: Session, token: str, *, now: datetime | None = None, actor: Actor | None = None
) -> bool:
    """Revoke the token given in clear (e.g. on 'log out this client'); False when it is unknown. Whoever
    holds a token may revoke it: no admin role needed."""
    row = repo.token_by_hash(session, _token_hash(token.strip()))
    if row is None:
        return False
    _revoke(session, row, now, actor, "bearer")
    return True
