"""Who is asking: passwords, users, API tokens, and the Actor (user + memberships) every permission check
reads. The web layer signs its own session cookie and calls `actor_for_user` with the id inside it.

Passwords: scrypt (n=2**14, r=8, p=1, 32 bytes) with a 16-byte random salt, stored as
'scrypt$n$r$p$salt$hash' (base64), compared in constant time. An unknown username costs one scrypt too,
so response time does not tell which usernames exist.

Tokens: 'sg_' + 32 random bytes (urlsafe base64); only their sha256 is stored.

Actor cache: `actor_for_user(..., max_age=seconds)` may answer from a per-process cache (keyed by the
database URL and the user id) for up to `max_age` seconds; the default (0) always reads the database.
The web layer passes `REQUEST_CACHE_SECONDS` (2 s): a role granted or revoked in another process is then
seen at most 2 s late; changes made through this module and services.org in this process drop the entry
at once. The whole lookup is one indexed join, so the cache only spares a round trip per request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from datetime import datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from db.models.org import ApiToken, User
from db.repos import org as repo
from domain.actor import Actor, Membership
from domain.clock import real_now
from domain.enums import DeptKind, Role
from domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated

# ---------------------------------------------------------------- passwords

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_LEN = 32
MIN_PASSWORD_LENGTH = 8
BAD_CREDENTIALS = "用户名或密码错误"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=SCRYPT_LEN, maxmem=128 * n * r * p + 2**20
    )


def hash_password(password: str) -> str:
    """A salted scrypt hash of `password`, self-describing: 'scrypt$n$r$p$salt$hash'."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored` (constant-time compare; False on any malformed hash)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so that both failures take the same time."""
    return hash_password(secrets.token_urlsafe(12))


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符", code="password_too_short")


# ---------------------------------------------------------------- users

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{1,63}$")


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str | None = None,
    password_hash: str | None = None,
    now: datetime | None = None,
) -> User:
    """Add a user. Give `password` (checked and hashed) or an already computed `password_hash`."""
    username = username.strip()
    display_name = display_name.strip()
    if not USERNAME_RE.match(username):
        raise InvalidInput(
            "用户名须以小写字母开头，只含小写字母、数字、下划线、点或连字符，长度 2-64",
            code="username_invalid",
            details={"username": username},
        )
    if not display_name:
        raise InvalidInput("姓名不能为空", code="display_name_missing")
    if (password is None) == (password_hash is None):
        raise InvalidInput("须提供密码", code="password_missing")
    if password is not None:
        check_password_rules(password)
        password_hash = hash_password(password)
    assert password_hash is not None
    if repo.user_by_username(session, username) is not None:
        raise Conflict(f"用户名“{username}”已被使用", code="username_taken", details={"username": username})
    row = User(
        username=username,
        display_name=display_name,
        password_hash=password_hash,
        active=True,
        created_at=now or real_now(),
    )
    return repo.add_user(session, row)


def get_user(session: Session, user_id: int) -> User:
    row = repo.user(session, user_id)
    if row is None:
        raise NotFound(f"用户 {user_id} 不存在", code="user_not_found")
    return row


def user_by_username(session: Session, username: str) -> User:
    row = repo.user_by_username(session, username.strip())
    if row is None:
        raise NotFound(f"用户“{username}”不存在", code="user_not_found", details={"username": username})
    return row


def set_password(session: Session, user_id: int, password: str) -> None:
    check_password_rules(password)
    get_user(session, user_id).password_hash = hash_password(password)


def deactivate_user(session: Session, user_id: int, *, now: datetime | None = None) -> None:
    """Disable the account and revoke its API tokens; its role assignments stay on record."""
    get_user(session, user_id).active = False
    repo.revoke_tokens_of_user(session, user_id, now or real_now())
    forget_actor(user_id)


# ---------------------------------------------------------------- the actor

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


def _actor_from_rows(rows: list[repo.MembershipRow]) -> Actor:
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
    actor = _actor_from_rows(rows)
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
        verify_password(password, _dummy_hash())
        raise Unauthenticated(BAD_CREDENTIALS, code="bad_credentials")
    if not verify_password(password, row.password_hash) or not row.active:
        raise Unauthenticated(BAD_CREDENTIALS, code="bad_credentials")
    return actor_for_user(session, row.id)


# ---------------------------------------------------------------- API tokens

TOKEN_PREFIX = "sg_"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user_id: int, label: str, *, now: datetime | None = None) -> str:
    """A new bearer token for the user; returned once, only its sha256 is kept."""
    user = get_user(session, user_id)
    if not user.active:
        raise InvalidInput("账号已停用，不能签发令牌", code="account_inactive")
    label = label.strip() or "api"
    if len(label) > 64:
        raise InvalidInput("令牌名称不能超过 64 个字符", code="token_label_too_long")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    repo.add_token(
        session,
        ApiToken(user_id=user_id, token_hash=_token_hash(token), label=label, created_at=now or real_now()),
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
    return _actor_from_rows(rows)


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return list(repo.tokens_of_user(session, user_id))


def revoke_token(session: Session, token_id: int, *, now: datetime | None = None) -> None:
    """Revoke a token by its id (idempotent)."""
    row = repo.token(session, token_id)
    if row is None:
        raise NotFound(f"令牌 {token_id} 不存在", code="token_not_found")
    if row.revoked_at is None:
        row.revoked_at = now or real_now()


def revoke_bearer(session: Session, token: str, *, now: datetime | None = None) -> bool:
    """Revoke the token given in clear (e.g. on 'log out this client'); False when it is unknown."""
    row = repo.token_by_hash(session, _token_hash(token.strip()))
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = now or real_now()
    return True
