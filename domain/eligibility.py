"""Eligibility screening (资格审查) of one application against the rules of its round, each ground cited.

`ScreeningRules` (domain/eligibility_rules.py) is plain data built from the round's pinned policy profile
by policies/screening.py; `screen` gives a `Verdict`: PASS, FAIL (a condition plainly not met) or DOUBTFUL
(a person decides: a relaxation whose extent the announcement sets, a "一般" household condition,
"其他不适合情形", an unreadable education). Age is counted in full years on the registration deadline;
"N周岁以下" includes N (IM art. 9). The checks themselves are in domain/eligibility_checks.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain import eligibility_checks as checks
from domain.applicant import IdFacts, PostFacts, Registration, Relative
from domain.eligibility_rules import ConversionRule as ConversionRule
from domain.eligibility_rules import HouseholdRule as HouseholdRule
from domain.eligibility_rules import Outcome as Outcome
from domain.eligibility_rules import Reason as Reason
from domain.eligibility_rules import RelaxationRule as RelaxationRule
from domain.eligibility_rules import ScreeningRules as ScreeningRules
from domain.errors import InvalidInput
from domain.id_number import age_on, parse_id


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    reasons: tuple[Reason, ...]  # the FAIL and DOUBTFUL grounds, each with its article
    notes: tuple[Reason, ...] = ()  # PASS-level explanations (a relaxation applied, a claim not counted)
    age: int | None = None  # full years on the registration deadline; None when the ID number is invalid
    id_facts: IdFacts | None = None
    priority_groups: tuple[str, ...] = ()  # claimed groups the rules recognise (IM art. 10)
    relaxation_applied: tuple[str, ...] = ()  # "age", "education" (a configured relaxed figure was met)
    conversion_eligible: bool | None = None  # OR art. 8(二)2; None: no claim, or no such path
    staff_recusal: tuple[Relative, ...] = ()  # declared relatives recruiting staff must be matched against
    post_id: int | None = None

    @property
    def articles(self) -> tuple[str, ...]:
        """The articles cited, in order, without repeats."""
        return tuple(dict.fromkeys(r.article for r in (*self.reasons, *self.notes)))


def screen(
    reg: Registration, id_facts: IdFacts | None, post: PostFacts, rules: ScreeningRules, deadline: date
) -> Verdict:
    """Screen one application. `id_facts` None: `reg.id_number` is parsed here (an invalid one FAILS with
    its id_* code). Raises InvalidInput only for a post whose own condition is malformed."""
    f = checks.Findings()
    if id_facts is None:
        try:
            id_facts = parse_id(reg.id_number, today=deadline)
        except InvalidInput as exc:
            f.fail(exc.code, f"{exc.message}，无法核实应聘资格", rules.identity_article)
    age = age_on(id_facts.birth_date, deadline) if id_facts is not None else None
    if age is not None:
        checks.check_age(f, reg, post, rules, age, deadline)
    checks.check_education(f, reg, post, rules)
    checks.check_disqualifications(f, reg, rules)
    checks.check_household(f, reg, rules)
    recusal: tuple[Relative, ...] = ()
    if rules.recusal_article is not None:
        checks.check_recusal(f, reg, post, rules.recusal_article)
        recusal = reg.relatives
    priority = checks.priority_groups(f, reg, rules)
    conversion = checks.conversion_eligible(f, reg, rules)
    return Verdict(
        outcome=f.outcome(),
        reasons=tuple(f.out),
        notes=tuple(f.notes),
        age=age,
        id_facts=id_facts,
        priority_groups=priority,
        relaxation_applied=tuple(f.relaxed),
        conversion_eligible=conversion,
        staff_recusal=recusal,
        post_id=post.post_id,
    )


def screen_many(
    applications: Iterable[tuple[Registration, PostFacts]], rules: ScreeningRules, deadline: date
) -> list[Verdict]:
    """Screen a round's applications, in order. Each distinct ID number is parsed once."""
    parsed: dict[str, IdFacts | None] = {}
    verdicts: list[Verdict] = []
    for reg, post in applications:
        number = reg.id_number
        if number in parsed:
            facts = parsed[number]
        else:
            try:
                facts = parse_id(number, today=deadline)
            except InvalidInput:
                facts = None  # screen() parses it again to word the reason: only bad numbers cost twice
            parsed[number] = facts
        verdicts.append(screen(reg, facts, post, rules, deadline))
    return verdicts


def relatives_for_staff_recusal(reg: Registration) -> tuple[Relative, ...]:
    """The declared relatives that recruiting staff must be matched against (事业单位公开招聘人员暂行规定
    art. 27: a recruiter related to an applicant recuses themselves)."""
    return reg.relatives
