"""What the registration form of one recruitment round offers (its posts and the groups of its policy
profile), and the small parsers every input path shares: yes/no, education, choices by key or label.

The same rules read the public HTML form, a row of the officer's Excel import and the template's drop-downs,
so an Excel cell accepts exactly what the web form accepts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from domain.applicant import Relation
from policies.sections.recruitment import Education


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def label(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of a list: a stable key (stored) and its Chinese label (shown)."""

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class PostChoice:
    """A post of the round as the applicant picks it: its code (岗位代码), title and community."""

    code: str
    title: str
    community: str

    @property
    def label(self) -> str:
        return f"{self.code} {self.community}{self.title}"


def choices(items: Iterable[_Keyed | tuple[str, str]]) -> tuple[Choice, ...]:
    """Choices from `policies.base.Labelled` items (anything with `key` and `label`) or (key, label) pairs."""
    out = []
    for item in items:
        if isinstance(item, tuple):
            out.append(Choice(item[0], item[1]))
        else:
            out.append(Choice(item.key, item.label))
    return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicantContext:
    """The runtime lists one round's form is checked against (from its posts and its pinned policy), and
    `today` (the service clock's date) against which an ID number's birth date is checked; with `today`
    None an ID number is checked for its format only (18 characters, 17 digits and a digit or X)."""

    today: date | None
    posts: tuple[PostChoice, ...] = ()
    relaxation_groups: tuple[Choice, ...] = ()
    priority_groups: tuple[Choice, ...] = ()
    disqualifications: tuple[Choice, ...] = ()
    _by_code: dict[str, PostChoice] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {p.code: p for p in self.posts})

    def post(self, code: str) -> PostChoice | None:
        return self._by_code.get(code)


EDUCATION_ALIASES: dict[str, Education] = {
    "高中": Education.SENIOR_SECONDARY,
    "中专": Education.SENIOR_SECONDARY,
    "高中中专": Education.SENIOR_SECONDARY,
    "专科": Education.JUNIOR_COLLEGE,
    "大专": Education.JUNIOR_COLLEGE,
    "本科": Education.BACHELOR,
    "硕士": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE,
    "硕士研究生": Education.POSTGRADUATE,
    "博士研究生": Education.POSTGRADUATE,
}

YES = frozenset({"是", "y", "yes", "true", "1", "on", "√", "✓", "✔"})
NO = frozenset({"否", "n", "no", "false", "0", "off", "×", "✗", "✘", ""})

# Separators between several values in one cell: 、 ， , ； ; and line breaks.
_SPLIT = re.compile(r"[、，,；;\n\r]+")
_DOTS = str.maketrans({c: "·" for c in "•・･．.‧∙⋅"})
_SPACES = re.compile(r"\s+")


def text(value: Any) -> str:
    """A cell or form value as trimmed text ('' for nothing); integral floats lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normalise_code(value: Any) -> str:
    """Full-width digits and letters to ASCII (NFKC), spaces and hyphens dropped."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text(value)))


def normalise_name(value: Any) -> str:
    """A person's name with the look-alikes of the middle dot (•・．.) turned into '·'."""
    return text(value).translate(_DOTS)


def parse_yes_no(value: Any) -> bool | None:
    """True/False for 是/否 (and y/n, 1/0, √/×, a ticked checkbox's 'on'); None when unrecognised."""
    if isinstance(value, bool):
        return value
    t = text(value).lower()
    if t in YES:
        return True
    if t in NO:
        return False
    return None


def _squash(value: str) -> str:
    return (
        _SPACES.sub("", unicodedata.normalize("NFKC", value))
        .replace("/", "")
        .replace("(", "")
        .replace(")", "")
    )


_EDUCATIONS: dict[str, Education] = {
    **EDUCATION_ALIASES,
    **{e.value: e for e in Education},
    **{_squash(e.label): e for e in Education},
}
_RELATIONS: dict[str, Relation] = {
    **{r.value: r for r in Relation},
    **{r.label: r for r in Relation},
    **{r.label.removesuffix("关系"): r for r in Relation},
}


def parse_education(value: Any) -> Education | None:
    """An education level from its key, its Chinese label (大学本科) or a common short form (本科, 大专)."""
    return _EDUCATIONS.get(_squash(text(value)))


def parse_relation(value: Any) -> Relation | None:
    """A kinship from its key or Chinese label (夫妻关系; 夫妻, 直系血亲 also do)."""
    return _RELATIONS.get(_squash(text(value)))


def split_values(value: Any) -> list[str]:
    """Several values from a multi-valued HTML field (a list) or one cell ('甲、乙')."""
    parts = [text(v) for v in value] if isinstance(value, list | tuple) else _SPLIT.split(text(value))
    return [p.strip() for p in parts if p and p.strip()]


def match_choice(value: str, allowed: Sequence[Choice]) -> Choice | None:
    """The choice whose key or label is `value` (labels compared without spaces)."""
    squashed = _SPACES.sub("", value)
    for c in allowed:
        if value == c.key or squashed == _SPACES.sub("", c.label):
            return c
    return None


def labels(allowed: Iterable[Choice]) -> str:
    return "、".join(f"「{c.label}」" for c in allowed) or "（无）"
