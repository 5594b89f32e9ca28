"""`shegong calendar ...` against a real database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.calendar import app
from services.runtime import Runtime

runner = CliRunner()


def test_cli_edit_publish_and_deadline(runtime: Runtime, tmp_path: Path) -> None:
    result = runner.invoke(app, ["deadline", "2026-09-30", "5"])
    assert result.exit_code == 0, result.output
    assert "截止 2026-10-13" in result.output
    result = runner.invoke(app, ["deadline", "2026-09-30", "5", "--calendar"])
    assert "截止 2026-10-05" in result.output

    result = runner.invoke(app, ["deadline", "2026-12-30", "5"])
    assert result.exit_code == 1
    assert "calendar_not_covered" in result.output

    csv = tmp_path / "2027.csv"
    csv.write_text(
        "date,kind,name,region\n2027-01-01,holiday,元旦,\n2027-01-04,holiday,开斋节,ningxia\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(csv)])
    assert result.exit_code == 0, result.output
    assert "已导入 2 行" in result.output
    result = runner.invoke(app, ["publish", "2027", "--source", "国办发明电〔2026〕1号"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["deadline", "2026-12-31", "1"])
    assert "截止 2027-01-04" in result.output
    result = runner.invoke(app, ["deadline", "2026-12-31", "1", "--region", "ningxia"])
    assert "截止 2027-01-05" in result.output

    result = runner.invoke(app, ["add", "2027-01-05", "holiday", "临时", "--region", "ningxia"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["show", "2027", "--region", "ningxia"])
    assert result.exit_code == 0, result.output
    assert "已发布" in result.output and "开斋节" in result.output and "临时" in result.output
    result = runner.invoke(app, ["remove", "2027-01-05", "--region", "ningxia"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["remove", "2027-01-05", "--region", "ningxia"])
    assert result.exit_code == 1 and "calendar_day_not_found" in result.output


def test_cli_import_lists_bad_rows_and_writes_nothing(runtime: Runtime, tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(
        "date,kind,name,region\n2027-01-01,holiday,元旦,\n2027-01-06,workday,春节,\nx,holiday,春节,\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(csv)])
    assert result.exit_code == 1
    assert "第 3 行［calendar_workday_not_weekend］" in result.output
    assert "第 4 行［calendar_bad_date］" in result.output
    result = runner.invoke(app, ["show", "2027"])
    assert "元旦" not in result.output
