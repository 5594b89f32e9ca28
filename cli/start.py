"""`shegong start`: bring the whole system up, in order, and stop it together.

1. our database, migrated (Alembic; `create_all` until the migrations exist);
2. demo data, when the mode is demo and the database is empty;
3. a real `prefect server start` on 127.0.0.1:{prefect_port}, PREFECT_HOME under {data_dir}/prefect
   (its SQLite there, or PostgreSQL at SHEGONG_PREFECT_DATABASE_URL), waited for until /api/health answers;
4. the runner serving our deployments (`python -m flows.serve`), waited for until they are registered;
5. the web app (uvicorn, `api.app:create_app` factory), waited for until it accepts connections.

Each child runs in its own process group with its output in {data_dir}/logs/<name>.log. Ctrl-C or
SIGTERM stops them all (web and runner first, the Prefect server last, SIGKILL after a grace period); if
any child dies, the others are stopped and the command exits non-zero, quoting the end of its log.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from cli import prefect_env as pe
from db.schema import MIGRATIONS, create_all, migrate
from domain.config import Settings, get_settings
from services.runtime import configure
from services.uow import UnitOfWork

SWEEP_DEPLOYMENT = "shegong-sweep-timers/scheduled"  # flows/serve.py names it so
GRACE_SECONDS = 15.0


class Stop(BaseException):
    """Raised by our signal handlers: leave whatever we are doing and shut everything down."""


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    stop_signal: int = signal.SIGTERM


@dataclass
class Supervisor:
    logs: Path
    children: list[Child] = field(default_factory=list)

    def start(
        self, name: str, cmd: list[str], env: dict[str, str], stop_signal: int = signal.SIGTERM
    ) -> Child:
        child = Child(
            name, pe.spawn(cmd, env, self.logs / f"{name}.log"), self.logs / f"{name}.log", stop_signal
        )
        self.children.append(child)
        typer.echo(f"[shegong]   {name}: pid {child.proc.pid}, log {child.log}")
        return child

    def watch(self) -> None:
        """Return never; raise ChildDied when any child exits."""
        while True:
            for c in self.children:
                if c.proc.poll() is not None:
                    raise pe.ChildDied(f"{c.name} exited with code {c.proc.returncode}")
            time.sleep(0.5)

    def stop_all(self) -> None:
        """Web and runner first (the runner pauses its schedules on the way out, so the server must still
        be up), then the Prefect server; SIGKILL whatever outlives the grace period."""
        forced = False

        def force(_sig: int, _frame: FrameType | None) -> None:
            nonlocal forced
            forced = True

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, force)
        first = [c for c in self.children if c.name != "prefect-server"]
        last = [c for c in self.children if c.name == "prefect-server"]
        for wave in (first, last):
            for c in wave:
                _signal_group(c.proc, c.stop_signal)
            deadline = time.monotonic() + GRACE_SECONDS
            while not forced and time.monotonic() < deadline and any(c.proc.poll() is None for c in wave):
                time.sleep(0.2)
            for c in wave:
                _signal_group(c.proc, signal.SIGKILL)  # leftovers of the group too (flow-run subprocesses)
                try:
                    c.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    typer.echo(f"[shegong] {c.name} (pid {c.proc.pid}) did not stop", err=True)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _raise_stop(_sig: int, _frame: FrameType | None) -> None:
    raise Stop


def prepare_database(settings: Settings) -> None:
    """Migrate our database, then load the demo data into an empty one (demo mode)."""
    runtime = configure(settings)
    if (MIGRATIONS / "env.py").exists() and any((MIGRATIONS / "versions").glob("*.py")):
        migrate(runtime.engine)
    else:  # until the Alembic environment and its first revision exist
        create_all(runtime.engine)
    if settings.mode == "demo" and importlib.util.find_spec("services.demo") is not None:
        demo = importlib.import_module("services.demo")
        with UnitOfWork(runtime) as uow:
            seeded = demo.seed_if_empty(uow)
            uow.commit()
        if seeded:
            typer.echo("[shegong] 已写入演示数据 / demo data loaded")
            cases = importlib.import_module("services.demo_cases")
            for line in cases.seed_cases(runtime):
                typer.echo(f"[shegong] 演示业务 / demo case: {line}")
    runtime.engine.dispose()


@dataclass
class Plan:
    """What to bring up: the web app always; a Prefect server unless one is given or none is wanted."""

    settings: Settings
    prefect: bool = True
    external_api: str | None = None  # --prefect-url: use that server, start none

    @property
    def api(self) -> str:
        return self.external_api or pe.api_url(self.settings.prefect_port)

    @property
    def ui(self) -> str:
        return self.api.removesuffix("/api")


def _banner(plan: Plan) -> None:
    s = plan.settings
    typer.echo("")
    typer.echo(f"  网页 / web app        http://{s.host}:{s.port}")
    if plan.prefect:
        typer.echo(f"  Prefect 界面 / UI     {plan.ui}")
        typer.echo(f"  定时扫描 / sweep      {SWEEP_DEPLOYMENT} every {s.sweep_interval_seconds} s")
    typer.echo(f"  日志 / logs           {s.data_dir / 'logs'}")
    if s.mode == "demo" and importlib.util.find_spec("services.demo") is not None:
        password = getattr(importlib.import_module("services.demo"), "DEMO_PASSWORD", "?")
        typer.echo(f"  演示账号 / demo logins: ./shegong demo logins  (password {password})")
    typer.echo("  Ctrl-C 停止全部 / stops everything\n")


def command(
    port: Annotated[
        int | None, typer.Option("--port", help="web app port (default SHEGONG_PORT, 8000)")
    ] = None,
    no_prefect: Annotated[
        bool, typer.Option("--no-prefect", help="web app only: no Prefect server, no runner, no sweeps")
    ] = False,
    prefect_port: Annotated[
        int | None, typer.Option("--prefect-port", help="port of the Prefect server we start (4200)")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, max=64, help="web app processes (default SHEGONG_WEB_WORKERS, 2)"),
    ] = None,
    prefect_url: Annotated[
        str | None,
        typer.Option("--prefect-url", help="use this running Prefect API (http://host:port/api); start none"),
    ] = None,
) -> None:
    """启动系统 / start: migrate, demo data, Prefect server + runner, web app; Ctrl-C stops all."""
    given = {"port": port, "prefect_port": prefect_port, "web_workers": workers}
    updates = {k: v for k, v in given.items() if v is not None}
    plan = Plan(get_settings().model_copy(update=updates), not no_prefect, prefect_url)
    sup = Supervisor(plan.settings.data_dir / "logs")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_stop)
    code = 0
    try:
        code = _run(plan, sup)
    except Stop:
        typer.echo("\n[shegong] 正在停止 / stopping…")
    except (pe.ChildDied, TimeoutError) as exc:
        code = 1
        typer.echo(f"\n[shegong] {exc}", err=True)
        for c in sup.children:
            if c.proc.poll() is not None or isinstance(exc, TimeoutError):
                typer.echo(f"--- {c.log} (last lines)\n{pe.tail(c.log)}\n---", err=True)
        typer.echo("[shegong] 正在停止其余进程 / stopping the others…", err=True)
    finally:
        sup.stop_all()
        typer.echo("[shegong] 已全部停止 / all stopped")
    raise typer.Exit(code)


def _run(plan: Plan, sup: Supervisor) -> int:
    s = plan.settings
    s.data_dir.mkdir(parents=True, exist_ok=True)
    ports = [s.port] + ([s.prefect_port] if plan.prefect and not plan.external_api else [])
    busy = [p for p in ports if pe.port_in_use(p)]
    if busy:
        typer.echo(f"[shegong] 端口已被占用 / port in use: {busy} (another `start` running?)", err=True)
        return 1
    t0 = time.monotonic()
    typer.echo("[shegong] 数据库迁移 / migrating the database…")
    prepare_database(s)
    ours = pe.settings_env(s)
    if plan.prefect:
        _start_prefect(plan, sup, ours)
    typer.echo("[shegong] 启动网页 / starting the web app…")
    web_cmd = pe.web_command(s.host, s.port, s.web_workers)
    web = sup.start("web", web_cmd, dict(os.environ) | pe.QUIET | ours)
    pe.wait_until(lambda: pe.port_in_use(s.port, s.host), proc=web.proc, what="web app", timeout=60)
    typer.echo(f"[shegong] 已启动 / up in {time.monotonic() - t0:.0f} s")
    _banner(plan)
    sup.watch()
    return 0


def _start_prefect(plan: Plan, sup: Supervisor, ours: dict[str, str]) -> None:
    s, home = plan.settings, pe.prefect_home(plan.settings)
    if plan.external_api:
        if not pe.prefect_healthy(plan.api):
            raise pe.ChildDied(f"no Prefect server answers at {plan.api}/health")
    else:
        typer.echo(
            f"[shegong] 启动 Prefect 服务 / starting the Prefect server (first start ~20 s), home {home}"
        )
        env = pe.server_env(home=home, port=s.prefect_port, database_url=s.prefect_database_url)
        server = sup.start("prefect-server", pe.server_command(s.prefect_port), env | ours)
        pe.wait_until(
            lambda: pe.prefect_healthy(plan.api), proc=server.proc, what="Prefect server", timeout=180
        )
    typer.echo(f"[shegong] 启动调度执行器 / starting the runner (sweep every {s.sweep_interval_seconds} s)…")
    since = datetime.now(UTC)
    runner = sup.start(
        "prefect-runner",
        pe.runner_command(),
        pe.runner_env(home=home, api=plan.api) | ours,
        stop_signal=signal.SIGINT,  # Prefect's runner shuts down cleanly (pausing its schedules) on Ctrl-C
    )
    pe.wait_until(
        lambda: pe.runner_polling(plan.api, SWEEP_DEPLOYMENT, since),
        proc=runner.proc,
        what="Prefect runner",
        timeout=120,
    )
