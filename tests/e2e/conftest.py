"""End-to-end fixtures. `prefect_server`: ONE real `prefect server start` for the whole test session (its
own PREFECT_HOME in the session's temporary folder, a free port), started the way `shegong start` starts
it; when it cannot start, the tests that need it are skipped with the reason and the end of its log.

One server even under `pytest -n 2`: the xdist workers share it through a state file and a lock in the
session's base temporary folder (the first to need it starts it, the last to leave stops it), and the
tests that use it hold a second lock while they run, so that two of them never serve the same deployments
against one server at once. (The `xdist_group("prefect")` marks would do the grouping, but pytest-xdist
3.8's loadgroup does not work with pytest 9: it sets `item._nodeid`, which pytest 9 no longer reads.)"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import time
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
    pid: int
    root: Path  # the session's shared folder (locks, state)


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


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    with path.open("a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _shared_root(request: pytest.FixtureRequest, factory: pytest.TempPathFactory) -> tuple[Path, str]:
    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is None:
        return factory.getbasetemp(), "main"
    return factory.getbasetemp().parent, str(workerinput["workerid"])  # <session basetemp>/popen-gwN


_owned: dict[int, subprocess.Popen[bytes]] = {}


def _start(root: Path) -> dict[str, object]:
    home = root / "prefect-home"
    home.mkdir(exist_ok=True)
    port = pe.free_port()
    api, log = pe.api_url(port), home / "server.log"
    # Not tied to this worker's life: another worker may still be using it when this one exits.
    proc = pe.spawn(
        pe.server_command(port),
        pe.server_env(home=home, port=port, extra=SCHEDULER_FAST),
        log,
        die_with_parent=False,
    )
    try:
        waited = pe.wait_until(
            lambda: pe.prefect_healthy(api), proc=proc, what="Prefect server", timeout=SERVER_START_TIMEOUT
        )
    except (pe.ChildDied, TimeoutError) as exc:
        stop_group(proc)
        return {"error": f"Prefect server could not start: {exc}\n{pe.tail(log, 30)}"}
    _owned[proc.pid] = proc
    return {
        "port": port,
        "api": api,
        "home": str(home),
        "log": str(log),
        "pid": proc.pid,
        "users": [],
        "started_in": round(waited, 1),
    }


def _stop(pid: int, api: str) -> None:
    proc = _owned.pop(pid, None)
    if proc is not None:
        stop_group(proc)
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while pe.prefect_healthy(api) and time.monotonic() < deadline:
        time.sleep(0.3)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def _shared_prefect_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrefectServer]:
    root, me = _shared_root(request, tmp_path_factory)
    state_file, lock = root / "prefect-server.json", root / "prefect-server.lock"
    with locked(lock):
        state = json.loads(state_file.read_text()) if state_file.exists() else None
        if state is None or ("api" in state and not pe.prefect_healthy(str(state["api"]))):
            state = _start(root)
        if "error" not in state:
            state["users"] = [*state["users"], me]
        state_file.write_text(json.dumps(state))
    if "error" in state:
        pytest.skip(str(state["error"]))
    yield PrefectServer(
        port=int(state["port"]),
        api=str(state["api"]),
        home=Path(state["home"]),
        log=Path(state["log"]),
        pid=int(state["pid"]),
        root=root,
    )
    with locked(lock):
        state = json.loads(state_file.read_text())
        state["users"] = [u for u in state["users"] if u != me]
        if state["users"]:
            state_file.write_text(json.dumps(state))
        else:
            _stop(int(state["pid"]), str(state["api"]))
            state_file.unlink()


@pytest.fixture
def prefect_server(_shared_prefect_server: PrefectServer) -> Iterator[PrefectServer]:
    """The session's Prefect server, to this test alone while it runs."""
    with locked(_shared_prefect_server.root / "prefect-tests.lock"):
        yield _shared_prefect_server
