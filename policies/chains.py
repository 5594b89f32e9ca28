"""Approval chains as data: who drafts a matter, and the ordered steps that review, countersign or file it.

A step's `level` is either relative to the jurisdiction that drafts the matter ("self", "parent",
"grandparent") or an absolute `domain.enums.Level` ("region", "city", ...). Relative levels are meant to be
resolved against the jurisdiction tree (the parent *node*, which for Bingtuan's 团场 is the 师市), not by
arithmetic on level depth; `hops_up()` gives the number of tree steps.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

from domain.enums import DeptKind, Level
from policies.base import Cited, CitedValue, Frozen, Provenance


class RelativeLevel(StrEnum):
    SELF = "self"
    PARENT = "parent"
    GRANDPARENT = "grandparent"

    @property
    def hops(self) -> int:
        return {"self": 0, "parent": 1, "grandparent": 2}[self.value]


StepLevel = RelativeLevel | Level


class ApprovalKind(StrEnum):
    REVIEW = "review"  # 审核/批准: the one listed department decides
    COUNTERSIGN = "countersign"  # 会签: every listed department must approve
    ANY_OF = "any_of"  # 或签: any one listed department may approve
    FILING = "filing"  # 备案: every listed department acknowledges; no veto

    @property
    def label(self) -> str:
        return APPROVAL_KIND_LABELS[self]


APPROVAL_KIND_LABELS = {
    ApprovalKind.REVIEW: "审核",
    ApprovalKind.COUNTERSIGN: "会签",
    ApprovalKind.ANY_OF: "或签",
    ApprovalKind.FILING: "备案",
}


class OrganiserRole(StrEnum):
    DRAFT = "draft"  # 制定/提出方案: may draft and submit the matter; the chain starts from this level
    LEAD = "lead"  # 牵头/统一组织
    IMPLEMENT = "implement"  # 实施
    COOPERATE = "cooperate"  # 配合

    @property
    def label(self) -> str:
        return ORGANISER_ROLE_LABELS[self.value]


ORGANISER_ROLE_LABELS = {
    "draft": "起草提出",
    "lead": "牵头组织",
    "implement": "组织实施",
    "cooperate": "配合",
}


def level_label(level: StepLevel) -> str:
    if isinstance(level, RelativeLevel):
        return {"self": "本级", "parent": "上一级", "grandparent": "上两级"}[level.value]
    return level.label


def depts_label(departments: list[DeptKind]) -> str:
    return "、".join(d.label for d in departments) or "(未指明部门)"


class Organiser(Frozen):
    """Who takes part in organising a matter at which level, and in what role."""

    level: Level
    departments: list[DeptKind]
    roles: list[OrganiserRole]
    label: str

    def describe(self) -> str:
        roles = "/".join(r.label for r in self.roles)
        return f"{self.level.label}{depts_label(self.departments)}({roles})"


class Authority(Frozen):
    """A department (or several, jointly) at a level that holds a power, e.g. who appraises."""

    level: StepLevel
    departments: list[DeptKind]
    label: str

    def describe(self) -> str:
        return self.label


class ApprovalStep(Cited):
    """One step of a chain. `only_for_organiser_levels`, when not empty, limits the step to matters drafted
    at those levels (IM art. 8: only a county-run plan goes up to the league/city)."""

    key: str
    label: str
    kind: ApprovalKind
    level: StepLevel
    departments: list[DeptKind]
    due_working_days: CitedValue[int]
    only_for_organiser_levels: list[Level] = Field(default_factory=list)

    @field_validator("departments")
    @classmethod
    def _some_department(cls, v: list[DeptKind]) -> list[DeptKind]:
        if not v:
            raise ValueError("a step needs at least one department")
        return v

    @field_validator("due_working_days")
    @classmethod
    def _positive_deadline(cls, v: CitedValue[int]) -> CitedValue[int]:
        if v.value < 1:
            raise ValueError("due_working_days must be at least 1")
        return v

    def hops_up(self) -> int | None:
        """Tree steps above the drafting jurisdiction, or None for an absolute level."""
        return self.level.hops if isinstance(self.level, RelativeLevel) else None

    def target_level(self, organiser_level: Level) -> Level:
        """The absolute level of the deciding departments, by level depth (the tree is authoritative
        where it skips a level, e.g. Bingtuan)."""
        if isinstance(self.level, Level):
            return self.level
        levels = list(Level)
        return levels[max(0, organiser_level.depth - self.level.hops)]

    def applies_to(self, organiser_level: Level) -> bool:
        return not self.only_for_organiser_levels or organiser_level in self.only_for_organiser_levels

    def describe(self) -> str:
        return f"{level_label(self.level)}{depts_label(self.departments)}{self.kind.label}"


class ApprovalChain(Provenance):
    """An ordered list of steps, merged as one unit (a child profile replaces the whole chain)."""

    label: str
    steps: list[ApprovalStep]

    @field_validator("steps")
    @classmethod
    def _unique_keys(cls, v: list[ApprovalStep]) -> list[ApprovalStep]:
        keys = [s.key for s in v]
        if len(keys) != len(set(keys)):
            raise ValueError(f"step keys must be unique, got {keys}")
        return v

    def steps_for(self, organiser_level: Level) -> list[ApprovalStep]:
        """The steps that apply to a matter drafted at `organiser_level`, in order."""
        return [s for s in self.steps if s.applies_to(organiser_level)]

    def describe(self) -> str:
        return " → ".join(s.describe() for s in self.steps) or "(无审批环节)"
