"""User accounts: create, look up, set a password, deactivate — each change audited (see admin.py)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from db.models.org import User
from db.repos import org as repo
from domain.actor import Actor
from domain.clock import real_now
from domain.errors import Conflict, InvalidInput, NotFound
from services.identity import admin
from services.identity.actor import forget_actor
from services.identity.passwords import check_password_rules, hash_password

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{1,63}$")


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str | None = None,
    password_hash: str | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> User:
    """Add a user. Give `password` (checked and hashed) or an already computed `password_hash`."""
    admin.require_admin(actor)
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
    if len(display_name) > 64:
        raise InvalidInput("姓名不能超过 64 个字符", code="display_name_too_long")
    if (password is None) == (password_hash is None):
        raise InvalidInput("须提供密码", code="password_missing")
    if password is not None:
        check_password_rules(password)
        password_hash = hash_password(password)
    assert password_hash is not None
    if repo.user_by_username(session, username) is not None:
        raise Conflict(f"用户名“{username}”已被使用", code="username_taken", details={"username": username})
    at = now or real_now()
    row = repo.add_user(
        session,
        User(
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            active=True,
            created_at=at,
        ),
    )
    admin.record(
        session, at, actor, row.id, "create_user", f"创建用户 {username}（{display_name}）", username=username
    )
    return row


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


def set_password(
    session: Session,
    user_id: int,
    password: str,
    *,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> None:
    """Replace a user's password (the audit row says it was set, never what to)."""
    check_password_rules(password)
    user = get_user(session, user_id)
    admin.require_admin_of_user(session, actor, user_id)
    user.password_hash = hash_password(password)
    admin.record(session, now, actor, user_id, "set_password", "重设密码")


def deactivate_user(
    session: Session, user_id: int, *, now: datetime | None = None, actor: Actor | None = None
) -> None:
    """Disable the account and revoke its API tokens; its role assignments stay on record."""
    user = get_user(session, user_id)
    admin.require_admin_of_user(session, actor, user_id)
    if actor is not None and actor.user_id == user_id:
        raise InvalidInput("不能停用自己的账号", code="deactivate_self")
    at = now or real_now()
    was_active = user.active
    user.active = False
    repo.revoke_tokens_of_user(session, user_id, at)
    forget_actor(user_id)
    if was_active:
        admin.record(session, at, actor, user_id, "deactivate", "停用账号并吊销其全部令牌")
