"""The building blocks of the registration form: the shapes of its fields, the converters and checks its
validators share (each refusal a PydanticCustomError whose type is the stable code and whose message is
Chinese and names the field), and the relative (亲属关系) sub-form."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from domain.applicant import Relation, Relative
from forms.applicant_context import (
    ApplicantContext,
    Choice,
    labels,
    match_choice,
    normalise_code,
    normalise_name,
    parse_relation,
    parse_yes_no,
    split_values,
    text,
)

MAX_RELATIVES = 5
# CJK ideographs (basic, extension A, compatibility, extensions B-G) and 〇; '·' between parts of a name
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
NAME_RE = re.compile(rf"^[{_HAN}]+(·[{_HAN}]+)*$")
ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
PHONE_RE = re.compile(r"^1[0-9]{10}$")
HOUSEHOLD_CODE_RE = re.compile(r"^[0-9]{6}$")
WORKPLACE_CODE_RE = re.compile(r"^[0-9A-Za-z]{2,32}$")
POST_CODE_RE = re.compile(r"^[0-9A-Za-z\-_]{1,20}$")


def field_error(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(code, message)


def field_label(model: type[BaseModel], info: ValidationInfo) -> str:
    name = info.field_name or ""
    field = model.model_fields.get(name)
    return (field.title if field and field.title else name) or "该项"


def applicant_context(info: ValidationInfo) -> ApplicantContext | None:
    ctx = info.context
    if isinstance(ctx, ApplicantContext):
        return ctx
    if isinstance(ctx, dict) and isinstance(ctx.get("applicant"), ApplicantContext):
        return ctx["applicant"]  # type: ignore[no-any-return]
    return None


def short_text(value: Any, label: str, max_len: int, *, required: bool) -> str:
    t = text(value)
    if required and not t:
        raise field_error("required", f"{label}必须填写")
    if len(t) > max_len:
        raise field_error("too_long", f"{label}不能超过{max_len}个字（现为{len(t)}个字）")
    return t


def yes_no(value: Any, label: str) -> bool:
    b = parse_yes_no(value)
    if b is None:
        raise field_error("yes_no_invalid", f"{label}应填写「是」或「否」，不能是「{text(value)}」")
    return b


def choice_keys(value: Any, label: str, allowed: tuple[Choice, ...] | None) -> list[str]:
    out: list[str] = []
    for v in split_values(value):
        if allowed is None:
            key = v
        else:
            found = match_choice(v, allowed)
            if found is None:
                raise field_error("choice_unknown", f"{label}中的「{v}」不是可选项；可选：{labels(allowed)}")
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
            raise field_error("required", "亲属姓名必须填写")
        if not (2 <= len(name) <= 30 and NAME_RE.match(name)):
            raise field_error(
                "name_format", f"亲属姓名「{name}」应为2至30个汉字（少数民族姓名可用「·」分隔）"
            )
        return name

    @field_validator("relation", mode="before")
    @classmethod
    def _relation(cls, v: Any) -> Relation:
        t = text(v)
        if not t:
            raise field_error("required", "与本人关系必须选择")
        r = parse_relation(t)
        if r is None:
            allowed = "、".join(f"「{x.label}」" for x in Relation)
            raise field_error("relation_unknown", f"与本人关系「{t}」不是可选项；可选：{allowed}")
        return r

    @field_validator("workplace_code", mode="before")
    @classmethod
    def _workplace(cls, v: Any) -> str:
        code = normalise_code(v)
        if not code:
            raise field_error("required", "亲属工作单位代码必须填写")
        if not WORKPLACE_CODE_RE.match(code):
            raise field_error(
                "workplace_code_format", f"亲属工作单位代码「{code}」应为2至32位数字或字母（单位的区划代码）"
            )
        return code

    @field_validator("position", mode="before")
    @classmethod
    def _position(cls, v: Any) -> str:
        return short_text(v, "亲属职务", 50, required=False)

    def to_relative(self) -> Relative:
        assert self.relation is not None  # the validator refuses a blank relation
        return Relative(self.name, self.relation, self.workplace_code, self.position)
