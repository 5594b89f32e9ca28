"""`shegong clock ...`: the simulated clock of demo and test mode (refused in production)."""

from __future__ import annotations

from collections.abc import Callable

import typer

from domain.errors import ShegongError
from services import clock_admin as service
from services.uow import UnitOfWork

app = typer.Typer(help="模拟时钟（仅演示/测试模式）：查看、设定、拨动、重置", no_args_is_help=True)


def _run(work: Callable[[UnitOfWork], service.ClockState], *, readonly: bool = False) -> service.ClockState:
    try:
        with UnitOfWork(readonly=readonly) as uow:
            state = work(uow)
            if not readonly:
                uow.commit()
            return state
    except ShegongError as exc:
        typer.secho(f"错误［{exc.code}］：{exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


def _print(state: service.ClockState) -> None:
    status = "已冻结" if state.frozen else ("模拟中" if state.simulated else "真实时间")
    typer.echo(f"系统时间：{state.now:%Y-%m-%d %H:%M:%S}（{status}；{state.offset_text}）")
    typer.echo(f"真实时间：{state.real:%Y-%m-%d %H:%M:%S}")


@app.command("show")
def show() -> None:
    """显示模拟时钟的当前时间与状态。"""
    _print(_run(service.state, readonly=True))


@app.command("set")
def set_(
    at: str = typer.Argument(..., help='时间，如 2026-09-30T09:00 或 "2026-09-30 09:00"'),
    freeze: bool = typer.Option(False, "--freeze", help="设定后冻结（时间静止）"),
) -> None:
    """把模拟时钟设为指定时间（此后继续走动，或用 --freeze 冻结）。"""
    _print(_run(lambda uow: service.set_to(uow, None, at, freeze=freeze)))


@app.command("advance")
def advance(
    days: int = typer.Option(0, "--days", min=0, help="天数"),
    hours: int = typer.Option(0, "--hours", min=0, help="小时数"),
) -> None:
    """向前拨动模拟时钟。"""
    _print(_run(lambda uow: service.advance(uow, None, days=days, hours=hours)))


@app.command("reset")
def reset() -> None:
    """恢复为真实时间。"""
    _print(_run(lambda uow: service.reset(uow, None)))
