"""What eligibility screening checks against, as plain data: built from the round's pinned policy profile
by policies/screening.py, read by domain/eligibility.py. Every condition carries its article."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.education import Education


class Outcome(StrEnum):
    PASS = "pass"  # 通过
    DOUBTFUL = "doubtful"  # 待人工审核
    FAIL = "fail"  # 不通过

    @property
    def label(self) -> str:
        return {"pass": "通过", "doubtful": "待人工审核", "fail": "不通过"}[self.value]


@dataclass(frozen=True, slots=True)
class Reason:
    """One ground of a verdict: a stable code, a message for people, the article it rests on."""

    code: str
    message: str
    article: str
    outcome: Outcome = Outcome.FAIL


@dataclass(frozen=True, slots=True)
class RelaxationRule:
    """IM art. 9 para. 2: street-recommended members of `groups` may have age/education relaxed. A None
    figure: the text sets none (the announcement does), so a member beyond the normal limit is DOUBTFUL."""

    groups: dict[str, str]  # key -> label
    article: str
    relaxes_age: bool = True
    relaxes_education: bool = True
    max_age: int | None = None
    min_education: Education | None = None
    recommended_by: str = "经街道(苏木乡镇)推荐"


@dataclass(frozen=True, slots=True)
class HouseholdRule:
    """户籍 condition: the household code must start with one of `scope_codes` (e.g. "1506" 鄂尔多斯市).
    strict: a mismatch FAILS; not strict (the text says 一般): a mismatch is DOUBTFUL."""

    scope_codes: tuple[str, ...]
    scope_label: str
    strict: bool
    article: str
    required: bool = True

    def __post_init__(self) -> None:
        if self.required and (not self.scope_codes or not all(c.strip() for c in self.scope_codes)):
            raise ValueError("a required household condition needs its scope codes, e.g. ('1506',)")


@dataclass(frozen=True, slots=True)
class ConversionRule:
    """OR art. 8(二)2: service-programme graduates (本科以上, programme assessment passed) may convert."""

    min_education: Education
    article: str
    label: str = "高校毕业生服务基层项目人员转为专职社区工作者"


@dataclass(frozen=True, slots=True)
class ScreeningRules:
    identity_article: str  # the basic conditions (citizen, age): cited when the ID number is invalid
    post_conditions_article: str = ""  # "符合岗位所需的其他条件": cited for a post's stricter limit
    max_age: int | None = None  # "N周岁以下": N included
    max_age_article: str = ""
    max_age_general: bool = False  # "一般应在N周岁以下": over the limit goes to a reviewer (BT art. 6)
    min_education: Education | None = None
    min_education_article: str = ""
    relaxation: RelaxationRule | None = None
    priority_groups: dict[str, str] = field(default_factory=dict)  # key -> label
    priority_article: str = ""
    disqualifications: dict[str, str] = field(default_factory=dict)  # key -> label
    disqualification_article: str = ""
    review_disqualifications: frozenset[str] = frozenset({"other_unsuitable"})  # declared: DOUBTFUL
    household: HouseholdRule | None = None
    recusal_article: str | None = None
    conversion: ConversionRule | None = None

    def __post_init__(self) -> None:
        missing = [
            name
            for name, present, article in (
                ("identity", True, self.identity_article),
                ("max_age", self.max_age is not None, self.max_age_article),
                ("min_education", self.min_education is not None, self.min_education_article),
                ("priority_groups", bool(self.priority_groups), self.priority_article),
                ("disqualifications", bool(self.disqualifications), self.disqualification_article),
                ("recusal", self.recusal_article is not None, self.recusal_article or ""),
            )
            if present and not article.strip()
        ]
        if missing:
            raise ValueError(f"screening rules without an article: {', '.join(missing)}")

    @property
    def post_article(self) -> str:
        """The article a post's own stricter condition rests on."""
        return self.post_conditions_article or self.identity_article
