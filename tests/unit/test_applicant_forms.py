"""The registration form: what people type becomes a Registration; every refusal is Chinese, names the
field and carries a stable code."""

from __future__ import annotations

import re
from datetime import date

import pytest

from domain.applicant import Registration, Relation
from domain.errors import InvalidInput
from forms.applicant_context import ApplicantContext, PostChoice, choices, parse_education, parse_yes_no
from forms.application import ApplicationForm
from forms.application_input import parse_html_form, parse_row, validate_application
from policies.sections.recruitment import Education

TODAY = date(2025, 6, 1)
VALID_ID = "11010519491231002X"  # GB 11643-1999's own example
CTX = ApplicantContext(
    today=TODAY,
    posts=(
        PostChoice("01", "社区专职工作人员", "幸福社区"),
        PostChoice("02", "社区专职工作人员", "和平社区"),
    ),
    relaxation_groups=choices([("veteran", "退役军人"), ("resident_volunteer", "居民志愿者")]),
    priority_groups=choices([("social_work_certificate", "持有国家社会工作职业资格证书的人员")]),
    disqualifications=choices([("criminal_record", "因犯罪受过刑事处罚或者涉嫌犯罪尚未结案")]),
)


def html(**over: object) -> dict[str, object]:
    form: dict[str, object] = {
        "name": "张三",
        "id_number": VALID_ID.lower(),
        "phone": "138 0013 8000",
        "education": "大学本科",
        "major": "社会工作",
        "school": "内蒙古大学",
        "household_code": "150102",
        "household_place": "呼和浩特市新城区",
        "post_code": "01",
        "pledge": "on",
    }
    form.update(over)
    return {k: v for k, v in form.items() if v is not None}


def problems(form: dict[str, object], ctx: ApplicantContext = CTX) -> dict[str, tuple[str, str]]:
    with pytest.raises(InvalidInput) as info:
        parse_html_form(form, ctx)
    assert info.value.code == "application_invalid"
    return {f["field"]: (f["code"], f["message"]) for f in info.value.details["fields"]}


def test_valid_form_gives_the_registration() -> None:
    form = parse_html_form(
        html(
            street_recommended="on",
            relaxation_group="退役军人",
            priority_groups=["social_work_certificate"],
            relative_name=["", "李四"],
            relative_relation=["", "夫妻关系"],
            relative_workplace_code=["", "150102001"],
            relative_position=["", "社区党组织书记"],
        ),
        CTX,
    )
    reg = form.to_registration()
    assert isinstance(reg, Registration)
    assert reg.id_number == VALID_ID  # x upper-cased
    assert reg.phone == "13800138000"  # spaces dropped
    assert reg.education == Education.BACHELOR.value
    assert reg.relaxation_group == "veteran" and reg.street_recommended
    assert reg.priority_groups == ("social_work_certificate",)
    assert reg.declared_disqualifications == ()
    assert reg.relatives[0].relation is Relation.SPOUSE and reg.relatives[0].workplace_code == "150102001"
    assert form.post_code == "01"
    assert form.id_facts(TODAY).birth_date == date(1949, 12, 31)


def test_full_width_and_variants_are_normalised() -> None:
    form = parse_html_form(
        html(name="买买提•艾力", id_number="１１０１０５１９４９１２３１００２ｘ", education="大专"), CTX
    )
    assert form.name == "买买提·艾力"
    assert form.id_number == VALID_ID
    assert form.education is Education.JUNIOR_COLLEGE


@pytest.mark.parametrize(
    ("field", "value", "code", "words"),
    [
        ("name", "", "required", "姓名必须填写"),
        ("name", "张", "name_format", "姓名应为2至30个字"),
        ("name", "Zhang San", "name_format", "只能由汉字组成"),
        ("id_number", "1101051949123100", "id_format", "公民身份号码应为18位"),
        ("id_number", "11010519491231A02X", "id_format", "公民身份号码"),
        ("id_number", "110105194912310021", "id_checksum", "校验码"),
        ("id_number", "110105209912310029", "id_birth_date", "出生日期"),
        ("phone", "2380013800", "phone_format", "手机号码"),
        ("education", "小学", "education_unknown", "学历「小学」不是可选项"),
        ("major", "", "required", "专业必须填写"),
        ("school", "", "required", "毕业院校必须填写"),
        ("household_code", "1501", "household_code_format", "户籍所在地代码"),
        ("post_code", "09", "post_unknown", "报考岗位代码「09」不是本次招聘的岗位"),
        ("pledge", None, "pledge_required", "承诺"),
        ("priority_groups", ["cat_owner"], "choice_unknown", "优先条件中的「cat_owner」"),
        ("declared_disqualifications", ["x"], "choice_unknown", "本人存在的情形"),
        ("relaxation_group", "退役军人", "relaxation_without_recommendation", "推荐类别"),
        ("service_programme_passed", "on", "programme_passed_without_programme", "服务期满考核"),
        ("note", "备" * 501, "too_long", "备注不能超过500个字"),
    ],
)
def test_each_refusal_names_its_field_in_chinese(field: str, value: object, code: str, words: str) -> None:
    found = problems(html(**{field: value}) if value is not None else {**html(), field: ""})
    assert found[field][0] == code
    assert words in found[field][1]
    assert not re.search(r"Field required|Value error|Input should", found[field][1])


def test_checksum_is_not_checked_without_today() -> None:
    ctx = ApplicantContext(today=None, posts=CTX.posts)
    form, errs = validate_application(html(id_number="110105194912310021"), ctx)
    assert errs == [] and form is not None


def test_recommended_needs_a_group_and_only_one() -> None:
    assert problems(html(street_recommended="on"))["relaxation_group"][0] == "required"
    both = problems(html(street_recommended="on", relaxation_group="退役军人、居民志愿者"))
    assert both["relaxation_group"][0] == "choice_too_many"


def test_senior_secondary_needs_no_major() -> None:
    form = parse_html_form(html(education="高中(中专)", major=""), CTX)
    assert form.major == ""


def test_relative_errors_name_the_row_the_person_filled() -> None:
    found = problems(
        html(
            relative_name=["", "", "王"],
            relative_relation=["", "", "叔叔"],
            relative_workplace_code=["", "", ""],
        )
    )
    assert found["relatives.3.name"][0] == "name_format"
    assert found["relatives.3.relation"][0] == "relation_unknown"
    assert found["relatives.3.workplace_code"] == ("required", "第3位亲属：亲属工作单位代码必须填写")


def test_at_most_five_relatives() -> None:
    n = 6
    found = problems(
        html(
            relative_name=["李四"] * n,
            relative_relation=["夫妻"] * n,
            relative_workplace_code=["150102"] * n,
        )
    )
    assert found["relatives"][0] == "relatives_too_many"


def test_invalid_input_message_lists_every_problem() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_html_form({"name": "张三"}, CTX)
    message = info.value.message
    assert message.startswith("报名表填写有误：")
    for words in ("公民身份号码必须填写", "手机号码必须填写", "学历必须选择", "报考岗位必须选择"):
        assert words in message
    assert info.value.status == 422


def test_pydantic_own_errors_are_said_in_chinese() -> None:
    form, errs = validate_application({**html(), "relatives": ["not a relative"]}, CTX)
    assert form is None
    assert errs[0].code == "invalid" and "填写有误" in errs[0].message


def test_from_an_excel_row_dict() -> None:
    row = {
        "姓名": "张三",
        "公民身份号码": VALID_ID,
        "手机号码": 13800138000,
        "学历": "postgraduate",
        "专业": "社会学",
        "毕业院校": "内蒙古大学",
        "户籍所在地代码": 150102,
        "户籍所在地": "呼和浩特市",
        "报考岗位代码": "02",
        "是否街道推荐": None,
        "优先条件": "持有国家社会工作职业资格证书的人员",
        "本人存在的情形": "criminal_record",
        "已签署承诺": "是",
        "亲属2姓名": "李四",
        "亲属2关系": "直系血亲",
        "亲属2工作单位代码": "150102001",
    }
    form, errs = parse_row(row, CTX)
    assert errs == [] and form is not None
    reg = form.to_registration()
    assert reg.phone == "13800138000" and reg.household_code == "150102"
    assert reg.education == "postgraduate" and not reg.street_recommended
    assert reg.declared_disqualifications == ("criminal_record",)
    assert reg.relatives[0].relation is Relation.LINEAL
    _, errs = parse_row({**row, "亲属2关系": "表哥", "已签署承诺": "否"}, CTX)
    assert {(e.column, e.code) for e in errs} == {
        ("亲属2关系", "relation_unknown"),
        ("已签署承诺", "pledge_required"),
    }


def test_small_parsers() -> None:
    assert parse_yes_no("是") is True and parse_yes_no("否") is False and parse_yes_no("on") is True
    assert parse_yes_no("也许") is None
    assert parse_education("本科") is Education.BACHELOR
    assert parse_education("高中(中专)") is Education.SENIOR_SECONDARY
    assert parse_education("初中") is None


def test_model_without_context_checks_shape_only() -> None:
    form = ApplicationForm.model_validate(
        {**html(), "post_code": "99", "priority_groups": ["anything"], "id_number": "110105194912310021"}
    )
    assert form.post_code == "99" and form.priority_groups == ["anything"]
