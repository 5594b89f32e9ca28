"""Benchmark: shortlist and rank a recruitment round of N candidates across P posts (pure domain logic).

    .venv/bin/python bench/bench_ranking.py [--candidates 20000] [--posts 500] [--repeat 5]

Prints the seconds (best of --repeat) for the interview shortlists of every post, the rankings of the
shortlisted, the follow-up selection (total = these three) and, as a worst case, the ranking of all
candidates as if every one had been interviewed (rank_all). Target: well under 1 s for 20,000 candidates across 500 posts.
A printout, never a test: figures depend on the machine."""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.ranking import (
    Candidate,
    Rounding,
    ScoringRules,
    TieBreak,
    VacancyRefill,
    rank_round,
    select_followup,
    shortlist_for_interview,
)

RULES = ScoringRules(
    written_percent=40,
    interview_percent=60,
    written_decimals=1,
    interview_decimals=1,
    total_decimals=2,
    rounding=Rounding.HALF_UP,
    written_pass_line=Decimal(50),
    interview_pass_line=Decimal(60),
    interview_ratio=3,
    admit_ties_at_cutoff=True,
    tie_breaks=(
        TieBreak.WRITTEN_SCORE,
        TieBreak.INTERVIEW_SCORE,
        TieBreak.EDUCATION,
        TieBreak.LATER_BIRTH_DATE,
    ),
    followup_ratio=1,
    bonus_cap=Decimal(5),
    refill=VacancyRefill.NEXT_IN_RANKING,
)


def make(n: int, posts: int, seed: int = 1) -> list[Candidate]:
    rnd = random.Random(seed)
    out = []
    for k in range(n):
        written = None if rnd.random() < 0.05 else Decimal(rnd.randint(300, 950)) / 10
        out.append(
            Candidate(
                application_id=k + 1,
                post_id=k % posts + 1,
                written=written,
                interview=Decimal(rnd.randint(550, 950)) / 10,
                bonus=Decimal(rnd.choice((0, 0, 0, 2, 3))),
                education_rank=rnd.randint(0, 3),
                birth_date=date(1990, 1, 1) + timedelta(days=rnd.randint(0, 5000)),
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    candidates = make(args.candidates, args.posts)
    seats = {p: 1 + p % 3 for p in range(1, args.posts + 1)}
    timings: dict[str, float] = defaultdict(lambda: float("inf"))
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        by_post: dict[int, list[Candidate]] = defaultdict(list)
        for c in candidates:
            by_post[c.post_id].append(c)
        shortlists = {p: shortlist_for_interview(cs, seats[p], RULES) for p, cs in by_post.items()}
        t1 = time.perf_counter()
        admitted = {i for s in shortlists.values() for i in s.admitted}
        interviewed = [c for c in candidates if c.application_id in admitted]
        rankings = rank_round(interviewed, RULES)
        t2 = time.perf_counter()
        for p, ranking in rankings.items():
            select_followup(ranking, seats[p], RULES.followup_ratio)
        t3 = time.perf_counter()
        everyone = rank_round(candidates, RULES)  # worst case: all candidates interviewed and ranked
        t4 = time.perf_counter()
        timings["rank_all"] = min(timings["rank_all"], t4 - t3)
        timings["shortlist"] = min(timings["shortlist"], t1 - t0)
        timings["rank"] = min(timings["rank"], t2 - t1)
        timings["followup"] = min(timings["followup"], t3 - t2)
        timings["total"] = min(timings["total"], t3 - t0)
    ranked = sum(len(r) for r in rankings.values())
    print(
        f"{args.candidates} candidates, {args.posts} posts: {len(interviewed)} interviewed, {ranked} ranked; "
        f"rank_all ranks {sum(len(r) for r in everyone.values())} (best of {args.repeat})"
    )
    for name, seconds in timings.items():
        print(f"  {name:<10} {seconds:.3f} s")


if __name__ == "__main__":
    main()
