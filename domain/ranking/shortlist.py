"""Who of one post's applicants goes to the interview: written pass line, then the top posts × ratio by
written score, with everyone tied at the cut-off score when the rules admit ties."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import InvalidInput
from domain.ranking.rules import Candidate, ScoringRules, _plain, round_score


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Why an application does not go on: a stable code for programs and a Chinese reason for people."""

    application_id: int
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Shortlist:
    """The interview list of one post. `admitted` is in written-score order (best first); `tied_in` are
    the admitted beyond posts × ratio because their score equals the cut-off. `undecided` is only set
    when ties are not admitted and the tie straddles the quota: those candidates share the remaining
    `open_places` and a person decides (they are neither admitted nor excluded)."""

    post_id: int | None  # None: no candidates at all
    posts: int
    quota: int  # posts × ratio
    admitted: tuple[int, ...]
    cutoff: Decimal | None  # lowest written score admitted (入围分数线); None when nobody is
    tied_in: tuple[int, ...]
    excluded: tuple[Exclusion, ...]
    undecided: tuple[int, ...] = ()
    open_places: int = 0

    @property
    def short_of_ratio(self) -> bool:
        """Fewer eligible candidates than posts × ratio (all of them go to the interview)."""
        return len(self.admitted) + len(self.undecided) < self.quota


def one_post(candidates: Iterable[Candidate]) -> tuple[int | None, list[Candidate]]:
    """The candidates as a list, checked to be of one post and without duplicate applications."""
    items = list(candidates)
    posts = {c.post_id for c in items}
    if len(posts) > 1:
        raise InvalidInput(f"一次只能处理一个岗位的考生，收到岗位{sorted(posts)}", code="mixed_posts")
    ids = [c.application_id for c in items]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise InvalidInput(f"报名记录重复：{dup}", code="duplicate_application")
    return (posts.pop() if posts else None), items


def shortlist_for_interview(candidates: Sequence[Candidate], posts: int, rules: ScoringRules) -> Shortlist:
    """The interview shortlist of one post with `posts` places. Withdrawn, disqualified, absent (score
    None) and — when the rules say so — zero written scores are excluded first, then those below the
    written pass line; the rest are ordered by written score (rounded to its decimals, as published)."""
    if posts < 1:
        raise InvalidInput(f"招聘岗位数须至少为1，收到{posts}", code="invalid_posts")
    post_id, items = one_post(candidates)
    quota = posts * rules.interview_ratio
    excluded: list[Exclusion] = []
    eligible: list[tuple[Decimal, int]] = []
    for c in items:
        x = _written_exclusion(c, rules)
        if x is not None:
            excluded.append(x)
            continue
        assert c.written is not None
        eligible.append((round_score(c.written, rules.written_decimals, rules.rounding), c.application_id))
    eligible.sort(key=lambda e: (-e[0], e[1]))

    undecided: tuple[int, ...] = ()
    open_places = 0
    if len(eligible) <= quota:
        admitted = eligible
        tied_in: list[int] = []
    else:
        cutoff = eligible[quota - 1][0]
        if rules.admit_ties_at_cutoff:
            end = quota
            while end < len(eligible) and eligible[end][0] == cutoff:
                end += 1
            admitted, tied_in = eligible[:end], [i for _, i in eligible[quota:end]]
        elif eligible[quota][0] == cutoff:  # the tie straddles the quota: a person decides
            first = next(k for k, e in enumerate(eligible) if e[0] == cutoff)
            admitted, tied_in = eligible[:first], []
            group = [i for s, i in eligible if s == cutoff]
            undecided, open_places = tuple(group), quota - first
        else:
            admitted, tied_in = eligible[:quota], []
        admitted_ids = {i for _, i in admitted} | set(undecided)
        line = _plain(admitted[-1][0]) if admitted else _plain(cutoff)
        excluded += [
            Exclusion(
                i,
                "beyond_interview_ratio",
                f"笔试成绩{_plain(s)}分，未进入岗位1:{rules.interview_ratio}面试范围（入围分数线{line}分）",
            )
            for s, i in eligible
            if i not in admitted_ids
        ]
    return Shortlist(
        post_id=post_id,
        posts=posts,
        quota=quota,
        admitted=tuple(i for _, i in admitted),
        cutoff=admitted[-1][0] if admitted else None,
        tied_in=tuple(tied_in),
        excluded=tuple(sorted(excluded, key=lambda x: x.application_id)),
        undecided=undecided,
        open_places=open_places,
    )


def _written_exclusion(c: Candidate, rules: ScoringRules) -> Exclusion | None:
    if c.withdrawn:
        return Exclusion(c.application_id, "withdrawn", "本人放弃")
    if c.disqualified:
        return Exclusion(c.application_id, "disqualified", "违纪或资格不符，成绩无效")
    if c.written is None:
        return Exclusion(c.application_id, "written_absent", "笔试缺考")
    score = round_score(c.written, rules.written_decimals, rules.rounding)
    if rules.zero_written_excluded and score == 0:
        return Exclusion(c.application_id, "written_zero", "笔试成绩为零分，不得进入面试")
    if rules.written_pass_line is not None and score < rules.written_pass_line:
        return Exclusion(
            c.application_id,
            "below_written_pass_line",
            f"笔试成绩{_plain(score)}分，低于笔试合格分数线{_plain(rules.written_pass_line)}分",
        )
    return None
