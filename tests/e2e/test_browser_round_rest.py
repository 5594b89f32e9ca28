"""The rest of a recruitment round in a real browser (Playwright driving Debian's chromium against the app
served by uvicorn on a seeded SQLite database), from the state after qualification review to the hire in
probation. A set-up subprocess brings the round there through the services (published, eight people
registered for post 01's two places, registration closed by its timer, screened, opening ratio checked);
everything after is clicked on the pages by the user whose part it is:

- the officer (hm_hr) moves to the written exam (the admission tickets are numbered), downloads the score
  template from the scores page, uploads it once with a mistake (every row's problem on the page) and once
  right; queues the shortlist, which stops at a tie at the interview cut-off (the announcement admits no
  extra tied candidate), and orders the tie on the scores page with the opinion that decided it; the same
  for the interview scores, the ranking and a tie in the reserve order;
- physical exam: one pass, one fail with the re-test requested and passed; the first then gives up
  (登记本人放弃) and the next in the post's ranking is refilled (递补), shown on the round page, the
  public announcement's list of refills and the notice; the refilled one's physical exam; investigation findings;
- the administrator sets the simulated clock (/admin/clock) to 29 September 2026; the officer publishes
  the notice, whose 5 working days run past National Day (printable, names in surname-stroke order);
  on 9 October a person files a real-name objection to one candidate on the public notice page (refused
  first without a name, the form kept), which freezes only that candidate; on 13 October 00:00 the
  stored timer closes the notice (the clock page's sweep); the reviewer (hm_sw) dismisses the objection;
  the street office signs both contracts on /hires; the officer ends the round (the reserve list
  lapses); the workers exist, in probation.

The batch steps (shortlist, ranking, notice) are queued on the page and run as the Prefect dispatch flow
runs them (`batch.run` in a subprocess; no Prefect server here) while the page polls.
Screenshots go to $SHEGONG_SCREENSHOTS (default /tmp/shegong-screenshots). Skipped, with the reason, when
chromium is not installed."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_browser import CHROMIUM, ROOT, SHOTS, _free_port

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Post 01 (2 places): 郑四 and 王五 tie at the interview cut-off (1:3 -> 6th place, ties not all admitted);
# 赵六 and 孙七 tie on the total and every tie-break (reserve order decided by a person).
WRITTEN = {"李一": 92, "周二": 90, "吴三": 88, "赵六": 85, "孙七": 85, "郑四": 80, "王五": 80, "冯八": 70}
INTERVIEW = {"李一": 88, "周二": 86, "吴三": 84, "赵六": 83, "孙七": 83, "王五": 75}
STREET_USERS = {"150103003": "xhxl_hr", "150103005": "gml_hr", "150103006": "gtl_hr"}
DRAIN = """
from services.runtime import configure
from services.recruitment_round import batch

configure()
for batch_id, _ in batch.queued():
    print(batch.run(batch_id).status)
"""


def prepare() -> dict[str, Any]:
    """Run in the set-up subprocess: the round in qualification review, everyone screened and the opening
    ratio checked; the simulated clock frozen on 20 June 2026. Returns the ids the test needs."""
    from datetime import date, datetime, timedelta

    from db.repos import recruitment_round as repo
    from db.schema import migrate
    from domain.applicant import Registration
    from services import clock, demo, identity, org, timers
    from services.recruitment_round import opening, registration, screening
    from services.runtime import configure
    from services.uow import UnitOfWork
    from tests.integration.round_support import make_id, published_round

    rt = configure()
    migrate(rt.engine)
    with UnitOfWork() as uow:
        demo.seed(uow)

    def at(when: datetime) -> None:
        with UnitOfWork() as uow:
            clock.set_time(uow.session, rt.settings, when, freeze=True)
            uow.commit()

    def get(username: str) -> Any:
        with UnitOfWork(readonly=True) as uow:
            return identity.authenticate(uow.session, username, "demo1234")

    t0 = datetime(2026, 6, 1, 9, 0)
    at(t0)
    rid = published_round(get, t0, posts=2, communities=1, days=10, settings={"admit_ties_at_cutoff": False})
    ids: dict[str, int] = {}
    for seq, name in enumerate(WRITTEN, start=1):
        r = Registration(name=name, id_number=make_id(date(1992, 5, 20), seq=seq), phone=f"139{seq:08d}",
                         education="bachelor", major="社会工作")  # fmt: skip
        with UnitOfWork() as uow:
            ids[name] = registration.register(uow, rid, r, "01").id
            uow.commit()
    at(t0 + timedelta(days=10, minutes=5))
    assert timers.sweep(worker_id="setup").failed == 0  # the registration's stored timer closes it
    hr = get("hm_hr")
    with UnitOfWork() as uow:
        assert screening.screen_round(uow, hr, rid)["qualified"] == len(WRITTEN)
        opening.check_opening(uow, hr, rid)
        uow.commit()
    at(datetime(2026, 6, 20, 9, 0))
    with UnitOfWork(readonly=True) as uow:
        (post,) = repo.posts_of(uow.session, rid)
        assert post.street_id is not None
        street = STREET_USERS[org.get_jurisdiction(uow.session, post.street_id).code]
    return {"round": rid, "apps": ids, "street": street}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any], dict[str, str]]]:
    """The served app, what `prepare` made, and the environment of the server."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (./shegong test installs Debian's chromium when run as root)")
    data = tmp_path_factory.mktemp("browser-round-rest")
    env = {
        **os.environ,
        "SHEGONG_MODE": "demo",
        "SHEGONG_DATA_DIR": str(data),
        "SHEGONG_DATABASE_URL": f"sqlite:///{data / 'app.db'}",
    }
    code = "import json; from tests.e2e.test_browser_round_rest import prepare; print(json.dumps(prepare()))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    made = json.loads(out.stdout.strip().splitlines()[-1])
    port = _free_port()
    cmd = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(port)]
    log = (data / "server.log").open("wb")  # the server's tracebacks, kept with the database
    proc = subprocess.Popen([*cmd, "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(base + "/login", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base, made, env
    proc.terminate()
    proc.wait(10)
    log.close()
    text = (data / "server.log").read_text(errors="replace")
    if "Traceback" in text:  # shown with a failure's captured output
        print(f"server log ({data / 'server.log'}):\n{text[-6000:]}")


def test_round_from_exams_to_contract_in_the_browser(
    app: tuple[str, dict[str, Any], dict[str, str]], tmp_path: Path
) -> None:
    from openpyxl import load_workbook
    from playwright.sync_api import expect, sync_playwright

    server, made, env = app
    rid, ids, street = made["round"], made["apps"], made["street"]
    round_url = f"{server}/rounds/{rid}"
    SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        page.screenshot(path=str(SHOTS / f"round-rest-{name}.png"), full_page=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
        )
        context.set_default_timeout(20000)  # a loaded 2-core machine: generous waits, no sleeps
        expect.set_options(timeout=20000)
        page = context.new_page()

        def login(username: str) -> None:
            page.context.clear_cookies()
            page.goto(server + "/login")
            page.fill("#username", username)
            page.fill("#password", "demo1234")
            page.click("button[type=submit]")
            expect(page.locator("header .who")).to_be_visible()

        def status_of(name: str) -> Any:
            return page.locator(f"#applicants tr:has(a:text-is('{name}'))").get_attribute("data-status")

        def open_application(name: str) -> None:
            """From the round page to the applicant list, then the person's application."""
            page.goto(round_url)
            page.click("a:has-text('报名人员名单')")
            page.click(f"#applicants a:text-is('{name}')")
            expect(page.locator("h1")).to_contain_text(name)

        def run_batch(kind: str) -> None:
            """Queue a batch step on the round page; the dispatch flow's part runs it; the page reloads."""
            page.goto(round_url)
            done = page.locator("#batches tr[data-status=done]").count()
            page.click(f"#batch-{kind}")
            expect(page.locator("#flash")).to_contain_text("已提交批处理")
            subprocess.run([sys.executable, "-c", DRAIN], cwd=ROOT, env=env, check=True, capture_output=True)
            expect(page.locator("#batches tr[data-status=done]")).to_have_count(done + 1, timeout=30000)
            expect(page.locator("#batches tr[data-status=failed]")).to_have_count(0)
            result = page.locator("#batches tr[data-status=done]").first.locator("td").last.inner_text()
            assert not re.search(r"[{}\[\]]", result), result  # labels, not a Python dict

        def history_labelled() -> None:
            """Every row of the page's history names its action in Chinese (no bare event key)."""
            actions = page.locator("#history tr td:nth-child(3)").all_inner_texts()
            assert actions and not [a for a in actions if re.fullmatch(r"[a-z_]+", a.strip())], actions

        def advance(to: str) -> None:
            page.goto(round_url)
            page.click("#advance")
            expect(page.locator("#flash")).to_contain_text("已进入下一环节")
            expect(page.locator("#round-status")).to_have_text(to)

        def upload_scores(kind: str, scores: dict[str, Any], name: str) -> None:
            """Download the template from the scores page, fill the score column, upload it."""
            page.goto(f"{round_url}/scores")
            with page.expect_download() as dl:
                page.click("#score-template")
            label = {"written": "笔试", "interview": "面试"}[kind]
            assert dl.value.suggested_filename == f"{label}成绩导入模板-{rid}.xlsx"
            dl.value.save_as(tmp_path / dl.value.suggested_filename)
            wb = load_workbook(tmp_path / dl.value.suggested_filename)
            ws = wb["成绩"]
            for row in ws.iter_rows(min_row=2):
                if row[1].value in scores:
                    row[3].value = scores[row[1].value]
            path = tmp_path / name
            wb.save(path)
            page.set_input_files("#file", str(path))
            page.click("#score-import button[type=submit]")

        def set_clock(at: str) -> None:
            """The administrator sets the simulated clock on /admin/clock (frozen)."""
            login("admin")
            page.goto(server + "/admin/clock")
            page.fill("#set-at", at)
            page.check("form[aria-label=设定时间] input[name=freeze]")
            page.click("form[aria-label=设定时间] button")
            expect(page.locator("#clock-result")).to_contain_text(f"模拟时钟已设为 {at.replace('T', ' ')}")

        # --- written exam: admission tickets, the score sheet (once wrong, once right), the shortlist ---
        login("hm_hr")
        page.goto(round_url)
        expect(page.locator("#round-status")).to_have_text("资格审查")
        expect(page.locator("#funnel tr.sum th[data-status=qualified]")).to_have_text("8")
        advance("笔试")
        expect(page.locator("#history")).to_contain_text("编排准考证号")  # numbered on entering the step
        page.click("#scores")
        expect(page.locator("#score-import h2")).to_have_text("导入笔试成绩")
        upload_scores("written", {**WRITTEN, "冯八": 105}, "written-wrong.xlsx")
        expect(page.locator("[role=alert]")).to_contain_text("笔试成绩未导入")
        expect(page.locator("#import-errors tr[data-code=score_out_of_range]")).to_contain_text("超出0至100")
        shot("written-errors")
        upload_scores("written", WRITTEN, "written.xlsx")
        expect(page.locator("#flash")).to_contain_text("已导入笔试成绩8人")
        run_batch("shortlist")
        # the announcement admits no extra tied candidate: 郑四 and 王五 share the 6th place
        page.click("#scores")
        tie = page.locator("#ties form.tie")
        expect(tie).to_have_count(1)
        expect(tie.locator("h3")).to_contain_text("面试入围末位同分")
        shot("shortlist-tie")
        tie.locator(f"input[name=place_{ids['王五']}]").fill("1")
        tie.locator(f"input[name=place_{ids['郑四']}]").fill("2")
        tie.locator("input[name=opinion]").fill("经招聘工作领导小组研究，按现场抽签结果确定")
        tie.locator("button[type=submit]").click()
        expect(page.locator("#flash")).to_contain_text("已按研究确定的顺序处理同分人员")
        expect(page.locator("#ties form.tie")).to_have_count(0)
        page.goto(f"{round_url}/applicants")
        assert status_of("王五") == "shortlisted" and status_of("郑四") == "eliminated"
        assert status_of("冯八") == "eliminated"
        advance("面试")

        # --- interview scores, ranking, the reserve tie ---
        upload_scores("interview", INTERVIEW, "interview.xlsx")
        expect(page.locator("#flash")).to_contain_text("已导入面试成绩6人")
        run_batch("ranking")
        page.click("#scores")
        tie = page.locator("#ties form.tie")
        expect(tie).to_have_count(1)
        expect(tie.locator("h3")).to_contain_text("递补顺序同分")
        tie.locator(f"input[name=place_{ids['孙七']}]").fill("1")
        tie.locator(f"input[name=place_{ids['赵六']}]").fill("2")
        tie.locator("input[name=opinion]").fill("经招聘工作领导小组研究，按抽签结果确定递补顺序")
        tie.locator("button[type=submit]").click()
        expect(page.locator("#flash")).to_contain_text("已按研究确定的顺序处理同分人员")
        page.goto(f"{round_url}/applicants")
        assert [status_of(n) for n in ("李一", "周二", "吴三")] == ["selected", "selected", "reserve"]
        shot("ranked")
        advance("体检")

        # --- physical exam: a pass; a fail, the re-test asked for and passed ---
        open_application("李一")
        page.check("#fu-physical input[value=pass]")
        page.click("#fu-physical button[type=submit]")
        expect(page.locator("#flash")).to_have_text("已录入体检结论")
        open_application("周二")
        page.check("#fu-physical input[value=fail]")
        page.fill("#fu-physical textarea[name=note]", "血压偏高，收缩压150mmHg")
        page.click("#fu-physical button[type=submit]")
        expect(page.locator("#followup-facts")).to_contain_text("不合格")
        page.fill("#fu-retest-request textarea[name=note]", "本人书面申请复检")
        page.click("#fu-retest-request button[type=submit]")
        expect(page.locator("#flash")).to_have_text("已登记复检申请")
        page.check("#fu-retest input[value=pass]")
        page.click("#fu-retest button[type=submit]")
        expect(page.locator("#followup-facts")).to_contain_text("复检合格")
        history_labelled()
        shot("retest")

        # --- 李一 gives up after the physical exam: 吴三, next in the post's ranking, is refilled ---
        open_application("李一")
        page.fill("#withdraw input[name=reason]", "本人书面申请放弃聘用资格")
        page.click("#withdraw button")
        expect(page.locator("#app-status")).to_have_text("已放弃")
        open_application("吴三")
        expect(page.locator("#app-status")).to_have_text("体检考察")
        expect(page.locator("#history")).to_contain_text("递补李一")
        page.check("#fu-physical input[value=pass]")
        page.click("#fu-physical button[type=submit]")
        expect(page.locator("#flash")).to_have_text("已录入体检结论")
        page.goto(round_url)
        expect(page.locator("#history")).to_contain_text("由吴三(岗位排名第3名)递补")
        history_labelled()
        shot("refill")
        advance("考察")

        # --- investigation findings ---
        for name in ("周二", "吴三"):
            open_application(name)
            page.check("#fu-investigation input[value=pass]")
            page.fill("#fu-investigation textarea[name=note]", "政治素质好，群众口碑好，无违法违纪记录")
            page.click("#fu-investigation button[type=submit]")
            expect(page.locator("#flash")).to_have_text("已录入考察结论")

        # --- the notice, published just before National Day ---
        set_clock("2026-09-29T10:00")
        login("hm_hr")
        run_batch("notice")
        expect(page.locator("#round-status")).to_have_text("公示")
        with page.expect_popup() as popup:
            page.click("a:has-text('拟聘用人员名单公示')")
        notice = popup.value
        expect(notice.locator("#notice-list")).to_be_visible()
        names = notice.locator("#notice-list tr td:nth-child(2)").all_inner_texts()
        assert names == ["吴三", "周二"], names  # 吴 (7 strokes) before 周 (8), whatever their ranks
        expect(notice.locator("#notice-list tr:has-text('吴三')")).to_contain_text("递补")
        expect(notice.locator("#notice")).to_contain_text("2026-10-12")  # 5 working days past the holiday
        # the articles of the 7 days, of their end moved off the holiday and of the 5-working-day floor
        expect(notice.locator("#notice")).to_contain_text("民法典 art. 203；公务员法 art. 32")
        expect(notice.locator("#notice")).to_contain_text("可实名向回民区委社会工作部反映")
        notice.screenshot(path=str(SHOTS / "round-rest-notice.png"), full_page=True)
        notice.close()

        # --- 9 October: a real-name objection to 周二, filed on the public notice page, freezes only 周二 ---
        set_clock("2026-10-09T15:00")
        public = browser.new_page(viewport={"width": 1100, "height": 900})  # no login
        public.goto(f"{server}/public/rounds/{rid}")
        expect(public.locator("#changes tr[data-kind=refill]")).to_contain_text("由吴三(岗位排名第3名)递补")
        public.screenshot(path=str(SHOTS / "round-rest-public-changes.png"), full_page=True)
        public.click("a:has-text('拟聘用人员公示')")
        form = public.locator("#objection")
        form.locator("select[name=application_id]").select_option(
            label="周二（01 公园西路社区 社区专职工作人员）"
        )
        form.locator("input[name=contact]").fill("13800001234")
        form.locator("textarea[name=facts]").fill("反映其在原单位工作期间受过处分")
        form.locator("input[name=objector_name]").fill("  ")  # anonymous: refused, the form kept as typed
        form.locator("button[type=submit]").click()
        expect(public.locator("#objection [role=alert]")).to_contain_text("异议须实名提出")
        expect(public.locator(".field-error[data-field=objector_name]")).to_have_text("请填写反映人姓名")
        expect(public.locator("#facts")).to_have_value("反映其在原单位工作期间受过处分")
        public.locator("#objector_name").fill("刘群众")
        public.locator("#file-objection").click()
        expect(public.locator("#flash")).to_contain_text("已收到您的实名反映")
        public.screenshot(path=str(SHOTS / "round-rest-objection-filed.png"), full_page=True)
        public.close()
        login("hm_hr")
        page.goto(f"{round_url}/applicants")
        assert status_of("周二") == "frozen" and status_of("吴三") == "proposed"
        shot("objection")

        # --- the notice's stored timer: not due on 12 October (the last day), fired at 13 October 00:00 ---
        set_clock("2026-10-12T23:59")
        page.click("button:has-text('立即执行到期任务扫描')")
        expect(page.locator("#clock-result")).to_contain_text("到期任务扫描完成：触发 0 个，失败 0 个")
        set_clock("2026-10-13T00:00")
        page.click("button:has-text('立即执行到期任务扫描')")
        expect(page.locator("#clock-result")).to_contain_text("到期任务扫描完成：触发 1 个，失败 0 个")
        login("hm_hr")
        page.goto(round_url)
        expect(page.locator("#round-status")).to_have_text("办理聘用")

        # --- 14 October: the reviewer dismisses the objection ---
        set_clock("2026-10-14T10:00")
        login("hm_sw")
        page.goto(f"{server}/applications/{ids['周二']}")
        obj = page.locator(".objection[data-status=open]")
        obj.locator("input[value=no]").check()
        obj.locator("input[name=opinion]").fill("经向原单位核实，该处分已于2023年撤销，不影响聘用")
        obj.locator("button").click()
        expect(page.locator("#flash")).to_contain_text("异议不成立")
        expect(page.locator("#app-status")).to_have_text("拟聘用(公示中)")
        shot("objection-dismissed")

        # --- the street office signs both contracts; the workers enter probation ---
        set_clock("2026-10-20T09:00")
        login(street)
        page.click("header a:has-text('聘用手续')")
        expect(page.locator("table.list").first).to_contain_text("01 公园西路社区 社区专职工作人员")
        expect(page.locator("table.list").first).to_contain_text("88.00")
        shot("hires")
        for name in ("吴三", "周二"):
            row = page.locator(f"tr:has(td:text-is('{name}'))").first
            row.locator("button[type=submit]").click()
            expect(page.locator("#flash")).to_have_text("已签订劳动合同，试用期至2027-04-19")
        expect(page.locator("main, body").first).to_contain_text("暂无待签订劳动合同的拟聘用人员")
        signed = page.locator("table.list").last
        expect(signed.locator("tr:has-text('吴三')")).to_contain_text("2027-04-19")
        shot("signed")

        # --- the officer sees the hires and ends the round (the reserve list lapses) ---
        login("hm_hr")
        open_application("吴三")
        expect(page.locator("#app-status")).to_have_text("已聘用")
        expect(page.locator("#followup-facts")).to_contain_text("劳动合同")
        page.goto(round_url)
        page.click("#close")
        expect(page.locator("#round-status")).to_have_text("已完成")
        page.goto(f"{round_url}/applicants")
        assert [status_of(n) for n in ("吴三", "周二", "赵六")] == ["hired", "hired", "eliminated"]
        browser.close()

    # the workers exist, in probation until 19 April 2027 (no page lists workers yet: read the database)
    db = sqlite3.connect(env["SHEGONG_DATABASE_URL"].removeprefix("sqlite:///"))
    workers = db.execute("SELECT name, status, probation_ends_on FROM worker ORDER BY name").fetchall()
    db.close()
    assert sorted(workers) == [("吴三", "active", "2027-04-19"), ("周二", "active", "2027-04-19")], workers
