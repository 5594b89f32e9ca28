"""More candidates passed than places (follow-up ratio above 1:1): the notice is refused until the officer
returns the extras to the reserve."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from domain.errors import InvalidInput, PermissionDenied, RuleViolation
from services.recruitment_round import refill, rounds
from tests.integration.followup_support import PASSED, app, run, setup_round
from tests.integration.round_support import GetActor


def test_surplus_returned_to_reserve_before_the_notice(
    actor: GetActor, set_clock: Callable[[datetime], None]
) -> None:
    both = {"status": "selected", **PASSED}
    rid, ids = setup_round(actor, set_clock, status="investigation", 王芳=PASSED, 丁一=PASSED, 李明=both)
    hr = actor("hm_hr")
    with pytest.raises(RuleViolation) as refused:
        run(rounds.advance, hr, rid)
    assert refused.value.code == "step_not_ready" and "多于招聘人数" in refused.value.message
    with pytest.raises(InvalidInput):
        run(refill.return_surplus, hr, ids["李明"], " ")
    with pytest.raises(PermissionDenied):
        run(refill.return_surplus, actor("hm_sw"), ids["李明"], "排名靠后")
    run(refill.return_surplus, hr, ids["李明"], "排名第二，退回递补名单")
    assert app(ids["李明"]).status == "reserve"
    with pytest.raises(RuleViolation) as none_left:
        run(refill.return_surplus, hr, ids["王芳"], "再退")
    assert none_left.value.code == "no_surplus"
    run(rounds.advance, hr, rid)
    with_round = run(rounds.load, rid)
    assert with_round.status == "public_notice"
