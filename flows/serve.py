"""The runner: serves our deployments on their schedules against the Prefect server at PREFECT_API_URL.

    python -m flows.serve        (the start command runs this; stop it with Ctrl-C / SIGINT)

Deployments (flow/deployment):
    shegong-sweep-timers/scheduled      every settings.sweep_interval_seconds (default 60 s)
    shegong-reconcile-timers/daily      03:15 Beijing time, every day
Each flow run executes in a fresh subprocess of this runner, with this process's environment (so the
SHEGONG_* settings, and therefore our database, are the same).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect import serve
from prefect.schedules import Cron
from prefect.settings import get_current_settings

from domain.config import get_settings
from flows.timers import reconcile_timers, sweep_timers

SWEEP_DEPLOYMENT = "scheduled"
RECONCILE_DEPLOYMENT = "daily"
RECONCILE_CRON = "15 3 * * *"
TIMEZONE = "Asia/Shanghai"


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
    ]


def main() -> None:
    # How many flow runs at once (each is a subprocess): PREFECT_RUNNER_PROCESS_LIMIT, which the start
    # command sets to 2. Several sweeps at once are safe, but a small machine need not run more.
    limit = get_current_settings().runner.process_limit
    serve(*deployments(), limit=limit, print_starting_message=True)


if __name__ == "__main__":
    main()
