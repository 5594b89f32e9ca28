"""The typed profile: metadata of a profile file and the body of sections that the files fill in.

A file fills in any subset of the body (its values override its parent's, field by field); the national
profile, always the root, fills in every required field. `policies.effective.EffectiveProfile` is the
merged result for a chain of profiles on a date.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from domain.enums import Level
from policies.base import Frozen
from policies.sections.appraisal import AppraisalPolicy, SecondmentPolicy
from policies.sections.employment import ContractPolicy, ProbationPolicy
from policies.sections.exit import ExitPolicy
from policies.sections.pay import CareerPolicy, PayPolicy, TrainingPolicy
from policies.sections.recruitment import RecruitmentPolicy
from policies.sections.staffing import StaffingPolicy
from policies.sections.tasks import GovernancePolicy, TasksPolicy

ROOT_KEY = "national"


class DocumentStatus(StrEnum):
    IN_FORCE = "in_force"
    DRAFT = "draft"  # 征求意见稿, used as the jurisdiction's rules (README of the regulations)
    COMPILATION = "compilation"  # gathered from several national sources


class ProfileMeta(Frozen):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    short_name: str
    document_title: str
    document_number: str | None = None
    document_date: date | None = None
    effective_from: date
    parent: str | None = None
    jurisdiction: str  # the jurisdiction the profile is meant for, e.g. 内蒙古自治区
    jurisdiction_level: Level | None = None
    status: DocumentStatus = DocumentStatus.IN_FORCE
    note: str | None = None


class ProfileBody(Frozen):
    staffing: StaffingPolicy = Field(default_factory=StaffingPolicy)
    recruitment: RecruitmentPolicy
    probation: ProbationPolicy
    contract: ContractPolicy
    appraisal: AppraisalPolicy
    secondment: SecondmentPolicy
    exit: ExitPolicy
    pay: PayPolicy = Field(default_factory=PayPolicy)
    training: TrainingPolicy = Field(default_factory=TrainingPolicy)
    career: CareerPolicy = Field(default_factory=CareerPolicy)
    tasks: TasksPolicy
    governance: GovernancePolicy = Field(default_factory=GovernancePolicy)
