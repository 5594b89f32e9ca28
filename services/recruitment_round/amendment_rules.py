"""What a supplementary announcement (补充公告) asks to change, checked against the pinned profile's rules
(`recruitment.announcement_amendment`): which fields, until when, in which direction. Pure: it reads the
round, its posts and the exam arrangements announced so far, and returns the changes and every problem.

Field keys: `registration_closes_at`, `announcement`, `post.<code>.title`, `post.<code>.conditions`,
`<step>.at` and `<step>.place` for the steps in ARRANGED (the exam's time and place)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.models.recruitment_round import RecruitmentRound, RoundPost
from domain.errors import InvalidInput
from policies.sections.amendment import AmendmentItem, AmendmentRules, AmendmentWindow
from policies.sections.recruitment import RECRUITMENT_STEP_LABELS
from services.recruitment_round import settings as rs

ARRANGED = ("written_exam", "interview", "assessment", "physical_exam")
STEP_LABELS = {**RECRUITMENT_STEP_LABELS, "assessment": "直接考核"}
POST_FIELDS = {"title": "岗位名称", "conditions": "岗位条件说明"}
# Keys that name something an amendment may never change, and which `fixed` entry of the rules says so.
_FIXED_POST_FIELDS = {
    "posts": "posts",
    "posts_planned": "posts",
    "status": "posts",
    "community_id": "posts",
    "max_age": "conditions",
    "min_education": "conditions",
}
_FIXED_ROUND_FIELDS = {"registration_opens_at": "registration_opens_at", "title": "title", "track": "posts"}
TEXT_LIMITS = {"announcement": 50_000, "title": 100, "conditions": 2_000, "place": 200}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    article: str
    field: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "article": self.article, "field": self.field}


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    old: Any  # JSON-able: datetimes as ISO text
    new: Any
    item: AmendmentItem


@dataclass
class Checked:
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value is not None else None


def when(raw: Any, label: str, key: str) -> datetime:
    """A moment as typed (datetime or ISO text, Beijing time without zone)."""
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = datetime.fromisoformat(str(raw).strip())
        except ValueError:
            raise InvalidInput(
                f"「{label}」格式应为 YYYY-MM-DD HH:MM（现为「{raw}」）",
                code="datetime_invalid",
                details={"field": key},
            ) from None
    if value.tzinfo is not None:
        raise InvalidInput(
            f"「{label}」须为北京时间（不带时区）", code="datetime_invalid", details={"field": key}
        )
    return value.replace(second=0, microsecond=0)


def label_of(key: str) -> str:
    if key == "registration_closes_at":
        return "报名截止时间"
    if key == "announcement":
        return "公告正文"
    parts = key.split(".")
    if parts[0] == "post" and len(parts) == 3:
        return f"岗位{parts[1]}的{POST_FIELDS.get(parts[2], parts[2])}"
    if len(parts) == 2 and parts[0] in ARRANGED:
        return f"{STEP_LABELS[parts[0]]}{'时间' if parts[1] == 'at' else '地点'}"
    return str(rs.LABELS.get(key, key))


def item_key(key: str) -> str:
    if key in ("registration_closes_at", "announcement"):
        return key
    if key.startswith("post."):
        return "post_text"
    return "arrangements"


def _fixed_entry(key: str) -> str | None:
    parts = key.split(".")
    if key in rs.LABELS or key == "settings":
        return "settings"
    if key in _FIXED_ROUND_FIELDS:
        return _FIXED_ROUND_FIELDS[key]
    if parts[0] == "post" and len(parts) == 3 and parts[2] in _FIXED_POST_FIELDS:
        return _FIXED_POST_FIELDS[parts[2]]
    return None


def _known(key: str) -> bool:
    parts = key.split(".")
    if key in ("registration_closes_at", "announcement"):
        return True
    if parts[0] == "post":
        return len(parts) == 3 and parts[2] in POST_FIELDS
    return len(parts) == 2 and parts[0] in ARRANGED and parts[1] in ("at", "place")


def window_problem(
    item: AmendmentItem,
    key: str,
    rnd: RecruitmentRound,
    seq: Sequence[str],
    arranged: Mapping[str, Any],
    now: datetime,
) -> str | None:
    """Why the item may not be amended now (Chinese), or None when it may."""
    if item.window is AmendmentWindow.REGISTRATION:
        closes = rnd.registration_closes_at
        if rnd.status == "registration" and closes is not None and now < closes:
            return None
        if rnd.status == "registration" and closes is not None:
            return f"「{label_of(key)}」须在报名截止前更正，报名已于{closes:%Y-%m-%d %H:%M}截止"
        return f"「{label_of(key)}」须在报名截止前更正，本次招聘已进入「{STEP_LABELS.get(rnd.status, rnd.status)}」"
    if item.window is AmendmentWindow.OWN_STEP:
        step = key.split(".")[0]
        here, there = seq.index(rnd.status), seq.index(step)
        if here < there:
            return None
        at = arranged.get(f"{step}.at")
        if here == there and at is not None and moment(at) > now:
            return None
        if here == there:
            return f"「{STEP_LABELS[step]}」已经开始，不能再公布或调整其时间、地点"
        return f"「{STEP_LABELS[step]}」环节已经结束，不能再公布或调整其时间、地点"
    return None  # LIVE: the round is under way (checked by the caller)


def check(
    rnd: RecruitmentRound,
    posts: Sequence[RoundPost],
    arranged: Mapping[str, Any],
    requested: Mapping[str, Any],
    rules: AmendmentRules,
    *,
    seq: Sequence[str],
    now: datetime,
    fixed_article: str,
) -> Checked:
    """The changes the request makes (fields whose value differs) and every problem with them. Malformed
    input (an unknown field or post, a bad date, an over-long text) raises InvalidInput at once."""
    out = Checked()
    by_code = {p.code: p for p in posts}
    current: dict[str, Any] = {
        "registration_closes_at": iso(rnd.registration_closes_at),
        "announcement": rnd.announcement,
        **{f"post.{p.code}.{f}": getattr(p, f) for p in posts for f in POST_FIELDS},
        **arranged,
    }
    for key, raw in requested.items():
        fixed = _fixed_entry(key)
        if fixed is not None:
            out.problems.append(_fixed_problem(key, fixed, rules, fixed_article))
            continue
        _require_known(key, by_code, seq)
        new = _normalise(key, raw, current.get(key))
        if new == current.get(key):
            continue
        item = rules.item(item_key(key))
        if item is None:
            message = f"本地政策不允许以补充公告更改「{label_of(key)}」"
            out.problems.append(Problem("amendment_not_allowed", message, fixed_article, key))
            continue
        out.changes.append(Change(key, label_of(key), current.get(key), new, item))
    for c in out.changes:
        why = window_problem(c.item, c.key, rnd, seq, arranged, now)
        if why is not None:
            out.problems.append(Problem("amendment_too_late", why, c.item.article, c.key))
    out.problems += _value_problems(out.changes, current, seq, now)
    return out


def _fixed_problem(key: str, fixed: str, rules: AmendmentRules, fixed_article: str) -> Problem:
    entry = next((f for f in rules.fixed if f.key == fixed), None)
    what = entry.label if entry is not None else label_of(key)
    article = (entry.article if entry is not None else None) or fixed_article
    message = f"「{label_of(key)}」属于已公布的内容，补充公告不得变更（不得变更：{what}）"
    return Problem("amendment_fixed_field", message, article, key)


def _require_known(key: str, by_code: Mapping[str, RoundPost], seq: Sequence[str]) -> None:
    parts = key.split(".")
    if not _known(key):
        raise InvalidInput(
            f"补充公告不能更改「{key}」", code="amendment_field_unknown", details={"field": key}
        )
    if parts[0] == "post" and parts[1] not in by_code:
        raise InvalidInput(f"岗位代码「{parts[1]}」不存在", code="post_unknown", details={"field": key})
    if parts[0] in ARRANGED and parts[0] not in seq:
        message = f"本次招聘没有「{STEP_LABELS[parts[0]]}」环节"
        raise InvalidInput(message, code="step_not_in_round", details={"field": key})


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _normalise(key: str, raw: Any, old: Any) -> Any:
    """The value as stored: ISO text to the minute for moments, stripped text otherwise; None for an
    exam time or place still not announced."""
    label = label_of(key)
    empty = raw is None or (isinstance(raw, str) and not raw.strip())
    if key.endswith("_at") or key.endswith(".at"):
        if empty and old is None:
            return None
        if empty:
            message = f"已公布的「{label}」不能清空，只能调整"
            raise InvalidInput(message, code="amendment_clears_value", details={"field": key})
        return iso(when(raw, label, key))
    text = "" if empty else str(raw).strip()
    limit = TEXT_LIMITS.get(key.split(".")[-1], 2_000)
    if len(text) > limit:
        raise InvalidInput(f"「{label}」不能超过{limit}字", code="text_too_long", details={"field": key})
    if key.endswith(".place") and not text:
        if old is None:
            return None
        message = f"已公布的「{label}」不能清空，只能调整"
        raise InvalidInput(message, code="amendment_clears_value", details={"field": key})
    if not text and (key == "announcement" or key.endswith(".title")):
        raise InvalidInput(f"「{label}」不能为空", code="amendment_clears_value", details={"field": key})
    return text


def _value_problems(
    changes: Sequence[Change], current: Mapping[str, Any], seq: Sequence[str], now: datetime
) -> list[Problem]:
    """Directions and order: the deadline only later, every new moment in the future, the exams after the
    (effective) registration deadline and in the order of the round's steps."""
    out: list[Problem] = []
    after = {**current, **{c.key: c.new for c in changes}}
    changed = {c.key: c for c in changes}
    close = changed.get("registration_closes_at")
    if close is not None:
        article = close.item.article
        if close.item.extend_only and close.old is not None and moment(close.new) < moment(close.old):
            message = f"报名截止时间只能延长、不得缩短（原为{_show(close.old)}，填写的是{_show(close.new)}）"
            out.append(Problem("registration_shortened", message, article, close.key))
        if moment(close.new) <= now:
            message = f"新的报名截止时间须晚于当前时间（{now:%Y-%m-%d %H:%M}）"
            out.append(Problem("moment_in_past", message, article, close.key))
    closes = after.get("registration_closes_at")
    previous: tuple[str, str] | None = None
    for step in (s for s in seq if s in ARRANGED):
        at, mine = after.get(f"{step}.at"), changed.get(f"{step}.at")
        if at is None:
            continue
        before = changed.get(f"{previous[0]}.at") if previous is not None else None
        cause = mine or close or before
        if cause is None:  # nothing about this exam's moment changes
            previous = (step, at)
            continue
        name, article = f"「{STEP_LABELS[step]}时间」", cause.item.article
        if mine is not None and moment(at) <= now:
            out.append(Problem("moment_in_past", f"{name}须晚于当前时间", article, mine.key))
        if closes is not None and moment(at) <= moment(closes) and (mine or close):
            message = f"{name}（{_show(at)}）须在报名截止（{_show(closes)}）之后"
            out.append(Problem("exam_before_registration_closes", message, article, f"{step}.at"))
        if previous is not None and moment(at) <= moment(previous[1]) and (mine or before):
            message = f"{name}须晚于「{STEP_LABELS[previous[0]]}时间」（{_show(previous[1])}）"
            out.append(Problem("exam_order", message, article, f"{step}.at"))
        previous = (step, at)
    return out


def _show(value: str) -> str:
    return value.replace("T", " ")[:16]
