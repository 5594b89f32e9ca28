"""The demo cases `./shegong start` loads in demo mode: built through the services, each in the state the
start log announces."""

from __future__ import annotations

from db.repos import recruitment_round as repo
from services import demo_cases, tasks
from services.runtime import Runtime
from services.uow import UnitOfWork
from tests.integration.round_support import GetActor


def test_demo_rounds(seeded: Runtime, actor: GetActor) -> None:
    lines = demo_cases.seed_cases(seeded)
    assert len(lines) == 2
    with UnitOfWork(readonly=True) as uow:
        rounds = repo.published_rounds(uow.session)
        states = sorted(r.status for r in rounds)
        assert states == ["qualification_review", "registration"]
        review = next(r for r in rounds if r.status == "qualification_review")
        counts = repo.status_counts(uow.session, review.id)
        by_state: dict[str, int] = {}
        for (_, st), n in counts.items():
            by_state[st] = by_state.get(st, 0) + n
        assert by_state.get("rejected", 0) >= 1  # aged 42 on the deadline
        assert by_state.get("pending_review", 0) >= 2  # relaxation; household outside Ordos (一般)
        inbox = tasks.inbox(uow, actor("ds_sw")).tasks
        assert any(t.case_type == "application" for t in inbox)
