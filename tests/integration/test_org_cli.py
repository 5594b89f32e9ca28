"""`shegong org` and `shegong demo` commands."""

from __future__ import annotations

from typer.testing import CliRunner

from cli import demo as demo_cli
from cli import org as org_cli
from services import identity
from services.runtime import Runtime
from services.uow import UnitOfWork

runner = CliRunner()


def test_demo_seed_and_tree(runtime: Runtime) -> None:
    result = runner.invoke(demo_cli.app, ["seed"])
    assert result.exit_code == 0, result.output
    assert "demo1234" in result.output
    again = runner.invoke(demo_cli.app, ["seed"])
    assert again.exit_code == 0 and "未写入" in again.output

    tree = runner.invoke(org_cli.app, ["tree", "500000"])
    assert tree.exit_code == 0, tree.output
    lines = tree.output.splitlines()
    assert lines[0].startswith("重庆市 (500000")
    assert "占位" in lines[1] and lines[2].startswith("    九龙坡区 (500107") and "jiulongpo" in lines[2]
    assert any("团结路社区" in line and "12,860" in line for line in lines)
    missing = runner.invoke(org_cli.app, ["tree", "000000"])
    assert missing.exit_code == 1 and "jurisdiction_not_found" in missing.output

    logins = runner.invoke(demo_cli.app, ["logins"])
    assert "jlp_hr" in logins.output and "九龙坡区委社会工作部 · 经办人" in logins.output


def test_users_add_grant_token(runtime: Runtime) -> None:
    runner.invoke(demo_cli.app, ["seed"])
    added = runner.invoke(org_cli.app, ["add-user", "qian", "钱多多"], input="pass-1234\npass-1234\n")
    assert added.exit_code == 0, added.output
    dup = runner.invoke(org_cli.app, ["add-user", "qian", "钱多多", "--password", "pass-1234"])
    assert dup.exit_code == 1 and "username_taken" in dup.output

    granted = runner.invoke(
        org_cli.app, ["grant", "qian", "approver", "--at", "640104", "--dept", "civil_affairs"]
    )
    assert granted.exit_code == 0 and "兴庆区民政局 · 审核人" in granted.output, granted.output
    none = runner.invoke(
        org_cli.app, ["grant", "qian", "approver", "--at", "640104", "--dept", "street_office"]
    )
    assert none.exit_code == 1 and "department_not_found" in none.output

    listing = runner.invoke(org_cli.app, ["users"])
    assert "qian" in listing.output and "兴庆区民政局 · 审核人" in listing.output

    issued = runner.invoke(org_cli.app, ["token", "qian", "--label", "脚本"])
    assert issued.exit_code == 0
    token = issued.output.strip()
    with UnitOfWork(readonly=True) as uow:
        actor = identity.actor_for_token(uow.session, token)
    assert actor.username == "qian" and len(actor.memberships) == 1

    revoked = runner.invoke(
        org_cli.app, ["grant", "qian", "approver", "--at", "640104", "--dept", "civil_affairs", "--revoke"]
    )
    assert revoked.exit_code == 0 and "已撤销" in revoked.output
    with UnitOfWork(readonly=True) as uow:
        assert identity.actor_for_token(uow.session, token).memberships == ()
