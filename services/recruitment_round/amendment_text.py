"""The words of a supplementary announcement (补充公告): what it changes, item by item (一、二、…), then the
officer's own text, closed by 原公告其他内容不变."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policies.sections.amendment import AmendmentRules
from services.recruitment_round import amendment_rules as ar

_DIGITS = "零一二三四五六七八九"


def numeral(n: int) -> str:
    """1..99 in Chinese numerals (一, 十, 十一, 二十一)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return f"{_DIGITS[tens] if tens > 1 else ''}十{_DIGITS[ones] if ones else ''}"


def compose(round_title: str, changes: Sequence[ar.Change], own: str, rules: AmendmentRules) -> str:
    """The amendment's text: what changes, item by item, then the officer's own text."""
    lines = [f"现就《{round_title}公告》有关事项补充（更正）公告如下："] if changes else []
    for i, c in enumerate(changes, start=1):
        lines.append(f"{numeral(i)}、{describe(c, rules)}")
    if own:
        lines.append(own)
    lines.append("原公告其他内容不变。")
    return "\n".join(lines)


def describe(c: ar.Change, rules: AmendmentRules) -> str:
    """One change in the words of an announcement."""
    moment = c.key == "registration_closes_at" or c.key.endswith(".at")

    def show(v: Any) -> str:
        return ar.moment(v).strftime("%Y年%m月%d日%H:%M") if moment else str(v)

    if c.key == "registration_closes_at":
        tail = "年龄等资格条件仍按原公布的报名截止日计算。" if rules.conditions_date_unchanged else ""
        return f"报名截止时间由{show(c.old)}延长至{show(c.new)}。{tail}"
    if c.key == "announcement":
        return "更正公告正文的文字差错，更正后的公告正文见公告页面。"
    if c.old in (None, ""):
        return f"{c.label}定为：{show(c.new)}。"
    return f"{c.label}由“{show(c.old)}”更正为“{show(c.new)}”。"
