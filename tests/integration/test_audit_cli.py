"""`shegong audit verify` and `shegong audit show`."""

from __future__ import annotations

from sqlalchemy import text
from typer.testing import CliRunner

from cli.audit import app
from services import audit
from services.runtime import Runtime
from services.uow import UnitOfWork

runner = CliRunner()


def _seed() -> None:
    with UnitOfWork() as uow:
        for i, (action, to) in enumerate([("submit", "submitted"), ("approve", "approved")]):
            audit.record(
                uow.session,
                uow.now,
                actor=None,
                subject_type="recruitment_plan",
                subject_id=3,
                action=action,
                from_state=None if i == 0 else "submitted",
                to_state=to,
                opinion="同意" if i else None,
                article="IM art. 8",
                data={"department": "民政局"},
            )
        uow.commit()


def test_verify_exit_codes(runtime: Runtime) -> None:
    _seed()
    ok = runner.invoke(app, ["verify"])
    assert ok.exit_code == 0, ok.output
    assert "审计链完整" in ok.output and "2 rows checked" in ok.output
    with runtime.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET opinion = '不同意' WHERE seq = 2"))
    bad = runner.invoke(app, ["verify", "--batch", "1"])
    assert bad.exit_code == 1
    assert "第 2 条" in bad.output and "broken at seq 2" in bad.output


def test_show_lists_a_subjects_history(runtime: Runtime) -> None:
    _seed()
    out = runner.invoke(app, ["show", "recruitment_plan", "3"])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0].startswith("#1 ") and "submit" in lines[0] and "[IM art. 8]" in lines[0]
    assert any("submitted → approved" in ln for ln in lines)
    assert "意见：同意" in out.output and "民政局" in out.output
    as_json = runner.invoke(app, ["show", "recruitment_plan", "3", "--json"])
    assert as_json.output.count('"seq"') == 2
    none = runner.invoke(app, ["show", "task", "99"])
    assert none.exit_code == 0 and "no audit rows" in none.output
