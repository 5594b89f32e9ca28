"""Passwords, authentication, the Actor, and API tokens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from db.models.org import ApiToken, Jurisdiction
from domain.enums import DeptKind, Level, Role
from domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from services import identity, org
from services.runtime import Runtime
from services.uow import UnitOfWork


def test_password_hashing() -> None:
    stored = identity.hash_password("correct horse")
    assert stored.startswith("scrypt$16384$8$1$")
    assert "correct horse" not in stored
    assert identity.verify_password("correct horse", stored)
    assert not identity.verify_password("correct horsf", stored)
    assert identity.hash_password("correct horse") != stored  # salted
    assert not identity.verify_password("x", "garbage")
    assert not identity.verify_password("x", "bcrypt$1$2$3$4$5")


def _setup(uow: UnitOfWork) -> tuple[int, list[Jurisdiction]]:
    """A county and a street under a region and city; user 'wang' is HR officer in the county's social-work
    department and approver in the street office."""
    s = uow.session
    region = org.create_jurisdiction(s, code="150000", name="内蒙古自治区", level=Level.REGION)
    city = org.create_jurisdiction(s, code="150600", name="鄂尔多斯市", level="city", parent_id=region.id)
    county = org.create_jurisdiction(s, code="150603", name="康巴什区", level="county", parent_id=city.id)
    street = org.create_jurisdiction(
        s, code="150603001", name="哈巴格希街道", level="street", parent_id=county.id
    )
    for node in (region, city, county, street):
        org.ensure_departments(s, node.id)
    user = identity.create_user(s, username="wang", display_name="王海燕", password="demo1234", now=uow.now)
    sw = org.find_department(s, county.id, DeptKind.SOCIAL_WORK)
    office = org.find_department(s, street.id, DeptKind.STREET_OFFICE)
    assert sw is not None and office is not None
    org.grant_role(s, user.id, sw.id, Role.HR_OFFICER)
    org.grant_role(s, user.id, office.id, Role.APPROVER)
    return user.id, [region, city, county, street]


@contextmanager
def _count_queries(runtime: Runtime) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(runtime.engine, "before_cursor_execute", before)


def test_authenticate(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        user_id, _ = _setup(uow)
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        actor = identity.authenticate(uow.session, "wang", "demo1234")
        assert (actor.user_id, actor.username, actor.display_name) == (user_id, "wang", "王海燕")
        assert actor.roles() == {Role.HR_OFFICER, Role.APPROVER}
        assert identity.authenticate(uow.session, " wang ", "demo1234").user_id == user_id
        failures = []
        for username, password in [("wang", "demo12345"), ("nobody", "demo1234"), ("wang", "")]:
            with pytest.raises(Unauthenticated) as err:
                identity.authenticate(uow.session, username, password)
            failures.append((err.value.code, err.value.message, err.value.status))
        # Same answer whether the user exists or not.
        assert set(failures) == {("bad_credentials", "用户名或密码错误", 401)}


def test_inactive_user_cannot_log_in(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        user_id, _ = _setup(uow)
        token = identity.issue_token(uow.session, user_id, "ci")
        identity.deactivate_user(uow.session, user_id, now=uow.now)
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        with pytest.raises(Unauthenticated) as err:
            identity.authenticate(uow.session, "wang", "demo1234")
        assert err.value.message == "用户名或密码错误"
        with pytest.raises(Unauthenticated):
            identity.actor_for_user(uow.session, user_id)
        with pytest.raises(Unauthenticated):
            identity.actor_for_token(uow.session, token)


def test_actor_for_user_memberships_in_one_query(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        user_id, (region, city, county, street) = _setup(uow)
        uow.commit()
    with UnitOfWork(readonly=True) as uow, _count_queries(runtime) as queries:
        actor = identity.actor_for_user(uow.session, user_id)
    assert len(queries) == 1
    by_role = {m.role: m for m in actor.memberships}
    hr = by_role[Role.HR_OFFICER]
    assert (hr.department_kind, hr.department_name) == (DeptKind.SOCIAL_WORK, "康巴什区委社会工作部")
    assert (hr.jurisdiction_id, hr.jurisdiction_name, hr.jurisdiction_level) == (
        county.id,
        "康巴什区",
        "county",
    )
    assert hr.jurisdiction_path == county.path == f"/{region.id}/{city.id}/{county.id}/"
    ap = by_role[Role.APPROVER]
    assert (ap.department_kind, ap.department_name, ap.jurisdiction_path) == (
        DeptKind.STREET_OFFICE,
        "哈巴格希街道办事处",
        street.path,
    )
    assert actor.acts_for(street.path + "77/", Role.HR_OFFICER, DeptKind.SOCIAL_WORK)
    assert not actor.acts_for(city.path, Role.HR_OFFICER)
    assert actor.scope_paths() == {county.path, street.path}


def test_actor_without_roles_and_unknown_user(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        user = identity.create_user(uow.session, username="li", display_name="李娜", password="pass-word")
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        actor = identity.actor_for_user(uow.session, user.id)
        assert actor.memberships == () and actor.display_name == "李娜"
        with pytest.raises(Unauthenticated):
            identity.actor_for_user(uow.session, user.id + 100)


def test_actor_cache(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        user_id, nodes = _setup(uow)
        uow.commit()
    identity.forget_actor()
    with UnitOfWork(readonly=True) as uow:
        first = identity.actor_for_user(uow.session, user_id, max_age=60)
        with _count_queries(runtime) as queries:
            assert identity.actor_for_user(uow.session, user_id, max_age=60) is first
        assert queries == []
    with UnitOfWork() as uow:
        org_dept = org.find_department(uow.session, nodes[2].id, DeptKind.ORGANISATION)
        assert org_dept is not None
        org.grant_role(uow.session, user_id, org_dept.id, Role.APPROVER)  # drops the cached entry
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        again = identity.actor_for_user(uow.session, user_id, max_age=60)
        assert again is not first and again.in_group(org_dept.id, Role.APPROVER)
    identity.forget_actor()


def test_create_user_errors(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        s = uow.session
        identity.create_user(s, username="zhao", display_name="赵丽", password="12345678")
        cases: list[tuple[dict[str, Any], type[Exception], str]] = [
            (
                {"username": "Zhao Li", "display_name": "x", "password": "12345678"},
                InvalidInput,
                "username_invalid",
            ),
            (
                {"username": "zhao2", "display_name": " ", "password": "12345678"},
                InvalidInput,
                "display_name_missing",
            ),
            (
                {"username": "zhao2", "display_name": "x", "password": "short"},
                InvalidInput,
                "password_too_short",
            ),
            ({"username": "zhao2", "display_name": "x"}, InvalidInput, "password_missing"),
            ({"username": "zhao", "display_name": "x", "password": "12345678"}, Conflict, "username_taken"),
        ]
        for kwargs, exc_type, code in cases:
            with pytest.raises(exc_type) as err:
                identity.create_user(s, **kwargs)
            assert getattr(err.value, "code", None) == code
        with pytest.raises(NotFound):
            identity.user_by_username(s, "qian")


def test_set_password(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        user = identity.create_user(uow.session, username="sun", display_name="孙立", password="old-pass1")
        identity.set_password(uow.session, user.id, "new-pass1")
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        assert identity.authenticate(uow.session, "sun", "new-pass1").user_id == user.id
        with pytest.raises(Unauthenticated):
            identity.authenticate(uow.session, "sun", "old-pass1")


def test_tokens(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        user_id, _ = _setup(uow)
        token = identity.issue_token(uow.session, user_id, "报表脚本", now=uow.now)
        other = identity.issue_token(uow.session, user_id, "备用")
        uow.commit()
    assert token.startswith("sg_") and len(token) > 40 and token != other
    with UnitOfWork(readonly=True) as uow:
        stored = list(uow.session.scalars(select(ApiToken).order_by(ApiToken.id)))
        first_id = stored[0].id
        assert [t.label for t in stored] == ["报表脚本", "备用"]
        assert all(token not in t.token_hash and len(t.token_hash) == 64 for t in stored)
        with _count_queries(runtime) as queries:
            actor = identity.actor_for_token(uow.session, token)
        assert len(queries) == 1
        assert actor.user_id == user_id and actor.roles() == {Role.HR_OFFICER, Role.APPROVER}
        for bad in ["", "sg_nope", token + "x", token[3:]]:
            with pytest.raises(Unauthenticated) as err:
                identity.actor_for_token(uow.session, bad)
            assert err.value.status == 401
    with UnitOfWork() as uow:
        identity.revoke_token(uow.session, first_id)
        identity.revoke_token(uow.session, first_id)  # idempotent
        with pytest.raises(NotFound):
            identity.revoke_token(uow.session, 9999)
        uow.commit()
    with UnitOfWork() as uow:
        with pytest.raises(Unauthenticated):
            identity.actor_for_token(uow.session, token)
        assert identity.actor_for_token(uow.session, other).user_id == user_id
        assert identity.revoke_bearer(uow.session, other) is True
        assert identity.revoke_bearer(uow.session, "sg_unknown") is False
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        with pytest.raises(Unauthenticated):
            identity.actor_for_token(uow.session, other)
        assert all(t.revoked_at is not None for t in identity.list_tokens(uow.session, user_id))


def test_token_for_missing_or_inactive_user(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        with pytest.raises(NotFound):
            identity.issue_token(uow.session, 42, "x")
        user = identity.create_user(uow.session, username="gone", display_name="离职者", password="12345678")
        identity.deactivate_user(uow.session, user.id)
        with pytest.raises(InvalidInput):
            identity.issue_token(uow.session, user.id, "x")
