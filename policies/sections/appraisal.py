"""Annual appraisal and secondment (借调)."""

from __future__ import annotations

from domain.enums import Level
from policies.base import Frozen, Labelled, Sourced
from policies.chains import ApprovalChain, Authority


class AppraisalPolicy(Frozen):
    grades: Sourced[list[Labelled]]  # keys: excellent, pass, basic_pass, fail
    focus: Sourced[list[str]] | None = None
    resident_satisfaction_min_percent: Sourced[int] | None = None
    method_set_by: Sourced[list[Authority]] | None = None
    conducted_by: Sourced[Authority] | None = None
    guided_by: Sourced[list[Authority]] | None = None
    procedure: Sourced[list[Labelled]] | None = None
    publicise_results: Sourced[bool] | None = None
    result_filing: ApprovalChain | None = None
    uses: Sourced[list[str]] | None = None
    # months by which each grade moves the next post-grade promotion (negative: earlier)
    promotion_shift_months: Sourced[dict[str, int]] | None = None
    quantified_scoring_allowed: Sourced[bool] | None = None

    def grade_keys(self) -> list[str]:
        return [g.key for g in self.grades.value]


class SecondmentPolicy(Frozen):
    max_months: Sourced[int]
    approval: ApprovalChain
    # levels whose units may borrow a community worker at all (IM art. 24: only the street)
    permitted_borrower_levels: Sourced[list[Level]] | None = None
    max_concurrent_per_community: Sourced[int] | None = None
