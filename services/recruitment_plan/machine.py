"""Binding the recruitment-plan machine to a row."""

from __future__ import annotations

from typing import Any

from db.models.recruitment_plan import RecruitmentPlan
from states.recruitment_plan import RecruitmentPlanMachine

CASE = RecruitmentPlanMachine.procedure


def fire(plan: RecruitmentPlan, event: str, **kwargs: Any) -> None:
    RecruitmentPlanMachine.bind(plan).fire(event, **kwargs)


def allowed(plan: RecruitmentPlan) -> list[str]:
    return RecruitmentPlanMachine.bind(plan).allowed()
