"""The registration form from its two sources: the public HTML form (multi-valued fields) and one row of the
officer's Excel import (a dict keyed by the template's Chinese column names). Both give either the checked
`ApplicationForm` or every problem at once, each naming its field in Chinese with a stable code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from domain.errors import InvalidInput
from forms.applicant_context import ApplicantContext, text
from forms.application import MAX_RELATIVES, ApplicationForm

# Excel column (the template's header) -> form field, in the template's order
COLUMNS: tuple[tuple[str, str], ...] = (
    ("姓名", "name"),
    ("公民身份号码", "id_number"),
    ("手机号码", "phone"),
    ("学历", "education"),
    ("专业", "major"),
    ("毕业院校", "school"),
    ("户籍所在地代码", "household_code"),
    ("户籍所在地", "household_place"),
    ("报考岗位代码", "post_code"),
    ("是否街道推荐", "street_recommended"),
    ("推荐类别", "relaxation_group"),
    ("优先条件", "priority_groups"),
    ("本人存在的情形", "declared_disqualifications"),
    ("已签署承诺", "pledge"),
    ("是否服务基层项目人员", "service_programme"),
    ("服务期满考核是否合格", "service_programme_passed"),
    ("备注", "note"),
)
RELATIVE_PARTS: tuple[tuple[str, str], ...] = (
    ("姓名", "name"),
    ("关系", "relation"),
    ("工作单位代码", "workplace_code"),
    ("职务", "position"),
)
MULTI_VALUED = ("priority_groups", "declared_disqualifications")


_PART_HEADER = {f: h for h, f in RELATIVE_PARTS}


def relative_column(slot: int, part: str) -> str:
    """The Excel column of one part of the relative in `slot` (1-based): 亲属2工作单位代码."""
    return f"亲属{slot}{_PART_HEADER[part]}"


ALL_COLUMNS: tuple[str, ...] = tuple(h for h, _ in COLUMNS) + tuple(
    relative_column(slot, f) for slot in range(1, MAX_RELATIVES + 1) for _, f in RELATIVE_PARTS
)
_COLUMN_OF = {f: h for h, f in COLUMNS}
_RELATIVE_HEADERS = [
    [(f, relative_column(slot, f)) for _, f in RELATIVE_PARTS] for slot in range(1, MAX_RELATIVES + 1)
]


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One refused field: `field` is the form's name for it ('id_number', 'relatives.2.name', slot 1-based),
    `label` its Chinese name as the form shows it, `column` the Excel template's header for it."""

    field: str
    label: str
    column: str
    message: str
    code: str
    value: str


def _problems(exc: ValidationError, slots: list[int]) -> list[FieldProblem]:
    out = []
    for e in exc.errors():
        loc = e.get("loc", ())
        code = str(e.get("type", "invalid"))
        msg = str(e.get("msg", ""))
        value = "" if isinstance(e.get("input"), dict | list) else text(e.get("input"))
        head = str(loc[0]) if loc else ""
        if head == "relatives" and len(loc) >= 2 and isinstance(loc[1], int):
            slot = slots[loc[1]] if loc[1] < len(slots) else loc[1] + 1
            part = str(loc[2]) if len(loc) > 2 else "name"
            column = relative_column(slot, part) if len(loc) > 2 else f"亲属{slot}"
            field = f"relatives.{slot}.{part}" if len(loc) > 2 else f"relatives.{slot}"
            if code not in _OURS:
                code, msg = "invalid", "填写有误"
            out.append(FieldProblem(field, column, column, f"第{slot}位亲属：{msg}", code, value))
            continue
        info = ApplicationForm.model_fields.get(head)
        label = (info.title if info and info.title else head) or "报名表"
        if code not in _OURS:  # pydantic's own (English) message: say it in Chinese
            code, msg = "invalid", f"{label}填写有误"
        out.append(FieldProblem(head, label, _COLUMN_OF.get(head, label), msg, code, value))
    return out


_OURS = frozenset(
    {
        "required",
        "too_long",
        "name_format",
        "id_format",
        "id_checksum",
        "id_birth_date",
        "id_area",
        "phone_format",
        "education_unknown",
        "household_code_format",
        "post_unknown",
        "yes_no_invalid",
        "pledge_required",
        "choice_unknown",
        "choice_too_many",
        "relaxation_without_recommendation",
        "relatives_too_many",
        "programme_passed_without_programme",
        "relation_unknown",
        "workplace_code_format",
    }
)


def validate_application(
    data: Mapping[str, Any], context: ApplicantContext | None, *, relative_slots: list[int] | None = None
) -> tuple[ApplicationForm | None, list[FieldProblem]]:
    """The checked form, or None and every problem. `relative_slots` numbers the relatives as the person
    saw them (blank rows of the form left out of `data`), so an error names the row they filled."""
    try:
        return ApplicationForm.model_validate(dict(data), context=context), []
    except ValidationError as exc:
        return None, _problems(exc, relative_slots or [])


def _getlist(form: Any, key: str) -> list[Any]:
    if hasattr(form, "getlist"):
        return list(form.getlist(key))
    value = form.get(key)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _first(form: Any, key: str) -> Any:
    values = _getlist(form, key)
    return values[0] if values else None


def _relatives(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """Relatives without the rows left blank, and the 1-based slot each one was typed in."""
    kept, slots = [], []
    for slot, row in enumerate(rows, start=1):
        if any(text(v) for v in row.values()):
            kept.append(row)
            slots.append(slot)
    return kept, slots


def form_data(form: Any) -> tuple[dict[str, Any], list[int]]:
    """An HTML form (starlette FormData, a dict of lists or of strings) as the model's input.

    Field names are the model's; checkboxes send 'on' when ticked and nothing otherwise; priority groups
    and declared disqualifications are repeated fields; relatives are the parallel repeated fields
    relative_name, relative_relation, relative_workplace_code, relative_position (one per row)."""
    data: dict[str, Any] = {}
    for name in ApplicationForm.model_fields:
        if name == "relatives":
            continue
        if name in MULTI_VALUED:
            data[name] = [v for v in _getlist(form, name) if text(v)]
        elif name in ("street_recommended", "pledge", "service_programme", "service_programme_passed"):
            data[name] = _first(form, name) or False
        else:
            data[name] = _first(form, name)
    parts = {f: _getlist(form, f"relative_{f}") for _, f in RELATIVE_PARTS}
    n = max((len(v) for v in parts.values()), default=0)
    rows = [{f: (vals[i] if i < len(vals) else "") for f, vals in parts.items()} for i in range(n)]
    data["relatives"], slots = _relatives(rows)
    return data, slots


def row_data(row: Mapping[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """One Excel row (column header -> cell value) as the model's input; blank yes/no cells mean 否."""
    data: dict[str, Any] = {field: row.get(header) for header, field in COLUMNS}
    for flag in ("street_recommended", "service_programme", "service_programme_passed"):
        if not text(data[flag]):
            data[flag] = False
    rows = [{f: row.get(header) for f, header in slot} for slot in _RELATIVE_HEADERS]
    data["relatives"], slots = _relatives(rows)
    return data, slots


def parse_html_form(form: Any, context: ApplicantContext) -> ApplicationForm:
    """The checked form from the public page's POST, or InvalidInput `application_invalid` listing every
    problem (details["fields"]: field, label, message, code) so the page can show them beside the inputs."""
    data, slots = form_data(form)
    checked, problems = validate_application(data, context, relative_slots=slots)
    if checked is None:
        raise InvalidInput(
            "报名表填写有误：" + "；".join(p.message for p in problems),
            code="application_invalid",
            details={
                "fields": [
                    {"field": p.field, "label": p.label, "message": p.message, "code": p.code}
                    for p in problems
                ]
            },
        )
    return checked


def parse_row(
    row: Mapping[str, Any], context: ApplicantContext
) -> tuple[ApplicationForm | None, list[FieldProblem]]:
    """The checked form from one Excel row (column header -> cell value), or None and its problems."""
    data, slots = row_data(row)
    return validate_application(data, context, relative_slots=slots)
