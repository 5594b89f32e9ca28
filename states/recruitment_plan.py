"""Recruitment plan (招聘方案): drafted by the organising jurisdiction, checked against the staffing
quota, then reviewed step by step along the approval chain its policy profile names (IM art. 8: the
league/city social-work department reviews, the league/city organisation department files; JLP art. 17:
the district organisation department and civil-affairs bureau review). A step approved moves to the
next; the last step approved approves the plan. A reviewer may send it back to the previous step or to
the drafter; the drafter may resubmit or withdraw."""

from __future__ import annotations

from typing import ClassVar

from statemachine import State

from states.base import Procedure


class RecruitmentPlanMachine(Procedure):
    procedure: ClassVar[str] = "recruitment_plan"
    label: ClassVar[str] = "招聘方案"
    event_labels: ClassVar[dict[str, str]] = {
        "submit": "提交审核",
        "pass_step": "审核通过",
        "send_back": "退回",
        "withdraw": "撤回",
    }
    event_articles: ClassVar[dict[str, str]] = {
        "submit": "IM art. 8",
        "withdraw": "IM art. 8",
    }

    draft = State("草稿", value="draft", initial=True)
    in_review = State("审核中", value="in_review")
    returned = State("已退回", value="returned")
    approved = State("已批准", value="approved", final=True)
    withdrawn = State("已撤回", value="withdrawn", final=True)

    submit = draft.to(in_review) | returned.to(in_review)
    pass_step = in_review.to(approved, cond="is_last_step") | in_review.to.itself(unless="is_last_step")
    send_back = in_review.to(returned, cond="back_to_drafter") | in_review.to.itself(unless="back_to_drafter")
    withdraw = draft.to(withdrawn) | returned.to(withdrawn) | in_review.to(withdrawn)

    def is_last_step(self, is_last: bool = False) -> bool:
        return is_last

    def back_to_drafter(self, to_drafter: bool = True) -> bool:
        return to_drafter
