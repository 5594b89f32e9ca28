"""The labour contract and the probation period."""

from __future__ import annotations

from policies.base import Frozen, Sourced
from policies.chains import Authority


class ProbationCap(Frozen):
    """劳动合同法 art. 19: a contract term in [contract_months_from, contract_months_below) allows at most
    `max_probation_months` of probation; `contract_months_below` None means no upper bound (and open-ended
    contracts)."""

    contract_months_from: int
    contract_months_below: int | None = None
    max_probation_months: int

    def describe(self) -> str:
        below = self.contract_months_below
        term = f"{self.contract_months_from}个月以上" + (f"不满{below}个月" if below else "")
        return f"合同期{term}：试用期不超过{self.max_probation_months}个月"

    def covers(self, contract_months: int) -> bool:
        return contract_months >= self.contract_months_from and (
            self.contract_months_below is None or contract_months < self.contract_months_below
        )


class ProbationPolicy(Frozen):
    caps: Sourced[list[ProbationCap]]
    no_probation_below_contract_months: Sourced[int]
    once_per_employer: Sourced[bool]
    pay_min_percent: Sourced[int]
    # an assessment at the end of probation; failing it ends the contract
    end_assessment: Sourced[bool]
    # how many working days before probation ends the assessment task falls due (a dismissal for failing
    # probation must be made within probation, 劳动合同法 art. 39(一))
    assessment_lead_working_days: Sourced[int]
    # the probation the regulation fixes, in months; unset: each contract sets it within the caps
    months: Sourced[int] | None = None
    onboarding: Sourced[str] | None = None

    def cap_for(self, contract_months: int | None) -> int:
        """The longest probation allowed for a contract of `contract_months` (None: open-ended)."""
        if contract_months is not None and contract_months < self.no_probation_below_contract_months.value:
            return 0
        for cap in self.caps.value:
            if contract_months is None:
                if cap.contract_months_below is None:
                    return cap.max_probation_months
            elif cap.covers(contract_months):
                return cap.max_probation_months
        return 0

    def months_for(self, contract_months: int | None) -> int:
        """The probation to apply: the regulation's length, never above the statutory cap; the cap where
        the regulation fixes none."""
        cap = self.cap_for(contract_months)
        return cap if self.months is None else min(self.months.value, cap)


class ContractPolicy(Frozen):
    employer: Sourced[Authority]
    sign_within_months: Sourced[int]
    contents: Sourced[list[str]] | None = None
    term_years: Sourced[int] | None = None
    renewal_after_passing_years: Sourced[int] | None = None
    expiry_ends_contract: Sourced[bool] | None = None
