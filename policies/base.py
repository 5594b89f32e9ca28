"""Building blocks of a policy profile: a value together with where it comes from.

Every number or rule in a profile is *cited*: it carries the article it comes from (`article`), the kind
of source (`basis`) and, where useful, a `note`. A value that the loader merges as one unit along the
profile chain is a *provenanced* leaf: it also carries the profile it came from (`source_key`) and the
date from which it applies (`effective_from`); both are stamped by the loader, never written in a file.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

T = TypeVar("T")


class Basis(StrEnum):
    """What kind of source a value rests on."""

    REGULATION = "regulation"  # the regional text of the profile that states it
    NATIONAL = "national"  # national law or central policy (NATIONAL.md)
    LOCAL_CONFIG = "local_config"  # operational default where the texts are silent; always with a note

    @property
    def label(self) -> str:
        return BASIS_LABELS[self]


BASIS_LABELS = {
    Basis.REGULATION: "地方规定",
    Basis.NATIONAL: "国家规定",
    Basis.LOCAL_CONFIG: "本地配置",
}


class Frozen(BaseModel):
    """Immutable, strict about unknown keys (a typo in a data file is an error, not a silent default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Cited(Frozen):
    """Anything that states where it comes from."""

    article: str
    basis: Basis
    note: str | None = None

    @field_validator("article")
    @classmethod
    def _article_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("article must name the source (e.g. 'IM art. 8'), not be blank")
        return v.strip()

    @model_validator(mode="after")
    def _local_config_explained(self) -> Cited:
        if self.basis is Basis.LOCAL_CONFIG and not (self.note and self.note.strip()):
            raise ValueError("a local_config value needs a note saying why (e.g. the text is silent)")
        return self


class CitedValue(Cited, Generic[T]):
    """A cited value inside a larger leaf (e.g. the deadline of one approval step)."""

    value: T


class Provenance(Cited):
    """A leaf merged as one unit along the profile chain. `source_key` and `effective_from` are stamped by
    the loader (`effective_from` may also be written in a file, to date a single value; it defaults to the
    file's). `effective_until` (exclusive, optional) ends a value, e.g. where a later higher-ranking text
    superseded it: from that date the parent's value applies again."""

    effective_from: date | None = None
    effective_until: date | None = None
    source_key: str | None = None

    @model_validator(mode="after")
    def _dates_ordered(self) -> Provenance:
        if self.effective_from and self.effective_until and self.effective_until <= self.effective_from:
            raise ValueError("effective_until must be after effective_from")
        return self

    def in_force_on(self, on: date) -> bool:
        started = self.effective_from is None or self.effective_from <= on
        return started and (self.effective_until is None or on < self.effective_until)


class Sourced(Provenance, Generic[T]):
    """A single value with its source, e.g. `profile.staffing.workers_per_10k_urban.value == 18`."""

    value: T


# --- small value types used by several sections -------------------------------------------------


class Labelled(Frozen):
    """An item of an enumerated list in a text (a condition, a ground, a group), with a stable key."""

    key: str
    label: str
    article: str | None = None  # where one list gathers items from several articles


class IntRange(Frozen):
    """An inclusive range, e.g. 5-9 members, 100-700 households."""

    min: int
    max: int

    @model_validator(mode="after")
    def _ordered(self) -> IntRange:
        if self.min > self.max:
            raise ValueError(f"range min {self.min} > max {self.max}")
        return self

    def describe(self) -> str:
        return f"{self.min}-{self.max}"

    def contains(self, n: int) -> bool:
        return self.min <= n <= self.max


class Threshold(Frozen):
    """A limit as the text words it: `inclusive` true for 'reaches N' (达到/N天), false for 'more than N'
    (超过N)."""

    limit: int
    inclusive: bool

    def crossed_by(self, amount: int) -> bool:
        return amount >= self.limit if self.inclusive else amount > self.limit

    def describe(self) -> str:
        return f"达到{self.limit}" if self.inclusive else f"超过{self.limit}"


class DayUnit(StrEnum):
    WORKING = "working"  # 工作日 (Chinese statutory-holiday calendar)
    CALENDAR = "calendar"  # 自然日

    @property
    def label(self) -> str:
        return "个工作日" if self is DayUnit.WORKING else "日"


class Period(Frozen):
    """A span of days, counted in working or calendar days."""

    days: int
    unit: DayUnit

    def describe(self) -> str:
        return f"{self.days}{self.unit.label}"
