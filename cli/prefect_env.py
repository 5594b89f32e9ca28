"""Environment, commands and readiness checks for the processes the start command runs: a real
`prefect server start` on 127.0.0.1, the runner serving our deployments (`python -m flows.serve`), and
the web app. Shared with the end-to-end tests, which start the same server the same way."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from domain.config import PROJECT_ROOT, Settings

QUIET = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


def api_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/api"


def ui_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def prefect_home(settings: Settings) -> Path:
    return settings.data_dir / "prefect"


def _base(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # Our settings (SHEGONG_*) pass through unchanged; children must not inherit a foreign Prefect API.
    for key in ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE"):
        env.pop(key, None)
    env.update(QUIET)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def server_env(
    *, home: Path, port: int, database_url: str = "", extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """`prefect server start`: its own PREFECT_HOME (its SQLite lives there unless a URL is given)."""
    home.mkdir(parents=True, exist_ok=True)
    env = _base(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_API_HOST": "127.0.0.1",
            "PREFECT_SERVER_API_PORT": str(port),
            "PREFECT_API_URL": api_url(port),  # also what the UI calls
            "PREFECT_UI_API_URL": api_url(port),
        }
    )
    if database_url:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
    env.update(extra or {})
    return env


def runner_env(*, home: Path, api: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The runner and its flow-run subprocesses: talk to our server; show our services' logs in Prefect."""
    home.mkdir(parents=True, exist_ok=True)
    env = _base(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": api,
            "PREFECT_LOGGING_EXTRA_LOGGERS": "services",
            "PREFECT_RUNNER_POLL_FREQUENCY": "5",
            # Flow runs at once (each a subprocess of the runner); sweeps need no more on a small machine.
            "PREFECT_RUNNER_PROCESS_LIMIT": os.environ.get("PREFECT_RUNNER_PROCESS_LIMIT", "2"),
        }
    )
    env.update(extra or {})
    return env


def settings_env(settings: Settings) -> dict[str, str]:
    """Our settings as SHEGONG_* variables, so that every child sees exactly what this process saw
    (whether they came from the environment, a .env file or a command-line option)."""
    return {
        "SHEGONG_MODE": settings.mode,
        "SHEGONG_DATA_DIR": str(settings.data_dir),
        "SHEGONG_DATABASE_URL": settings.effective_database_url,
        "SHEGONG_HOST": settings.host,
        "SHEGONG_PORT": str(settings.port),
        "SHEGONG_PREFECT_PORT": str(settings.prefect_port),
        "SHEGONG_SWEEP_INTERVAL_SECONDS": str(settings.sweep_interval_seconds),
    }


def server_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "prefect",
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--analytics-off",
    ]


def runner_command() -> list[str]:
    return [sys.executable, "-m", "flows.serve"]


def web_command(host: str, port: int, workers: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:create_app",
        "--factory",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def spawn(
    cmd: list[str], env: Mapping[str, str], log_path: Path, *, die_with_parent: bool = True
) -> subprocess.Popen[bytes]:
    """Start a child in its own process group (stopped as a whole with os.killpg), output to a log file.
    On Linux the child is also told to die with us (unless asked not to), should we be killed without a
    chance to clean up."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        log.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(cmd)}\n".encode())
        log.flush()
        return subprocess.Popen(
            cmd,
            env=dict(env),
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if die_with_parent else None,
        )


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        import contextlib
        import ctypes
        import signal

        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChildDied(RuntimeError):
    pass


def wait_until(
    ready: Callable[[], bool],
    *,
    proc: subprocess.Popen[bytes] | None,
    what: str,
    timeout: float,
    interval: float = 0.5,
) -> float:
    """Poll `ready()` until true; raise ChildDied if `proc` exits first, TimeoutError after `timeout`.
    Returns the seconds waited."""
    started = time.monotonic()
    while True:
        if proc is not None and proc.poll() is not None:
            raise ChildDied(f"{what} exited with code {proc.returncode} while starting")
        if ready():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(interval)


def prefect_healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def runner_polling(api: str, deployment: str, since: datetime, skew: float = 0.0) -> bool:
    """True once a runner started at `since` has registered `deployment` ("flow/deployment") and polled
    for its runs (the deployment may exist already, from an earlier run: its last poll tells)."""
    try:
        r = httpx.get(f"{api}/deployments/name/{deployment}", timeout=2.0)
    except httpx.HTTPError:
        return False
    polled = r.json().get("last_polled") if r.status_code == 200 else None
    if not polled:
        return False
    return datetime.fromisoformat(polled) >= since - timedelta(seconds=skew)


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
