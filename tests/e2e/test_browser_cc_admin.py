"""抄送 and user administration in a real browser (Playwright + Debian's chromium, uvicorn on a seeded
SQLite database): the htmx 抄送 form answers in place (its Chinese errors too), the recipient marks the
copy read; an admin issues a token on /admin/users. Skipped, with the reason, when chromium is missing."""

from __future__ import annotations

import pytest

from tests.e2e.test_browser import CHROMIUM, SHOTS, server

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
__all__ = ["server"]  # the module-scoped fixture, re-used


def test_cc_and_admin_pages_in_the_browser(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
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
        page.fill("#title", "2026年回民区招聘（抄送测试）")
        page.locator("input.posts-input").first.fill("2")
        page.click("button[value=save]")
        expect(page.locator("#plan-status")).to_have_text("草稿")
        page.wait_for_load_state("load")  # htmx (deferred) has bound the form
        cc = page.locator("#cc")
        cc.locator("button").click()  # nothing picked: the error comes back in place
        expect(page.locator("#cc-result [data-code=cc_no_target]")).to_contain_text("请选择抄送对象")
        cc.get_by_role("checkbox", name="回民区民政局", exact=True).check()
        page.fill("#cc_note", "请民政局知悉")
        cc.locator("button").click()
        expect(page.locator("#cc-result")).to_contain_text("已抄送 1 个对象：回民区民政局")
        page.screenshot(path=str(SHOTS / "plan-cc.png"), full_page=True)

        login("hm_ca")  # an approver of 回民区民政局
        expect(page.locator("header nav a[href='/notifications'] .count")).to_have_text("1")
        page.goto(server + "/notifications")
        page.wait_for_load_state("load")
        row = page.locator("tr:has-text('请民政局知悉')")
        row.locator("button:has-text('标为已读')").click()
        expect(row).to_contain_text("已读")

        login("admin")
        page.click("header nav a:has-text('用户管理')")
        expect(page.locator("#users")).to_contain_text("hm_hr")
        page.screenshot(path=str(SHOTS / "admin-users.png"), full_page=True)
        page.click("#users a:has-text('hm_ca')")
        page.fill("#label", "报表脚本")
        page.click("form[aria-label=签发令牌] button")
        expect(page.locator("#new-token code")).to_contain_text("sg_")
        expect(page.locator("#tokens")).to_contain_text("报表脚本")
        page.screenshot(path=str(SHOTS / "admin-user.png"), full_page=True)
        browser.close()
