"""Prefect flows over stored timers: thin wrappers around services.timers.

Both are async flows: an async flow run does not wait for its heartbeat thread on exit (a sync one costs
about a second more), and each runs every minute. The service is synchronous, so it runs in a thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

from prefect import flow, get_run_logger, runtime
from prefect.artifacts import acreate_markdown_artifact

from services import timers

SWEEP_FLOW = "shegong-sweep-timers"
RECONCILE_FLOW = "shegong-reconcile-timers"


def _worker_id() -> str:
    return f"prefect:{runtime.flow_run.id or 'local'}"


@flow(name=SWEEP_FLOW, retries=0, timeout_seconds=600, log_prints=False)
async def sweep_timers(batch: int = 500, budget_seconds: float = 50.0) -> dict[str, int]:
    """Fire the stored timers that are due (each in its own transaction, safe with several sweepers),
    batch after batch for up to `budget_seconds`."""
    logger = get_run_logger()
    result = await asyncio.to_thread(
        timers.drain, worker_id=_worker_id(), batch=batch, budget_seconds=budget_seconds
    )
    counts = result.as_dict()
    logger.info("timer sweep: fired %(fired)s, failed %(failed)s, skipped %(skipped)s", counts)
    if result.fired or result.failed:  # a quiet minute leaves no artifact behind
        await acreate_markdown_artifact(
            key="timer-sweep",
            markdown=_table("定时器扫描 timer sweep", counts),
            description=f"fired {result.fired}, failed {result.failed}, skipped {result.skipped}",
        )
    return counts


@flow(name=RECONCILE_FLOW, retries=1, retry_delay_seconds=300, timeout_seconds=3600, log_prints=False)
async def reconcile_timers() -> dict[str, Any]:
    """Daily safety net: free stale leases, fire everything overdue, report what is still waiting."""
    logger = get_run_logger()
    report = await asyncio.to_thread(timers.reconcile, worker_id=_worker_id())
    data = report.as_dict()
    logger.info("timer reconcile: %s", data)
    if report.unhandled_kinds:
        logger.warning("overdue timers whose kind has no handler: %s", report.unhandled_kinds)
    rows = {
        "expired leases reset": report.expired_leases_reset,
        **{f"sweep {k}": v for k, v in report.sweep.as_dict().items()},
        **{f"still overdue: {k}": v for k, v in sorted(report.overdue_pending.items())},
        **{f"state {k}": v for k, v in sorted(report.states.items())},
    }
    await acreate_markdown_artifact(
        key="timer-reconcile",
        markdown=_table("定时器核对 timer reconcile", rows),
        description="daily reconcile of stored timers",
    )
    return data


def _table(title: str, rows: dict[str, Any]) -> str:
    lines = [f"### {title}", "", "| | |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in rows.items()]
    return "\n".join(lines)
