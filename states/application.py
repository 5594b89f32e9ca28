"""Application (报名) of one person to one post of a recruitment round, from registration to hired, not
hired or withdrawn. Most moves happen set-wise when a whole step of the round closes (screening,
shortlisting, ranking, the notice), through the class's transition table; single moves (a reviewer's
decision, a withdrawal, an objection, a refill) bind the machine to the row.

Screening (IM art. 9-11): a clear pass or fail is decided by the rules; a doubtful case goes to a reviewer,
who passes, fails, or returns it once with the complete list of what is missing (一次性告知); the applicant
corrects and it is screened again. Exams: the written score decides who is shortlisted for the interview;
the total decides the ranking; the first of each post go on to the physical exam and investigation, the
others wait in reserve for a refill (递补). The proposed hires go on public notice; an objection freezes
only the named candidate until a reviewer resolves it."""

from __future__ import annotations

from typing import ClassVar

from statemachine import State

from states.base import Procedure


class ApplicationMachine(Procedure):
    procedure: ClassVar[str] = "application"
    label: ClassVar[str] = "报名"
    event_labels: ClassVar[dict[str, str]] = {
        "screen_pass": "资格初审通过",
        "screen_fail": "资格初审不通过",
        "screen_doubt": "转人工审核",
        "review_pass": "审核通过",
        "review_fail": "审核不通过",
        "review_return": "退回补正(一次性告知)",
        "resubmit": "补正后重新提交",
        "cancel_post": "岗位取消",
        "shortlist": "进入面试",
        "eliminate": "未进入下一环节",
        "select": "进入体检考察",
        "hold_in_reserve": "列为递补人选",
        "refill": "递补",
        "return_to_reserve": "退回递补名单",
        "fail_followup": "体检或考察不合格",
        "propose": "列入拟聘用名单",
        "raise_objection": "受理异议",
        "clear_objection": "异议不成立",
        "uphold_objection": "异议成立，不予聘用",
        "hire": "签订劳动合同",
        "decline": "放弃聘用",
        "withdraw": "放弃",
    }
    event_articles: ClassVar[dict[str, str]] = {
        "screen_pass": "IM art. 9",
        "screen_fail": "IM art. 9",
        "review_pass": "IM art. 8",
        "review_fail": "IM art. 8",
        "review_return": "IM art. 8",
        "shortlist": "IM art. 8",
        "select": "IM art. 8",
        "fail_followup": "IM art. 8",
        "propose": "IM art. 8",
        "raise_objection": "IM art. 8",
        "hire": "IM art. 12",
    }

    registered = State("已报名", value="registered", initial=True)
    pending_review = State("待人工审核", value="pending_review")
    returned = State("退回补正", value="returned")
    qualified = State("资格审查通过", value="qualified")
    rejected = State("资格审查未通过", value="rejected", final=True)
    post_cancelled = State("岗位取消", value="post_cancelled", final=True)
    shortlisted = State("进入面试", value="shortlisted")
    eliminated = State("未进入下一环节", value="eliminated", final=True)
    reserve = State("递补人选", value="reserve")
    selected = State("体检考察", value="selected")
    followup_failed = State("体检或考察不合格", value="followup_failed", final=True)
    proposed = State("拟聘用(公示中)", value="proposed")
    frozen = State("异议核查中", value="frozen")
    hired = State("已聘用", value="hired", final=True)
    not_hired = State("不予聘用", value="not_hired", final=True)
    withdrawn = State("已放弃", value="withdrawn", final=True)

    screen_pass = registered.to(qualified)
    screen_fail = registered.to(rejected)
    screen_doubt = registered.to(pending_review)
    review_pass = pending_review.to(qualified)
    review_fail = pending_review.to(rejected)
    review_return = pending_review.to(returned, cond="may_return")
    resubmit = returned.to(registered)
    cancel_post = (
        registered.to(post_cancelled) | pending_review.to(post_cancelled) | qualified.to(post_cancelled)
    )
    shortlist = qualified.to(shortlisted)
    eliminate = qualified.to(eliminated) | shortlisted.to(eliminated) | reserve.to(eliminated)
    select = shortlisted.to(selected) | qualified.to(selected)
    hold_in_reserve = shortlisted.to(reserve) | qualified.to(reserve)
    refill = reserve.to(selected)
    # With a follow-up ratio above 1:1 more candidates may pass than there are places: the extras go back.
    return_to_reserve = selected.to(reserve)
    fail_followup = selected.to(followup_failed)
    propose = selected.to(proposed)
    raise_objection = proposed.to(frozen)
    clear_objection = frozen.to(proposed)
    uphold_objection = frozen.to(not_hired)
    hire = proposed.to(hired)
    decline = proposed.to(not_hired)
    withdraw = (
        registered.to(withdrawn)
        | pending_review.to(withdrawn)
        | returned.to(withdrawn)
        | qualified.to(withdrawn)
        | shortlisted.to(withdrawn)
        | reserve.to(withdrawn)
        | selected.to(withdrawn)
        | proposed.to(withdrawn)
        | frozen.to(withdrawn)
    )

    def may_return(self, returns_so_far: int = 0) -> bool:
        """一次性告知: an application is returned for correction at most once."""
        return returns_so_far == 0


# States in which the applicant may still edit the registration (while the window is open).
EDITABLE = frozenset({"registered", "pending_review", "returned"})
# States that count as "qualified" in the funnel (passed the qualification review, whatever came after).
PAST_QUALIFICATION = frozenset(
    {
        "qualified",
        "shortlisted",
        "eliminated",
        "reserve",
        "selected",
        "followup_failed",
        "proposed",
        "frozen",
        "hired",
        "not_hired",
    }
)
