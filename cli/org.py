"""`shegong org`: the jurisdiction tree, users and roles, API tokens. Every change is audited about the
user (subject_type "user"), by 系统 (the operator at the server's console)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from domain.enums import DeptKind, Role
from domain.errors import NotFound, ShegongError
from services import identity, org
from services.uow import UnitOfWork

app = typer.Typer(help="组织机构与用户 / jurisdictions, departments, users, roles", no_args_is_help=True)


@contextmanager
def _errors() -> Iterator[None]:
    """Print a domain error as its Chinese message and code, exit 1."""
    try:
        yield
    except ShegongError as exc:
        typer.echo(f"错误：{exc}（{exc.code}）", err=True)
        raise typer.Exit(1) from None


def _fmt(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


@app.command()
def tree(code: str | None = typer.Argument(None, help="区划代码; default: every region")) -> None:
    """Print the jurisdiction tree with urban population and households."""
    with _errors(), UnitOfWork(readonly=True) as uow:
        rows = org.tree(uow.session, code)
    if not rows:
        typer.echo("尚无行政区划 / no jurisdictions (try: shegong demo seed)")
        return
    for r in rows:
        extra = []
        if r.policy_key:
            extra.append(f"政策配置 {r.policy_key}")
        if r.placeholder:
            extra.append("占位")
        note = f"  [{'，'.join(extra)}]" if extra else ""
        typer.echo(
            f"{'  ' * r.depth}{r.name} ({r.code}, {r.level.label})  "
            f"人口 {_fmt(r.urban_population)} / 户 {_fmt(r.households)}{note}"
        )


@app.command()
def users() -> None:
    """List users and the roles they hold."""
    with UnitOfWork(readonly=True) as uow:
        listing = org.users_with_roles(uow.session)
    if not listing:
        typer.echo("尚无用户 / no users")
        return
    for u in listing:
        state = "" if u.active else "  (已停用)"
        typer.echo(f"{u.username:<12} {u.display_name}{state}")
        for role in u.roles or ("（无角色）",):
            typer.echo(f"    {role}")


@app.command("add-user")
def add_user(
    username: str = typer.Argument(..., help="ASCII login name"),
    display_name: str = typer.Argument(..., help="姓名"),
    password: str = typer.Option(..., prompt="密码", hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a user (grant roles with `grant`)."""
    with _errors(), UnitOfWork() as uow:
        user = identity.create_user(
            uow.session, username=username, display_name=display_name, password=password, now=uow.now
        )
        uow.commit()
        typer.echo(f"已创建用户 {user.username}（{user.display_name}），id {user.id}")


@app.command()
def grant(
    username: str = typer.Argument(...),
    role: Role = typer.Argument(..., help="hr_officer | approver | leader | admin"),
    at: str = typer.Option(..., "--at", help="区划代码 of the department's jurisdiction"),
    dept: DeptKind = typer.Option(..., "--dept", help="department kind, e.g. social_work"),
    revoke: bool = typer.Option(False, "--revoke", help="take the role away instead"),
) -> None:
    """Give a user a role in the department of kind DEPT of jurisdiction AT (or take it away)."""
    with _errors(), UnitOfWork() as uow:
        user = identity.user_by_username(uow.session, username)
        node = org.jurisdiction_by_code(uow.session, at)
        department = org.find_department(uow.session, node.id, dept)
        if department is None:
            raise NotFound(f"“{node.name}”没有{dept.label}", code="department_not_found")
        if revoke:
            done = org.revoke_role(uow.session, user.id, department.id, role, now=uow.now)
            uow.commit()
            typer.echo(f"已撤销：{department.name} · {role.label}" if done else "该用户并无此角色")
        else:
            org.grant_role(uow.session, user.id, department.id, role, now=uow.now)
            uow.commit()
            typer.echo(f"已授予 {user.display_name}：{department.name} · {role.label}")


@app.command()
def token(
    username: str = typer.Argument(...),
    label: str = typer.Option("cli", "--label", help="what the token is for"),
) -> None:
    """Issue an API token for a user and print it (shown once; only its hash is kept)."""
    with _errors(), UnitOfWork() as uow:
        user = identity.user_by_username(uow.session, username)
        value = identity.issue_token(uow.session, user.id, label, now=uow.now)
        uow.commit()
    typer.echo(value)


@app.command()
def tokens(username: str = typer.Argument(...)) -> None:
    """List a user's API tokens (id, label, issued, revoked)."""
    with _errors(), UnitOfWork(readonly=True) as uow:
        user = identity.user_by_username(uow.session, username)
        rows = identity.list_tokens(uow.session, user.id)
    if not rows:
        typer.echo("该用户没有访问令牌")
    for t in rows:
        state = f"已吊销 {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "有效"
        typer.echo(f"{t.id:>5}  {t.label:<16} 签发 {t.created_at:%Y-%m-%d %H:%M}  {state}")


@app.command("revoke-token")
def revoke_token(
    username: str = typer.Argument(...),
    token_id: int = typer.Argument(..., help="id shown by `shegong org tokens`"),
) -> None:
    """Revoke one of a user's API tokens."""
    with _errors(), UnitOfWork() as uow:
        user = identity.user_by_username(uow.session, username)
        identity.revoke_token(uow.session, token_id, user_id=user.id, now=uow.now)
        uow.commit()
    typer.echo(f"已吊销令牌 {token_id}")
