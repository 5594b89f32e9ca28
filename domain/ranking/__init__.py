"""Scoring and ranking of a recruitment round (pure logic, Decimal arithmetic):

rules      ScoringRules, Candidate, round_score, total_score, the Rounding/TieBreak/VacancyRefill enums
shortlist  shortlist_for_interview: written pass line, 1:N by written score, ties at the cut-off
order      rank_post / rank_round: total, tie-break chain, unresolved ties for a person to decide
followup   select_followup (1:N to physical exam and investigation), next_refill (递补), opening_check
"""

from domain.ranking.followup import PostShortfall, next_refill, opening_check, select_followup
from domain.ranking.order import (
    RankedEntry,
    UnresolvedTie,
    interview_exclusion,
    interview_exclusions,
    rank_post,
    rank_round,
)
from domain.ranking.rules import (
    Candidate,
    Rounding,
    ScoringRules,
    TieBreak,
    VacancyRefill,
    capped_bonus,
    round_score,
    total_score,
    weighted_total,
)
from domain.ranking.shortlist import Exclusion, Shortlist, shortlist_for_interview

__all__ = [
    "Candidate",
    "Exclusion",
    "PostShortfall",
    "RankedEntry",
    "Rounding",
    "ScoringRules",
    "Shortlist",
    "TieBreak",
    "UnresolvedTie",
    "VacancyRefill",
    "capped_bonus",
    "interview_exclusion",
    "interview_exclusions",
    "next_refill",
    "opening_check",
    "rank_post",
    "rank_round",
    "round_score",
    "select_followup",
    "shortlist_for_interview",
    "total_score",
    "weighted_total",
]
