"""Prefect flows over the batch steps of recruitment rounds: thin wrappers around
services.recruitment_round.batch (our batch_run rows are the truth; Prefect runs and shows them).

- `shegong-round-batch` runs ONE BatchRun by id: one flow run per batch, named after it
  ("资格初审 · 招聘#12"), its progress a Prefect progress artifact (key round-batch-<id>) and log lines, its
  summary a markdown artifact; a failed batch fails the flow run (the step itself was rolled back whole).
- `shegong-dispatch-round-batches`, on a short interval, picks the queued batches (the web page only
  inserts a queued row: Prefect never sits in a request) and runs each as a subflow of its own.

Both are async flows (no wait for a heartbeat thread on exit); the service is synchronous and runs in a
thread, reporting progress to a small holder that a coroutine of the flow turns into artifact updates."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger, runtime
from prefect.artifacts import (
    acreate_markdown_artifact,
    acreate_progress_artifact,
    aupdate_progress_artifact,
)

from db.models.recruitment_round import BatchRun
from services.recruitment_round import batch

BATCH_FLOW = "shegong-round-batch"
DISPATCH_FLOW = "shegong-dispatch-round-batches"
REPORT_EVERY = 0.5  # seconds between progress artifact updates


def _run_name() -> str:
    """The flow run's name, from its batch (a run started from the UI or a deployment gets it too)."""
    batch_id = (runtime.flow_run.parameters or {}).get("batch_id")
    try:
        return batch.name_for(int(str(batch_id)))
    except Exception:
        return f"批处理#{batch_id}"


class _Latest:
    """The step's last (done, total), set from the service's thread, read by the flow's loop."""

    def __init__(self) -> None:
        self.value: tuple[int, int] | None = None
        self.finished = False

    def set(self, done: int, total: int) -> None:
        self.value = (done, total)


def _percent(value: tuple[int, int]) -> float:
    done, total = value
    return 100.0 if total <= 0 else round(100.0 * min(done, total) / total, 1)


async def _report(latest: _Latest, artifact_id: UUID, logger: Any, label: str) -> None:
    shown: tuple[int, int] | None = None
    while True:
        finished = latest.finished
        value = latest.value
        if value is not None and value != shown:
            shown = value
            logger.info("%s：%s/%s", label, *value)
            await aupdate_progress_artifact(
                artifact_id, _percent(value), description=f"{label} {value[0]}/{value[1]}"
            )
        if finished:
            return
        await asyncio.sleep(REPORT_EVERY)


@flow(name=BATCH_FLOW, flow_run_name=_run_name, retries=0, timeout_seconds=1800, log_prints=False)
async def round_batch(batch_id: int) -> dict[str, Any]:
    """Run one queued batch of a round (a done, failed or running one is left as it is)."""
    logger = get_run_logger()
    label = runtime.flow_run.name or f"批处理#{batch_id}"
    latest = _Latest()
    artifact_id = await acreate_progress_artifact(0.0, key=f"round-batch-{batch_id}", description=label)
    reporter = asyncio.create_task(_report(latest, artifact_id, logger, label))
    try:
        row = await asyncio.to_thread(
            batch.run, batch_id, flow_run_id=str(runtime.flow_run.id), progress=latest.set
        )
        if row.status == "done":
            latest.set(row.done, row.total)
    finally:
        latest.finished = True
        await reporter
    result = _result(row)
    if row.status == "failed":
        logger.error("%s 失败，已整体回滚：%s", label, row.error)
        raise RuntimeError(f"{label} 失败：{row.error}")
    if row.status != "done" or row.flow_run_id != str(runtime.flow_run.id):
        logger.warning("%s 未在本次执行：状态 %s（执行者 %s）", label, row.status, row.flow_run_id)
        return result
    logger.info("%s 完成：%s", label, row.summary)
    await acreate_markdown_artifact(
        key=f"round-batch-{batch_id}-summary", markdown=_table(label, row), description=f"{label} 完成"
    )
    return result


def _result(row: BatchRun) -> dict[str, Any]:
    return {"batch_id": row.id, "status": row.status, "done": row.done, "total": row.total,
            "summary": row.summary, "error": row.error}  # fmt: skip


def _table(label: str, row: BatchRun) -> str:
    lines = [f"### {label}", "", "| | |", "|---|---:|", f"| 处理 processed | {row.done}/{row.total} |"]
    lines += [f"| {k} | {v} |" for k, v in row.summary.items()]
    if row.started_at and row.finished_at:
        lines.append(f"| 用时 seconds | {(row.finished_at - row.started_at).total_seconds():.1f} |")
    return "\n".join(lines)


@flow(name=DISPATCH_FLOW, retries=0, timeout_seconds=3600, log_prints=False)
async def dispatch_round_batches(limit: int = 10) -> dict[str, int]:
    """Run the queued batches, oldest first, each as a flow run of its own (a subflow of this one)."""
    logger = get_run_logger()
    pending = await asyncio.to_thread(batch.queued, limit=limit)
    counts = {"queued": len(pending), "completed": 0, "failed": 0}
    for batch_id, name in pending:
        state = await round_batch.with_options(flow_run_name=name)(batch_id, return_state=True)
        counts["completed" if state.is_completed() else "failed"] += 1
        if not state.is_completed():
            logger.warning("%s: %s", name, state.message)
    if pending:
        logger.info("round batches: %(queued)s queued, %(completed)s completed, %(failed)s failed", counts)
    return counts
