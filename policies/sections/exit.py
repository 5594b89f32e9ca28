"""Exit: resignation, dismissal, retirement."""

from __future__ import annotations

from pydantic import model_validator

from policies.base import Frozen, Labelled, Period, Sourced, Threshold
from policies.chains import Authority


class AppraisalTrigger(Frozen):
    """`consecutive_years` appraisals graded `grade` (a key of appraisal.grades) end the contract."""

    grade: str
    consecutive_years: int
    label: str


class RetirementScheme(Frozen):
    """One category of the progressive retirement-age reform.
    idx = (birth_year - start_year) * 12 + (birth_month - 1);
    delay_months = 0 if idx < 0 else min(cap_months, idx // step_months + 1)."""

    key: str
    label: str
    base_age_years: int
    target_age_years: int
    start_year: int
    step_months: int
    cap_months: int

    @model_validator(mode="after")
    def _cap_matches_target(self) -> RetirementScheme:
        if (self.target_age_years - self.base_age_years) * 12 != self.cap_months:
            raise ValueError("cap_months must equal (target_age_years - base_age_years) * 12")
        return self

    def describe(self) -> str:
        return (
            f"{self.label}：{self.base_age_years}岁起，自{self.start_year}年1月出生者起每{self.step_months}个月"
            f"延迟1个月，最高{self.target_age_years}岁"
        )

    def delay_months(self, birth_year: int, birth_month: int) -> int:
        idx = (birth_year - self.start_year) * 12 + (birth_month - 1)
        return 0 if idx < 0 else min(self.cap_months, idx // self.step_months + 1)

    def retirement_age_months(self, birth_year: int, birth_month: int) -> int:
        return self.base_age_years * 12 + self.delay_months(birth_year, birth_month)


class RetirementRules(Frozen):
    schemes: list[RetirementScheme]

    def describe(self) -> str:
        return "；".join(s.describe() for s in self.schemes)

    def scheme(self, key: str) -> RetirementScheme:
        for s in self.schemes:
            if s.key == key:
                return s
        raise KeyError(key)


class ExitPolicy(Frozen):
    resignation_notice: Sourced[Period]
    resignation_notice_probation: Sourced[Period]
    immediate_dismissal_grounds: Sourced[list[Labelled]]
    notice_dismissal_grounds: Sourced[list[Labelled]]
    dismissal_notice: Sourced[Period]
    pay_in_lieu_months: Sourced[int]
    protected_situations_block_notice_dismissal: Sourced[bool]
    severance_months_per_year: Sourced[int]
    contract_ends_on_pension: Sourced[bool]
    resignation_submitted_to: Sourced[Authority] | None = None
    # the region's own grounds for dismissal / 罢免 / 解聘
    dismissal_grounds: Sourced[list[Labelled]] | None = None
    dismissal_decided_by: Sourced[Authority] | None = None
    appraisal_triggers: Sourced[list[AppraisalTrigger]] | None = None
    absence_consecutive_days: Sourced[Threshold] | None = None
    absence_days_per_year: Sourced[Threshold] | None = None
    personal_leave_months_per_year: Sourced[Threshold] | None = None
    election_loss_exits: Sourced[bool] | None = None
    retirement: Sourced[RetirementRules] | None = None
    retirement_handled_by: Sourced[Authority] | None = None
