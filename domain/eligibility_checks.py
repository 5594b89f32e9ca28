"""The checks of eligibility screening (domain/eligibility.py), one per condition, each writing its grounds
into a `Findings`: FAIL and DOUBTFUL grounds in `out`, PASS-level explanations in `notes`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.applicant import PostFacts, Registration
from domain.education import Education
from domain.eligibility_rules import Outcome, Reason, RelaxationRule, ScreeningRules
from domain.errors import InvalidInput


@dataclass(slots=True)
class Findings:
    out: list[Reason] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)
    relaxed: list[str] = field(default_factory=list)

    def fail(self, code: str, message: str, article: str) -> None:
        self.out.append(Reason(code, message, article, Outcome.FAIL))

    def doubt(self, code: str, message: str, article: str) -> None:
        self.out.append(Reason(code, message, article, Outcome.DOUBTFUL))

    def note(self, code: str, message: str, article: str) -> None:
        self.notes.append(Reason(code, message, article, Outcome.PASS))

    def outcome(self) -> Outcome:
        if any(r.outcome is Outcome.FAIL for r in self.out):
            return Outcome.FAIL
        return Outcome.DOUBTFUL if self.out else Outcome.PASS


def check_age(
    f: Findings, reg: Registration, post: PostFacts, rules: ScreeningRules, age: int, deadline: date
) -> None:
    """ "N周岁以下" includes N; a post's stricter limit replaces the profile's."""
    limit, article = rules.max_age, rules.max_age_article
    if post.max_age is not None and (limit is None or post.max_age < limit):
        limit, article = post.max_age, rules.post_article
    if limit is None or age <= limit:
        return
    said = f"报名截止日({deadline.isoformat()})年满{age}周岁，超过“{limit}周岁以下”的要求"
    if rules.max_age_general and article == rules.max_age_article and not reg.relaxation_group:
        f.doubt("age_over_general", f"{said}；规定为“一般应在{limit}周岁以下”，超龄须人工审核", article)
        return
    rx = _relaxation(f, reg, rules, "age", "age_over", said, article)
    if rx is None:
        return
    who = f"系{rx.recommended_by}的{rx.groups[reg.relaxation_group]}"
    if rx.max_age is None:
        f.doubt(
            "age_relaxation_review",
            f"{said}；{who}，可适当放宽年龄要求，放宽幅度由招聘公告确定，须人工审核",
            rx.article,
        )
    elif age <= rx.max_age:
        f.relaxed.append("age")
        f.note("age_relaxed", f"{said}；{who}，年龄放宽至{rx.max_age}周岁以下", rx.article)
    else:
        f.fail("age_over_relaxed", f"{said}，也超过放宽后的“{rx.max_age}周岁以下”", rx.article)


def check_education(f: Findings, reg: Registration, post: PostFacts, rules: ScreeningRules) -> None:
    """ "X以上" includes X; a post's stricter requirement replaces the profile's."""
    need, article = rules.min_education, rules.min_education_article
    if post.min_education is not None:
        post_need = Education.parse(post.min_education)
        if post_need is None:
            raise InvalidInput(
                f"岗位{post.post_id}的学历条件“{post.min_education}”无效", code="post_condition_invalid"
            )
        if need is None or post_need.rank > need.rank:
            need, article = post_need, rules.post_article
    if need is None:
        return
    have = Education.parse(reg.education)
    if have is None:
        f.doubt(
            "education_unknown", f"学历“{reg.education}”无法识别，须人工核对是否达到{need.label}以上", article
        )
        return
    if have.rank >= need.rank:
        return
    said = f"学历为{have.label}，未达到“{need.label}以上”的要求"
    rx = _relaxation(f, reg, rules, "education", "education_below", said, article)
    if rx is None:
        return
    who = f"系{rx.recommended_by}的{rx.groups[reg.relaxation_group]}"
    if rx.min_education is None:
        f.doubt(
            "education_relaxation_review",
            f"{said}；{who}，可适当放宽学历要求，放宽幅度由招聘公告确定，须人工审核",
            rx.article,
        )
    elif have.rank >= rx.min_education.rank:
        f.relaxed.append("education")
        f.note("education_relaxed", f"{said}；{who}，学历放宽至{rx.min_education.label}以上", rx.article)
    else:
        f.fail(
            "education_below_relaxed", f"{said}，也未达到放宽后的“{rx.min_education.label}以上”", rx.article
        )


def _relaxation(
    f: Findings, reg: Registration, rules: ScreeningRules, what: str, code: str, said: str, article: str
) -> RelaxationRule | None:
    """The relaxation that applies to this applicant beyond a limit, or None after recording the FAIL."""
    rx = rules.relaxation
    hint = ""
    if rx is not None and reg.relaxation_group:
        if reg.relaxation_group not in rx.groups:
            hint = f"；所报“{reg.relaxation_group}”不属于可放宽要求的人员"
        elif not reg.street_recommended:
            hint = f"；未{rx.recommended_by}，不适用放宽"
        elif rx.relaxes_age if what == "age" else rx.relaxes_education:
            return rx
    f.fail(code, said + hint, article)
    return None


def check_disqualifications(f: Findings, reg: Registration, rules: ScreeningRules) -> None:
    """IM art. 11: any declared ground FAILS; "其他不适合情形" (and an unlisted one) goes to a reviewer."""
    for key in reg.declared_disqualifications:
        label = rules.disqualifications.get(key)
        if label is None:
            f.doubt(
                "disqualification_unlisted",
                f"本人申报了规定未列明的情形“{key}”，须人工审核",
                rules.disqualification_article or rules.identity_article,
            )
        elif key in rules.review_disqualifications:
            f.doubt(
                f"disqualified_{key}", f"本人申报“{label}”，须人工审核认定", rules.disqualification_article
            )
        else:
            f.fail(
                f"disqualified_{key}",
                f"本人申报“{label}”，属于不得招聘的情形",
                rules.disqualification_article,
            )


def check_household(f: Findings, reg: Registration, rules: ScreeningRules) -> None:
    rule = rules.household
    if rule is None or not rule.required:
        return
    code = reg.household_code.strip()
    if not code:
        f.doubt(
            "household_missing", f"未填写户籍所在地区划代码，无法核对“{rule.scope_label}”的要求", rule.article
        )
    elif not code.startswith(rule.scope_codes):
        place = reg.household_place or code
        if rule.strict:
            f.fail(
                "household_outside", f"户籍所在地{place}不符合“须具有{rule.scope_label}”的要求", rule.article
            )
        else:
            f.doubt(
                "household_outside_review",
                f"户籍所在地{place}不在“一般具有{rule.scope_label}”的范围内；条文允许例外，须人工审核",
                rule.article,
            )


def check_recusal(f: Findings, reg: Registration, post: PostFacts, article: str) -> None:
    """A declared relative working in the post's community or street bars the application to this post."""
    for rel in reg.relatives:
        code = rel.workplace_code.strip()
        if not code:
            continue
        if code == post.community_code:
            where = "社区"
        elif post.street_code and code == post.street_code:
            where = "街道(苏木乡镇)"
        else:
            continue
        role = f"任{rel.position}" if rel.position else "工作"
        f.fail(
            "recusal_relative",
            f"亲属{rel.name}({rel.relation.label})在本岗位所在{where}{role}，应当回避，不得应聘该岗位",
            article,
        )


def priority_groups(f: Findings, reg: Registration, rules: ScreeningRules) -> tuple[str, ...]:
    """The claimed priority groups the rules recognise (IM art. 10); others are noted, not counted."""
    accepted = []
    for key in reg.priority_groups:
        if key in rules.priority_groups:
            accepted.append(key)
        else:
            f.note(
                "priority_unlisted",
                f"所报优先条件“{key}”不在规定的优先聘用人员之列，不予计入",
                rules.priority_article or rules.identity_article,
            )
    return tuple(accepted)


def conversion_eligible(f: Findings, reg: Registration, rules: ScreeningRules) -> bool | None:
    """OR art. 8(二)2; None where the applicant claims no service programme or the rules have no such path."""
    rule = rules.conversion
    if not reg.service_programme or rule is None:
        return None
    have = Education.parse(reg.education)
    lacks = []
    if have is None or have.rank < rule.min_education.rank:
        lacks.append(f"学历须{rule.min_education.label}以上")
    if not reg.service_programme_passed:
        lacks.append("服务期满考核须合格")
    if lacks:
        f.note("conversion_not_eligible", f"不符合{rule.label}的条件：{'；'.join(lacks)}", rule.article)
    return not lacks
