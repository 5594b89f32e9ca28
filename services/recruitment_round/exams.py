"""The written exam (笔试): admission tickets when the round enters the step, the printable ticket, the
roster for the score sheet, and the interview shortlist per post by the configured ratio (1:2 / 1:3 /
1:5), everyone tied at the cut-off included when the announcement says so. Set-wise: one read, one
executemany per event, one bulk audit insert. Scores are imported by `score_import`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from db.models.recruitment_round import RecruitmentRound, RoundPost
from db.repos import recruitment_round as repo
from db.repos import round_exams as exam_repo
from domain.actor import Actor
from domain.errors import InvalidInput, NotFound, RuleViolation
from domain.ranking import ScoringRules, Shortlist, shortlist_for_interview
from services import audit
from services.recruitment_round import registration, rounds
from services.recruitment_round.scoring import (
    Progress,
    articles_of,
    candidate,
    move,
    officer_round,
    rules_of,
    scored_rows_by_post,
)
from services.uow import UnitOfWork
from states.application import ApplicationMachine

TICKET_MAX = 20  # the column's width
SEQ_DIGITS = 5
SHORTLIST_KEYS = ("interview_ratio", "admit_ties_at_cutoff", "written_pass_line")
# After the written exam: the states an admitted application can be in (for the printable ticket).
_TICKET_STEPS = ("written_exam", "interview", "physical_exam", "investigation", "public_notice", "hiring")


def assign_admit_tickets(
    uow: UnitOfWork, actor: Actor | None, round_id: int, *, progress: Progress | None = None
) -> dict[str, int]:
    """准考证号 for every qualified application without one: year + round id + post code + sequence in the
    post (registration order), e.g. 2026 0012 03 00007. Safe to run twice (numbers never change)."""
    rnd = officer_round(uow, actor, round_id, "written_exam", "编排准考证号")
    return _assign(uow, actor, rnd, progress)


def _assign(
    uow: UnitOfWork, actor: Actor | None, rnd: RecruitmentRound, progress: Progress | None = None
) -> dict[str, int]:
    rows = exam_repo.round_rows(uow.session, rnd.id, ["qualified"], ["admit_ticket"], lock=True)
    codes = {p.id: p.code for p in repo.posts_of(uow.session, rnd.id)}
    prefix = f"{rnd.year}{rnd.id:04d}"
    used: dict[int, int] = defaultdict(int)
    for r in rows:
        if r.admit_ticket:
            used[r.post_id] = max(used[r.post_id], int(r.admit_ticket[-SEQ_DIGITS:]))
    items = []
    for r in rows:
        if r.admit_ticket:
            continue
        used[r.post_id] += 1
        ticket = f"{prefix}{codes[r.post_id]}{used[r.post_id]:0{SEQ_DIGITS}d}"
        if len(ticket) > TICKET_MAX or used[r.post_id] >= 10**SEQ_DIGITS:
            raise RuleViolation(f"准考证号{ticket}超出长度", code="ticket_too_long")
        items.append({"id": r.id, "admit_ticket": ticket})
    repo.update_many(uow.session, items, now=uow.now)
    repo.expire_applications(uow.session)
    summary = {"assigned": len(items), "total": len(rows)}
    if items:
        rounds.audit_round(uow, actor, rnd, action="assign_admit_tickets", from_state=rnd.status,
                           to_state=rnd.status, article="IM art. 8", data=summary)  # fmt: skip
    if progress:
        progress(len(rows), len(rows))
    return summary


@rounds.on_enter("written_exam")
def _tickets_on_entering(uow: UnitOfWork, actor: Actor | None, rnd: RecruitmentRound) -> None:
    _assign(uow, actor, rnd)


@dataclass(frozen=True)
class AdmitTicket:
    """What a printable admission ticket (准考证) shows."""

    round_title: str
    year: int
    ticket: str
    name: str
    sex: str | None
    id_number: str
    post_code: str
    post_title: str
    community: str
    status: str  # the application's state label (进入面试, 资格审查通过 ...)
    notes: tuple[str, ...]


NOTES = (
    "考生须凭本准考证和本人有效身份证件参加考试，二者缺一不得入场。",
    "考试时间、地点以招聘公告或另行通知为准。",
    "考生应遵守考场纪律，违纪者取消考试成绩。",
)


def admit_ticket(
    uow: UnitOfWork, actor: Actor | None, round_id: int, id_number: str, phone: str | None = None
) -> AdmitTicket:
    """The applicant's ticket (by ID number and the phone given at registration), or any ticket of the
    round for its officer (actor given, phone not needed)."""
    if actor is None:
        app = registration.find_own(uow, round_id, id_number, phone or "")
        rnd = rounds.load(uow, round_id)
    else:
        rnd = rounds.load_visible(uow, actor, round_id)
        rounds.require_officer(actor, rnd)
        found = repo.application_by_person(uow.session, round_id, (id_number or "").strip().upper())
        if found is None:
            raise NotFound("未找到报名信息，请核对身份证号", code="application_not_found")
        app = found
    if rnd.status not in _TICKET_STEPS or not app.admit_ticket:
        raise RuleViolation(
            "准考证尚未生成（笔试开始后方可打印）", code="admit_ticket_not_ready", article="IM art. 8"
        )
    post = repo.post(uow.session, app.post_id)
    assert post is not None
    place = repo.post_places(uow.session, rnd.id).get(post.id, ("", "", ""))
    return AdmitTicket(
        round_title=rnd.title, year=rnd.year, ticket=app.admit_ticket, name=app.name, sex=app.sex,
        id_number=app.id_number, post_code=post.code, post_title=post.title, community=place[1],
        status=ApplicationMachine.status_labels().get(app.status, app.status), notes=NOTES,
    )  # fmt: skip


def exam_roster(uow: UnitOfWork, actor: Actor, round_id: int, kind: str) -> list[tuple[str, str, str]]:
    """(ticket, name, post code) of the candidates whose `kind` ('written'/'interview') score is due:
    for the score sheet's template and its name check."""
    if kind not in ("written", "interview"):
        raise InvalidInput("成绩类别只能是笔试或面试", code="score_kind_unknown")
    rnd = rounds.load_visible(uow, actor, round_id)
    rounds.require_officer(actor, rnd)
    status = "qualified" if kind == "written" else "shortlisted"
    codes = {p.id: p.code for p in repo.posts_of(uow.session, rnd.id)}
    rows = exam_repo.round_rows(uow.session, rnd.id, [status], ["admit_ticket", "name"])
    return sorted((r.admit_ticket, r.name, codes[r.post_id]) for r in rows if r.admit_ticket)


# --- the interview shortlist ------------------------------------------------------------------------


def shortlist(
    uow: UnitOfWork, actor: Actor | None, round_id: int, *, progress: Progress | None = None
) -> dict[str, Any]:
    """确定面试人选, per post: admitted -> `shortlist`, the others -> `eliminate` with the reason. A post
    whose tie at the cut-off straddles the quota (ties not admitted) is left whole for `resolve_tie`.
    Safe to run twice: only applications still 'qualified' are considered."""
    rnd = officer_round(uow, actor, round_id, "written_exam", "确定面试人选")
    by_post, posts = scored_rows_by_post(uow, rnd, "written", "qualified", "确定面试人选")
    rules = rules_of(rnd)
    admitted: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    undecided: dict[str, list[int]] = {}
    for k, (post_id, items) in enumerate(sorted(by_post.items())):
        post = posts[post_id]
        sl = post_shortlist(post, items, rules)
        if sl.undecided:
            undecided[post.code] = list(sl.undecided)
            continue
        a, x = split_shortlist(sl, post)
        admitted += a
        excluded += x
        if progress and k % 50 == 0:
            progress(k, len(by_post))
    summary = {
        "shortlisted": len(admitted),
        "eliminated": len(excluded),
        "tied_in": sum(1 for a in admitted if a["rank_note"]),
        "undecided_posts": undecided,
    }
    apply_shortlist(uow, actor, rnd, admitted, excluded, summary)
    if progress:
        progress(len(by_post), len(by_post))
    return summary


def post_shortlist(post: RoundPost, rows: Sequence[Any], rules: ScoringRules) -> Shortlist:
    if post.posts < 1:
        raise RuleViolation(f"岗位{post.code}已取消或核减为0，不能确定面试人选", code="post_closed")
    return shortlist_for_interview([candidate(r) for r in rows], post.posts, rules)


def split_shortlist(
    sl: Shortlist, post: RoundPost, decided: Sequence[int] = (), opinion: str = ""
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(to shortlist, to eliminate) as move items with their notes; `decided`: the undecided candidates
    in the order a person decided, the first `open_places` of them admitted."""
    tied = set(sl.tied_in)
    line = format(sl.cutoff, "f") if sl.cutoff is not None else ""
    admitted = [
        {"id": i, "rank_note": f"笔试成绩与入围分数线{line}分相同，一并进入面试" if i in tied else ""}
        for i in sl.admitted
    ]
    excluded = [{"id": x.application_id, "rank_note": x.reason[:200]} for x in sl.excluded]
    if decided:
        note = f"笔试成绩与末位相同，经研究确定：{opinion}"[:200]
        admitted += [{"id": i, "rank_note": note} for i in decided[: sl.open_places]]
        excluded += [{"id": i, "rank_note": note} for i in decided[sl.open_places :]]
    return admitted, excluded


def apply_shortlist(
    uow: UnitOfWork,
    actor: Actor | None,
    rnd: RecruitmentRound,
    admitted: list[dict[str, Any]],
    excluded: list[dict[str, Any]],
    summary: dict[str, Any],
) -> None:
    article = articles_of(rnd, *SHORTLIST_KEYS)
    drafts = move(uow, actor, "shortlist", "qualified", admitted, article=article,
                  opinion_of=lambda it: it["rank_note"] or None)  # fmt: skip
    drafts += move(uow, actor, "eliminate", "qualified", excluded, article=article,
                   opinion_of=lambda it: it["rank_note"] or None)  # fmt: skip
    audit.record_many(uow.session, uow.now, drafts)
    repo.expire_applications(uow.session)
    rounds.audit_round(uow, actor, rnd, action="shortlist", from_state=rnd.status, to_state=rnd.status,
                       article=article, data={**summary, "rules": rules_of(rnd).describe()})  # fmt: skip


def interview_problems(uow: UnitOfWork, rnd: RecruitmentRound) -> list[str]:
    """Before the interview: every admitted candidate's written score in, and the shortlist made."""
    problems = []
    missing = exam_repo.missing_scores(uow.session, rnd.id, "written", ["qualified"])
    if missing:
        problems.append(f"还有{len(missing)}名考生未录入笔试成绩")
    if exam_repo.count_without_ticket(uow.session, rnd.id, ["qualified"]):
        problems.append("有资格审查合格人员尚未编排准考证号")
    left = repo.count_applications(uow.session, rnd.id, statuses=["qualified"])
    if left and not missing:
        problems.append(f"还有{left}名考生未确定是否进入面试（尚未确定面试人选，或末位同分待研究确定）")
    return problems


rounds.precondition("interview")(interview_problems)
