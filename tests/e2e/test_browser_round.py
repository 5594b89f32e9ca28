"""A recruitment round in a real browser (Playwright driving Debian's chromium against the app served by
uvicorn on a seeded SQLite database): the officer starts a round from an approved plan, sets it up and
publishes it; two people register on the public form (no login); the officer closes registration and
queues the screening, which runs as the Prefect dispatch flow would run it (here `batch.run` in a
subprocess: no Prefect server in this test) while the page polls; the reviewer decides the doubtful one;
the funnel shows the counts. Screenshots go to $SHEGONG_SCREENSHOTS (default /tmp/shegong-screenshots).
Skipped, with the reason, when chromium is not installed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_browser import CHROMIUM, ROOT, SHOTS, _free_port
from tests.integration.round_support import make_id

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SETUP = """
from services.runtime import configure
from db.schema import migrate
from services.uow import UnitOfWork
from services import demo, identity
from tests.integration.round_support import approved_plan

rt = configure()
migrate(rt.engine)
with UnitOfWork() as uow:
    demo.seed(uow)


def get(username):
    with UnitOfWork(readonly=True) as uow:
        return identity.authenticate(uow.session, username, "demo1234")


print(approved_plan(get))
"""
DRAIN = """
from services.runtime import configure
from services.recruitment_round import batch

configure()
for batch_id, _ in batch.queued():
    print(batch.run(batch_id).status)
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, dict[str, str]]]:
    """The served app, the id of an approved plan of 回民区, and the environment of the server."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (./shegong test installs Debian's chromium when run as root)")
    data = tmp_path_factory.mktemp("browser-round")
    env = {
        **os.environ,
        "SHEGONG_MODE": "demo",
        "SHEGONG_DATA_DIR": str(data),
        "SHEGONG_DATABASE_URL": f"sqlite:///{data / 'app.db'}",
    }
    out = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    plan_id = int(out.stdout.strip().splitlines()[-1])
    port = _free_port()
    cmd = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(base + "/login", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base, plan_id, env
    proc.terminate()
    proc.wait(10)


def test_round_from_publication_to_review_in_the_browser(app: tuple[str, int, dict[str, str]]) -> None:
    from playwright.sync_api import Page, expect, sync_playwright

    server, plan_id, env = app
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        def login(username: str) -> None:
            page.context.clear_cookies()
            page.goto(server + "/login")
            page.fill("#username", username)
            page.fill("#password", "demo1234")
            page.click("button[type=submit]")
            expect(page.locator("header .who")).to_be_visible()

        # the officer starts the round from the approved plan, sets it up and publishes it
        login("hm_hr")
        page.goto(f"{server}/plans/{plan_id}")
        page.click("#start-round")
        page.click("form[action='/rounds/new'] button[type=submit]")
        expect(page.locator("#round-status")).to_have_text("筹备中")
        round_url = page.url.split("?")[0]
        now = datetime.strptime(
            page.locator("header .clock").inner_text().replace("当前时间 ", ""), "%Y-%m-%d %H:%M"
        )
        page.fill("#announcement", "根据《内蒙古自治区城市社区工作者管理办法》，现公开招聘社区工作者。")
        page.fill("#registration_opens_at", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        page.fill("#registration_closes_at", (now + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"))
        page.click("#setup button[type=submit]")
        expect(page.locator("#flash")).to_contain_text("已保存公告设置")
        page.click("#publish")
        expect(page.locator("#round-status")).to_have_text("报名中")
        expect(page.locator("#diagram svg")).to_be_visible(timeout=10000)
        page.screenshot(path=str(SHOTS / "round-published.png"), full_page=True)
        round_id = round_url.rstrip("/").split("/")[-1]

        # two people register on the public form, without logging in
        public = browser.new_page(viewport={"width": 1100, "height": 900})

        def register(
            pg: Page, name: str, seq: int, *, recommended: bool, bad_check_digit: bool = False
        ) -> None:
            number = make_id(date(1994, 4, 4), seq=seq)
            if bad_check_digit:
                number = number[:-1] + ("1" if number[-1] != "1" else "2")
            pg.goto(f"{server}/public/rounds/{round_id}")
            pg.click("#register")
            pg.fill("#name", name)
            pg.fill("#id_number", number)
            pg.fill("#phone", f"1390000{seq:04d}")
            pg.select_option("#education", "senior_secondary" if recommended else "bachelor")
            if not recommended:
                pg.fill("#major", "社会工作")
            pg.fill("#school", "呼和浩特市第二中学" if recommended else "内蒙古大学")
            pg.fill("#household_place", "呼和浩特市回民区")
            pg.select_option("#post_code", "01")
            if recommended:
                pg.check("input[name=street_recommended]")
                pg.select_option("#relaxation_group", "local_party_member")
            pg.check("#pledge")
            pg.click("#submit")
            if bad_check_digit:  # refused in Chinese, the form kept as typed, nothing written
                expect(pg.locator(".field-error[data-field=id_number]")).to_contain_text("校验码错误")
                expect(pg.locator("#name")).to_have_value(name)
            else:
                expect(pg.locator("#flash")).to_contain_text("报名成功")

        register(public, "张明", 1, recommended=False, bad_check_digit=True)
        public.screenshot(path=str(SHOTS / "round-register-errors.png"), full_page=True)
        register(public, "张明", 1, recommended=False)
        register(public, "李红", 2, recommended=True)
        public.screenshot(path=str(SHOTS / "round-registered.png"), full_page=True)

        # the officer closes registration and queues the screening; the page follows the batch
        page.goto(round_url)
        page.once("dialog", lambda d: d.accept())
        page.click("#close-registration")
        expect(page.locator("#round-status")).to_have_text("资格审查")
        page.click("#batch-screening")
        expect(page.locator("#flash")).to_contain_text("已提交批处理")
        expect(page.locator("#batches tr[data-status=queued]")).to_be_visible()
        subprocess.run(
            [sys.executable, "-c", DRAIN], cwd=ROOT, env=env, check=True
        )  # the dispatch flow's part
        expect(page.locator("#batches tr[data-status=done]")).to_be_visible(timeout=10000)  # polled, reloaded
        expect(page.locator("#funnel tr.sum th[data-status=pending_review]")).to_have_text("1", timeout=10000)
        expect(page.locator("#funnel tr.sum th[data-status=qualified]")).to_have_text("1")

        # the reviewer passes the doubtful application (relaxation by street recommendation)
        login("hm_sw")
        page.goto(f"{server}/rounds/{round_id}/applicants?status=pending_review")
        page.click("#applicants a:has-text('李红')")
        expect(page.locator("#verdict")).to_contain_text("IM art. 9")
        page.check("#review input[value=pass]")
        page.fill("#opinion", "街道推荐材料齐全，同意放宽学历")
        page.screenshot(path=str(SHOTS / "round-review.png"), full_page=True)
        page.click("#review button[type=submit]")
        expect(page.locator("#flash")).to_contain_text("已审核")
        expect(page.locator("#app-status")).to_have_text("资格审查通过")

        # the funnel: two registered, both qualified, none waiting
        login("hm_hr")
        page.goto(round_url)
        expect(page.locator("#funnel-total")).to_have_text("2")
        expect(page.locator("#funnel tr.sum th[data-status=qualified]")).to_have_text("2")
        expect(page.locator("#funnel tr.sum th[data-status=pending_review]")).to_have_text("0")
        expect(page.locator("#diagram svg")).to_be_visible(timeout=10000)
        page.screenshot(path=str(SHOTS / "round-funnel.png"), full_page=True)
        page.goto(f"{server}/rounds/{round_id}/applicants")
        page.screenshot(path=str(SHOTS / "round-applicants.png"), full_page=True)
        browser.close()
