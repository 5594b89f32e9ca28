"""A post's ranking after the interview: total score, then the tie-break chain, then — when every rule is
exhausted — an unresolved tie that a person decides (and may record with `manual_order`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import InvalidInput, ShegongError
from domain.ranking.rules import (
    ZERO,
    Candidate,
    ScoringRules,
    TieBreak,
    _plain,
    capped_bonus,
    round_score,
    weighted_total,
)
from domain.ranking.shortlist import Exclusion, one_post


class UnresolvedTie(ShegongError):
    """Candidates equal on the total and on every tie-break compete for the same place: a person decides."""

    status = 409
    code = "unresolved_tie"


@dataclass(frozen=True, slots=True)
class RankedEntry:
    """One place in a post's ranking. `decided_by` is the tie-break that put this entry ahead of the next
    one (None when their totals differ); `unresolved_tie` marks entries equal with a neighbour on the total
    and every tie-break (they share a rank); `by_decision` marks an order within such a tie set by a
    person (`manual_order`)."""

    application_id: int
    post_id: int
    rank: int
    total: Decimal
    written: Decimal | None  # as published (rounded)
    interview: Decimal
    bonus: Decimal  # after the cap
    decided_by: TieBreak | None = None
    unresolved_tie: bool = False
    by_decision: bool = False

    @property
    def note(self) -> str:
        if self.decided_by is not None:
            return f"总成绩相同，{self.decided_by.label}"
        if self.by_decision:
            return "总成绩及各项排序条件均相同，经研究确定"
        if self.unresolved_tie:
            return "总成绩及各项排序条件均相同，须研究确定"
        return ""


_MISSING_LABEL = {TieBreak.EDUCATION: "学历", TieBreak.LATER_BIRTH_DATE: "出生日期"}


def interview_exclusion(c: Candidate, rules: ScoringRules) -> Exclusion | None:
    """Why an interviewed application takes no place in the ranking, or None."""
    if c.withdrawn:
        return Exclusion(c.application_id, "withdrawn", "本人放弃")
    if c.disqualified:
        return Exclusion(c.application_id, "disqualified", "违纪或资格不符，成绩无效")
    if c.written is None and rules.written_percent:
        return Exclusion(c.application_id, "written_absent", "笔试缺考")
    if c.interview is None:
        return Exclusion(c.application_id, "interview_absent", "面试缺考")
    score = round_score(c.interview, rules.interview_decimals, rules.rounding)
    if rules.interview_pass_line is not None and score < rules.interview_pass_line:
        return Exclusion(
            c.application_id,
            "below_interview_pass_line",
            f"面试成绩{_plain(score)}分，低于面试合格分数线{_plain(rules.interview_pass_line)}分",
        )
    return None


def interview_exclusions(candidates: Iterable[Candidate], rules: ScoringRules) -> list[Exclusion]:
    return [x for c in candidates if (x := interview_exclusion(c, rules)) is not None]


def _tie_value(
    c: Candidate, written: Decimal | None, interview: Decimal, tb: TieBreak
) -> Decimal | int | None:
    """The candidate's value for a tie-break, larger is better; None when the data is missing."""
    if tb is TieBreak.WRITTEN_SCORE:
        return written
    if tb is TieBreak.INTERVIEW_SCORE:
        return interview
    if tb is TieBreak.EDUCATION:
        return c.education_rank
    if tb is TieBreak.LATER_BIRTH_DATE:
        return None if c.birth_date is None else c.birth_date.toordinal()
    return 1 if c.priority else 0  # PRIORITY_GROUP


def rank_post(
    candidates: Sequence[Candidate], rules: ScoringRules, *, manual_order: Sequence[int] = ()
) -> list[RankedEntry]:
    """The ranking of one post among its interviewed candidates meeting the interview pass line (see
    `interview_exclusions` for the others): total score descending, then `rules.tie_breaks` in order.
    Ranks are 1-based and equal only for an unresolved tie (competition ranking: 1, 2, 2, 4).
    `manual_order` lists application ids in the order a person decided for unresolved ties.
    Raises InvalidInput when a tie-break that is reached needs education or a birth date that one
    of the tied candidates lacks."""
    _, items = one_post(candidates)
    chain = rules.tie_breaks
    decided = {app: k for k, app in enumerate(manual_order)}
    rows = []
    for c in items:
        if (
            c.withdrawn
            or c.disqualified
            or c.interview is None
            or (c.written is None and rules.written_percent)
        ):
            continue
        i = round_score(c.interview, rules.interview_decimals, rules.rounding)
        if rules.interview_pass_line is not None and i < rules.interview_pass_line:
            continue  # the same conditions as interview_exclusion, without rounding twice
        w = None if c.written is None else round_score(c.written, rules.written_decimals, rules.rounding)
        b = capped_bonus(c.bonus, rules)
        total = weighted_total(ZERO if w is None else w, i, b, rules)
        values = [_tie_value(c, w, i, tb) for tb in chain]
        key = (
            -total,
            *[(1, 0) if v is None else (0, -v) for v in values],
            decided.get(c.application_id, len(decided)),
            c.application_id,
        )
        rows.append((key, c, w, i, b, total, values))
    rows.sort(key=lambda r: r[0])

    entries: list[RankedEntry] = []
    rank = 1
    prev_tied = False
    for k, (_, c, w, i, b, total, values) in enumerate(rows):
        decided_by: TieBreak | None = None
        tied_next = by_decision = False
        if k + 1 < len(rows) and rows[k + 1][5] == total:
            nxt = rows[k + 1]
            for tb, va, vb in zip(chain, values, nxt[6], strict=True):
                if va == vb:
                    continue
                if va is None or vb is None:
                    raise InvalidInput(
                        f"报名{c.application_id}与报名{nxt[1].application_id}总成绩相同，须按"
                        f"{tb.label}排序，但缺少{_MISSING_LABEL.get(tb, tb.label)}信息",
                        code="tie_break_data_missing",
                        details={"application_ids": [c.application_id, nxt[1].application_id]},
                    )
                decided_by = tb
                break
            else:
                if c.application_id in decided and nxt[1].application_id in decided:
                    by_decision = True
                else:
                    tied_next = True
        entries.append(
            RankedEntry(
                application_id=c.application_id,
                post_id=c.post_id,
                rank=rank if prev_tied else k + 1,
                total=total,
                written=w,
                interview=i,
                bonus=b,
                decided_by=decided_by,
                unresolved_tie=tied_next or prev_tied,
                by_decision=by_decision,
            )
        )
        rank = entries[-1].rank
        prev_tied = tied_next
    return entries


def rank_round(
    candidates: Iterable[Candidate], rules: ScoringRules, *, manual_order: Sequence[int] = ()
) -> dict[int, list[RankedEntry]]:
    """`rank_post` for every post of a round at once: post id -> its ranking."""
    by_post: dict[int, list[Candidate]] = defaultdict(list)
    for c in candidates:
        by_post[c.post_id].append(c)
    return {post: rank_post(cs, rules, manual_order=manual_order) for post, cs in by_post.items()}
