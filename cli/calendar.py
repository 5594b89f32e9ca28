"""`shegong calendar ...`: look at and edit the working-day calendar, compute a deadline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import typer

from domain.calendar import KIND_LABELS, due_end_of_day, parse_day
from domain.errors import ShegongError
from services import calendar as service
from services.uow import UnitOfWork

app = typer.Typer(help="工作日日历：查看、登记节假日与调休、发布年度安排、计算期限", no_args_is_help=True)

_STATUS = {
    (True, False): "内置日历",
    (True, True): "内置日历",
    (False, True): "已发布",
    (False, False): "未发布（不能按工作日计算期限）",
}
REGION_HELP = "地区标识（政策配置键，如 ningxia、xinjiang、bingtuan）；不填为全国"


@contextmanager
def _errors() -> Iterator[None]:
    """Print a refused command's reason (and each bad row) in Chinese, exit with status 1."""
    try:
        yield
    except ShegongError as exc:
        typer.secho(f"错误［{exc.code}］：{exc.message}", fg=typer.colors.RED, err=True)
        for row in exc.details.get("errors", []):
            typer.echo(f"  第 {row['line']} 行［{row['code']}］：{row['message']}", err=True)
        raise typer.Exit(1) from None


def _run(work: Callable[[UnitOfWork], Any], *, readonly: bool = False) -> Any:
    with _errors(), UnitOfWork(readonly=readonly) as uow:
        result = work(uow)
        if not readonly:
            uow.commit()
        return result


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        typer.secho(f"提示：{w}", fg=typer.colors.YELLOW, err=True)


@app.command("show")
def show(year: int, region: str | None = typer.Option(None, "--region", help=REGION_HELP)) -> None:
    """列出某年的节假日与调休上班日（全国，及指定地区的）。"""

    def work(uow: UnitOfWork) -> tuple[service.YearInfo, list[service.CalendarDayView]]:
        return service.year_info(uow.session, year), service.list_days(uow.session, year, region)

    info, days = _run(work, readonly=True)
    status = _STATUS[(info.builtin, info.published)]
    typer.echo(f"{info.year}年：{status}" + (f"；来源：{info.source}" if info.source else ""))
    weekdays = "一二三四五六日"
    for v in days:
        where = v.region_key or "全国"
        origin = "内置" if v.source == "builtin" else "登记"
        line = f"{v.day.isoformat()} 周{weekdays[v.day.weekday()]}  {KIND_LABELS[v.kind]:<6} {v.name}"
        typer.echo(f"{line}  [{where}·{origin}]")


@app.command("add")
def add(
    day: str = typer.Argument(..., help="日期 YYYY-MM-DD"),
    kind: str = typer.Argument(..., help="holiday（放假）或 workday（调休上班）"),
    name: str = typer.Argument(..., help="名称，如 国庆节"),
    region: str | None = typer.Option(None, "--region", help=REGION_HELP),
) -> None:
    """登记一天：放假（holiday）或调休上班（workday）。"""
    change = _run(lambda uow: service.add_day(uow.session, day, kind, name, region_key=region, now=uow.now))
    _warn(change.warnings)
    typer.echo(f"已登记 {change.day.day.isoformat()} {KIND_LABELS[change.day.kind]} {change.day.name}")


@app.command("remove")
def remove(
    day: str = typer.Argument(..., help="日期 YYYY-MM-DD"),
    region: str | None = typer.Option(None, "--region", help=REGION_HELP),
) -> None:
    """删除一条登记。"""
    view = _run(lambda uow: service.remove_day(uow.session, day, region_key=region, now=uow.now))
    typer.echo(f"已删除 {view.day.isoformat()} {KIND_LABELS[view.kind]} {view.name}")


@app.command("publish")
def publish(
    year: int,
    source: str = typer.Option(..., "--source", help="放假安排的来源，如国务院办公厅通知文号"),
    withdraw: bool = typer.Option(False, "--withdraw", help="撤回发布"),
) -> None:
    """发布（或撤回）某年的全国放假安排；发布后才能按工作日计算该年的期限。"""
    info = _run(
        lambda uow: service.publish_year(uow.session, year, source, published=not withdraw, now=uow.now)
    )
    typer.echo(f"{info.year}年放假安排已{'发布' if info.published else '撤回'}（来源：{info.source}）")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV：date,kind,name,region"),
) -> None:
    """从 CSV 导入（表头 date,kind,name,region）；任何一行有误则全部不写入。"""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        typer.secho("错误：文件不是 UTF-8 编码", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    result = _run(lambda uow: service.import_csv(uow.session, text, now=uow.now))
    _warn(result.warnings)
    typer.echo(f"已导入 {len(result.added)} 行")


@app.command("deadline")
def deadline(
    start: str = typer.Argument(..., help="起算日 YYYY-MM-DD（当日不计入）"),
    n: int = typer.Argument(..., help="天数"),
    working: bool = typer.Option(True, "--working/--calendar", help="按工作日（默认）或自然日计算"),
    region: list[str] = typer.Option([], "--region", help=REGION_HELP + "；可重复，按政策链由上到下"),
) -> None:
    """计算期限：起算日之后第 N 个工作日（或第 N 个自然日）。"""
    with _errors():
        begin: date = parse_day(start)
    unit = "working" if working else "calendar"
    end = _run(lambda uow: service.deadline(uow.session, begin, n, unit, region_keys=region), readonly=True)
    label = "工作日" if working else "自然日"
    typer.echo(f"{begin.isoformat()} 起 {n} 个{label}：截止 {end.isoformat()}")
    typer.echo(f"到期时刻（不含）：{due_end_of_day(end)}")
