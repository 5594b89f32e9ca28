"""Education levels (学历), in increasing order: what an application declares and a condition requires."""

from __future__ import annotations

from enum import StrEnum


class Education(StrEnum):
    """Education levels, in increasing order."""

    SENIOR_SECONDARY = "senior_secondary"  # 高中/中专
    JUNIOR_COLLEGE = "junior_college"  # 大学专科
    BACHELOR = "bachelor"  # 大学本科
    POSTGRADUATE = "postgraduate"  # 研究生

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, value: str) -> Education | None:
        """The level for a stored value, or None for an empty or unknown one."""
        return _BY_VALUE.get(value)


_BY_VALUE = {e.value: e for e in Education}
_RANKS = {e: i for i, e in enumerate(Education)}
_LABELS = {
    Education.SENIOR_SECONDARY: "高中(中专)",
    Education.JUNIOR_COLLEGE: "大学专科",
    Education.BACHELOR: "大学本科",
    Education.POSTGRADUATE: "研究生",
}
