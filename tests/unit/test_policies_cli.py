"""`shegong policy list|show` on the profile files (no database)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.policy import app

runner = CliRunner()


def test_list_shows_every_profile() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    for key in ("national", "inner_mongolia", "ordos", "ningxia", "bingtuan", "jiulongpo"):
        assert key in result.output


def test_show_chain_prints_value_article_and_source() -> None:
    result = runner.invoke(app, ["show", "inner_mongolia,ordos", "--on", "2025-03-01"])
    assert result.exit_code == 0, result.output
    line = next(ln for ln in result.output.splitlines() if ln.startswith("staffing.households_per_worker"))
    assert "200" in line and "OR art. 3" in line and "ordos" in line
    line = next(ln for ln in result.output.splitlines() if ln.startswith("staffing.workers_per_10k_urban"))
    assert "IM art. 5" in line and "inner_mongolia" in line


def test_show_json_and_errors() -> None:
    result = runner.invoke(app, ["show", "jiulongpo", "--on", "2025-03-01", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["probation"]["months"]["value"] == 1
    bad = runner.invoke(app, ["show", "ningxia,ordos"])
    assert bad.exit_code == 1
    assert runner.invoke(app, ["show", "ordos", "--on", "yesterday"]).exit_code != 0
