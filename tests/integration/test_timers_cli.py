"""`shegong sweep`: one sweep in this process, no Prefect (operators, tests); `--probe` proves the loop."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from cli import sweep
from services import timers
from services.runtime import Runtime
from services.uow import UnitOfWork


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(sweep.command)
    return app


def test_sweep_command_fires_a_probe(runtime: Runtime) -> None:
    result = CliRunner().invoke(_app(), ["--probe"])
    assert result.exit_code == 0, result.output
    assert "fired 1" in result.output
    with UnitOfWork(runtime, readonly=True) as uow:
        (row,) = timers.for_subject(uow.session, "probe", 0)
        assert row.state == "fired" and (row.fired_by or "").startswith("cli:")


def test_sweep_command_reconcile_prints_a_report(runtime: Runtime) -> None:
    result = CliRunner().invoke(_app(), ["--reconcile"])
    assert result.exit_code == 0, result.output
    assert '"expired_leases_reset": 0' in result.output
