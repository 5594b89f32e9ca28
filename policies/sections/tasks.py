"""Human tasks (deadlines, reminders, escalation) and the remaining governance chains."""

from __future__ import annotations

from enum import StrEnum

from policies.base import Frozen, Sourced
from policies.chains import ApprovalChain, Authority


class EscalationTarget(StrEnum):
    PARENT_SAME_KIND = "parent_same_kind"  # the same kind of department one level up

    @property
    def label(self) -> str:
        return "上一级同类部门"


class TasksPolicy(Frozen):
    default_due_working_days: Sourced[int]
    remind_before_due_working_days: Sourced[list[int]]
    escalate_after_due_working_days: Sourced[int]
    escalate_to: Sourced[EscalationTarget]


class GovernancePolicy(Frozen):
    worker_recognition: ApprovalChain | None = None
    task_delegation: ApprovalChain | None = None
    secretary_filing: ApprovalChain | None = None
    personnel_record_filing: ApprovalChain | None = None
    worker_certificate_by: Sourced[list[Authority]] | None = None
    election_organised_by: Sourced[list[Authority]] | None = None
    discipline_by: Sourced[Authority] | None = None
