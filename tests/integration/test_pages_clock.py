"""The simulated clock: /admin/clock, /api/v1/clock and `shegong clock`, against a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli.clock import app as clock_cli
from domain.config import Settings
from services import audit, identity, org, timers
from services.runtime import Runtime
from services.uow import UnitOfWork

PASSWORD = "clock-pass-123"


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def tokens(runtime: Runtime) -> dict[str, str]:
    with UnitOfWork() as uow:
        region = org.create_jurisdiction(uow.session, code="150000", name="内蒙古自治区", level="region")
        dept = org.ensure_departments(uow.session, region.id)[0]
        out = {}
        for username, role in (("admin", "admin"), ("clerk", "hr_officer")):
            user = identity.create_user(
                uow.session, username=username, display_name=f"{username}用户", password=PASSWORD
            )
            org.grant_role(uow.session, user.id, dept.id, role)
            out[username] = identity.issue_token(uow.session, user.id, "test")
        uow.commit()
    return out


def _h(token: str, htmx: bool = False) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} | ({"HX-Request": "true"} if htmx else {})


def _now() -> datetime:
    with UnitOfWork(readonly=True) as uow:
        return uow.now


def _actions() -> list[str]:
    with UnitOfWork(readonly=True) as uow:
        return [e.action for e in audit.history(uow.session, "clock", 1)]


def test_page_and_htmx_actions(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.get("/admin/clock", headers=_h(tokens["admin"]))
    assert r.status_code == 200
    assert "模拟时钟" in r.text and "真实时间" in r.text and "立即执行到期任务扫描" in r.text

    hx = _h(tokens["admin"], True)
    r = client.post("/admin/clock/set", data={"at": "2026-09-30T09:00", "freeze": "1"}, headers=hx)
    assert r.status_code == 200, r.text
    assert "模拟时钟已设为 2026-09-30 09:00（已冻结）" in r.text and 'hx-swap-oob="true"' in r.text
    assert "<html" not in r.text and "已冻结" in r.text
    assert _now() == datetime(2026, 9, 30, 9, 0)

    r = client.post("/admin/clock/advance", data={"days": "1", "hours": "2"}, headers=hx)
    assert r.status_code == 200 and "2026-10-01 11:00" in r.text
    assert _now() == datetime(2026, 10, 1, 11, 0)

    r = client.post("/admin/clock/next-workday", data={"region": ""}, headers=hx)
    assert r.status_code == 200, r.text
    assert "已拨到下一个工作日：2026-10-08 09:00" in r.text

    r = client.post("/admin/clock/unfreeze", headers=hx)
    assert r.status_code == 200 and "恢复走动" in r.text
    assert timedelta(0) <= _now() - datetime(2026, 10, 8, 9, 0) < timedelta(minutes=5)

    r = client.post("/admin/clock/freeze", headers=hx)
    assert r.status_code == 200 and "已冻结在" in r.text

    r = client.post("/admin/clock/reset", headers=hx)
    assert r.status_code == 200 and "恢复为真实时间" in r.text
    assert abs(_now() - datetime.now()) < timedelta(days=1)  # real time again (CST vs local)

    # without htmx the forms redirect back
    r = client.post(
        "/admin/clock/advance", data={"days": "3"}, headers=_h(tokens["admin"]), follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/clock"
    assert _actions() == [
        "clock.set",
        "clock.advance",
        "clock.next_working_day",
        "clock.unfreeze",
        "clock.freeze",
        "clock.reset",
        "clock.advance",
    ]


def test_bad_input_is_422_and_changes_nothing(client: TestClient, tokens: dict[str, str]) -> None:
    admin = _h(tokens["admin"])
    cases = [
        ({"action": "set", "at": "2026-13-01 09:00"}, "sim_clock_bad_time", "格式不正确"),
        ({"action": "set"}, "sim_clock_bad_time", "请填写要设定的时间"),
        ({"action": "advance"}, "sim_clock_backwards", "大于 0"),
        ({"action": "advance", "days": -1}, "invalid_input", "days：数值过小"),
        ({"action": "rewind"}, "invalid_input", "取值不在允许范围内"),
    ]
    for body, code, text in cases:
        r = client.post("/api/v1/clock", json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["code"] == code and text in r.json()["message"], r.json()
    hx = _h(tokens["admin"], True)
    r = client.post("/admin/clock/set", data={"at": "yesterday"}, headers=hx)
    assert r.status_code == 422 and "时间“yesterday”格式不正确" in r.text
    r = client.post("/admin/clock/advance", data={"days": "x"}, headers=hx)
    assert r.status_code == 422 and "应为整数" in r.text
    r = client.post("/admin/clock/teleport", headers=hx)
    assert r.status_code == 422 and "未知的操作" in r.text
    assert client.get("/api/v1/clock", headers=admin).json()["simulated"] is False
    assert _actions() == []


def test_api_and_permissions(client: TestClient, tokens: dict[str, str]) -> None:
    admin, clerk = _h(tokens["admin"]), _h(tokens["clerk"])
    r = client.post("/api/v1/clock", json={"action": "set", "at": "2026-09-30T09:00:00"}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["simulated"] is True and r.json()["now"].startswith("2026-09-30T09:0")
    r = client.get("/api/v1/clock", headers=clerk)
    assert r.status_code == 200 and r.json()["now"].startswith("2026-09-30")

    r = client.post("/api/v1/clock", json={"action": "advance", "days": 1}, headers=clerk)
    assert r.status_code == 403 and r.json()["code"] == "admin_required"
    r = client.get("/admin/clock", headers=clerk)
    assert r.status_code == 403 and "需要系统管理员权限" in r.text
    r = client.post("/admin/clock/reset", headers=_h(tokens["clerk"], True))
    assert r.status_code == 403
    r = client.post("/api/v1/clock/sweep", headers=clerk)
    assert r.status_code == 403
    assert _actions() == ["clock.set"]

    r = client.post("/api/v1/clock", json={"action": "reset"}, headers=admin)
    assert r.status_code == 200 and r.json()["simulated"] is False


def test_sweep_button_fires_due_timers(client: TestClient, tokens: dict[str, str]) -> None:
    with UnitOfWork() as uow:
        timers.schedule(uow.session, timers.PROBE, "probe", 1, due_at=uow.now + timedelta(days=2))
        uow.commit()
    hx = _h(tokens["admin"], True)
    r = client.post("/admin/clock/sweep", headers=hx)
    assert r.status_code == 200 and "触发 0 个" in r.text
    client.post("/admin/clock/advance", data={"days": "3"}, headers=hx)
    r = client.post("/admin/clock/sweep", headers=hx)
    assert r.status_code == 200 and "触发 1 个" in r.text
    r = client.post("/api/v1/clock/sweep", headers=_h(tokens["admin"]))
    assert r.status_code == 200 and r.json()["fired"] == 0


def test_production_mode_refuses(
    client: TestClient, tokens: dict[str, str], runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    prod = Settings(
        mode="production", data_dir=runtime.settings.data_dir, database_url=runtime.settings.database_url
    )
    monkeypatch.setattr(runtime, "settings", prod)
    admin = _h(tokens["admin"])
    r = client.get("/admin/clock", headers=admin)
    assert r.status_code == 403 and "模拟时钟仅在演示或测试模式下可用" in r.text
    for r in (
        client.get("/api/v1/clock", headers=admin),
        client.post("/api/v1/clock", json={"action": "advance", "days": 1}, headers=admin),
        client.post("/api/v1/clock/sweep", headers=admin),
    ):
        assert r.status_code == 403 and r.json()["code"] == "sim_clock_disabled"
        assert "生产环境" in r.json()["message"]
    r = client.post("/admin/clock/set", data={"at": "2030-01-01T00:00"}, headers=_h(tokens["admin"], True))
    assert r.status_code == 403 and "模拟时钟仅在演示或测试模式下可用" in r.text
    assert _actions() == []
    result = CliRunner().invoke(clock_cli, ["advance", "--days", "1"])
    assert result.exit_code == 1 and "sim_clock_disabled" in result.output


def test_cli(runtime: Runtime) -> None:
    runner = CliRunner()
    result = runner.invoke(clock_cli, ["set", "2026-09-30 09:00", "--freeze"])
    assert result.exit_code == 0, result.output
    assert "2026-09-30 09:00" in result.output
    result = runner.invoke(clock_cli, ["advance", "--days", "2", "--hours", "3"])
    assert result.exit_code == 0, result.output
    assert "2026-10-02 12:00" in result.output
    result = runner.invoke(clock_cli, ["show"])
    assert result.exit_code == 0 and "2026-10-02 12:00" in result.output and "已冻结" in result.output
    result = runner.invoke(clock_cli, ["advance"])
    assert result.exit_code == 1 and "大于 0" in result.output
    result = runner.invoke(clock_cli, ["set", "someday"])
    assert result.exit_code == 1 and "格式不正确" in result.output
    result = runner.invoke(clock_cli, ["reset"])
    assert result.exit_code == 0 and "真实时间" in result.output
    assert _actions() == ["clock.set", "clock.advance", "clock.reset"]
    with UnitOfWork(readonly=True) as uow:
        entries = audit.history(uow.session, "clock", 1)
    assert entries[0].actor_name == audit.SYSTEM_NAME
    assert entries[1].data == {
        "from": "2026-09-30T09:00:00",
        "to": "2026-10-02T12:00:00",
        "days": 2,
        "hours": 3,
    }
