"""`shegong demo`: load the demo jurisdictions, departments and users; list the demo logins."""

from __future__ import annotations

import time

import typer

from domain.errors import ShegongError
from services import demo
from services.uow import UnitOfWork

app = typer.Typer(help="演示数据 / demo data", no_args_is_help=True)


@app.command()
def seed() -> None:
    """Load the demo data into an empty database (does nothing when jurisdictions already exist)."""
    started = time.perf_counter()
    try:
        with UnitOfWork() as uow:
            done = demo.seed_if_empty(uow)
    except ShegongError as exc:
        typer.echo(f"错误：{exc}（{exc.code}）", err=True)
        raise typer.Exit(1) from None
    if not done:
        typer.echo("数据库中已有行政区划，未写入演示数据 / database not empty: nothing seeded")
        return
    typer.echo(f"演示数据已写入（{time.perf_counter() - started:.2f} 秒）/ demo data seeded")
    typer.echo(f"所有演示账号的密码 / every demo password: {demo.DEMO_PASSWORD}")


@app.command()
def logins() -> None:
    """Print the demo accounts (username, name, roles) and their password."""
    for username, name, roles in demo.demo_logins():
        typer.echo(f"{username:<12} {name:<8} {roles}")
    typer.echo(f"\n密码 / password: {demo.DEMO_PASSWORD}")
