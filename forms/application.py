"""The public registration form of a recruitment round (报名表) as a pydantic model.

Every field converts what people type (full-width digits, 是/否, labels instead of keys) before its check,
and every refusal is a Chinese message naming the field with a stable code (the pydantic error type).
The lists that change per round (posts, relaxation and priority groups, disqualifications) come from an
`ApplicantContext` passed as validation context; without one, only their shape is checked.

The ID number's format is checked here; its check digit, birth date and area code by the domain's
`parse_id` when the context gives `today` (codes id_checksum, id_birth_date, id_area)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.applicant import IdFacts, Registration
from domain.errors import InvalidInput
from domain.id_number import parse_id
from forms.applicant_context import normalise_code, normalise_name, parse_education, text
from forms.application_fields import (
    HOUSEHOLD_CODE_RE,
    ID_RE,
    MAX_RELATIVES,
    NAME_RE,
    PHONE_RE,
    POST_CODE_RE,
    RelativeForm,
    applicant_context,
    choice_keys,
    field_error,
    field_label,
    short_text,
    yes_no,
)
from policies.sections.recruitment import Education

__all__ = ["MAX_RELATIVES", "ApplicationForm", "RelativeForm"]


class ApplicationForm(BaseModel):
    """One applicant's registration as filled in; `to_registration()` gives the domain's plain record."""

    model_config = ConfigDict(frozen=True, validate_default=True)

    name: str = Field("", title="姓名")
    id_number: str = Field("", title="公民身份号码")
    phone: str = Field("", title="手机号码")
    education: Education | None = Field(None, title="学历")
    major: str = Field("", title="专业")
    school: str = Field("", title="毕业院校")
    household_code: str = Field("", title="户籍所在地代码")
    household_place: str = Field("", title="户籍所在地")
    post_code: str = Field("", title="报考岗位")
    street_recommended: bool = Field(False, title="是否街道推荐")
    relaxation_group: str = Field("", title="推荐类别")
    priority_groups: list[str] = Field(default_factory=list, title="优先条件")
    declared_disqualifications: list[str] = Field(default_factory=list, title="本人存在的情形")
    pledge: bool = Field(False, title="本人承诺")
    relatives: list[RelativeForm] = Field(default_factory=list, title="亲属关系")
    service_programme: bool = Field(False, title="是否服务基层项目人员")
    service_programme_passed: bool = Field(False, title="服务期满考核是否合格")
    note: str = Field("", title="备注")

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, v: Any) -> str:
        name = normalise_name(v)
        if not name:
            raise field_error("required", "姓名必须填写")
        if not 2 <= len(name) <= 30:
            raise field_error("name_format", f"姓名应为2至30个字（现为{len(name)}个字）")
        if not NAME_RE.match(name):
            raise field_error(
                "name_format", f"姓名「{name}」只能由汉字组成，少数民族姓名各部分之间用「·」分隔"
            )
        return name

    @field_validator("id_number", mode="before")
    @classmethod
    def _id_number(cls, v: Any, info: ValidationInfo) -> str:
        number = normalise_code(v).upper()
        if not number:
            raise field_error("required", "公民身份号码必须填写")
        if len(number) != 18:
            raise field_error("id_format", f"公民身份号码应为18位（现为{len(number)}位）：「{number}」")
        if not ID_RE.match(number):
            raise field_error("id_format", f"公民身份号码「{number}」应为17位数字加1位数字或X")
        ctx = applicant_context(info)
        if ctx is not None and ctx.today is not None:
            try:  # check digit, birth date, area code: the domain's rules (GB 11643-1999)
                parse_id(number, today=ctx.today)
            except InvalidInput as exc:
                raise field_error(exc.code, exc.message) from None
        return number

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, v: Any) -> str:
        phone = normalise_code(v)
        if not phone:
            raise field_error("required", "手机号码必须填写")
        if not PHONE_RE.match(phone):
            raise field_error("phone_format", f"手机号码「{phone}」应为以1开头的11位数字")
        return phone

    @field_validator("education", mode="before")
    @classmethod
    def _education(cls, v: Any) -> Education:
        t = text(v)
        if not t:
            raise field_error("required", "学历必须选择")
        e = parse_education(t)
        if e is None:
            allowed = "、".join(f"「{x.label}」" for x in Education)
            raise field_error("education_unknown", f"学历「{t}」不是可选项；可选：{allowed}")
        return e

    @field_validator("major", mode="before")
    @classmethod
    def _major(cls, v: Any, info: ValidationInfo) -> str:
        edu = info.data.get("education")
        if isinstance(edu, Education) and edu.rank >= Education.JUNIOR_COLLEGE.rank and not text(v):
            raise field_error("required", f"专业必须填写（学历为{edu.label}）")
        return short_text(v, "专业", 100, required=False)

    @field_validator("school", "household_place", "note", mode="before")
    @classmethod
    def _texts(cls, v: Any, info: ValidationInfo) -> str:
        label = field_label(cls, info)
        if info.field_name == "note":
            return short_text(v, label, 500, required=False)
        return short_text(v, label, 100, required=True)

    @field_validator("household_code", mode="before")
    @classmethod
    def _household_code(cls, v: Any) -> str:
        code = normalise_code(v)
        if code and not HOUSEHOLD_CODE_RE.match(code):
            raise field_error(
                "household_code_format", f"户籍所在地代码「{code}」应为6位数字（县级行政区划代码）"
            )
        return code

    @field_validator("post_code", mode="before")
    @classmethod
    def _post_code(cls, v: Any, info: ValidationInfo) -> str:
        code = normalise_code(v)
        if not code:
            raise field_error("required", "报考岗位必须选择")
        ctx = applicant_context(info)
        if ctx is not None and ctx.post(code) is None:
            known = "、".join(p.code for p in ctx.posts) or "（无）"
            raise field_error(
                "post_unknown", f"报考岗位代码「{code}」不是本次招聘的岗位；岗位代码有：{known}"
            )
        if ctx is None and not POST_CODE_RE.match(code):
            raise field_error("post_unknown", f"报考岗位代码「{code}」格式不正确")
        return code

    @field_validator("street_recommended", "pledge", "service_programme", mode="before")
    @classmethod
    def _flags(cls, v: Any, info: ValidationInfo) -> bool:
        b = yes_no(v, field_label(cls, info))
        if info.field_name == "pledge" and not b:
            raise field_error("pledge_required", "请阅读并勾选本人承诺（所填信息真实准确，如实申报本人情形）")
        return b

    @field_validator("relaxation_group", mode="before")
    @classmethod
    def _relaxation(cls, v: Any, info: ValidationInfo) -> str:
        ctx = applicant_context(info)
        keys = choice_keys(v, "推荐类别", ctx.relaxation_groups if ctx else None)
        if len(keys) > 1:
            raise field_error("choice_too_many", "推荐类别只能选择一项")
        key = keys[0] if keys else ""
        recommended = info.data.get("street_recommended")
        if recommended and not key:
            raise field_error("required", "经街道推荐的，推荐类别必须选择")
        if recommended is False and key:
            raise field_error("relaxation_without_recommendation", "未经街道推荐的，不应填写推荐类别")
        return key

    @field_validator("priority_groups", "declared_disqualifications", mode="before")
    @classmethod
    def _choices(cls, v: Any, info: ValidationInfo) -> list[str]:
        ctx = applicant_context(info)
        if info.field_name == "priority_groups":
            return choice_keys(v, "优先条件", ctx.priority_groups if ctx else None)
        return choice_keys(v, "本人存在的情形", ctx.disqualifications if ctx else None)

    @field_validator("relatives", mode="before")
    @classmethod
    def _relatives(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, list | tuple) and len(v) > MAX_RELATIVES:
            raise field_error("relatives_too_many", f"亲属关系最多填写{MAX_RELATIVES}人（现为{len(v)}人）")
        return v

    @field_validator("service_programme_passed", mode="before")
    @classmethod
    def _programme_passed(cls, v: Any, info: ValidationInfo) -> bool:
        b = yes_no(v, "服务期满考核是否合格")
        if b and info.data.get("service_programme") is False:
            raise field_error(
                "programme_passed_without_programme", "不是服务基层项目人员的，不应填写服务期满考核合格"
            )
        return b

    def id_facts(self, today: date) -> IdFacts:
        """What the ID number says (birth date, sex, area); InvalidInput if it is not a valid number."""
        return parse_id(self.id_number, today=today)

    def to_registration(self) -> Registration:
        """The domain's plain record of this registration (the post is chosen separately: `post_code`)."""
        assert self.education is not None  # the validator refuses a blank education
        return Registration(
            name=self.name,
            id_number=self.id_number,
            phone=self.phone,
            education=self.education.value,
            major=self.major,
            school=self.school,
            household_code=self.household_code,
            household_place=self.household_place,
            relaxation_group=self.relaxation_group,
            street_recommended=self.street_recommended,
            priority_groups=tuple(self.priority_groups),
            declared_disqualifications=tuple(self.declared_disqualifications),
            relatives=tuple(r.to_relative() for r in self.relatives),
            service_programme=self.service_programme,
            service_programme_passed=self.service_programme_passed,
            note=self.note,
        )
