"""`shegong start` as a whole: it migrates, brings up the runner and the web app (against the session's
Prefect server, `--prefect-url`, so that the suite starts only one), stops them all on SIGTERM, and stops
the others and fails when one of them dies."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cli import prefect_env as pe
from domain.config import PROJECT_ROOT
from tests.e2e.conftest import PrefectServer

pytestmark = [pytest.mark.prefect, pytest.mark.xdist_group("prefect")]

DEPLOYMENT = "shegong-sweep-timers/scheduled"


def _shegong() -> list[str]:
    exe = Path(sys.executable).parent / "shegong"
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from cli.main import main; main()"]


class Started:
    def __init__(self, server: PrefectServer, data: Path) -> None:
        self.web_port = pe.free_port()
        self.out = data / "start.out"
        data.mkdir(parents=True, exist_ok=True)
        env = os.environ | {
            "SHEGONG_MODE": "test",
            "SHEGONG_DATA_DIR": str(data),
            "SHEGONG_DATABASE_URL": f"sqlite:///{data / 'shegong.db'}",
            "SHEGONG_SWEEP_INTERVAL_SECONDS": "60",
        }
        cmd = [*_shegong(), "start", "--port", str(self.web_port), "--prefect-url", server.api]
        with self.out.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 240  # generous: a loaded 2-core machine starts three processes
        while "已启动 / up in" not in self.text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"`shegong start` did not come up:\n{self.text()}\n{self.logs(data)}")
            time.sleep(0.3)
        self.pids = {m[1]: int(m[2]) for m in re.finditer(r"\]\s+([\w-]+): pid (\d+)", self.text())}

    def text(self) -> str:
        return self.out.read_text(errors="replace")

    @staticmethod
    def logs(data: Path) -> str:
        return "\n".join(f"--- {p.name}\n{pe.tail(p, 25)}" for p in sorted((data / "logs").glob("*.log")))

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"`shegong start` did not stop within {timeout:.0f} s:\n{self.text()}")

    def kill(self) -> None:
        for pid in [self.proc.pid, *getattr(self, "pids", {}).values()]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too (the start command reaps its children, so this is belt and braces).
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def _paused(server: PrefectServer) -> bool:
    return bool(httpx.get(f"{server.api}/deployments/name/{DEPLOYMENT}", timeout=10).json()["paused"])


def test_start_runs_everything_and_sigterm_stops_it_all(
    prefect_server: PrefectServer, tmp_path: Path
) -> None:
    started = Started(prefect_server, tmp_path / "a")
    assert set(started.pids) == {"prefect-runner", "web"}, started.text()
    assert httpx.get(f"http://127.0.0.1:{started.web_port}/", timeout=10).status_code < 500
    assert not _paused(prefect_server)  # the runner serves the sweep on its schedule

    started.proc.send_signal(signal.SIGTERM)
    assert started.wait(60) == 0, started.text()
    assert "已全部停止 / all stopped" in started.text()
    assert not any(_alive(pid) for pid in started.pids.values()), started.pids
    assert not pe.port_in_use(started.web_port)
    assert _paused(prefect_server)  # the runner went down cleanly, pausing its schedule


def test_start_stops_the_others_when_one_child_dies(prefect_server: PrefectServer, tmp_path: Path) -> None:
    started = Started(prefect_server, tmp_path / "b")
    os.killpg(started.pids["prefect-runner"], signal.SIGKILL)
    assert started.wait(60) == 1, started.text()
    assert "prefect-runner exited" in started.text()
    assert not _alive(started.pids["web"])
    assert not pe.port_in_use(started.web_port)
