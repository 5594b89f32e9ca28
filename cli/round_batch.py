"""`shegong round-batch ...`: run recruitment-round batch steps in this process, without Prefect (demo,
rehearsals, tests). The same service the Prefect flow calls: claimed once, one transaction, done or failed."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from db.models.recruitment_round import BatchRun
from domain.errors import ShegongError
from services.recruitment_round import batch

app = typer.Typer(
    help="招聘批处理（不经 Prefect）：执行指定批处理，或执行全部排队中的批处理", no_args_is_help=True
)


def _progress(done: int, total: int) -> None:
    typer.echo(f"  进度 progress {done}/{total}")


def _report(row: BatchRun) -> bool:
    name = batch.run_name(row)
    if row.status == "done":
        typer.echo(f"#{row.id} {name}：完成 done {row.done}/{row.total} "
                   f"{json.dumps(row.summary, ensure_ascii=False)}")  # fmt: skip
        return True
    if row.status == "failed":
        typer.secho(f"#{row.id} {name}：失败 failed — {row.error}", fg=typer.colors.RED, err=True)
        return False
    typer.echo(f"#{row.id} {name}：{row.status}（未执行 not run here）")
    return True


def _run(batch_id: int) -> bool:
    try:
        return _report(batch.run(batch_id, progress=_progress))
    except ShegongError as exc:
        typer.secho(f"错误［{exc.code}］：{exc.message}", fg=typer.colors.RED, err=True)
        return False


@app.command("run")
def run(batch_id: Annotated[int, typer.Argument(help="批处理编号 BatchRun id")]) -> None:
    """执行一个排队中的批处理 / run one queued batch (a done or failed one is not run again)."""
    if not _run(batch_id):
        raise typer.Exit(1)


@app.command("drain")
def drain(limit: Annotated[int, typer.Option(help="most batches to run")] = 20) -> None:
    """执行全部排队中的批处理 / run every queued batch, oldest first."""
    pending = batch.queued(limit=limit)
    if not pending:
        typer.echo("没有排队中的批处理 / nothing queued")
        return
    ok = [_run(batch_id) for batch_id, _ in pending]
    if not all(ok):
        raise typer.Exit(1)
