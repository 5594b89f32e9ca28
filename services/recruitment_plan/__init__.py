"""The recruitment plan (招聘方案) procedure."""

from domain.recruitment_plan import PlanDraft, PostLine
from services.recruitment_plan.quota import QuotaCheck, QuotaLine
from services.recruitment_plan.service import (
    create_draft,
    load,
    quota_of,
    quota_preview,
    submit,
    update_draft,
    withdraw,
)

__all__ = [
    "PlanDraft",
    "PostLine",
    "QuotaCheck",
    "QuotaLine",
    "create_draft",
    "load",
    "quota_of",
    "quota_preview",
    "submit",
    "update_draft",
    "withdraw",
]
