"""Scoring and ranking of a recruitment round (domain/ranking): rounding, weights, interview shortlist with
ties at the cut-off, tie-break chain, follow-up selection, 递补, opening ratio."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from domain.errors import InvalidInput
from domain.ranking import (
    Candidate,
    RankedEntry,
    Rounding,
    ScoringRules,
    TieBreak,
    UnresolvedTie,
    VacancyRefill,
    interview_exclusions,
    next_refill,
    opening_check,
    rank_post,
    rank_round,
    round_score,
    select_followup,
    shortlist_for_interview,
    total_score,
)
from policies import load_catalog

RULES = ScoringRules(
    written_percent=50,
    interview_percent=50,
    written_decimals=1,
    interview_decimals=1,
    total_decimals=2,
    rounding=Rounding.HALF_UP,
    written_pass_line=None,
    interview_pass_line=D(60),
    interview_ratio=3,
    admit_ties_at_cutoff=True,
    tie_breaks=(TieBreak.WRITTEN_SCORE, TieBreak.INTERVIEW_SCORE),
    followup_ratio=1,
    bonus_cap=D(5),
    refill=VacancyRefill.NEXT_IN_RANKING,
)


def cand(app: int, written: str | None, interview: str | None = None, **kw: object) -> Candidate:
    return Candidate(
        application_id=app,
        post_id=kw.pop("post_id", 1),  # type: ignore[arg-type]
        written=None if written is None else D(written),
        interview=None if interview is None else D(interview),
        **kw,  # type: ignore[arg-type]
    )


# --- rounding and totals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "mode", "expected"),
    [
        ("79.45", 1, Rounding.HALF_UP, "79.5"),
        ("79.45", 1, Rounding.HALF_EVEN, "79.4"),
        ("79.55", 1, Rounding.HALF_EVEN, "79.6"),
        ("79.45", 1, Rounding.DOWN, "79.4"),
        ("40.125", 2, Rounding.HALF_UP, "40.13"),
        ("40.125", 2, Rounding.HALF_EVEN, "40.12"),
        ("59.95", 1, Rounding.HALF_UP, "60.0"),
        ("0.05", 1, Rounding.HALF_UP, "0.1"),
        ("88", 2, Rounding.HALF_UP, "88.00"),
    ],
)
def test_round_score_at_x5_boundaries(value: str, decimals: int, mode: Rounding, expected: str) -> None:
    assert str(round_score(D(value), decimals, mode)) == expected


def test_float_is_refused() -> None:
    with pytest.raises(InvalidInput) as e:
        round_score(79.45, 1)  # type: ignore[arg-type]
    assert e.value.code == "invalid_score"
    assert "浮点数" in e.value.message


def test_total_weights_50_50_and_40_60() -> None:
    assert total_score(D("80.5"), D("79.5"), 0, RULES) == D("80.00")
    assert total_score(D("81.3"), D("77.7"), 0, RULES) == D("79.50")
    r4060 = replace(RULES, written_percent=40, interview_percent=60)
    assert total_score(D("81.3"), D("77.7"), 0, r4060) == D("79.14")  # 32.52 + 46.62
    assert total_score(D("70"), D("90"), 0, r4060) == D("82.00")


def test_components_rounded_first_then_total() -> None:
    # written 80.25 -> 80.3 (1 decimal) first: 80.3×0.5 + 70×0.5 = 75.15, not 75.125 -> 75.13
    assert total_score(D("80.25"), D("70"), 0, RULES) == D("75.15")
    # with 2-decimal components the total's own rounding shows: 80.25×0.5 + 70×0.5 = 75.125
    two = replace(RULES, written_decimals=2, interview_decimals=2)
    assert total_score(D("80.25"), D("70"), 0, two) == D("75.13")
    assert total_score(D("80.25"), D("70"), 0, replace(two, rounding=Rounding.HALF_EVEN)) == D("75.12")
    assert total_score(D("80.25"), D("70"), 0, replace(two, rounding=Rounding.DOWN)) == D("75.12")


def test_bonus_capped() -> None:
    assert total_score(D("80"), D("80"), D("3"), RULES) == D("83.00")
    assert total_score(D("80"), D("80"), D("8"), RULES) == D("85.00")
    assert total_score(D("80"), D("80"), D("8"), replace(RULES, bonus_cap=None)) == D("88.00")
    with pytest.raises(InvalidInput):
        total_score(D("80"), D("80"), D("-1"), RULES)


def test_rules_validated_and_described() -> None:
    with pytest.raises(InvalidInput) as e:
        replace(RULES, written_percent=60)
    assert e.value.code == "invalid_scoring_rules"
    text = RULES.describe()
    assert "笔试成绩×50%+面试成绩×50%+加分(最高5分)" in text
    assert "均四舍五入（先将笔试、面试成绩分别四舍五入至规定位数，再按权重计算总成绩并四舍五入）" in text
    assert "末位笔试成绩相同者一并进入面试" in text
    assert "依次按笔试成绩高者优先、面试成绩高者优先排序" in text
    assert "银行家舍入" in replace(RULES, rounding=Rounding.HALF_EVEN).describe()


def test_rules_from_the_national_profile() -> None:
    """The enums moved to domain; the profile's exam rules load through the re-export and map onto
    ScoringRules field by field (what the service wiring does)."""
    exam = load_catalog().resolve(["national"], date(2025, 6, 1)).recruitment.exam
    rules = ScoringRules(
        written_percent=exam.weights.value.written_percent,
        interview_percent=exam.weights.value.interview_percent,
        written_decimals=exam.decimals.value.written,
        interview_decimals=exam.decimals.value.interview,
        total_decimals=exam.decimals.value.total,
        rounding=exam.rounding.value,
        written_pass_line=None,
        interview_pass_line=D(exam.interview_pass_line.value),
        interview_ratio=exam.interview_ratio.value,
        admit_ties_at_cutoff=exam.admit_ties_at_cutoff.value,
        tie_breaks=tuple(exam.tie_breaks.value),
        followup_ratio=exam.followup_ratio.value,
        bonus_cap=D(exam.bonus_cap.value),
        refill=exam.vacancy_refill.value,
    )
    assert rules == RULES


# --- interview shortlist -------------------------------------------------------------------------------


def test_ties_at_cutoff_admitted() -> None:
    scores = ["90", "85", "80", "80", "80", "70"]
    cs = [cand(k + 1, s) for k, s in enumerate(scores)]
    sl = shortlist_for_interview(cs, posts=1, rules=RULES)
    assert sl.admitted == (1, 2, 3, 4, 5)
    assert sl.cutoff == D("80.0")
    assert sl.tied_in == (4, 5)
    assert [(x.application_id, x.code) for x in sl.excluded] == [(6, "beyond_interview_ratio")]
    assert "入围分数线80分" in sl.excluded[0].reason
    assert not sl.short_of_ratio


def test_ties_compared_on_rounded_scores() -> None:
    cs = [cand(1, "90"), cand(2, "85"), cand(3, "79.95"), cand(4, "80.04"), cand(5, "79.94")]
    sl = shortlist_for_interview(cs, posts=1, rules=RULES)
    assert sl.admitted == (1, 2, 3, 4)  # 79.95 and 80.04 both publish as 80.0
    assert sl.tied_in == (4,)


def test_ties_not_admitted_leaves_the_tie_to_a_person() -> None:
    cs = [cand(1, "90"), cand(2, "80"), cand(3, "80"), cand(4, "80"), cand(5, "70")]
    sl = shortlist_for_interview(cs, posts=1, rules=replace(RULES, admit_ties_at_cutoff=False))
    assert sl.admitted == (1,)
    assert sl.undecided == (2, 3, 4) and sl.open_places == 2
    assert [x.application_id for x in sl.excluded] == [5]
    plain = shortlist_for_interview(
        cs[:3] + cs[4:], posts=1, rules=replace(RULES, admit_ties_at_cutoff=False)
    )
    assert plain.admitted == (1, 2, 3) and plain.undecided == ()


def test_fewer_candidates_than_ratio() -> None:
    sl = shortlist_for_interview([cand(1, "50"), cand(2, "65")], posts=2, rules=RULES)
    assert sl.admitted == (2, 1) and sl.quota == 6
    assert sl.cutoff == D("50.0") and sl.tied_in == () and sl.excluded == ()
    assert sl.short_of_ratio
    empty = shortlist_for_interview([], posts=1, rules=RULES)
    assert empty.admitted == () and empty.cutoff is None and empty.post_id is None


def test_pass_line_absent_zero_withdrawn_excluded() -> None:
    rules = replace(RULES, written_pass_line=D(60))
    cs = [
        cand(1, "75"),
        cand(2, "59.96"),  # publishes as 60.0: passes
        cand(3, "59.94"),
        cand(4, None),
        cand(5, "0"),
        cand(6, "88", withdrawn=True),
        cand(7, "91", disqualified=True),
    ]
    sl = shortlist_for_interview(cs, posts=1, rules=rules)
    assert sl.admitted == (1, 2)
    codes = {x.application_id: x.code for x in sl.excluded}
    assert codes == {
        3: "below_written_pass_line",
        4: "written_absent",
        5: "written_zero",
        6: "withdrawn",
        7: "disqualified",
    }
    assert "低于笔试合格分数线60分" in next(x.reason for x in sl.excluded if x.application_id == 3)


def test_shortlist_refuses_mixed_posts_and_duplicates() -> None:
    with pytest.raises(InvalidInput) as e:
        shortlist_for_interview([cand(1, "80"), cand(2, "80", post_id=2)], 1, RULES)
    assert e.value.code == "mixed_posts"
    with pytest.raises(InvalidInput) as e:
        shortlist_for_interview([cand(1, "80"), cand(1, "70")], 1, RULES)
    assert e.value.code == "duplicate_application"


# --- ranking and tie-breaks ----------------------------------------------------------------------------


def test_rank_by_total_with_pass_line_and_absence() -> None:
    cs = [
        cand(1, "80", "70"),  # 75.00
        cand(2, "70", "90"),  # 80.00
        cand(3, "95", "59.9"),  # below the interview pass line
        cand(4, "90", None),  # absent from the interview
        cand(5, "60", "88", bonus=D(2)),  # 74.00 + 2
    ]
    ranking = rank_post(cs, RULES)
    assert [(e.application_id, e.rank, str(e.total)) for e in ranking] == [
        (2, 1, "80.00"),
        (5, 2, "76.00"),
        (1, 3, "75.00"),
    ]
    assert all(e.decided_by is None and not e.unresolved_tie and e.note == "" for e in ranking)
    assert {x.application_id: x.code for x in interview_exclusions(cs, RULES)} == {
        3: "below_interview_pass_line",
        4: "interview_absent",
    }


CHAIN = (
    TieBreak.WRITTEN_SCORE,
    TieBreak.INTERVIEW_SCORE,
    TieBreak.EDUCATION,
    TieBreak.LATER_BIRTH_DATE,
    TieBreak.PRIORITY_GROUP,
)
FULL = replace(RULES, tie_breaks=CHAIN, written_percent=40, interview_percent=60)


def _same(app: int, **kw: object) -> Candidate:
    base: dict[str, object] = {"education_rank": 2, "birth_date": date(1995, 5, 1)}
    base.update(kw)
    return cand(app, "80", "80", **base)


@pytest.mark.parametrize(
    ("a", "b", "step"),
    [
        # total equal (80×0.4 + 80×0.6 = 83×0.4 + 78×0.6 = 80.00), written score higher
        (cand(1, "83", "78"), cand(2, "80", "80"), TieBreak.WRITTEN_SCORE),
        (_same(1, education_rank=3), _same(2), TieBreak.EDUCATION),
        (_same(1, birth_date=date(1996, 1, 1)), _same(2), TieBreak.LATER_BIRTH_DATE),
        (_same(1, priority=("veteran",)), _same(2), TieBreak.PRIORITY_GROUP),
    ],
)
def test_tie_break_chain_each_step(a: Candidate, b: Candidate, step: TieBreak) -> None:
    for order in ([a, b], [b, a]):
        ranking = rank_post(order, FULL)
        assert [e.application_id for e in ranking] == [1, 2]
        assert [e.rank for e in ranking] == [1, 2]
        assert ranking[0].decided_by is step and ranking[1].decided_by is None
        assert ranking[0].total == ranking[1].total
        assert not any(e.unresolved_tie for e in ranking)


def test_interview_score_step_and_display_note() -> None:
    # written equal: interview decides; with weights 50/50 equal totals need equal sums
    a, b = cand(1, "80", "80", bonus=D(1)), cand(2, "80", "79", bonus=D("1.5"))
    ranking = rank_post([b, a], RULES)
    assert ranking[0].total == ranking[1].total == D("81.00")
    assert ranking[0].application_id == 1 and ranking[0].decided_by is TieBreak.INTERVIEW_SCORE
    assert ranking[0].note == "总成绩相同，面试成绩高者优先"
    w = rank_post([cand(1, "81", "79"), cand(2, "80", "80")], RULES)
    assert w[0].application_id == 1 and w[0].note == "总成绩相同，笔试成绩高者优先"


def test_unresolved_tie_shares_a_rank_and_a_person_decides() -> None:
    cs = [cand(1, "90", "90"), _same(2), _same(3), _same(4), cand(5, "70", "70")]
    ranking = rank_post(cs, FULL)
    assert [(e.application_id, e.rank, e.unresolved_tie) for e in ranking] == [
        (1, 1, False),
        (2, 2, True),
        (3, 2, True),
        (4, 2, True),
        (5, 5, False),
    ]
    assert ranking[1].note == "总成绩及各项排序条件均相同，须研究确定"
    with pytest.raises(UnresolvedTie) as e:
        select_followup(ranking, posts=2, followup_ratio=1)
    assert e.value.details["application_ids"] == [2, 3, 4]
    decided = rank_post(cs, FULL, manual_order=[4, 2, 3])
    assert [(e.application_id, e.rank) for e in decided] == [(1, 1), (4, 2), (2, 3), (3, 4), (5, 5)]
    assert decided[1].by_decision and decided[1].note == "总成绩及各项排序条件均相同，经研究确定"
    assert select_followup(decided, posts=2, followup_ratio=1) == ((1, 4), (2, 3, 5))


def test_priority_flag_decides_a_remaining_tie_only() -> None:
    # the priority flag comes last in the chain: a better written score still wins
    rules = replace(RULES, tie_breaks=(TieBreak.WRITTEN_SCORE, TieBreak.PRIORITY_GROUP))
    ranking = rank_post([cand(1, "80", "80", priority=("veteran",)), cand(2, "82", "78")], rules)
    assert [e.application_id for e in ranking] == [2, 1]
    ranking = rank_post([cand(1, "80", "80"), cand(2, "80", "80", priority=("martyr_family",))], rules)
    assert [e.application_id for e in ranking] == [2, 1]
    assert ranking[0].note == "总成绩相同，符合优先条件者优先"


def test_missing_tie_break_data_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput) as e:
        rank_post([_same(1), _same(2, birth_date=None)], FULL)
    assert e.value.code == "tie_break_data_missing" and "出生日期" in e.value.message
    # missing data that no tie reaches is fine
    assert len(rank_post([cand(1, "90", "90"), cand(2, "80", "80")], FULL)) == 2


def test_rank_round_groups_by_post() -> None:
    cs = [cand(1, "80", "80", post_id=7), cand(2, "90", "90", post_id=8), cand(3, "85", "85", post_id=7)]
    by_post = rank_round(cs, RULES)
    assert [e.application_id for e in by_post[7]] == [3, 1]
    assert [e.application_id for e in by_post[8]] == [2]


# --- follow-up, refill, opening ratio ------------------------------------------------------------------


def _ranking(n: int) -> list[RankedEntry]:
    return rank_post([cand(k, str(90 - k), str(90 - k)) for k in range(1, n + 1)], RULES)


def test_select_followup_1_to_1_and_reserve() -> None:
    assert select_followup(_ranking(5), posts=2, followup_ratio=1) == ((1, 2), (3, 4, 5))
    assert select_followup(_ranking(5), posts=1, followup_ratio=2) == ((1, 2), (3, 4, 5))
    assert select_followup(_ranking(1), posts=2, followup_ratio=1) == ((1,), ())


def test_refill_skips_selected_failed_and_withdrawn() -> None:
    ranking = _ranking(6)
    selected, _ = select_followup(ranking, posts=2, followup_ratio=1)
    # 2 failed the physical exam; 3 (next) withdrew: 4 fills the place
    used = {*selected, 3}
    assert next_refill(ranking, used, VacancyRefill.NEXT_IN_RANKING) == 4
    assert next_refill(ranking, used | {4, 5}, VacancyRefill.NEXT_IN_RANKING) == 6
    assert next_refill(ranking, set(range(1, 7)), VacancyRefill.NEXT_IN_RANKING) is None
    assert next_refill(ranking, used, VacancyRefill.NONE) is None


def test_refill_refuses_an_unresolved_tie() -> None:
    ranking = rank_post([cand(1, "90", "90"), _same(2), _same(3)], FULL)
    with pytest.raises(UnresolvedTie):
        next_refill(ranking, {1}, VacancyRefill.NEXT_IN_RANKING)
    assert next_refill(ranking, {1, 2}, VacancyRefill.NEXT_IN_RANKING) == 3


def test_opening_ratio_cut_and_cancel() -> None:
    out = opening_check({10: 9, 11: 7, 12: 2, 13: 6}, {10: 3, 11: 3, 12: 1, 13: 2, 14: 1}, opening_ratio=3)
    assert [(s.post_id, s.qualified, s.required, s.allowed_posts, s.action) for s in out] == [
        (11, 7, 9, 2, "cut"),
        (12, 2, 3, 0, "cancel"),
        (14, 0, 3, 0, "cancel"),
    ]
    assert out[0].reason == "资格审查合格7人，未达到3个岗位所需开考比例（需9人），招聘人数由3名核减为2名"
    assert out[1].reason.endswith("取消该岗位")
    with pytest.raises(InvalidInput):
        opening_check({99: 3}, {10: 1}, 3)


def test_ranked_and_excluded_partition_the_candidates() -> None:
    cs = [
        cand(1, "80", "70"),
        cand(2, None, "80"),
        cand(3, "70", None),
        cand(4, "70", "59.94"),
        cand(5, "70", "59.95"),
        cand(6, "70", "90", withdrawn=True),
        cand(7, "70", "90", disqualified=True),
    ]
    ranked = {e.application_id for e in rank_post(cs, RULES)}
    excluded = {x.application_id for x in interview_exclusions(cs, RULES)}
    assert ranked == {1, 5} and not ranked & excluded and ranked | excluded == {c.application_id for c in cs}
