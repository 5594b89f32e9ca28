"""The public registration form of a recruitment round (报名表) as a pydantic model.

Every field converts what people type (full-width digits, 是/否, labels instead of keys) before its check,
and every refusal is a Chinese message naming the field with a stable code (the pydantic error type).
The lists that change per round (posts, relaxation and priority groups, disqualifications) come from an
`ApplicantContext` passed as validation context; without one, only their shape is checked.

The ID number's format is checked here; its check digit, birth date and area code by the domain's
`parse_id` when the context gives `today` (codes id_checksum, id_birth_date, id_area)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from domain.applicant import IdFacts, Registration, Relation, Relative
from domain.errors import InvalidInput
from domain.id_number import parse_id
from forms.applicant_context import (
    ApplicantContext,
    Choice,
    labels,
    match_choice,
    normalise_code,
    normalise_name,
    parse_education,
    parse_relation,
    parse_yes_no,
    split_values,
    text,
)
from policies.sections.recruitment import Education

MAX_RELATIVES = 5
# CJK ideographs (basic, extension A, compatibility, extensions B-G) and 〇; '·' between parts of a name
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
NAME_RE = re.compile(rf"^[{_HAN}]+(·[{_HAN}]+)*$")
ID_RE = re.compile(r"^\d{17}[\dX]$")
PHONE_RE = re.compile(r"^1\d{10}$")
HOUSEHOLD_CODE_RE = re.compile(r"^\d{6}$")
WORKPLACE_CODE_RE = re.compile(r"^[0-9A-Za-z]{2,32}$")
POST_CODE_RE = re.compile(r"^[0-9A-Za-z\-_]{1,20}$")


def _error(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(code, message)


def _label(model: type[BaseModel], info: ValidationInfo) -> str:
    name = info.field_name or ""
    field = model.model_fields.get(name)
    return (field.title if field and field.title else name) or "该项"


def _context(info: ValidationInfo) -> ApplicantContext | None:
    ctx = info.context
    if isinstance(ctx, ApplicantContext):
        return ctx
    if isinstance(ctx, dict) and isinstance(ctx.get("applicant"), ApplicantContext):
        return ctx["applicant"]  # type: ignore[no-any-return]
    return None


def _short_text(value: Any, label: str, max_len: int, *, required: bool) -> str:
    t = text(value)
    if required and not t:
        raise _error("required", f"{label}必须填写")
    if len(t) > max_len:
        raise _error("too_long", f"{label}不能超过{max_len}个字（现为{len(t)}个字）")
    return t


def _yes_no(value: Any, label: str) -> bool:
    b = parse_yes_no(value)
    if b is None:
        raise _error("yes_no_invalid", f"{label}应填写「是」或「否」，不能是「{text(value)}」")
    return b


def _keys(value: Any, label: str, allowed: tuple[Choice, ...] | None) -> list[str]:
    out: list[str] = []
    for v in split_values(value):
        if allowed is None:
            key = v
        else:
            found = match_choice(v, allowed)
            if found is None:
                raise _error("choice_unknown", f"{label}中的「{v}」不是可选项；可选：{labels(allowed)}")
            key = found.key
        if key not in out:
            out.append(key)
    return out


class RelativeForm(BaseModel):
    """A relative who works in the recruiting system (亲属关系): recusal (回避) is decided from these."""

    model_config = ConfigDict(frozen=True, validate_default=True)

    name: str = Field("", title="亲属姓名")
    relation: Relation | None = Field(None, title="与本人关系")
    workplace_code: str = Field("", title="亲属工作单位代码")
    position: str = Field("", title="亲属职务")

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, v: Any) -> str:
        name = normalise_name(v)
        if not name:
            raise _error("required", "亲属姓名必须填写")
        if not (2 <= len(name) <= 30 and NAME_RE.match(name)):
            raise _error("name_format", f"亲属姓名「{name}」应为2至30个汉字（少数民族姓名可用「·」分隔）")
        return name

    @field_validator("relation", mode="before")
    @classmethod
    def _relation(cls, v: Any) -> Relation:
        t = text(v)
        if not t:
            raise _error("required", "与本人关系必须选择")
        r = parse_relation(t)
        if r is None:
            allowed = "、".join(f"「{x.label}」" for x in Relation)
            raise _error("relation_unknown", f"与本人关系「{t}」不是可选项；可选：{allowed}")
        return r

    @field_validator("workplace_code", mode="before")
    @classmethod
    def _workplace(cls, v: Any) -> str:
        code = normalise_code(v)
        if not code:
            raise _error("required", "亲属工作单位代码必须填写")
        if not WORKPLACE_CODE_RE.match(code):
            raise _error(
                "workplace_code_format", f"亲属工作单位代码「{code}」应为2至32位数字或字母（单位的区划代码）"
            )
        return code

    @field_validator("position", mode="before")
    @classmethod
    def _position(cls, v: Any) -> str:
        return _short_text(v, "亲属职务", 50, required=False)

    def to_relative(self) -> Relative:
        assert self.relation is not None  # the validator refuses a blank relation
        return Relative(self.name, self.relation, self.workplace_code, self.position)


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
            raise _error("required", "姓名必须填写")
        if not 2 <= len(name) <= 30:
            raise _error("name_format", f"姓名应为2至30个字（现为{len(name)}个字）")
        if not NAME_RE.match(name):
            raise _error("name_format", f"姓名「{name}」只能由汉字组成，少数民族姓名各部分之间用「·」分隔")
        return name

    @field_validator("id_number", mode="before")
    @classmethod
    def _id_number(cls, v: Any, info: ValidationInfo) -> str:
        number = normalise_code(v).upper()
        if not number:
            raise _error("required", "公民身份号码必须填写")
        if len(number) != 18:
            raise _error("id_format", f"公民身份号码应为18位（现为{len(number)}位）：「{number}」")
        if not ID_RE.match(number):
            raise _error("id_format", f"公民身份号码「{number}」应为17位数字加1位数字或X")
        ctx = _context(info)
        if ctx is not None and ctx.today is not None:
            try:  # check digit, birth date, area code: the domain's rules (GB 11643-1999)
                parse_id(number, today=ctx.today)
            except InvalidInput as exc:
                raise _error(exc.code, exc.message) from None
        return number

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, v: Any) -> str:
        phone = normalise_code(v)
        if not phone:
            raise _error("required", "手机号码必须填写")
        if not PHONE_RE.match(phone):
            raise _error("phone_format", f"手机号码「{phone}」应为以1开头的11位数字")
        return phone

    @field_validator("education", mode="before")
    @classmethod
    def _education(cls, v: Any) -> Education:
        t = text(v)
        if not t:
            raise _error("required", "学历必须选择")
        e = parse_education(t)
        if e is None:
            allowed = "、".join(f"「{x.label}」" for x in Education)
            raise _error("education_unknown", f"学历「{t}」不是可选项；可选：{allowed}")
        return e

    @field_validator("major", mode="before")
    @classmethod
    def _major(cls, v: Any, info: ValidationInfo) -> str:
        edu = info.data.get("education")
        if isinstance(edu, Education) and edu.rank >= Education.JUNIOR_COLLEGE.rank and not text(v):
            raise _error("required", f"专业必须填写（学历为{edu.label}）")
        return _short_text(v, "专业", 100, required=False)

    @field_validator("school", "household_place", "note", mode="before")
    @classmethod
    def _texts(cls, v: Any, info: ValidationInfo) -> str:
        label = _label(cls, info)
        if info.field_name == "note":
            return _short_text(v, label, 500, required=False)
        return _short_text(v, label, 100, required=True)

    @field_validator("household_code", mode="before")
    @classmethod
    def _household_code(cls, v: Any) -> str:
        code = normalise_code(v)
        if code and not HOUSEHOLD_CODE_RE.match(code):
            raise _error("household_code_format", f"户籍所在地代码「{code}」应为6位数字（县级行政区划代码）")
        return code

    @field_validator("post_code", mode="before")
    @classmethod
    def _post_code(cls, v: Any, info: ValidationInfo) -> str:
        code = normalise_code(v)
        if not code:
            raise _error("required", "报考岗位必须选择")
        ctx = _context(info)
        if ctx is not None and ctx.post(code) is None:
            known = "、".join(p.code for p in ctx.posts) or "（无）"
            raise _error("post_unknown", f"报考岗位代码「{code}」不是本次招聘的岗位；岗位代码有：{known}")
        if ctx is None and not POST_CODE_RE.match(code):
            raise _error("post_unknown", f"报考岗位代码「{code}」格式不正确")
        return code

    @field_validator("street_recommended", "pledge", "service_programme", mode="before")
    @classmethod
    def _flags(cls, v: Any, info: ValidationInfo) -> bool:
        b = _yes_no(v, _label(cls, info))
        if info.field_name == "pledge" and not b:
            raise _error("pledge_required", "请阅读并勾选本人承诺（所填信息真实准确，如实申报本人情形）")
        return b

    @field_validator("relaxation_group", mode="before")
    @classmethod
    def _relaxation(cls, v: Any, info: ValidationInfo) -> str:
        ctx = _context(info)
        keys = _keys(v, "推荐类别", ctx.relaxation_groups if ctx else None)
        if len(keys) > 1:
            raise _error("choice_too_many", "推荐类别只能选择一项")
        key = keys[0] if keys else ""
        recommended = info.data.get("street_recommended")
        if recommended and not key:
            raise _error("required", "经街道推荐的，推荐类别必须选择")
        if recommended is False and key:
            raise _error("relaxation_without_recommendation", "未经街道推荐的，不应填写推荐类别")
        return key

    @field_validator("priority_groups", "declared_disqualifications", mode="before")
    @classmethod
    def _choices(cls, v: Any, info: ValidationInfo) -> list[str]:
        ctx = _context(info)
        if info.field_name == "priority_groups":
            return _keys(v, "优先条件", ctx.priority_groups if ctx else None)
        return _keys(v, "本人存在的情形", ctx.disqualifications if ctx else None)

    @field_validator("relatives", mode="before")
    @classmethod
    def _relatives(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, list | tuple) and len(v) > MAX_RELATIVES:
            raise _error("relatives_too_many", f"亲属关系最多填写{MAX_RELATIVES}人（现为{len(v)}人）")
        return v

    @field_validator("service_programme_passed", mode="before")
    @classmethod
    def _programme_passed(cls, v: Any, info: ValidationInfo) -> bool:
        b = _yes_no(v, "服务期满考核是否合格")
        if b and info.data.get("service_programme") is False:
            raise _error(
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
