"""The recruitment plan in a real browser: Playwright driving Debian's chromium against the app served by
uvicorn on a seeded SQLite database. Skipped, with the reason, when chromium is not installed."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("SHEGONG_SCREENSHOTS", "/tmp/shegong-screenshots"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (./shegong test installs Debian's chromium when run as root)")
    data = tmp_path_factory.mktemp("browser")
    env = {
        **os.environ,
        "SHEGONG_MODE": "demo",
        "SHEGONG_DATA_DIR": str(data),
        "SHEGONG_DATABASE_URL": f"sqlite:///{data / 'app.db'}",
    }
    setup = (
        "from services.runtime import configure; from db.schema import migrate; "
        "from services.uow import UnitOfWork; from services import demo; rt = configure(); migrate(rt.engine)\n"
        "with UnitOfWork() as uow: demo.seed(uow)"
    )
    subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env, check=True)
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(base + "/login", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(10)


def test_plan_from_draft_to_approval_in_the_browser(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        def login(username: str) -> None:
            page.context.clear_cookies()
            page.goto(server + "/login")
            page.fill("#username", username)
            page.fill("#password", "demo1234")
            page.click("button[type=submit]")
            expect(page.locator("header .who")).to_be_visible()

        login("hm_hr")
        page.goto(server + "/plans/new")
        page.fill("#title", "2026年回民区公开招聘社区专职工作人员方案")
        first = page.locator("input.posts-input").first
        first.fill("500")  # far over the quota: the live headroom turns red, citing IM art. 5
        expect(page.locator("#quota [data-ok=false]")).to_be_visible(timeout=5000)
        expect(page.locator("#quota")).to_contain_text("IM art. 5")
        first.fill("3")
        expect(page.locator("#quota [data-ok=true]")).to_be_visible(timeout=5000)
        page.screenshot(path=str(SHOTS / "plan-form.png"), full_page=True)
        page.click("button[value=save]")
        expect(page.locator("#plan-status")).to_have_text("草稿")
        page.click("text=提交审核")
        expect(page.locator("#plan-status")).to_have_text("审核中")
        plan_url = page.url.split("?")[0]

        login("hhht_sw")
        page.goto(server + "/inbox")
        page.click("#inbox a:has-text('盟市党委社会工作部门审核招聘方案')")
        page.fill("#opinion", "同意")
        page.click("form[action$='/complete'] button[type=submit]")
        expect(page.locator("#flash")).to_contain_text("已办结")

        login("hhht_org")
        page.goto(server + "/inbox")
        page.click("#inbox a:has-text('备案')")
        page.click("form[action$='/complete'] button[type=submit]")

        login("hm_hr")
        page.goto(plan_url)
        expect(page.locator("#plan-status")).to_have_text("已批准")
        expect(page.locator("#diagram svg")).to_be_visible(timeout=10000)  # mermaid rendered the machine
        page.screenshot(path=str(SHOTS / "plan-approved.png"), full_page=True)

        login("xc_hr")  # another county: the plan does not exist for them
        resp = page.goto(plan_url)
        assert resp is not None and resp.status == 404
        browser.close()
