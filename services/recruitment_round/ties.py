"""Ties a person decides (研究确定): at the interview cut-off when the announcement does not admit every tied
candidate, at the last place of the follow-up when the total and every tie-break are equal, and within
the reserve (递补 order). `unresolved_ties` lists them; `resolve_tie` records the decided order with its
opinion (audited on the post) and carries the post's step through."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from db.models.recruitment_round import RecruitmentRound, RoundPost
from db.repos import recruitment_round as repo
from db.repos import round_exams as exam_repo
from domain.actor import Actor
from domain.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from services import audit
from services.recruitment_round import exams, ranking, rounds
from services.recruitment_round.registration import CASE
from services.recruitment_round.scoring import RANK_COLUMNS, articles_of, rules_of
from services.uow import UnitOfWork
from states.round_post import RoundPostMachine

DECIDED_NOTE = "总成绩及各项排序条件均相同，经研究确定"
_RANKED = ("selected", "reserve")


@dataclass(frozen=True)
class TieReport:
    """Candidates a person must order. `blocking`: the post's step cannot go on until decided."""

    post_id: int
    post_code: str
    stage: str  # shortlist | ranking | reserve
    application_ids: tuple[int, ...]
    places: int  # how many of them the step can take (shortlist: open places; ranking: the tie's size)
    blocking: bool


def unresolved_ties(uow: UnitOfWork, actor: Actor, round_id: int) -> list[TieReport]:
    rnd = rounds.load_visible(uow, actor, round_id)
    posts = {p.id: p for p in repo.posts_of(uow.session, rnd.id)}
    rules = rules_of(rnd)
    out: list[TieReport] = []
    if rnd.status == "written_exam":
        for post_id, rows in _by_post(uow, rnd, "qualified").items():
            if not any(r.written_score is None and not r.written_absent for r in rows):
                sl = exams.post_shortlist(posts[post_id], rows, rules)
                if sl.undecided:
                    out.append(TieReport(post_id, posts[post_id].code, "shortlist", sl.undecided,
                                         sl.open_places, True))  # fmt: skip
    if rnd.status == "interview":
        for post_id, rows in _by_post(uow, rnd, "shortlisted").items():
            if not any(r.interview_score is None and not r.interview_absent for r in rows):
                tied = ranking.rank_one_post(posts[post_id], rows, rules).tied
                if tied:
                    out.append(
                        TieReport(post_id, posts[post_id].code, "ranking", tuple(tied), len(tied), True)
                    )
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for r in exam_repo.round_rows(uow.session, rnd.id, _RANKED, ["rank", "rank_note"]):
        if r.rank_note == ranking.UNRESOLVED_NOTE and r.rank is not None:
            groups[(r.post_id, r.rank)].append(r.id)
    for (post_id, _), ids in sorted(groups.items()):
        out.append(TieReport(post_id, posts[post_id].code, "reserve", tuple(ids), len(ids), False))
    return out


def _by_post(uow: UnitOfWork, rnd: RecruitmentRound, state: str) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for r in exam_repo.round_rows(uow.session, rnd.id, [state], RANK_COLUMNS):
        out[r.post_id].append(r)
    return out


def resolve_tie(
    uow: UnitOfWork, actor: Actor, round_id: int, post_id: int, ordered_app_ids: Sequence[int], opinion: str
) -> None:
    """Record the order a person decided for one tie (every tied application, best first) and carry the
    post on: the shortlist or the ranking of that post is applied, or the reserve order is fixed."""
    text = (opinion or "").strip()
    if not text:
        raise InvalidInput("请填写研究确定的意见", code="reason_required", details={"field": "opinion"})
    rnd = rounds.load_visible(uow, actor, round_id, for_update=True)
    rounds.require_officer(actor, rnd)
    post = repo.post(uow.session, post_id)
    if post is None or post.round_id != rnd.id:
        raise NotFound(f"岗位 {post_id} 不存在", code="post_not_found")
    order = [int(i) for i in ordered_app_ids]
    if len(set(order)) != len(order) or len(order) < 2:
        raise InvalidInput("请按先后顺序列出全部同分人员，每人一次", code="tie_order_invalid")
    if set(order) & repo.recused_applications(uow.session, rnd.id, actor.user_id):
        raise PermissionDenied("您与同分人员中的考生有亲属关系，应当回避，不能参与研究确定",
                               code="recused", details={"article": "事业单位公开招聘人员暂行规定 art. 27"})  # fmt: skip
    if rnd.status == "written_exam":
        stage = _decide_shortlist(uow, actor, rnd, post, order, text)
    elif rnd.status == "interview" and exam_repo.post_rows(uow.session, post.id, ["shortlisted"], []):
        stage = _decide_ranking(uow, actor, rnd, post, order, text)
    else:
        stage = _decide_reserve(uow, actor, rnd, post, order, text)
    audit.record(uow.session, uow.now, actor=actor, subject_type=RoundPostMachine.procedure, subject_id=post.id,
                 action="resolve_tie", from_state=post.status, to_state=post.status, opinion=text,
                 article=articles_of(rnd, "tie_breaks", "admit_ties_at_cutoff"),
                 data={"stage": stage, "order": order})  # fmt: skip


def _mismatch(expected: Sequence[int]) -> InvalidInput:
    return InvalidInput(
        f"所列人员与待研究确定的同分人员不一致（应为报名{sorted(expected)}）",
        code="tie_set_mismatch",
        details={"expected": sorted(expected)},
    )


def _decide_shortlist(
    uow: UnitOfWork, actor: Actor, rnd: RecruitmentRound, post: RoundPost, order: list[int], text: str
) -> str:
    rows = exam_repo.post_rows(uow.session, post.id, ["qualified"], RANK_COLUMNS)
    if any(r.written_score is None and not r.written_absent for r in rows):
        raise RuleViolation("该岗位还有考生未录入笔试成绩", code="scores_missing", article="IM art. 8")
    sl = exams.post_shortlist(post, rows, rules_of(rnd))
    if not sl.undecided:
        raise RuleViolation("该岗位没有待研究确定的同分人员", code="no_tie", article="IM art. 8")
    if set(order) != set(sl.undecided):
        raise _mismatch(sl.undecided)
    admitted, excluded = exams.split_shortlist(sl, post, order, text)
    summary = {"post": post.code, "shortlisted": len(admitted), "eliminated": len(excluded), "decided": order}
    exams.apply_shortlist(uow, actor, rnd, admitted, excluded, summary)
    return "shortlist"


def _decide_ranking(
    uow: UnitOfWork, actor: Actor, rnd: RecruitmentRound, post: RoundPost, order: list[int], text: str
) -> str:
    rows = exam_repo.post_rows(uow.session, post.id, ["shortlisted"], RANK_COLUMNS)
    if any(r.interview_score is None and not r.interview_absent for r in rows):
        raise RuleViolation("该岗位还有考生未录入面试成绩", code="scores_missing", article="IM art. 8")
    rules = rules_of(rnd)
    tied = ranking.rank_one_post(post, rows, rules).tied
    if not tied:
        raise RuleViolation("该岗位没有待研究确定的同分人员，请直接排名", code="no_tie", article="IM art. 8")
    if set(order) != set(tied):
        raise _mismatch(tied)
    decided = ranking.rank_one_post(post, rows, rules, manual_order=order)
    ranking.apply_ranking(uow, actor, rnd, [decided], opinion=f"{DECIDED_NOTE}：{text}"[:500])
    return "ranking"


def _decide_reserve(
    uow: UnitOfWork, actor: Actor, rnd: RecruitmentRound, post: RoundPost, order: list[int], text: str
) -> str:
    rows = exam_repo.post_rows(uow.session, post.id, _RANKED, ["rank", "rank_note"])
    chosen = [r for r in rows if r.id in set(order)]
    ranks = {r.rank for r in chosen}
    if len(chosen) != len(order) or len(ranks) != 1 or None in ranks:
        raise RuleViolation("所列人员不是同一名次的同分人员", code="no_tie", article="IM art. 8")
    rank = ranks.pop()
    group = [r.id for r in rows if r.rank == rank and r.rank_note == ranking.UNRESOLVED_NOTE]
    if set(group) != set(order):
        raise _mismatch(group) if group else RuleViolation("该名次没有待研究确定的同分人员", code="no_tie")
    items = [{"id": i, "rank": rank + k, "rank_note": DECIDED_NOTE} for k, i in enumerate(order)]
    repo.update_many(uow.session, items, now=uow.now)
    repo.expire_applications(uow.session)
    state = {r.id: r.status for r in chosen}
    audit.record_many(uow.session, uow.now, [
        audit.AuditDraft(actor=actor, subject_type=CASE, subject_id=it["id"], action="resolve_tie",
                         from_state=state[it["id"]], to_state=state[it["id"]], opinion=text,
                         article=articles_of(rnd, "tie_breaks"), data={"rank": it["rank"]})
        for it in items
    ])  # fmt: skip
    return "reserve"
