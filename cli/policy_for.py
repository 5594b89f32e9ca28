"""`shegong policy-for show CODE`: the policy profile in force for a jurisdiction of the database, with the
source of every value (the same rows as the /policy/{code} page)."""

from __future__ import annotations

import json
from datetime import date

import typer

from domain.calendar import parse_day
from domain.errors import ShegongError
from services import policy_view
from services.uow import UnitOfWork

app = typer.Typer(help="某区划生效的政策参数及其出处（读数据库中的区划树）", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """某区划生效的政策参数及其出处（读数据库中的区划树）。"""


@app.command("show")
def show(
    code: str = typer.Argument(..., help="区划代码，如 150602"),
    on: str | None = typer.Option(None, "--on", help="日期 YYYY-MM-DD；默认今天（模拟时钟的今天）"),
    q: str | None = typer.Option(
        None, "--filter", "-q", help="只显示路径、取值、条款、依据或来源含此文字的参数"
    ),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """显示区划 CODE 当日生效的政策参数：每项的取值、条款、依据类别、来源配置和生效日期。"""
    try:
        day: date | None = parse_day(on) if on else None
        with UnitOfWork(readonly=True) as uow:
            view = policy_view.for_jurisdiction(uow, code, on=day, q=q)
    except ShegongError as exc:
        typer.secho(f"错误［{exc.code}］：{exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(view.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    chain = " → ".join(f"{n}({k})" for k, n in zip(view.chain, view.chain_names, strict=True))
    typer.echo(f"{view.name}（{view.code}，{view.level.label}）　{view.on.isoformat()} 生效")
    typer.echo(f"配置链：{chain}")
    typer.echo(f"指纹：{view.fingerprint}")
    shown = f"{len(view.rows)} / {view.total}" if view.query else str(view.total)
    typer.echo(f"参数：{shown} 项")
    for section in view.sections:
        typer.echo(f"\n【{section.label}】{section.key}")
        for r in section.rows:
            since = r.effective_from.isoformat() if r.effective_from else "—"
            typer.echo(f"  {r.path} = {r.display}")
            typer.echo(f"      {r.article}｜{r.basis_label}｜{r.source_name}({r.source_key})｜自 {since}")
