"""The recruitment-round and application machines: step order from the pinned profile, one return only,
and every state reachable from the initial one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from domain.errors import TransitionRefused
from states.application import ApplicationMachine
from states.recruitment_round import ENTERED_BY, RecruitmentRoundMachine, state_sequence

IM_STEPS = [
    "plan", "announcement", "registration", "qualification_review", "written_exam", "interview",
    "physical_exam", "investigation", "public_notice", "contract",
]  # fmt: skip
NATIONAL_STEPS = [
    "plan", "announcement", "registration", "qualification_review", "written_exam", "interview",
    "investigation", "physical_exam", "public_notice", "contract",
]  # fmt: skip


@dataclass
class Row:
    status: str


def walk(steps: list[str], *, conversion: bool = False) -> list[str]:
    seq = state_sequence(steps, conversion=conversion)
    row = Row("preparing")
    machine = RecruitmentRoundMachine.bind(row)
    visited = [row.status]
    for nxt in seq[1:]:
        machine.fire(ENTERED_BY[nxt], next_step=nxt)
        visited.append(row.status)
    return visited


def test_im_order_physical_before_investigation() -> None:
    visited = walk(IM_STEPS)
    assert visited.index("physical_exam") < visited.index("investigation")
    assert visited[-2:] == ["hiring", "closed"]


def test_national_order_investigation_before_physical() -> None:
    visited = walk(NATIONAL_STEPS)
    assert visited.index("investigation") < visited.index("physical_exam")


def test_conversion_track_replaces_exams_by_assessment() -> None:
    steps = ["announcement", "registration", "qualification_review", "panel", "plan", "assessment",
             "public_notice", "contract"]  # fmt: skip
    visited = walk(steps, conversion=True)
    assert "written_exam" not in visited and "interview" not in visited
    assert visited[visited.index("qualification_review") + 1] == "assessment"


def test_out_of_order_step_refused() -> None:
    row = Row("interview")
    machine = RecruitmentRoundMachine.bind(row)
    with pytest.raises(TransitionRefused):
        machine.fire("start_investigation", next_step="physical_exam")
    assert row.status == "interview"


def test_cancel_from_every_open_state_and_not_from_final() -> None:
    sources = RecruitmentRoundMachine.sources_of("cancel")
    finals = RecruitmentRoundMachine.final_values()
    assert sources == set(RecruitmentRoundMachine.status_values()) - finals
    with pytest.raises(TransitionRefused):
        RecruitmentRoundMachine.bind(Row("closed")).fire("cancel")


def test_application_returned_once_only() -> None:
    row = Row("pending_review")
    ApplicationMachine.bind(row).fire("review_return", returns_so_far=0)
    assert row.status == "returned"
    ApplicationMachine.bind(row).fire("resubmit")
    ApplicationMachine.bind(row).fire("screen_doubt")
    with pytest.raises(TransitionRefused):
        ApplicationMachine.bind(row).fire("review_return", returns_so_far=1)
    assert row.status == "pending_review"


def test_application_states_all_reachable() -> None:
    table = ApplicationMachine.transition_table()
    reached = {"registered"}
    changed = True
    while changed:
        changed = False
        for edges in table.values():
            for src, dst in edges:
                if src in reached and dst not in reached:
                    reached.add(dst)
                    changed = True
    assert reached == set(ApplicationMachine.status_values())


def test_withdraw_from_every_open_application_state() -> None:
    open_states = set(ApplicationMachine.status_values()) - ApplicationMachine.final_values()
    assert ApplicationMachine.sources_of("withdraw") == open_states
