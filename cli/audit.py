"""`shegong audit`: verify the audit chain, show a subject's history."""

from __future__ import annotations

import json

import typer

from services import audit
from services.uow import UnitOfWork

app = typer.Typer(help="审计日志 / audit trail", no_args_is_help=True)


@app.command()
def verify(
    batch: int = typer.Option(5000, min=1, help="rows read per query"),
) -> None:
    """Check the hash chain; exit 1 naming the first bad row when it is broken."""
    with UnitOfWork(readonly=True) as uow:
        result = audit.verify(uow.session, batch=batch)
    if result.ok:
        typer.echo(
            f"审计链完整，共校验 {result.checked} 条 / audit chain intact: {result.checked} rows checked"
        )
        return
    typer.echo(
        f"审计链损坏：第 {result.first_bad_seq} 条 / audit chain broken at seq {result.first_bad_seq}\n"
        f"{result.reason}\n（此前 {result.checked} 条完好 / {result.checked} rows before it are intact）",
        err=True,
    )
    raise typer.Exit(1)


@app.command()
def show(
    subject_type: str = typer.Argument(..., help="e.g. recruitment_plan, task"),
    subject_id: int = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json", help="one JSON object per line"),
) -> None:
    """Print every audit row of one subject, oldest first."""
    with UnitOfWork(readonly=True) as uow:
        rows = audit.history(uow.session, subject_type, subject_id)
    if not rows:
        typer.echo(f"无记录 / no audit rows for {subject_type} {subject_id}")
        return
    for r in rows:
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "seq": r.seq,
                        "at": r.at.isoformat(),
                        "actor_id": r.actor_id,
                        "actor_name": r.actor_name,
                        "actor_role": r.actor_role,
                        "action": r.action,
                        "from_state": r.from_state,
                        "to_state": r.to_state,
                        "opinion": r.opinion,
                        "article": r.article,
                        "data": r.data,
                        "hash": r.hash,
                    },
                    ensure_ascii=False,
                )
            )
            continue
        role = f"（{r.actor_role}）" if r.actor_role else ""
        move = f" {r.from_state or '·'} → {r.to_state or '·'}" if (r.from_state or r.to_state) else ""
        line = f"#{r.seq} {r.at:%Y-%m-%d %H:%M:%S} {r.actor_name}{role} {r.action}{move}"
        if r.article:
            line += f" [{r.article}]"
        typer.echo(line)
        if r.opinion:
            typer.echo(f"    意见：{r.opinion}")
        if r.data:
            typer.echo(f"    {json.dumps(r.data, ensure_ascii=False, sort_keys=True)}")
