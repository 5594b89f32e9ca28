"""Ranking after the interview (排名), per post: total = written × w% + interview × i% (+ capped bonus),
each score rounded to its decimals first and the total once, as the announcement states; then the
tie-break chain. The first posts × followup ratio -> `select` (physical exam and investigation), the
others meeting the pass line -> `hold_in_reserve` (递补 order), absent or below the pass line ->
`eliminate`. A post whose last place is an unresolved tie (equal on the total and every tie-break) is
left whole, its totals and shared ranks written, until a person decides with `resolve_tie`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from db.models.recruitment_round import RecruitmentRound, RoundPost
from db.repos import recruitment_round as repo
from db.repos import round_exams as exam_repo
from domain.actor import Actor
from domain.errors import InvalidInput
from domain.ranking import (
    RankedEntry,
    ScoringRules,
    UnresolvedTie,
    interview_exclusion,
    rank_post,
    select_followup,
    total_score,
)
from services import audit
from services.recruitment_round import rounds
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

RANK_KEYS = (
    "written_percent",
    "decimals_total",
    "rounding",
    "tie_breaks",
    "interview_pass_line",
    "followup_ratio",
)
UNRESOLVED_NOTE = "总成绩及各项排序条件均相同，须研究确定"


@dataclass
class PostRanking:
    """One post's outcome: move items per event, or (`tied` set) only the scores to write."""

    select: list[dict[str, Any]] = field(default_factory=list)
    reserve: list[dict[str, Any]] = field(default_factory=list)
    eliminate: list[dict[str, Any]] = field(default_factory=list)
    tied: list[int] = field(default_factory=list)  # the unresolved tie at the last place, if any


def _item(e: RankedEntry) -> dict[str, Any]:
    return {"id": e.application_id, "total_score": e.total, "rank": e.rank, "rank_note": e.note[:200]}


def rank_one_post(
    post: RoundPost, rows: Sequence[Any], rules: ScoringRules, manual_order: Sequence[int] = ()
) -> PostRanking:
    cands = [candidate(r) for r in rows]
    try:
        entries = rank_post(cands, rules, manual_order=manual_order)
    except InvalidInput as exc:
        raise InvalidInput(f"岗位{post.code}：{exc.message}", code=exc.code, details=exc.details) from None
    out = PostRanking()
    for c in cands:
        x = interview_exclusion(c, rules)
        if x is not None:
            total = None
            if c.interview is not None and c.written is not None:
                total = total_score(c.written, c.interview, c.bonus, rules)
            out.eliminate.append({"id": c.application_id, "total_score": total, "rank": None,
                                  "rank_note": x.reason[:200]})  # fmt: skip
    try:
        selected, reserve = select_followup(entries, post.posts, rules.followup_ratio)
    except UnresolvedTie as tie:
        out.tied = list(tie.details["application_ids"])
        out.select = [_item(e) for e in entries]  # scores only: written, nothing moves
        return out
    by_id = {e.application_id: e for e in entries}
    out.select = [_item(by_id[i]) for i in selected]
    out.reserve = [_item(by_id[i]) for i in reserve]
    return out


def rank(
    uow: UnitOfWork, actor: Actor | None, round_id: int, *, progress: Progress | None = None
) -> dict[str, Any]:
    """排名 of every post still to rank (applications 'shortlisted'); safe to run twice."""
    rnd = officer_round(uow, actor, round_id, "interview", "排名")
    by_post, posts = scored_rows_by_post(uow, rnd, "interview", "shortlisted", "排名")
    rules = rules_of(rnd)
    results: dict[int, PostRanking] = {}
    for k, (post_id, items) in enumerate(sorted(by_post.items())):
        results[post_id] = rank_one_post(posts[post_id], items, rules)
        if progress and k % 50 == 0:
            progress(k, len(by_post))
    tied = {posts[p].code: r.tied for p, r in results.items() if r.tied}
    summary = apply_ranking(uow, actor, rnd, list(results.values()))
    summary["unresolved_posts"] = tied
    rounds.audit_round(uow, actor, rnd, action="rank", from_state=rnd.status, to_state=rnd.status,
                       article=articles_of(rnd, *RANK_KEYS), data={**summary, "rules": rules.describe()})  # fmt: skip
    if progress:
        progress(len(by_post), len(by_post))
    return summary


def apply_ranking(
    uow: UnitOfWork, actor: Actor | None, rnd: RecruitmentRound, results: Sequence[PostRanking],
    opinion: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    article = articles_of(rnd, *RANK_KEYS)
    held = [it for r in results if r.tied for it in r.select]
    repo.update_many(uow.session, held, now=uow.now)
    moves = {
        "select": [it for r in results if not r.tied for it in r.select],
        "hold_in_reserve": [it for r in results if not r.tied for it in r.reserve],
        "eliminate": [it for r in results if not r.tied for it in r.eliminate],
    }
    drafts: list[audit.AuditDraft] = []
    for event, items in moves.items():
        drafts += move(uow, actor, event, "shortlisted", items, article=article,
                       opinion_of=lambda it: opinion or it["rank_note"] or None,
                       data_of=lambda it: {"total": it["total_score"], "rank": it["rank"]})  # fmt: skip
    audit.record_many(uow.session, uow.now, drafts)
    repo.expire_applications(uow.session)
    return {"selected": len(moves["select"]), "reserve": len(moves["hold_in_reserve"]),
            "eliminated": len(moves["eliminate"]), "held": len(held)}  # fmt: skip


def ranking_problems(uow: UnitOfWork, rnd: RecruitmentRound) -> list[str]:
    """Before the physical exam or investigation that follows the interview: the ranking done."""
    if rnd.status != "interview":
        return []
    problems = []
    missing = exam_repo.missing_scores(uow.session, rnd.id, "interview", ["shortlisted"])
    if missing:
        problems.append(f"还有{len(missing)}名考生未录入面试成绩")
    left = repo.count_applications(uow.session, rnd.id, statuses=["shortlisted"])
    if left and not missing:
        problems.append(f"还有{left}名考生尚未排名（尚未排名，或有岗位末位同分待研究确定）")
    return problems


rounds.precondition("physical_exam")(ranking_problems)
rounds.precondition("investigation")(ranking_problems)
