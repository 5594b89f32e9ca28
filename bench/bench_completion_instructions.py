"""Benchmark: CPU instructions per task completion, counted by valgrind (callgrind), on SQLite.

Wall-clock figures on these shared 2-core machines drift by half from one minute to the next (the same
pure-Python loop measured 0.95 s and 1.7 s within a few minutes here), which hides any change smaller
than that. An instruction count does not drift: the same code, data and interpreter give the same count
within about 1%, whatever else the machine runs. Use it to compare two versions of the completion path;
use bench_plans.py for throughput and latency.

    .venv/bin/python bench/bench_completion_instructions.py [--plans 20]

What is counted: `plans` recruitment plans are created and submitted, then every task is completed as
the JSON API does it (the visibility check with the row locked, `tasks.complete`, commit): the league
social-work department's approvals (each opens the next step) and the organisation department's filings
(each final). Only the completions are counted (callgrind collects inside one ctypes call that runs them);
set-up, imports and a warm-up round of the same size are not. Prints instructions per approval, per
filing and per completion. Two valgrind runs (approvals, filings), about 5 minutes in all for 20 plans:
valgrind runs Python ~60x slower, set-up and warm-up included.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DO_NOT_TRACK", "1")

INNER = "SHEGONG_BENCH_INSTRUCTIONS_INNER"
TOGGLE = "ffi_call*"  # the C function a ctypes call goes through: collection runs inside it only


def _outer(plans: int) -> None:
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian package valgrind)")
    print(f"valgrind --tool=callgrind: {plans} plans, counting completions only (~5 min for 20 plans)")
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="shegong-cg-") as tmp:
        for part in ("approve", "acknowledge"):
            out = Path(tmp) / f"cg.{part}"
            cmd = [
                "valgrind",
                "--tool=callgrind",
                "--collect-atstart=no",
                f"--toggle-collect={TOGGLE}",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--plans",
                str(plans),
            ]
            env = {**os.environ, INNER: part}
            run = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            done = re.search(r"completed (\d+)", run.stdout)
            total = re.search(r"Collected : (\d+)", run.stderr)
            if run.returncode != 0 or done is None or total is None:
                sys.exit(
                    f"callgrind run failed ({run.returncode}):\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
                )
            counts[part] = int(total.group(1)) // int(done.group(1))
    print(f"  per approval (opens the next step): {counts['approve'] / 1e6:.2f} M instructions")
    print(f"  per filing (final):                 {counts['acknowledge'] / 1e6:.2f} M instructions")
    print(f"  per completion (mean of the two):   {(counts['approve'] + counts['acknowledge']) / 2e6:.2f} M")


def _inner(plans: int, part: str) -> None:
    from plans_org import community_of, setup_org

    from db.schema import create_all
    from domain.config import Settings
    from domain.recruitment_plan import PlanDraft
    from services import identity, tasks
    from services import recruitment_plan as recruitment_plans
    from services.runtime import configure
    from services.uow import UnitOfWork

    data_dir = Path(tempfile.mkdtemp(prefix="shegong-cg-db-"))
    rt = configure(Settings(mode="production", data_dir=data_dir, database_url=f"sqlite:///{data_dir}/b.db"))
    create_all(rt.engine)
    counties, _ = setup_org(1)
    community = community_of(counties[0])
    with UnitOfWork(readonly=True) as uow:
        hr = identity.authenticate(uow.session, "b_hr0", "bench1234")
        approvers = {
            "approve": identity.authenticate(uow.session, "b_sw", "bench1234"),
            "acknowledge": identity.authenticate(uow.session, "b_org", "bench1234"),
        }

    def create(prefix: str) -> None:
        for i in range(plans):
            with UnitOfWork() as uow:
                draft = PlanDraft(
                    jurisdiction_id=counties[0],
                    title=f"{prefix}{i}",
                    year=2026,
                    posts=[{"community_id": community, "posts": 1}],
                )
                plan = recruitment_plans.create_draft(uow, hr, draft)
                recruitment_plans.submit(uow, hr, plan.id)
                uow.commit()

    def inbox(decision: str) -> list[int]:
        with UnitOfWork(readonly=True) as uow:
            return [t.id for t in tasks.inbox(uow, approvers[decision], limit=500).tasks]

    def complete(ids: list[int], decision: str) -> None:
        who = approvers[decision]
        for task_id in ids:
            with UnitOfWork() as uow:  # as api/routes/tasks_api.py does it
                tasks.get_visible(uow, who, task_id, for_update=True)
                tasks.complete(uow, who, task_id, decision, "同意")
                uow.commit()

    create("热身")  # warm-up: every statement compiled and cached, every module imported
    complete(inbox("approve"), "approve")
    complete(inbox("acknowledge"), "acknowledge")
    create("方案")
    if part == "acknowledge":
        complete(inbox("approve"), "approve")
    ids = inbox(part)
    ctypes.CFUNCTYPE(None)(lambda: complete(ids, part))()
    print(f"completed {len(ids)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plans", type=int, default=20)
    args = ap.parse_args()
    part = os.environ.get(INNER)
    if part:
        _inner(args.plans, part)
    else:
        _outer(args.plans)


if __name__ == "__main__":
    main()
