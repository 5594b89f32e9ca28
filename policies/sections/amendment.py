"""Supplementary / correction announcements (补充公告、更正公告) of a published recruitment round: what an
amendment may change, until when, and what it may never change. No regional text regulates them; the
national profile states the common practice (each item with its source), a region may narrow it."""

from __future__ import annotations

from enum import StrEnum

from policies.base import Cited, Frozen, Labelled


class AmendmentWindow(StrEnum):
    """Until when an item may be amended."""

    REGISTRATION = "registration"  # while registration is open (before the announced deadline)
    OWN_STEP = "own_step"  # before the step it concerns has begun (an exam's time/place: before the exam)
    LIVE = "live"  # while the round is under way (published, not closed or cancelled)

    @property
    def label(self) -> str:
        return AMENDMENT_WINDOW_LABELS[self.value]


AMENDMENT_WINDOW_LABELS = {
    "registration": "报名截止前",
    "own_step": "该环节开始前",
    "live": "招聘结束前",
}


class AmendmentItem(Cited):
    """One kind of change an amendment may make, with its own source.

    `key`: registration_closes_at | announcement | post_text | arrangements | notes."""

    key: str
    label: str
    window: AmendmentWindow
    extend_only: bool = False  # a deadline that applicants relied on may move later, never earlier

    def describe(self) -> str:
        return f"{self.label}({self.window.label}{'，只能延长' if self.extend_only else ''})"


class AmendmentRules(Frozen):
    items: list[AmendmentItem]
    # What an amendment may never change once the announcement is published (shown with the form).
    fixed: list[Labelled]
    # An extended registration keeps the conditions' reference date (ages…) at the announced deadline,
    # so that nobody who registered stops qualifying because the window was extended.
    conditions_date_unchanged: bool = True

    def item(self, key: str) -> AmendmentItem | None:
        return next((i for i in self.items if i.key == key), None)

    def describe(self) -> str:
        may = "；".join(i.describe() for i in self.items)
        never = "、".join(f.label for f in self.fixed)
        return f"可以：{may}。不得变更：{never}"
