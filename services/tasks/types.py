"""Plain types the task services share with the procedures that open steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

StepKind = Literal["review", "countersign", "any_of", "filing"]
Outcome = Literal["approved", "returned"]
ReturnTo = Literal["previous", "drafter"]


@dataclass(frozen=True)
class StepDepartment:
    department_id: int
    name: str


@dataclass(frozen=True)
class StepSpec:
    """One step of an approval chain, resolved to concrete departments."""

    index: int
    key: str
    label: str
    kind: StepKind
    departments: tuple[StepDepartment, ...]
    due_working_days: int
    article: str


@dataclass(frozen=True)
class CaseRef:
    case_type: str
    case_id: int
    title: str
    path: str  # organising jurisdiction's materialised path
    calendar_keys: tuple[str, ...] = field(default_factory=tuple)  # policy keys, for regional holidays
    # From the pinned profile's task rules: 提醒 this many working days before the deadline day (and 催办
    # when it passes); 督办 by the supervising department this many working days after it.
    remind_before_working_days: tuple[int, ...] = ()
    escalate_after_working_days: int = 2
