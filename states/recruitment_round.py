"""Recruitment round (招聘): the seven steps of IM art. 8 — plan (an approved recruitment plan is the
round's input), announcement, registration and qualification review, written exam and interview,
physical exam, investigation, public notice — then the hiring formalities and close (OR art. 8, IM art. 12).

The order of the physical exam and the investigation differs between profiles (IM: physical exam first;
the national practice: investigation first), so the machine allows both edges and the guard `is_next`
follows the step list pinned with the round's profile: the service passes `next_step`, the value of the
state the pinned list says comes next. The alternative path for graduates of service programmes
(OR art. 8 (二) 2: direct assessment instead of the open exam) goes qualification review -> assessment ->
public notice. A round may be cancelled at any step with a reason."""

from __future__ import annotations

from typing import Any, ClassVar

from statemachine import State

from states.base import Procedure


class RecruitmentRoundMachine(Procedure):
    procedure: ClassVar[str] = "recruitment_round"
    label: ClassVar[str] = "招聘"
    event_labels: ClassVar[dict[str, str]] = {
        "publish": "发布招聘公告",
        "close_registration": "报名截止，进入资格审查",
        "start_written": "组织笔试",
        "start_assessment": "组织直接考核",
        "start_interview": "组织面试",
        "start_physical": "组织体检",
        "start_investigation": "组织考察",
        "publish_notice": "公示拟聘用人员名单",
        "close_notice": "公示期满，办理聘用手续",
        "close": "招聘结束",
        "cancel": "取消招聘",
    }
    event_articles: ClassVar[dict[str, str]] = {
        "publish": "IM art. 8",
        "close_registration": "IM art. 8",
        "start_written": "IM art. 8",
        "start_assessment": "OR art. 8",
        "start_interview": "IM art. 8",
        "start_physical": "IM art. 8",
        "start_investigation": "IM art. 8",
        "publish_notice": "IM art. 8",
        "close_notice": "IM art. 12",
        "close": "OR art. 8",
        "cancel": "IM art. 8",
    }

    preparing = State("筹备中", value="preparing", initial=True)
    registration = State("报名中", value="registration")
    qualification_review = State("资格审查", value="qualification_review")
    written_exam = State("笔试", value="written_exam")
    interview = State("面试", value="interview")
    assessment = State("直接考核", value="assessment")
    physical_exam = State("体检", value="physical_exam")
    investigation = State("考察", value="investigation")
    public_notice = State("公示", value="public_notice")
    hiring = State("办理聘用", value="hiring")
    closed = State("已完成", value="closed", final=True)
    cancelled = State("已取消", value="cancelled", final=True)

    publish = preparing.to(registration)
    close_registration = registration.to(qualification_review)
    start_written = qualification_review.to(written_exam, cond="is_next")
    start_assessment = qualification_review.to(assessment, cond="is_next")
    start_interview = written_exam.to(interview, cond="is_next")
    start_physical = (
        interview.to(physical_exam, cond="is_next")
        | investigation.to(physical_exam, cond="is_next")
        | assessment.to(physical_exam, cond="is_next")
    )
    start_investigation = (
        interview.to(investigation, cond="is_next")
        | physical_exam.to(investigation, cond="is_next")
        | assessment.to(investigation, cond="is_next")
    )
    publish_notice = (
        physical_exam.to(public_notice, cond="is_next")
        | investigation.to(public_notice, cond="is_next")
        | assessment.to(public_notice, cond="is_next")
    )
    close_notice = public_notice.to(hiring)
    close = hiring.to(closed)
    cancel = (
        preparing.to(cancelled)
        | registration.to(cancelled)
        | qualification_review.to(cancelled)
        | written_exam.to(cancelled)
        | interview.to(cancelled)
        | assessment.to(cancelled)
        | physical_exam.to(cancelled)
        | investigation.to(cancelled)
        | public_notice.to(cancelled)
        | hiring.to(cancelled)
    )

    def is_next(self, target: Any, next_step: str | None = None) -> bool:
        """The pinned step list decides which step follows (IM art. 8 vs the national order)."""
        return next_step is not None and bool(target.value == next_step)


# The profile's step keys (policies.sections.recruitment.RecruitmentStep) -> the round state they run in.
STEP_STATES: dict[str, str] = {
    "announcement": "registration",
    "registration": "registration",
    "qualification_review": "qualification_review",
    "written_exam": "written_exam",
    "interview": "interview",
    "assessment": "assessment",
    "physical_exam": "physical_exam",
    "investigation": "investigation",
    "public_notice": "public_notice",
    "contract": "hiring",
}

# The event that enters each state (the service looks up the event for the next pinned step).
ENTERED_BY: dict[str, str] = {
    "registration": "publish",
    "qualification_review": "close_registration",
    "written_exam": "start_written",
    "assessment": "start_assessment",
    "interview": "start_interview",
    "physical_exam": "start_physical",
    "investigation": "start_investigation",
    "public_notice": "publish_notice",
    "hiring": "close_notice",
    "closed": "close",
}


def state_sequence(step_keys: list[str], *, conversion: bool = False) -> list[str]:
    """The round states in the order the pinned profile's steps give (duplicates folded), ending in
    hiring and closed. The conversion track (OR art. 8 (二) 2) replaces the exams by an assessment."""
    seq: list[str] = ["preparing"]
    for key in step_keys:
        if key == "plan":
            continue
        state = STEP_STATES.get(key)
        if state is None:
            continue
        if conversion and state in ("written_exam", "interview"):
            state = "assessment"
        if state not in seq:
            seq.append(state)
    if conversion and "assessment" not in seq:
        seq.insert(seq.index("qualification_review") + 1, "assessment")
    if "hiring" not in seq:
        seq.append("hiring")
    seq.append("closed")
    return seq
