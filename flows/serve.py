"""The runner: serves our deployments on their schedules against the Prefect server at PREFECT_API_URL.

    python -m flows.serve        (the start command runs this; stop it with Ctrl-C / SIGINT)

Deployments (flow/deployment):
    shegong-sweep-timers/scheduled      every settings.sweep_interval_seconds (default 60 s)
    shegong-reconcile-timers/daily      03:15 Beijing time, every day
    shegong-dispatch-round-batches/dispatch   every SHEGONG_BATCH_DISPATCH_SECONDS (default 30 s): runs
                                        the queued batch steps of rounds, each as a flow run of its own
    shegong-round-batch/on-demand       no schedule: one batch by id (batch_id), e.g. from Prefect's UI
Each flow run executes in a fresh subprocess of this runner, with this process's environment (so the
SHEGONG_* settings, and therefore our database, are the same).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from prefect import serve
from prefect.schedules import Cron
from prefect.settings import get_current_settings

from domain.config import get_settings
from flows.round_batches import dispatch_round_batches, round_batch
from flows.timers import reconcile_timers, sweep_timers

SWEEP_DEPLOYMENT = "scheduled"
RECONCILE_DEPLOYMENT = "daily"
RECONCILE_CRON = "15 3 * * *"
TIMEZONE = "Asia/Shanghai"
DISPATCH_DEPLOYMENT = "dispatch"
BATCH_DEPLOYMENT = "on-demand"
# How soon a batch an officer queued starts (plus the runner's poll and start-up, ~5-10 s). Each dispatch is
# a flow run, i.e. a fresh subprocess of the runner: ~2.5 s of CPU to import Prefect and our code even when
# nothing is queued, so every 30 s is ~8 % of one core on a 2-core box (every 10 s would be ~25 %).
DISPATCH_SECONDS = int(os.environ.get("SHEGONG_BATCH_DISPATCH_SECONDS", "30"))


def deployments() -> list[Any]:
    interval = max(get_settings().sweep_interval_seconds, 1)
    return [
        sweep_timers.to_deployment(
            name=SWEEP_DEPLOYMENT,
            interval=timedelta(seconds=interval),
            description=f"Fire due stored timers, every {interval} s.",
            tags=["shegong", "timers"],
        ),
        reconcile_timers.to_deployment(
            name=RECONCILE_DEPLOYMENT,
            schedule=Cron(RECONCILE_CRON, timezone=TIMEZONE),
            description="Daily safety net over stored timers.",
            tags=["shegong", "timers"],
        ),
        dispatch_round_batches.to_deployment(
            name=DISPATCH_DEPLOYMENT,
            interval=timedelta(seconds=max(DISPATCH_SECONDS, 5)),
            description=f"Run the queued batch steps of recruitment rounds, every {DISPATCH_SECONDS} s.",
            tags=["shegong", "round-batch"],
        ),
        round_batch.to_deployment(
            name=BATCH_DEPLOYMENT,
            description="Run one batch step of a recruitment round by its id (batch_id).",
            tags=["shegong", "round-batch"],
        ),
    ]


def main() -> None:
    # How many flow runs at once (each is a subprocess): PREFECT_RUNNER_PROCESS_LIMIT, which the start
    # command sets to 2. Several sweeps at once are safe, but a small machine need not run more.
    limit = get_current_settings().runner.process_limit
    serve(*deployments(), limit=limit, print_starting_message=True)


if __name__ == "__main__":
    main()
