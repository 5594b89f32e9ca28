"""The Actor (user + memberships) every permission check reads, and logging in.

Actor cache: `actor_for_user(..., max_age=seconds)` may answer from a per-process cache (keyed by the
database URL and the user id) for up to `max_age` seconds; the default (0) always reads the database.
The web layer passes `REQUEST_CACHE_SECONDS` (2 s): a role granted or revoked in another process is then
seen at most 2 s late; changes made through services.identity and services.org in this process drop the
entry at once. The whole lookup is one indexed join, so the cache only spares a round trip per request.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session

from db.repos import org as repo
from domain.actor import Actor, Membership
from domain.enums import DeptKind, Role
from domain.errors import Unauthenticated
from services.identity.passwords import BAD_CREDENTIALS, dummy_hash, verify_password

REQUEST_CACHE_SECONDS = 2.0
_CACHE_MAX = 4096
_cache: dict[tuple[str, int], tuple[float, Actor]] = {}
_cache_lock = threading.Lock()


def _cache_key(session: Session, user_id: int) -> tuple[str, int]:
    bind = session.get_bind()
    return (str(bind.engine.url), user_id)


def forget_actor(user_id: int | None = None) -> None:
    """Drop a user's cached Actor (every user's when None)."""
    with _cache_lock:
        if user_id is None:
            _cache.clear()
        else:
            for key in [k for k in _cache if k[1] == user_id]:
                del _cache[key]


def actor_from_rows(rows: list[repo.MembershipRow]) -> Actor:
    first = rows[0]
    memberships = tuple(
        Membership(
            department_id=r.department_id,
            department_kind=DeptKind(r.department_kind),
            department_name=r.department_name or "",
            jurisdiction_id=r.jurisdiction_id or 0,
            jurisdiction_name=r.jurisdiction_name or "",
            jurisdiction_path=r.jurisdiction_path or "",
            jurisdiction_level=r.jurisdiction_level or "",
            role=Role(r.role),
        )
        for r in rows
        if r.role is not None and r.department_id is not None and r.department_kind is not None
    )
    return Actor(
        user_id=first.user_id,
        username=first.username,
        display_name=first.display_name,
        memberships=memberships,
    )


def actor_for_user(session: Session, user_id: int, *, max_age: float = 0.0) -> Actor:
    """The Actor for an active user, with every membership (one query). Unknown or disabled ->
    Unauthenticated. With `max_age` > 0 a cached Actor at most that many seconds old may be returned."""
    key = _cache_key(session, user_id) if max_age > 0 else None
    if key is not None:
        hit = _cache.get(key)
        if hit is not None and time.monotonic() - hit[0] <= max_age:
            return hit[1]
    rows = repo.membership_rows(session, user_id=user_id)
    if not rows or not rows[0].active:
        raise Unauthenticated("账号不存在或已停用，请重新登录", code="account_inactive")
    actor = actor_from_rows(rows)
    if key is not None:
        with _cache_lock:
            if len(_cache) >= _CACHE_MAX:
                _cache.clear()
            _cache[key] = (time.monotonic(), actor)
    return actor


def authenticate(session: Session, username: str, password: str) -> Actor:
    """The Actor for a correct username and password; otherwise Unauthenticated, never saying which."""
    row = repo.user_by_username(session, username.strip())
    if row is None:
        verify_password(password, dummy_hash())
        raise Unauthenticated(BAD_CREDENTIALS, code="bad_credentials")
    if not verify_password(password, row.password_hash) or not row.active:
        raise Unauthenticated(BAD_CREDENTIALS, code="bad_credentials")
    return actor_for_user(session, row.id)


