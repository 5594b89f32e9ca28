"""Eligibility screening against real profiles (IM, Ordos, Bingtuan, national): boundaries, relaxation,
disqualifications, household, recusal, priority, conversion; every ground cites its article."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from id_validator import helper

from domain.applicant import PostFacts, Registration, Relation, Relative
from domain.education import Education
from domain.eligibility import (
    HouseholdRule,
    Outcome,
    ScreeningRules,
    Verdict,
    relatives_for_staff_recusal,
    screen,
    screen_many,
)
from domain.errors import InvalidInput
from domain.id_number import parse_id
from policies import load_catalog
from policies.screening import rules_from_profile
from policies.sections.recruitment import Education as ReExported

DEADLINE = date(2025, 6, 1)
COMMUNITY = "150602002001"
STREET = "150602002"
POST = PostFacts(post_id=7, community_code=COMMUNITY, street_code=STREET)
IM_CHAIN = ["national", "inner_mongolia"]
OR_CHAIN = ["national", "inner_mongolia", "ordos"]
IM_DISQUALIFYING = [
    "illegal_organisation",
    "harmful_speech",
    "criminal_record",
    "expelled",
    "credit_blacklist",
]


def make_id(birth: str, area: str = "150602", order: str = "123") -> str:
    body = area + birth + order
    return body + helper.generator_check_bit(body)


def reg(birth: str = "19900115", **kw: Any) -> Registration:
    fields: dict[str, Any] = {
        "name": "张三",
        "id_number": make_id(birth),
        "phone": "13800000000",
        "education": "junior_college",
        "household_code": "150602",
    }
    fields.update(kw)
    return Registration(**fields)


def rules_for(keys: list[str], codes: list[str] | None = None, on: date = DEADLINE) -> ScreeningRules:
    return rules_from_profile(load_catalog().resolve(keys, on), codes or [])


@pytest.fixture(scope="module")
def im() -> ScreeningRules:
    return rules_for(IM_CHAIN)


@pytest.fixture(scope="module")
def ordos() -> ScreeningRules:
    return rules_for(OR_CHAIN, ["1506"])


def run(r: Registration, rules: ScreeningRules, post: PostFacts = POST, deadline: date = DEADLINE) -> Verdict:
    verdict = screen(r, None, post, rules, deadline)
    for reason in (*verdict.reasons, *verdict.notes):  # every ground cites its article
        assert reason.article.strip(), reason
        assert reason.message and reason.code
    return verdict


def codes(v: Verdict) -> list[str]:
    return [r.code for r in v.reasons]


def test_education_enum_lives_in_domain_and_is_re_exported() -> None:
    assert ReExported is Education
    assert Education.BACHELOR.rank > Education.JUNIOR_COLLEGE.rank


def test_plain_applicant_passes(im: ScreeningRules) -> None:
    v = run(reg(), im)
    assert v.outcome is Outcome.PASS and v.reasons == () and v.age == 35 and v.post_id == 7


# --- age at the registration deadline: "40周岁以下" includes 40 (IM art. 9) ------------------------------


@pytest.mark.parametrize(
    ("birth", "age", "outcome"),
    [
        ("19840602", 40, Outcome.PASS),  # 41st birthday the day after the deadline
        ("19840601", 41, Outcome.FAIL),  # 41st birthday on the deadline
        ("19850601", 40, Outcome.PASS),  # 40th birthday on the deadline
        ("19850602", 39, Outcome.PASS),
    ],
)
def test_age_boundaries(im: ScreeningRules, birth: str, age: int, outcome: Outcome) -> None:
    v = run(reg(birth), im)
    assert v.age == age and v.outcome is outcome
    if outcome is Outcome.FAIL:
        (reason,) = v.reasons
        assert reason.code == "age_over" and reason.article == "IM art. 9"
        assert "41周岁" in reason.message and "40周岁以下" in reason.message


def test_29_february_birth(im: ScreeningRules) -> None:
    r = reg("19840229")
    assert run(r, im, deadline=date(2025, 2, 27)).outcome is Outcome.PASS  # still 40
    v = run(r, im, deadline=date(2025, 2, 28))  # common year: 41 on 28 February
    assert v.age == 41 and codes(v) == ["age_over"]
    assert run(reg("19840229"), im, deadline=date(2024, 2, 28)).age == 39


def test_post_stricter_limits_override_the_profile(im: ScreeningRules) -> None:
    post = PostFacts(post_id=8, community_code=COMMUNITY, max_age=35, min_education="bachelor")
    v = run(reg("19890101"), im, post)  # 36, junior college
    assert codes(v) == ["age_over", "education_below"]
    assert all(r.article == "IM art. 9" for r in v.reasons) and "35周岁以下" in v.reasons[0].message
    loose = PostFacts(post_id=9, community_code=COMMUNITY, max_age=45, min_education="senior_secondary")
    assert codes(run(reg("19800101", education="senior_secondary"), im, loose)) == [
        "age_over",
        "education_below",
    ]  # a post cannot loosen the profile
    with pytest.raises(InvalidInput):
        run(reg(), im, PostFacts(post_id=10, community_code=COMMUNITY, min_education="phd"))


# --- the ID number --------------------------------------------------------------------------------------


def test_wrong_checksum_fails_with_the_expected_digit(im: ScreeningRules) -> None:
    good = make_id("19900115")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    v = run(reg(id_number=bad), im)
    assert v.outcome is Outcome.FAIL and codes(v) == ["id_checksum"] and v.age is None
    assert f"应为“{good[-1]}”" in v.reasons[0].message and v.reasons[0].article == "IM art. 9"


def test_lower_case_x_passes(im: ScreeningRules) -> None:
    number = next(n for n in (make_id("19900115", order=f"{i:03}") for i in range(100, 999)) if n[-1] == "X")
    v = run(reg(id_number=number.lower()), im)
    assert v.outcome is Outcome.PASS and v.id_facts is not None and v.id_facts.number == number


def test_impossible_birth_date_fails(im: ScreeningRules) -> None:
    v = run(reg("19900231"), im)
    assert codes(v) == ["id_birth_date"] and "19900231" in v.reasons[0].message


def test_given_id_facts_are_used(im: ScreeningRules) -> None:
    r = reg("19840601")
    facts = parse_id(r.id_number, today=DEADLINE)
    assert screen(r, facts, POST, im, DEADLINE) == run(r, im)


# --- relaxation (IM art. 9 para. 2) ---------------------------------------------------------------------


def test_no_degree_street_recommended_relaxation_group_is_doubtful(im: ScreeningRules) -> None:
    r = reg(education="senior_secondary", relaxation_group="veteran", street_recommended=True)
    v = run(r, im)
    assert v.outcome is Outcome.DOUBTFUL and codes(v) == ["education_relaxation_review"]
    assert v.reasons[0].article == "IM art. 9" and "退役军人" in v.reasons[0].message


def test_no_degree_not_recommended_fails(im: ScreeningRules) -> None:
    v = run(reg(education="senior_secondary"), im)
    assert v.outcome is Outcome.FAIL and codes(v) == ["education_below"]
    assert v.reasons[0].article == "IM art. 9"
    v = run(reg(education="senior_secondary", relaxation_group="veteran"), im)
    assert codes(v) == ["education_below"] and "未经街道(苏木乡镇)推荐" in v.reasons[0].message
    v = run(reg(education="senior_secondary", relaxation_group="chef", street_recommended=True), im)
    assert codes(v) == ["education_below"] and "不属于可放宽" in v.reasons[0].message


def test_over_age_street_recommended_is_doubtful(im: ScreeningRules) -> None:
    r = reg("19800101", relaxation_group="local_party_member", street_recommended=True)
    v = run(r, im)
    assert v.outcome is Outcome.DOUBTFUL and codes(v) == ["age_relaxation_review"] and v.age == 45


def test_configured_relaxed_figures(im: ScreeningRules) -> None:
    assert im.relaxation is not None
    rules = replace(
        im, relaxation=replace(im.relaxation, max_age=45, min_education=Education.SENIOR_SECONDARY)
    )
    member = {"relaxation_group": "veteran", "street_recommended": True, "education": "senior_secondary"}
    v = run(reg("19810101", **member), rules)  # 44
    assert v.outcome is Outcome.PASS and v.relaxation_applied == ("age", "education")
    assert [n.code for n in v.notes] == ["age_relaxed", "education_relaxed"]
    v = run(reg("19790101", **member), rules)  # 46
    assert codes(v) == ["age_over_relaxed"] and v.outcome is Outcome.FAIL


# --- disqualifications (IM art. 11) ---------------------------------------------------------------------


@pytest.mark.parametrize("key", IM_DISQUALIFYING)
def test_each_disqualification_fails(im: ScreeningRules, key: str) -> None:
    v = run(reg(declared_disqualifications=(key,)), im)
    assert v.outcome is Outcome.FAIL and codes(v) == [f"disqualified_{key}"]
    assert v.reasons[0].article == "IM art. 11" and im.disqualifications[key] in v.reasons[0].message


def test_other_unsuitable_goes_to_a_reviewer(im: ScreeningRules) -> None:
    v = run(reg(declared_disqualifications=("other_unsuitable",)), im)
    assert v.outcome is Outcome.DOUBTFUL and v.reasons[0].article == "IM art. 11"
    v = run(reg(declared_disqualifications=("other_unsuitable", "criminal_record")), im)
    assert v.outcome is Outcome.FAIL  # the worst ground decides
    v = run(reg(declared_disqualifications=("unheard_of",)), im)
    assert v.outcome is Outcome.DOUBTFUL and codes(v) == ["disqualification_unlisted"]


# --- household registration (OR art. 8: 一般具有鄂尔多斯市户籍) -----------------------------------------


def test_ordos_household(ordos: ScreeningRules) -> None:
    assert ordos.household is not None and not ordos.household.strict
    assert run(reg(household_code="150627"), ordos).outcome is Outcome.PASS
    v = run(reg(household_code="150102", household_place="呼和浩特市新城区"), ordos)
    assert v.outcome is Outcome.DOUBTFUL and codes(v) == ["household_outside_review"]
    assert v.reasons[0].article == "OR art. 8" and "呼和浩特市新城区" in v.reasons[0].message
    assert codes(run(reg(household_code=""), ordos)) == ["household_missing"]
    strict = replace(ordos, household=replace(ordos.household, strict=True))
    v = run(reg(household_code="150102"), strict)
    assert v.outcome is Outcome.FAIL and codes(v) == ["household_outside"]


def test_ordos_needs_scope_codes_im_does_not() -> None:
    with pytest.raises(InvalidInput) as info:
        rules_for(OR_CHAIN)
    assert info.value.code == "household_scope_missing" and info.value.article == "OR art. 8"
    assert rules_for(IM_CHAIN).household is None
    assert run(reg(household_code="110101"), rules_for(IM_CHAIN)).outcome is Outcome.PASS
    with pytest.raises(ValueError):
        HouseholdRule(scope_codes=(), scope_label="x", strict=True, article="OR art. 8")


# --- recusal --------------------------------------------------------------------------------------------


def test_relative_in_the_posts_community_or_street_fails(im: ScreeningRules) -> None:
    assert im.recusal_article == "事业单位公开招聘人员暂行规定 art. 27"
    for where in (COMMUNITY, STREET):
        rel = Relative("李四", Relation.SPOUSE, where, "社区党组织书记")
        v = run(reg(relatives=(rel,)), im)
        assert v.outcome is Outcome.FAIL and codes(v) == ["recusal_relative"]
        assert v.reasons[0].article == im.recusal_article and "李四" in v.reasons[0].message


def test_relative_elsewhere_passes_but_is_listed_for_staff_recusal(im: ScreeningRules) -> None:
    rel = Relative("王五", Relation.LINEAL, "150602003001", "网格员")
    r = reg(relatives=(rel,))
    v = run(r, im)
    assert v.outcome is Outcome.PASS and v.staff_recusal == (rel,) == relatives_for_staff_recusal(r)
    no_street = PostFacts(post_id=11, community_code=COMMUNITY)
    assert run(reg(relatives=(Relative("赵六", Relation.IN_LAW, ""),)), im, no_street).outcome is Outcome.PASS


# --- priority groups (IM art. 10) and service-programme conversion (OR art. 8(二)2) ----------------------


def test_priority_flags_carried(im: ScreeningRules) -> None:
    v = run(reg(priority_groups=("social_work_certificate", "incumbent_grid_worker", "famous")), im)
    assert v.outcome is Outcome.PASS
    assert v.priority_groups == ("social_work_certificate", "incumbent_grid_worker")
    assert [(n.code, n.article) for n in v.notes] == [("priority_unlisted", "IM art. 10")]


def test_service_programme_conversion(ordos: ScreeningRules, im: ScreeningRules) -> None:
    sp = {"service_programme": True, "service_programme_passed": True}
    assert run(reg(education="bachelor", **sp), ordos).conversion_eligible is True
    v = run(reg(education="junior_college", **sp), ordos)
    assert v.conversion_eligible is False and v.outcome is Outcome.PASS  # the open exam is still open
    assert v.notes[0].code == "conversion_not_eligible" and v.notes[0].article == "OR art. 8"
    assert run(reg(education="postgraduate", service_programme=True), ordos).conversion_eligible is False
    assert run(reg(education="bachelor", **sp), im).conversion_eligible is None
    assert run(reg(education="bachelor"), ordos).conversion_eligible is None


# --- other profiles -------------------------------------------------------------------------------------


def test_bingtuan_profile() -> None:
    bt = rules_for(["national", "bingtuan"])
    assert (bt.max_age, bt.max_age_article) == (40, "BT art. 6") and bt.relaxation is None
    v = run(
        reg("19840601", education="senior_secondary", relaxation_group="veteran", street_recommended=True), bt
    )
    assert codes(v) == ["age_over", "education_below"] and {r.article for r in v.reasons} == {"BT art. 6"}
    v = run(reg(declared_disqualifications=("criminal_record",)), bt)  # BT lists no grounds: a reviewer
    assert v.outcome is Outcome.DOUBTFUL and v.reasons[0].article == "BT art. 6"
    assert run(reg("19840602"), bt).outcome is Outcome.PASS


def test_national_profile_has_no_age_or_education_limit_but_recusal() -> None:
    nat = rules_for(["national"])
    assert nat.max_age is None and nat.min_education is None
    v = run(reg("19700101", education="senior_secondary"), nat)
    assert v.outcome is Outcome.PASS and v.age == 55
    v = run(reg(relatives=(Relative("李四", Relation.SPOUSE, COMMUNITY),)), nat)
    assert v.reasons[0].article == "事业单位公开招聘人员暂行规定 art. 27"
    assert run(reg(education="unknown"), rules_for(IM_CHAIN)).outcome is Outcome.DOUBTFUL


def test_rules_need_articles() -> None:
    with pytest.raises(ValueError, match="max_age"):
        ScreeningRules(identity_article="IM art. 9", max_age=40)


# --- batch ----------------------------------------------------------------------------------------------


def test_screen_many_matches_screen(ordos: ScreeningRules) -> None:
    apps = [
        (reg("19840601"), POST),
        (reg("19900115", household_code="150102"), POST),
        (reg(id_number="15060219900115123"), POST),
        (reg("19900115", relatives=(Relative("李四", Relation.SPOUSE, STREET),)), POST),
        (reg("19840601"), POST),  # a repeated number: parsed once, same verdict
    ]
    verdicts = screen_many(apps, ordos, DEADLINE)
    assert verdicts == [screen(r, None, p, ordos, DEADLINE) for r, p in apps]
    assert [v.outcome for v in verdicts] == [
        Outcome.FAIL,
        Outcome.DOUBTFUL,
        Outcome.FAIL,
        Outcome.FAIL,
        Outcome.FAIL,
    ]
    assert codes(verdicts[2]) == ["id_format"]


def test_bingtuan_general_age_limit_sends_older_applicants_to_review() -> None:
    from datetime import date as _date

    from domain.applicant import PostFacts as _Post
    from domain.applicant import Registration as _Reg
    from domain.eligibility import Outcome as _Outcome
    from domain.eligibility import screen as _screen
    from policies.loader import load_catalog
    from policies.screening import rules_from_profile as _rules

    deadline = _date(2026, 3, 12)
    rules = _rules(load_catalog().resolve(["national", "bingtuan"], deadline))
    assert rules.max_age == 40 and rules.max_age_general
    from tests.integration.round_support import make_id

    old = _Reg(
        name="张三",
        id_number=make_id(_date(1980, 1, 1), area="659001"),
        phone="13800000000",
        education="bachelor",
    )
    v = _screen(old, None, _Post(post_id=1, community_code="659001001001"), rules, deadline)
    assert v.outcome is _Outcome.DOUBTFUL
    assert [(r.code, r.article) for r in v.reasons] == [("age_over_general", "BT art. 6")]
