"""开考比例: after the qualification review, a post whose qualified applicants are fewer than posts × the
opening ratio (default 3:1) gets a proposal — cut to floor(qualified / ratio) places, or cancel when that
is 0 — and an approval task. Only an approved task cuts or cancels the post (a cancelled post's
applications leave set-wise by `cancel_post`); a returned task keeps the post as it is.

Who approves: the department supervising the organiser (services.org.supervising_department: for a
county's party social-work department, the city's). IM art. 8 has the league/city review a county's
recruitment plan; cutting or cancelling a post changes that reviewed plan, so its reviewer decides, and the
organiser does not approve its own cut. At the top of the tree (no supervisor) the organiser's own
approvers decide."""

from __future__ import annotations

from typing import Any

from db.models.recruitment_round import RecruitmentRound, RoundPost
from db.models.tasks import TaskGroup
from db.repos import recruitment_round as repo
from db.repos import round_exams as exam_repo
from domain.actor import Actor
from domain.errors import NotFound, RuleViolation
from domain.ranking import PostShortfall, opening_check
from services import audit, org, tasks
from services.recruitment_round import rounds
from services.recruitment_round import settings as rs
from services.recruitment_round.scoring import Progress, articles_of, move, officer_round
from services.tasks.types import CaseRef, ReturnTo, StepDepartment, StepSpec
from services.tasks.types import Outcome as TaskOutcome
from services.uow import UnitOfWork
from states.application import ApplicationMachine
from states.round_post import RoundPostMachine

CASE_POST = RoundPostMachine.procedure  # task case type: one approval task per short post
UNDECIDED = ("registered", "pending_review", "returned")  # the qualification review is not finished
_KEY = "opening_ratio"


def _ratio(rnd: RecruitmentRound) -> int:
    return int(rs.value(rnd.settings, "opening_ratio"))


def _article(rnd: RecruitmentRound) -> str:
    return articles_of(rnd, "opening_ratio")


def _shortfalls(uow: UnitOfWork, rnd: RecruitmentRound) -> tuple[list[PostShortfall], dict[int, RoundPost]]:
    posts = {p.id: p for p in repo.posts_of(uow.session, rnd.id) if p.status != "cancelled" and p.posts > 0}
    qualified = {
        post: n
        for (post, status), n in repo.status_counts(uow.session, rnd.id).items()
        if status == "qualified" and post in posts
    }
    return opening_check(qualified, {i: p.posts for i, p in posts.items()}, _ratio(rnd)), posts


def _settled(groups: list[TaskGroup]) -> str:
    """'pending' (a task is open), 'kept' (the last proposal was returned: the post stays), or 'none'."""
    if not groups:
        return "none"
    last = groups[-1].state
    return "pending" if last == "open" else "kept" if last == "returned" else "none"


def check_opening(
    uow: UnitOfWork, actor: Actor | None, round_id: int, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Check every post against the opening ratio once the qualification review is finished, and open an
    approval task for each short post without one. Safe to run twice."""
    rnd = officer_round(uow, actor, round_id, "qualification_review", "核定开考比例")
    if rnd.track != "open_exam":
        raise RuleViolation("直接考核转聘不适用开考比例", code="opening_not_applicable", article="OR art. 8")
    pending = repo.count_applications(uow.session, rnd.id, statuses=UNDECIDED)
    if pending:
        raise RuleViolation(
            f"还有{pending}份报名未完成资格审查，开考比例须按审查合格人数核定",
            code="review_not_finished",
            article=_article(rnd),
        )
    shortfalls, posts = _shortfalls(uow, rnd)
    groups = exam_repo.groups_of_cases(uow.session, CASE_POST, [s.post_id for s in shortfalls])
    opened, waiting, kept = [], [], []
    for s in shortfalls:
        state = _settled(groups[s.post_id])
        if state == "pending":
            waiting.append(posts[s.post_id].code)
        elif state == "kept":
            kept.append(posts[s.post_id].code)
        else:
            tasks.open_step(uow, _ref(rnd, posts[s.post_id]), _spec(uow, rnd, s), actor)
            opened.append(posts[s.post_id].code)
    summary = {
        "posts": len(posts),
        "short": len(shortfalls),
        "opened": opened,
        "waiting": waiting,
        "kept": kept,
    }
    rounds.audit_round(
        uow, actor, rnd, action="check_opening", from_state=rnd.status, to_state=rnd.status,
        article=_article(rnd), data={**summary, "ratio": _ratio(rnd)},
    )  # fmt: skip
    if progress:
        progress(len(posts), len(posts))
    return summary


def _approvers(uow: UnitOfWork, rnd: RecruitmentRound) -> StepDepartment:
    dept = org.supervising_department(uow.session, rnd.department_id) or org.get_department(
        uow.session, rnd.department_id
    )
    return StepDepartment(dept.id, dept.name)


def _spec(uow: UnitOfWork, rnd: RecruitmentRound, s: PostShortfall) -> StepSpec:
    what = "取消岗位" if s.action == "cancel" else f"招聘人数由{s.posts}名核减为{s.allowed_posts}名"
    return StepSpec(
        index=0,
        key=f"{_KEY}:{s.action}:{s.allowed_posts}",
        label=f"开考比例核定({what})"[:100],
        kind="review",
        departments=(_approvers(uow, rnd),),
        due_working_days=int(rounds.pinned(rnd).tasks.default_due_working_days.value),
        article=f"{_article(rnd)}；IM art. 8"[:100],
    )


def _ref(rnd: RecruitmentRound, post: RoundPost) -> CaseRef:
    t = rounds.pinned(rnd).tasks
    return CaseRef(
        case_type=CASE_POST,
        case_id=post.id,
        title=f"{rnd.title} 岗位{post.code}{post.title}"[:200],
        path=rnd.jurisdiction_path,
        calendar_keys=tuple(rnd.policy_keys),
        remind_before_working_days=tuple(t.remind_before_due_working_days.value),
        escalate_after_working_days=int(t.escalate_after_due_working_days.value),
    )


def case_ref(uow: UnitOfWork, post_id: int) -> CaseRef:
    post = repo.post(uow.session, post_id)
    if post is None:
        raise NotFound(f"岗位 {post_id} 不存在", code="post_not_found")
    return _ref(rounds.load(uow, post.round_id), post)


def on_decided(
    uow: UnitOfWork,
    group: TaskGroup,
    outcome: TaskOutcome,
    actor: Actor,
    opinion: str | None,
    return_to: ReturnTo,
) -> None:
    """The approver decided a proposal: approved cuts or cancels the post, returned keeps it."""
    post = repo.post(uow.session, group.case_id)
    assert post is not None
    rnd = rounds.load(uow, post.round_id, for_update=True)
    _, action, allowed = group.step_key.split(":")  # the proposal the approver saw
    article = _article(rnd)
    if outcome == "returned":
        audit.record(uow.session, uow.now, actor=actor, subject_type=CASE_POST, subject_id=post.id,
                     action="keep", from_state=post.status, to_state=post.status, opinion=opinion,
                     article=article, data={"proposal": action, "posts": post.posts})  # fmt: skip
        return
    if rnd.status == "cancelled":  # the proposal lapsed with the round: the task completes, nothing changes
        audit.record(uow.session, uow.now, actor=actor, subject_type=CASE_POST, subject_id=post.id,
                     action="proposal_lapsed", from_state=post.status, to_state=post.status, opinion=opinion,
                     article=article, data={"proposal": action})  # fmt: skip
        return
    if rnd.status != "qualification_review":
        raise RuleViolation("资格审查环节已结束，不能再核减或取消岗位", code="wrong_step", article=article)
    before, posts_before = post.status, post.posts
    event = "cancel" if action == "cancel" else "cut_posts"
    RoundPostMachine.bind(post).fire(event)
    post.posts = 0 if action == "cancel" else int(allowed)
    drafts = _cancel_applications(uow, actor, rnd, post, opinion) if action == "cancel" else []
    drafts.append(
        audit.AuditDraft(
            actor=actor, subject_type=CASE_POST, subject_id=post.id, action=event, from_state=before,
            to_state=post.status, opinion=opinion, article=article,
            data={"posts_before": posts_before, "posts": post.posts, "ratio": _ratio(rnd)},
        )
    )  # fmt: skip
    uow.session.flush()
    audit.record_many(uow.session, uow.now, drafts)
    repo.expire_applications(uow.session)


def _cancel_applications(
    uow: UnitOfWork, actor: Actor, rnd: RecruitmentRound, post: RoundPost, opinion: str | None
) -> list[audit.AuditDraft]:
    sources = sorted(ApplicationMachine.sources_of("cancel_post"))
    rows = exam_repo.post_rows(uow.session, post.id, sources, [])
    drafts: list[audit.AuditDraft] = []
    reason = f"岗位{post.code}未达开考比例，经审批取消" + (f"：{opinion}" if opinion else "")
    for src in sources:
        items = [{"id": r.id, "rank_note": reason[:200]} for r in rows if r.status == src]
        drafts += move(
            uow, actor, "cancel_post", src, items, article=_article(rnd), opinion_of=lambda _: reason
        )
        if src == "pending_review":
            for it in items:
                tasks.cancel_case(uow, ApplicationMachine.procedure, int(it["id"]), actor, reason)
    return drafts


def opening_problems(uow: UnitOfWork, rnd: RecruitmentRound) -> list[str]:
    """What still stands between the qualification review and the written exam."""
    problems = []
    pending = repo.count_applications(uow.session, rnd.id, statuses=UNDECIDED)
    if pending:
        problems.append(f"还有{pending}份报名未完成资格审查")
    if rnd.track != "open_exam":
        return problems
    shortfalls, posts = _shortfalls(uow, rnd)
    groups = exam_repo.groups_of_cases(uow.session, CASE_POST, [s.post_id for s in shortfalls])
    for s in shortfalls:
        state, code = _settled(groups[s.post_id]), posts[s.post_id].code
        if state == "pending":
            problems.append(f"岗位{code}未达开考比例{_ratio(rnd)}:1，核减或取消尚待审批")
        elif state == "none":
            problems.append(
                f"岗位{code}资格审查合格{s.qualified}人，未达开考比例{_ratio(rnd)}:1，尚未报批核减或取消"
            )
    return problems


rounds.precondition("written_exam")(opening_problems)
rounds.precondition("assessment")(opening_problems)
tasks.register_case(CASE_POST, on_decided, case_ref)
