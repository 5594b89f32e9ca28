"""Benchmark: a round's exam steps over N applications (default 20,000) on P posts (default 500), through
the services on a fresh SQLite (or PostgreSQL) database: opening-ratio check, admission tickets (entering
the written exam), written-score import, interview shortlist, interview-score import, ranking.

    .venv/bin/python bench/bench_round_exams.py [--rows 20000] [--posts 500] [--db sqlite|postgres]

Prints the seconds of each step (target: a few seconds each on SQLite) and its summary. Building the
organisation, the round and the rows is not timed. A printout, never a test."""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DO_NOT_TRACK", "1")

from db.models.recruitment_round import RoundPost  # noqa: E402
from db.repos import recruitment_round as repo  # noqa: E402
from db.schema import migrate  # noqa: E402
from domain.config import Settings  # noqa: E402
from services import clock, demo, identity  # noqa: E402
from services.recruitment_round import exams, opening, ranking, rounds, score_import  # noqa: E402
from services.runtime import configure  # noqa: E402
from services.uow import UnitOfWork  # noqa: E402
from tests.integration.round_support import make_id, published_round  # noqa: E402

T0 = datetime(2026, 3, 2, 9, 0)
PG_URL = os.environ.get("SHEGONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def timed(label: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    start = time.perf_counter()
    with UnitOfWork() as uow:
        out = fn(uow, *args, **kw)
        uow.commit()
    print(f"{label:<24} {time.perf_counter() - start:6.2f} s  {out if isinstance(out, dict) else ''}")
    return out


def setup(n_rows: int, n_posts: int) -> tuple[Any, int]:
    with UnitOfWork() as uow:
        demo.seed(uow)
        uow.commit()
    with UnitOfWork() as uow:
        clock.set_time(uow.session, uow.runtime.settings, T0, freeze=True)
        uow.commit()

    def actor(name: str) -> Any:
        with UnitOfWork(readonly=True) as uow:
            return identity.authenticate(uow.session, name, "demo1234")

    hr = actor("hm_hr")
    rid = published_round(actor, T0, posts=2, communities=1, settings={"interview_ratio": 3})
    with UnitOfWork() as uow:
        rounds.close_registration(uow, hr, rid)
        first = repo.posts_of(uow.session, rid)[0]
        repo.add_all(uow.session, [
            RoundPost(round_id=rid, code=f"{i:03d}", community_id=first.community_id, street_id=first.street_id,
                      title=first.title, posts_planned=2, posts=2, status="open", conditions="")
            for i in range(2, n_posts + 1)
        ])  # fmt: skip
        post_ids = [p.id for p in repo.posts_of(uow.session, rid)]
        rng = random.Random(7)
        rows = []
        for i in range(n_rows):
            birth = date(1988, 1, 1) + timedelta(days=rng.randrange(0, 365 * 12))
            rows.append({
                "round_id": rid, "post_id": post_ids[i % len(post_ids)], "status": "qualified", "source": "import",
                "name": f"应聘人{i:05d}", "id_number": make_id(birth, seq=i % 499 + 1, area=f"15{i // 499:04d}"),
                "sex": "male", "birth_date": birth, "phone": f"138{i:08d}", "education": "bachelor",
                "created_at": T0, "updated_at": T0, "version": 1, "flags": [], "missing": [], "returns_count": 0,
                "written_absent": False, "interview_absent": False, "rank_note": "", "investigation_note": "",
            })  # fmt: skip
        repo.insert_applications(uow.session, rows)
        uow.commit()
    return hr, rid


def scores(rid: int, state: str, rng: random.Random) -> list[tuple[str, Decimal | None]]:
    with UnitOfWork(readonly=True) as uow:
        tickets = [
            a.admit_ticket for a in repo.applications(uow.session, rid, statuses=[state]) if a.admit_ticket
        ]
    return [(t, None if rng.random() < 0.03 else Decimal(rng.randrange(300, 1000)) / 10) for t in tickets]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db" if args.db == "sqlite" else PG_URL
        rt = configure(Settings(mode="test", data_dir=Path(tmp), database_url=url))
        migrate(rt.engine)
        hr, rid = setup(args.rows, args.posts)
        print(f"{args.rows} applications on {args.posts} posts ({args.db})")
        rng = random.Random(11)
        timed("check_opening", opening.check_opening, hr, rid)
        timed("advance (tickets)", lambda uow, *a: rounds.advance(uow, *a) and None, hr, rid)
        timed("import written", score_import.import_written_scores, hr, rid, scores(rid, "qualified", rng))
        timed("shortlist", exams.shortlist, hr, rid)
        timed("advance (interview)", lambda uow, *a: rounds.advance(uow, *a) and None, hr, rid)
        timed(
            "import interview", score_import.import_interview_scores, hr, rid, scores(rid, "shortlisted", rng)
        )
        out = timed("rank", ranking.rank, hr, rid)
        print(f"posts with a tie for a person to decide: {len(out['unresolved_posts'])}")


if __name__ == "__main__":
    main()
