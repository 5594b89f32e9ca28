"""Recruitment of community full-time staff: who organises, plan approval, conditions, exam rules."""

from __future__ import annotations

from enum import StrEnum

from pydantic import model_validator

from domain.education import Education as Education  # moved to domain; re-exported here
from domain.ranking import Rounding as Rounding  # moved to domain; re-exported here
from domain.ranking import TieBreak as TieBreak
from domain.ranking import VacancyRefill as VacancyRefill
from policies.base import DayUnit, Frozen, Labelled, Sourced
from policies.chains import ApprovalChain, Authority, Organiser, OrganiserRole
from policies.sections.amendment import AmendmentRules


class RecruitmentStep(StrEnum):
    PLAN = "plan"  # 制定招聘方案
    ANNOUNCEMENT = "announcement"  # 发布招聘公告
    REGISTRATION = "registration"  # 报名
    QUALIFICATION_REVIEW = "qualification_review"  # 资格审查
    WRITTEN_EXAM = "written_exam"  # 笔试
    INTERVIEW = "interview"  # 面试
    PHYSICAL_EXAM = "physical_exam"  # 体检
    INVESTIGATION = "investigation"  # 考察
    PUBLIC_NOTICE = "public_notice"  # 公示拟聘用人员名单
    CONTRACT = "contract"  # 签订劳动合同/办理聘用手续

    @property
    def label(self) -> str:
        return RECRUITMENT_STEP_LABELS[self.value]


RECRUITMENT_STEP_LABELS = {
    "plan": "制定招聘方案",
    "announcement": "发布招聘公告",
    "registration": "报名",
    "qualification_review": "资格审查",
    "written_exam": "笔试",
    "interview": "面试",
    "physical_exam": "体检",
    "investigation": "考察",
    "public_notice": "公示拟聘用人员名单",
    "contract": "签订劳动合同",
}


class Relaxation(Frozen):
    """IM art. 9 para. 2: locals recommended by the street may have age/education relaxed."""

    groups: list[Labelled]
    recommended_by: Authority
    relaxes: list[str]  # "age", "education"
    max_age: int | None = None  # None: the text gives no figure; the announcement sets it
    min_education: Education | None = None

    def describe(self) -> str:
        what = "、".join({"age": "年龄", "education": "学历"}.get(r, r) for r in self.relaxes)
        groups = "、".join(g.label for g in self.groups)
        return f"{groups}，{self.recommended_by.label}，可适当放宽{what}要求"


class HouseholdRegistration(Frozen):
    required: bool
    scope: str | None = None  # e.g. "鄂尔多斯市户籍"
    strict: bool = False  # False where the text says 一般 (as a rule, exceptions allowed)

    def describe(self) -> str:
        if not self.required:
            return "不限户籍"
        return f"{'须' if self.strict else '一般须'}具有{self.scope or '本地户籍'}"


class ConversionPath(Frozen):
    """A path into the workforce without the open exam (OR art. 8(二)2)."""

    eligible: str
    min_education: Education
    prerequisites: list[str]
    organisers: list[Organiser]
    steps: list[Labelled]

    def describe(self) -> str:
        steps = "→".join(s.label for s in self.steps)
        return f"{self.eligible}({self.min_education.label}以上，{'、'.join(self.prerequisites)})：{steps}"


class ScoreWeights(Frozen):
    written_percent: int
    interview_percent: int

    @model_validator(mode="after")
    def _sum_100(self) -> ScoreWeights:
        if self.written_percent + self.interview_percent != 100:
            raise ValueError("written_percent + interview_percent must be 100")
        return self

    def describe(self) -> str:
        return f"笔试{self.written_percent}%、面试{self.interview_percent}%"


class ScoreDecimals(Frozen):
    written: int
    interview: int
    total: int

    def describe(self) -> str:
        return f"笔试{self.written}位、面试{self.interview}位、总成绩{self.total}位小数"


class NoticePeriod(Frozen):
    days: int
    unit: DayUnit
    max_days: int | None = None

    def describe(self) -> str:
        unit = "个工作日" if self.unit is DayUnit.WORKING else "日"
        upper = f"至{self.max_days}" if self.max_days else ""
        return f"{self.days}{upper}{unit}"


class PhysicalRetest(Frozen):
    same_day_on_spot: bool  # items that can be re-tested the same day are re-tested on the spot
    request_within_days: int
    unit: DayUnit
    result_final: bool

    def describe(self) -> str:
        spot = "当日可复检项目当场复检；" if self.same_day_on_spot else ""
        final = "，结果为最终结论" if self.result_final else ""
        return f"{spot}其他项目接到通知{self.request_within_days}{self.unit.label}内可申请复检一次{final}"


class ExamRules(Frozen):
    """Defaults of the written exam / interview / ranking; an announcement may state others."""

    interview_ratio: Sourced[int]  # 1:N candidates per post admitted to interview
    admit_ties_at_cutoff: Sourced[bool]
    weights: Sourced[ScoreWeights]
    interview_pass_line: Sourced[int]
    decimals: Sourced[ScoreDecimals]
    rounding: Sourced[Rounding]
    tie_breaks: Sourced[list[TieBreak]]
    bonus_cap: Sourced[int]
    opening_ratio: Sourced[int]  # N applicants per post needed to open it (N:1), else cut or cancel
    followup_ratio: Sourced[int]  # physical exam and investigation, 1:N per post
    vacancy_refill: Sourced[VacancyRefill]
    physical_retest: Sourced[PhysicalRetest]
    announcement_immutable: Sourced[bool]


class Conditions(Frozen):
    basic_requirements: Sourced[list[Labelled]]
    max_age: Sourced[int] | None = None  # "N周岁以下": N inclusive (以下 includes N)
    # "一般应在N周岁以下" (BT art. 6): the limit admits exceptions, so an older applicant is reviewed, not failed
    max_age_general: Sourced[bool] | None = None
    min_education: Sourced[Education] | None = None
    relaxation: Sourced[Relaxation] | None = None
    priority_groups: Sourced[list[Labelled]] | None = None
    disqualifications: Sourced[list[Labelled]] | None = None
    household_registration: Sourced[HouseholdRegistration] | None = None
    recusal: Sourced[list[Labelled]] | None = None


class RecruitmentPolicy(Frozen):
    # who organises and who drafts the plan, at which level (kept apart from the chain: several
    # profiles change the organisers but inherit the steps)
    plan_organisers: Sourced[list[Organiser]]
    plan_approval: ApprovalChain
    steps: Sourced[list[RecruitmentStep]]
    conditions: Conditions
    exam: ExamRules
    public_notice: Sourced[NoticePeriod]
    public_notice_min_working_days: Sourced[int] | None = None
    principles: Sourced[list[str]] | None = None
    directed_groups: Sourced[list[Labelled]] | None = None
    incumbent_conversion: Sourced[str] | None = None
    service_programme_conversion: Sourced[ConversionPath] | None = None
    min_service_years: Sourced[int] | None = None
    # 补充公告/更正公告 after publication; None in profiles pinned before it existed (then none is allowed)
    announcement_amendment: Sourced[AmendmentRules] | None = None

    def drafting_organisers(self) -> list[Organiser]:
        """Organisers that may draft a recruitment plan."""
        return [o for o in self.plan_organisers.value if OrganiserRole.DRAFT in o.roles]
