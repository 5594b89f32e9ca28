"""End-to-end fixtures. `prefect_server`: ONE real `prefect server start` for the whole test session (its
own PREFECT_HOME in a temporary folder, a free port), started the way `shegong start` starts it. Tests
that use it are marked `prefect` and grouped on one xdist worker (`xdist_group("prefect")`), so that
`pytest -n 2 --dist loadgroup` still starts only one. When the server cannot start, they are skipped with
the reason and the end of its log."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli import prefect_env as pe

SERVER_START_TIMEOUT = float(os.environ.get("SHEGONG_TEST_PREFECT_TIMEOUT", "150"))

# Scheduler loops, shortened for tests: new or changed deployments are scheduled by the "recent
# deployments" loop (default every 5 s); the main loop (default 60 s) tops the others up.
SCHEDULER_FAST = {
    "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "10",
    "PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS": "2",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
}


@dataclass
class PrefectServer:
    port: int
    api: str
    home: Path
    log: Path
    proc: subprocess.Popen[bytes]


def stop_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, grace: float = 20.0) -> None:
    """Stop a child started by `pe.spawn` and everything in its process group."""
    for s in (sig, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, s)
        try:
            proc.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # leftovers of the group


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    home = tmp_path_factory.mktemp("prefect-home")
    port = pe.free_port()
    api = pe.api_url(port)
    log = home / "server.log"
    env = pe.server_env(home=home, port=port, extra=SCHEDULER_FAST)
    proc = pe.spawn(pe.server_command(port), env, log)
    try:
        pe.wait_until(lambda: pe.prefect_healthy(api), proc=proc, what="Prefect server",
                      timeout=SERVER_START_TIMEOUT)  # fmt: skip
    except (pe.ChildDied, TimeoutError) as exc:
        stop_group(proc)
        pytest.skip(f"Prefect server could not start: {exc}\n{pe.tail(log, 30)}")
    yield PrefectServer(port=port, api=api, home=home, log=log, proc=proc)
    stop_group(proc)
