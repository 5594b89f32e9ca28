"""`shegong sweep`: fire the due stored timers once, in this process (no Prefect) — for operators and
tests. `--reconcile` runs the daily safety net instead; `--probe` first schedules a no-op timer due now,
to check that the sweep loop works end to end."""

from __future__ import annotations

import json
import os
import socket
from typing import Annotated

import typer

from services import timers
from services.uow import UnitOfWork


def command(
    limit: Annotated[int, typer.Option(help="most timers to fire in this sweep")] = 500,
    reconcile: Annotated[bool, typer.Option("--reconcile", help="the daily safety net instead")] = False,
    probe: Annotated[bool, typer.Option("--probe", help="schedule a no-op timer due now first")] = False,
) -> None:
    """扫描到期定时器 / fire the due timers once (no Prefect needed)."""
    worker_id = f"cli:{socket.gethostname()}:{os.getpid()}"
    if probe:
        with UnitOfWork() as uow:
            row = timers.schedule(
                uow.session,
                timers.PROBE,
                "probe",
                0,
                uow.now,
                dedupe_key=f"{timers.PROBE}:{uow.now.isoformat()}",
                now=uow.now,
            )
            uow.commit()
        typer.echo(f"probe timer {row.id} due {row.due_at:%Y-%m-%d %H:%M:%S}")
    if reconcile:
        report = timers.reconcile(worker_id=worker_id, limit=max(limit, 10_000))
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    result = timers.sweep(worker_id=worker_id, limit=limit)
    typer.echo(
        f"已触发 fired {result.fired}，失败 failed {result.failed}（放弃 given up {result.given_up}），"
        f"跳过 skipped {result.skipped}"
    )
    if result.failed:
        raise typer.Exit(1)
