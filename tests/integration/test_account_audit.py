"""Every account change writes one audit row about the user (subject_type "user"): creating a user,
granting and revoking roles, issuing and revoking API tokens, setting a password, deactivating — by a
person (admin role over the user's jurisdictions) or by the system (the CLI). No-ops write none."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from cli import org as org_cli
from domain.actor import Actor
from domain.enums import DeptKind, Role
from domain.errors import InvalidInput, PermissionDenied
from services import audit, identity, org
from services.runtime import Runtime
from services.uow import UnitOfWork

GetActor = Callable[[str], Actor]


def _rows(user_id: int) -> list[audit.AuditEntry]:
    with UnitOfWork(readonly=True) as uow:
        return audit.history(uow.session, "user", user_id)


def _dept(code: str, kind: DeptKind) -> int:
    with UnitOfWork(readonly=True) as uow:
        node = org.jurisdiction_by_code(uow.session, code)
        dept = org.find_department(uow.session, node.id, kind)
        assert dept is not None
        return dept.id


def test_every_change_by_an_admin_is_audited(actor: GetActor) -> None:
    admin = actor("admin")
    dept = _dept("150103", DeptKind.CIVIL_AFFAIRS)
    with UnitOfWork() as uow:
        user = identity.create_user(
            uow.session,
            username="qian",
            display_name="钱多多",
            password="pass-1234",
            now=uow.now,
            actor=admin,
        )
        org.grant_role(uow.session, user.id, dept, Role.APPROVER, now=uow.now, actor=admin)
        org.grant_role(uow.session, user.id, dept, "approver", now=uow.now, actor=admin)  # held: no row
        token = identity.issue_token(uow.session, user.id, "报表", now=uow.now, actor=admin)
        uow.commit()
        uid = user.id
    with UnitOfWork() as uow:
        [tok] = identity.list_tokens(uow.session, uid)
        identity.revoke_token(uow.session, tok.id, now=uow.now, actor=admin)
        identity.revoke_token(uow.session, tok.id, now=uow.now, actor=admin)  # already revoked: no row
        assert org.revoke_role(uow.session, uid, dept, Role.APPROVER, now=uow.now, actor=admin)
        assert not org.revoke_role(uow.session, uid, dept, Role.APPROVER, now=uow.now, actor=admin)
        identity.set_password(uow.session, uid, "new-pass-99", now=uow.now, actor=admin)
        identity.deactivate_user(uow.session, uid, now=uow.now, actor=admin)
        uow.commit()
    rows = _rows(uid)
    assert [r.action for r in rows] == [
        "create_user",
        "grant_role",
        "issue_token",
        "revoke_token",
        "revoke_role",
        "set_password",
        "deactivate",
    ]
    assert {(r.actor_id, r.actor_name, r.actor_role) for r in rows} == {(admin.user_id, "林晓峰", "admin")}
    grant = rows[1]
    assert grant.opinion == "授予 回民区民政局 · 审核人"
    assert grant.data == {"department_id": dept, "department": "回民区民政局", "role": "approver"}
    assert rows[2].data == {"token_id": tok.id, "label": "报表"}
    assert all(token not in str(r.data) and token not in (r.opinion or "") for r in rows)
    assert "new-pass-99" not in str([(r.data, r.opinion) for r in rows])
    with UnitOfWork(readonly=True) as uow:
        assert audit.verify(uow.session).ok


def test_non_admin_and_out_of_scope_are_refused_and_nothing_is_written(actor: GetActor) -> None:
    hr = actor("hm_hr")
    admin = actor("admin")
    dept = _dept("150103", DeptKind.CIVIL_AFFAIRS)
    with UnitOfWork() as uow:
        with pytest.raises(PermissionDenied) as err:
            identity.create_user(
                uow.session, username="zhou", display_name="周", password="pass-1234", actor=hr
            )
        assert err.value.code == "admin_required"
        with pytest.raises(PermissionDenied):
            org.grant_role(uow.session, hr.user_id, dept, Role.APPROVER, actor=hr)
        with pytest.raises(PermissionDenied):
            identity.issue_token(uow.session, hr.user_id, "x", actor=hr)
    # An admin of one region only may not touch another region's departments nor its people.
    with UnitOfWork() as uow:
        nx = org.jurisdiction_by_code(uow.session, "640000")
        nx_admin = identity.create_user(
            uow.session, username="nxadmin", display_name="宁夏管理员", password="pass-1234"
        )
        org.grant_role(
            uow.session, nx_admin.id, org.department_at(uow.session, nx.id, "self", "social_work").id, "admin"
        )
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        narrow = identity.actor_for_user(uow.session, nx_admin.id)
    with UnitOfWork() as uow:
        with pytest.raises(PermissionDenied) as err:
            org.grant_role(uow.session, hr.user_id, dept, Role.APPROVER, actor=narrow)
        assert err.value.code == "admin_out_of_scope"
        with pytest.raises(PermissionDenied):
            identity.issue_token(uow.session, hr.user_id, "x", actor=narrow)
    assert [r.action for r in _rows(hr.user_id)] == []
    # Nobody takes away their own last admin role.
    with UnitOfWork() as uow:
        with pytest.raises(InvalidInput) as err:
            org.revoke_role(
                uow.session, narrow.user_id, next(iter(narrow.department_ids())), "admin", actor=narrow
            )
        assert err.value.code == "admin_self_revoke"
    assert admin.is_admin


def test_cli_changes_are_audited_as_the_system(seeded: Runtime) -> None:
    runner = CliRunner()
    out = runner.invoke(org_cli.app, ["add-user", "qian", "钱多多", "--password", "pass-1234"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(
        org_cli.app, ["grant", "qian", "approver", "--at", "640104", "--dept", "civil_affairs"]
    )
    assert out.exit_code == 0, out.output
    out = runner.invoke(
        org_cli.app, ["grant", "qian", "approver", "--at", "640104", "--dept", "civil_affairs", "--revoke"]
    )
    assert out.exit_code == 0, out.output
    assert runner.invoke(org_cli.app, ["token", "qian", "--label", "脚本"]).exit_code == 0
    listed = runner.invoke(org_cli.app, ["tokens", "qian"])
    assert listed.exit_code == 0 and "脚本" in listed.output and "有效" in listed.output
    token_id = listed.output.split()[0]
    revoked = runner.invoke(org_cli.app, ["revoke-token", "qian", token_id])
    assert revoked.exit_code == 0 and "已吊销" in revoked.output, revoked.output
    wrong = runner.invoke(org_cli.app, ["revoke-token", "admin", token_id])
    assert wrong.exit_code == 1 and "token_not_found" in wrong.output
    with UnitOfWork(readonly=True) as uow:
        uid = identity.user_by_username(uow.session, "qian").id
    rows = _rows(uid)
    assert [r.action for r in rows] == [
        "create_user",
        "grant_role",
        "revoke_role",
        "issue_token",
        "revoke_token",
    ]
    assert {(r.actor_id, r.actor_name) for r in rows} == {(None, "系统")}
