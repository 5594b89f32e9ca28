"""Pay, training and career: numbers the procedures read less often, kept with their sources."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from policies.base import Frozen, IntRange, Labelled, Sourced
from policies.chains import Authority


class PayPeriod(StrEnum):
    MONTHLY = "monthly"
    UNSPECIFIED = "unspecified"  # the text gives an amount but not how often


class Allowance(Frozen):
    amounts_yuan: dict[str, int]  # by education level or certificate, e.g. {"bachelor": 200}
    period: PayPeriod

    def describe(self) -> str:
        per = "每月" if self.period is PayPeriod.MONTHLY else "(频次未规定)"
        return per + "，".join(f"{ALLOWANCE_KEY_LABELS.get(k, k)}{v}元" for k, v in self.amounts_yuan.items())


ALLOWANCE_KEY_LABELS = {
    "junior_college": "大学专科",
    "bachelor": "大学本科",
    "postgraduate": "研究生",
    "assistant_social_worker": "助理社会工作师",
    "social_worker": "社会工作师",
    "senior_social_worker": "高级社会工作师",
}


class LongServiceAward(Frozen):
    min_years: int
    honour: str  # the level of the honour the award requires
    serving_yuan_monthly: int
    retired_yuan_monthly: int

    def describe(self) -> str:
        return (
            f"任职满{self.min_years}年且获{self.honour}：在职每月{self.serving_yuan_monthly}元、"
            f"退休每月{self.retired_yuan_monthly}元"
        )


class PayPolicy(Frozen):
    benchmark: Sourced[str] | None = None
    standard_set_by: Sourced[list[Authority]] | None = None
    funding: Sourced[str] | None = None
    components: Sourced[list[Labelled]] | None = None
    basic_pay_percent_of_city_avg_wage: Sourced[int] | None = None
    star_subsidy_monthly_yuan: Sourced[IntRange] | None = None
    education_allowance: Sourced[Allowance] | None = None
    certificate_allowance: Sourced[Allowance] | None = None
    performance_share_percent: Sourced[int] | None = None
    regional_subsidy_percent: Sourced[dict[str, int]] | None = None
    long_service_awards: Sourced[list[LongServiceAward]] | None = None
    leader_base_multiple_of_disposable_income: Sourced[Decimal] | None = None
    deputy_percent_of_leader: Sourced[int] | None = None
    staff_percent_of_leader: Sourced[int] | None = None
    social_insurance_by: Sourced[Authority] | None = None
    health_checks_per_year: Sourced[int] | None = None
    probation_pay_note: Sourced[str] | None = None


class TrainingPolicy(Frozen):
    organised_by: Sourced[list[Authority]] | None = None
    leader_sessions_per_year_min: Sourced[int] | None = None
    leader_session_days_min: Sourced[int] | None = None
    leader_annual_hours_min: Sourced[int] | None = None
    staff_annual_hours_min: Sourced[int] | None = None
    staff_rotation_years: Sourced[int] | None = None
    member_rotation_years: Sourced[int] | None = None
    member_session_days_min: Sourced[int] | None = None
    worker_sessions_per_year_min: Sourced[int] | None = None
    street_sessions_per_year: Sourced[IntRange] | None = None
    onboarding_hours_min: Sourced[int] | None = None
    onboarding_days_min: Sourced[int] | None = None
    tier_split: Sourced[dict[str, int]] | None = None


class PostGrades(Frozen):
    posts: int
    grades: int
    post_labels: list[str]

    def describe(self) -> str:
        return f"{self.posts}岗{self.grades}级({'、'.join(self.post_labels)})"


class ShareTarget(Frozen):
    year: int
    percent: int

    def describe(self) -> str:
        return f"{self.year}年{self.percent}%"


class SecretaryPath(Frozen):
    min_years_in_community: int
    min_terms_as_secretary: int

    def describe(self) -> str:
        return f"社区连续工作满{self.min_years_in_community}年、任书记满{self.min_terms_as_secretary}届"


class CareerPolicy(Frozen):
    post_grades: Sourced[PostGrades] | None = None
    certified_share_targets: Sourced[list[ShareTarget]] | None = None
    secretary_to_institution: Sourced[SecretaryPath] | None = None
    head_min_years_as_deputy: Sourced[int] | None = None
    deputy_min_years: Sourced[int] | None = None
    years_recognised_across: Sourced[str] | None = None
