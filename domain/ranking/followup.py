"""After the ranking: who goes on to the physical exam and investigation (1:N per post), who fills a
vacancy (递补), and — before the exam — which posts lack the applicants to open (开考比例)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.ranking.order import RankedEntry, UnresolvedTie
from domain.ranking.rules import VacancyRefill


def select_followup(
    ranking: Sequence[RankedEntry], posts: int, followup_ratio: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(selected, reserve): the first posts × ratio of the ranking go to the physical exam and
    investigation; the rest, in ranking order, are the reserve for 递补. Raises UnresolvedTie when an
    unresolved tie straddles the last place (a person decides first, see rank_post's manual_order)."""
    if posts < 1 or followup_ratio < 1:
        raise InvalidInput("岗位数与体检考察比例须为正整数", code="invalid_posts")
    n = posts * followup_ratio
    if len(ranking) > n and ranking[n - 1].rank == ranking[n].rank:
        tied = [e.application_id for e in ranking if e.rank == ranking[n].rank]
        raise UnresolvedTie(
            f"第{ranking[n].rank}名总成绩及各项排序条件均相同（报名{tied}），须研究确定人选",
            details={"application_ids": tied},
        )
    ids = [e.application_id for e in ranking]
    return tuple(ids[:n]), tuple(ids[n:])


def next_refill(
    ranking: Sequence[RankedEntry], already_used_ids: Collection[int], refill_policy: VacancyRefill
) -> int | None:
    """The next application in the post's ranking that is not among `already_used_ids` (selected,
    failed the physical exam or investigation, withdrawn, already refilled); None when the policy is not
    to refill or the ranking is exhausted. Raises UnresolvedTie when the next place is an unresolved tie."""
    if refill_policy is VacancyRefill.NONE:
        return None
    used = set(already_used_ids)
    rest = [e for e in ranking if e.application_id not in used]
    if not rest:
        return None
    tied = [e.application_id for e in rest if e.rank == rest[0].rank]
    if len(tied) > 1:
        raise UnresolvedTie(
            f"递补人选第{rest[0].rank}名总成绩及各项排序条件均相同（报名{tied}），须研究确定",
            details={"application_ids": tied},
        )
    return rest[0].application_id


@dataclass(frozen=True, slots=True)
class PostShortfall:
    """A post whose qualified applicants are fewer than posts × opening ratio: it may stay open with
    `allowed_posts` places (核减), or is cancelled (取消) when that is 0."""

    post_id: int
    posts: int
    qualified: int
    required: int  # posts × opening ratio
    allowed_posts: int

    @property
    def action(self) -> str:
        return "cancel" if self.allowed_posts == 0 else "cut"

    @property
    def reason(self) -> str:
        head = f"资格审查合格{self.qualified}人，未达到{self.posts}个岗位所需开考比例（需{self.required}人）"
        if self.allowed_posts == 0:
            return f"{head}，取消该岗位"
        return f"{head}，招聘人数由{self.posts}名核减为{self.allowed_posts}名"


def opening_check(
    applicants_per_post: Mapping[int, int], posts_per_post: Mapping[int, int], opening_ratio: int
) -> list[PostShortfall]:
    """Posts below the opening ratio N:1, in the order of `posts_per_post`. A post absent from
    `applicants_per_post` has no qualified applicant. Cutting to floor(qualified / N) keeps N:1."""
    if opening_ratio < 1:
        raise InvalidInput("开考比例须为N:1（N≥1）", code="invalid_opening_ratio")
    unknown = sorted(set(applicants_per_post) - set(posts_per_post))
    if unknown:
        raise InvalidInput(f"报名人数中有未列出招聘人数的岗位：{unknown}", code="unknown_post")
    out = []
    for post_id, posts in posts_per_post.items():
        qualified = applicants_per_post.get(post_id, 0)
        if posts < 1 or qualified < 0:
            raise InvalidInput(f"岗位{post_id}的招聘人数或报名人数有误", code="invalid_posts")
        required = posts * opening_ratio
        if qualified < required:
            out.append(PostShortfall(post_id, posts, qualified, required, qualified // opening_ratio))
    return out
