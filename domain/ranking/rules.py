"""Scoring rules of a recruitment round and the candidate as ranking sees them; score arithmetic.

All arithmetic is Decimal (a float never enters: it would turn 79.45 into 79.4499... and round it down).
The numbers come from the pinned policy profile (recruitment.exam, each with its article) or from the
round's announcement; this module holds none of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain.errors import InvalidInput

HUNDRED = Decimal(100)
ZERO = Decimal(0)


class Rounding(StrEnum):
    HALF_UP = "half_up"  # 四舍五入
    HALF_EVEN = "half_even"
    DOWN = "down"

    @property
    def label(self) -> str:
        return {"half_up": "四舍五入", "half_even": "银行家舍入", "down": "截尾"}[self.value]

    @property
    def decimal_mode(self) -> str:
        return _MODES[self]


_MODES = {Rounding.HALF_UP: ROUND_HALF_UP, Rounding.HALF_EVEN: ROUND_HALF_EVEN, Rounding.DOWN: ROUND_DOWN}
_QUANTA = {d: Decimal(1).scaleb(-d) for d in range(10)}


class TieBreak(StrEnum):
    WRITTEN_SCORE = "written_score"  # 笔试成绩高者优先
    INTERVIEW_SCORE = "interview_score"  # 面试成绩高者优先
    EDUCATION = "education"  # 学历高者优先
    LATER_BIRTH_DATE = "later_birth_date"  # 出生日期晚者(年轻者)优先
    PRIORITY_GROUP = "priority_group"  # IM art. 10: 同等条件下优先

    @property
    def label(self) -> str:
        return {
            "written_score": "笔试成绩高者优先",
            "interview_score": "面试成绩高者优先",
            "education": "学历高者优先",
            "later_birth_date": "年龄小者优先",
            "priority_group": "符合优先条件者优先",
        }[self.value]


class VacancyRefill(StrEnum):
    NEXT_IN_RANKING = "next_in_ranking"  # 按岗位排名依次递补
    NONE = "none"  # 不递补

    @property
    def label(self) -> str:
        return "按排名依次递补" if self is VacancyRefill.NEXT_IN_RANKING else "不递补"


@dataclass(frozen=True, slots=True)
class ScoringRules:
    """How one round scores and ranks. Built from the pinned profile's `recruitment.exam` (or the
    announcement's own figures): weights, decimals, rounding, interview_pass_line, interview_ratio,
    admit_ties_at_cutoff, tie_breaks, followup_ratio, bonus_cap, vacancy_refill. No defaults here:
    every figure is a rule with an article, and lives in the policy file."""

    written_percent: int
    interview_percent: int
    written_decimals: int
    interview_decimals: int
    total_decimals: int
    rounding: Rounding
    written_pass_line: Decimal | None  # None: the announcement sets no written pass line
    interview_pass_line: Decimal | None  # None: none (rare; practice is 60 or 70)
    interview_ratio: int  # 1:N posts to interview candidates
    admit_ties_at_cutoff: bool
    tie_breaks: tuple[TieBreak, ...]
    followup_ratio: int  # physical exam and investigation, 1:N per post
    bonus_cap: Decimal | None  # None: bonus points not capped
    refill: VacancyRefill
    # practice: 缺考、违纪或笔试成绩为零分的不得进入面试 (most announcements say so)
    zero_written_excluded: bool = True

    def __post_init__(self) -> None:
        problems = []
        if self.written_percent < 0 or self.interview_percent < 0:
            problems.append("笔试、面试权重不能为负")
        if self.written_percent + self.interview_percent != 100:
            problems.append(
                f"笔试、面试权重之和须为100%（现为{self.written_percent + self.interview_percent}%）"
            )
        for label, d in (("笔试", self.written_decimals), ("面试", self.interview_decimals)):
            if not 0 <= d <= 4:
                problems.append(f"{label}成绩保留小数位数须在0至4之间")
        if not 0 <= self.total_decimals <= 6:
            problems.append("总成绩保留小数位数须在0至6之间")
        if self.interview_ratio < 1 or self.followup_ratio < 1:
            problems.append("面试比例、体检考察比例须为1:N（N≥1）")
        if self.bonus_cap is not None and self.bonus_cap < 0:
            problems.append("加分上限不能为负")
        if len(set(self.tie_breaks)) != len(self.tie_breaks):
            problems.append("同分排序规则不能重复")
        for name in ("written_pass_line", "interview_pass_line", "bonus_cap"):
            if isinstance(getattr(self, name), float):
                problems.append(f"{name} 须为 Decimal，不能为浮点数")
        if problems:
            raise InvalidInput("成绩规则有误：" + "；".join(problems), code="invalid_scoring_rules")

    def describe(self) -> str:
        how = self.rounding.label
        parts = [
            f"总成绩=笔试成绩×{self.written_percent}%+面试成绩×{self.interview_percent}%"
            + (
                ""
                if self.bonus_cap == 0
                else "+加分" + (f"(最高{_plain(self.bonus_cap)}分)" if self.bonus_cap is not None else "")
            ),
            f"笔试成绩保留{self.written_decimals}位小数、面试成绩保留{self.interview_decimals}位小数、"
            f"总成绩保留{self.total_decimals}位小数，均{how}（先将笔试、面试成绩分别{how}至规定位数，"
            f"再按权重计算总成绩并{how}）",
        ]
        if self.written_pass_line is not None:
            parts.append(f"笔试合格分数线{_plain(self.written_pass_line)}分")
        parts.append(
            f"按岗位1:{self.interview_ratio}比例依笔试成绩从高到低确定面试人选"
            + ("，末位笔试成绩相同者一并进入面试" if self.admit_ties_at_cutoff else "")
            + ("；缺考、违纪或笔试成绩为零分者不得进入面试" if self.zero_written_excluded else "")
        )
        if self.interview_pass_line is not None:
            parts.append(f"面试合格分数线{_plain(self.interview_pass_line)}分")
        if self.tie_breaks:
            parts.append("总成绩相同的，依次按" + "、".join(t.label for t in self.tie_breaks) + "排序")
        parts.append(f"按岗位1:{self.followup_ratio}比例确定体检、考察人选；出现空缺的{self.refill.label}")
        return "；".join(parts) + "。"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One application as scoring sees it. A score of None means absent from that exam (缺考) or not
    (yet) taken; `education_rank` is `domain.education.Education.rank` (higher = more education)."""

    application_id: int
    post_id: int
    written: Decimal | None = None
    interview: Decimal | None = None
    bonus: Decimal = ZERO
    education_rank: int | None = None
    birth_date: date | None = None
    priority: tuple[str, ...] = ()  # IM art. 10 priority-group keys confirmed at qualification review
    withdrawn: bool = False  # gave up (放弃) before this step
    disqualified: bool = False  # 违纪/资格复审不合格: scores void


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _check_decimal(value: object, what: str) -> Decimal:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInput(f"{what}不是有效数值", code="invalid_score")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise InvalidInput(
        f"{what}须为 Decimal 或整数（不得使用浮点数，以免舍入误差），收到 {type(value).__name__}",
        code="invalid_score",
    )


def round_score(value: Decimal | int, decimals: int, rounding: Rounding = Rounding.HALF_UP) -> Decimal:
    """`value` rounded to `decimals` places the configured way (default 四舍五入: 79.45 -> 79.5)."""
    v = value if type(value) is Decimal and value.is_finite() else _check_decimal(value, "成绩")
    quantum = _QUANTA.get(decimals) or Decimal(1).scaleb(-decimals)
    return v.quantize(quantum, rounding=_MODES[rounding])


def capped_bonus(bonus: Decimal | int, rules: ScoringRules) -> Decimal:
    b = _check_decimal(bonus, "加分")
    if b < 0:
        raise InvalidInput("加分不能为负数", code="invalid_bonus")
    return b if rules.bonus_cap is None else min(b, rules.bonus_cap)


def total_score(
    written: Decimal | int | None, interview: Decimal | int, bonus: Decimal | int, rules: ScoringRules
) -> Decimal:
    """总成绩 = 笔试 × written% + 面试 × interview% + 加分 (capped at `bonus_cap`).

    Where rounding happens: the written and interview scores are each rounded to their own decimals
    first (the published scores), the weighted sum and the capped bonus are then added exactly in
    Decimal, and only the total is rounded, once, to `total_decimals` — all with `rules.rounding`.
    A written score of None counts as 0 only when the written weight is 0 (考核 without a written exam)."""
    if written is None:
        if rules.written_percent:
            raise InvalidInput("笔试缺考者没有总成绩", code="written_absent")
        w = ZERO
    else:
        w = round_score(written, rules.written_decimals, rules.rounding)
    i = round_score(interview, rules.interview_decimals, rules.rounding)
    return weighted_total(w, i, capped_bonus(bonus, rules), rules)


def weighted_total(written: Decimal, interview: Decimal, bonus: Decimal, rules: ScoringRules) -> Decimal:
    """The total from scores already rounded to their decimals and a bonus already capped."""
    raw = (written * rules.written_percent + interview * rules.interview_percent) / HUNDRED + bonus
    return round_score(raw, rules.total_decimals, rules.rounding)
