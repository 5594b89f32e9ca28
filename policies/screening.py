"""Screening rules (domain/eligibility_rules.py) from a pinned policy profile: every condition with the
article the data files give it.

    profile = load_catalog().resolve(["national", "inner_mongolia", "ordos"], deadline)
    rules = rules_from_profile(profile, household_scope_codes=["1506"])  # 鄂尔多斯市
    verdict = screen(registration, None, post, rules, deadline)
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.eligibility_rules import ConversionRule, HouseholdRule, RelaxationRule, ScreeningRules
from domain.errors import InvalidInput
from policies.effective import EffectiveProfile
from policies.sections.recruitment import Conditions, RecruitmentPolicy


def rules_from_profile(
    profile: EffectiveProfile | RecruitmentPolicy, household_scope_codes: Sequence[str] = ()
) -> ScreeningRules:
    """The screening rules of a profile (or of its recruitment section). `household_scope_codes`: the
    administrative-code prefixes of the household condition's scope (e.g. ["1506"] for 鄂尔多斯市),
    needed where the profile requires a household registration; the profile names the scope only in words.
    Raises InvalidInput (household_scope_missing) when it is required and no code is given."""
    recruitment = profile.recruitment if isinstance(profile, EffectiveProfile) else profile
    c = recruitment.conditions
    basic_article = c.basic_requirements.article
    disq = c.disqualifications
    prio = c.priority_groups
    conversion = recruitment.service_programme_conversion
    return ScreeningRules(
        identity_article=basic_article,
        post_conditions_article=basic_article,
        max_age=c.max_age.value if c.max_age else None,
        max_age_article=c.max_age.article if c.max_age else "",
        max_age_general=bool(c.max_age_general.value) if c.max_age_general else False,
        min_education=c.min_education.value if c.min_education else None,
        min_education_article=c.min_education.article if c.min_education else "",
        relaxation=_relaxation(c),
        priority_groups={g.key: g.label for g in prio.value} if prio else {},
        priority_article=prio.article if prio else "",
        disqualifications={d.key: d.label for d in disq.value} if disq else {},
        disqualification_article=disq.article if disq else "",
        household=_household(c, household_scope_codes),
        recusal_article=c.recusal.article if c.recusal else None,
        conversion=(
            ConversionRule(
                min_education=conversion.value.min_education,
                article=conversion.article,
                label=f"{conversion.value.eligible}转为专职社区工作者",
            )
            if conversion
            else None
        ),
    )


def _relaxation(c: Conditions) -> RelaxationRule | None:
    if c.relaxation is None:
        return None
    rx = c.relaxation.value
    return RelaxationRule(
        groups={g.key: g.label for g in rx.groups},
        article=c.relaxation.article,
        relaxes_age="age" in rx.relaxes,
        relaxes_education="education" in rx.relaxes,
        max_age=rx.max_age,
        min_education=rx.min_education,
        recommended_by=rx.recommended_by.label,
    )


def _household(c: Conditions, scope_codes: Sequence[str]) -> HouseholdRule | None:
    if c.household_registration is None or not c.household_registration.value.required:
        return None
    hr = c.household_registration.value
    codes = tuple(code.strip() for code in scope_codes if code.strip())
    scope = hr.scope or "本地户籍"
    if not codes:
        raise InvalidInput(
            f"政策配置要求“{hr.describe()}”({c.household_registration.article})，须给出其范围的行政区划代码"
            f"(如鄂尔多斯市为1506)",
            code="household_scope_missing",
            article=c.household_registration.article,
        )
    return HouseholdRule(
        scope_codes=codes,
        scope_label=scope,
        strict=hr.strict,
        article=c.household_registration.article,
    )
