"""A round's settings: every rule the round runs by, defaulted from its pinned profile with the article
each comes from, adjustable by the organiser until the announcement is published (then fixed: the
announcement may not change, 人社部 2017). Stored as {key: {"value", "article", "label", "source"}}."""

from __future__ import annotations

from typing import Any

from domain.errors import InvalidInput, RuleViolation
from policies.effective import EffectiveProfile

LABELS: dict[str, str] = {
    "steps": "招聘环节",
    "interview_ratio": "面试比例(1:N)",
    "admit_ties_at_cutoff": "面试末位同分一并进入",
    "written_percent": "笔试成绩权重(%)",
    "interview_percent": "面试成绩权重(%)",
    "written_pass_line": "笔试合格线(空为不设)",
    "interview_pass_line": "面试合格线",
    "decimals_written": "笔试成绩小数位",
    "decimals_interview": "面试成绩小数位",
    "decimals_total": "总成绩小数位",
    "rounding": "舍入规则",
    "tie_breaks": "同分排序规则",
    "bonus_cap": "政策性加分上限",
    "opening_ratio": "开考比例(N:1)",
    "followup_ratio": "体检考察比例(1:N)",
    "vacancy_refill": "出现空缺时",
    "retest_days": "体检复检申请期限(日)",
    "notice_days": "公示期",
    "notice_unit": "公示期单位",
    "notice_min_working_days": "公示期最少工作日",
    "name_order": "公示名单排序",
    "household_scope_codes": "户籍范围(行政区划代码前缀)",
    "probation_months": "试用期(月)",
    "contract_term_months": "劳动合同期限(月)",
    "min_service_years": "最低服务年限(年)",
}

# Keys the organiser may set before publishing, and how to read a value from a form.
_INT = {
    "interview_ratio",
    "written_percent",
    "interview_percent",
    "interview_pass_line",
    "decimals_written",
    "decimals_interview",
    "decimals_total",
    "bonus_cap",
    "opening_ratio",
    "followup_ratio",
    "notice_days",
    "probation_months",
    "contract_term_months",
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "vacancy_refill": ("next_in_ranking", "none"),
    "name_order": ("surname_strokes", "ranking", "pinyin"),
    "notice_unit": ("calendar", "working"),
}
EDITABLE = _INT | {
    "notice_unit",
    "written_pass_line",
    "name_order",
    "admit_ties_at_cutoff",
    "vacancy_refill",
    "tie_breaks",
}


def _s(value: Any, article: str, key: str, source: str = "profile") -> dict[str, Any]:
    return {"value": value, "article": article, "label": LABELS.get(key, key), "source": source}


def from_profile(profile: EffectiveProfile, *, household_scope_codes: list[str]) -> dict[str, Any]:
    """The defaults of a new round, each with the article of the profile value it comes from."""
    r = profile.recruitment
    e = r.exam
    out: dict[str, Any] = {}

    def put(key: str, value: Any, article: str) -> None:
        out[key] = _s(value, article, key)

    put("steps", [str(s) for s in r.steps.value], r.steps.article)
    put("interview_ratio", e.interview_ratio.value, e.interview_ratio.article)
    put("admit_ties_at_cutoff", e.admit_ties_at_cutoff.value, e.admit_ties_at_cutoff.article)
    put("written_percent", e.weights.value.written_percent, e.weights.article)
    put("interview_percent", e.weights.value.interview_percent, e.weights.article)
    put("written_pass_line", None, "招聘公告")
    put("interview_pass_line", e.interview_pass_line.value, e.interview_pass_line.article)
    put("decimals_written", e.decimals.value.written, e.decimals.article)
    put("decimals_interview", e.decimals.value.interview, e.decimals.article)
    put("decimals_total", e.decimals.value.total, e.decimals.article)
    put("rounding", str(e.rounding.value), e.rounding.article)
    put("tie_breaks", [str(t) for t in e.tie_breaks.value], e.tie_breaks.article)
    put("bonus_cap", e.bonus_cap.value, e.bonus_cap.article)
    put("opening_ratio", e.opening_ratio.value, e.opening_ratio.article)
    put("followup_ratio", e.followup_ratio.value, e.followup_ratio.article)
    put("vacancy_refill", str(e.vacancy_refill.value), e.vacancy_refill.article)
    put("retest_days", e.physical_retest.value.request_within_days, e.physical_retest.article)
    put("notice_days", r.public_notice.value.days, r.public_notice.article)
    put("notice_unit", str(r.public_notice.value.unit), r.public_notice.article)
    if r.public_notice_min_working_days is not None:
        put(
            "notice_min_working_days",
            r.public_notice_min_working_days.value,
            r.public_notice_min_working_days.article,
        )
    put("name_order", "surname_strokes", "公示通行做法(按姓氏笔画排序)")
    hh = r.conditions.household_registration
    if hh is not None and hh.value.required:
        put("household_scope_codes", household_scope_codes, hh.article)
    else:
        put("household_scope_codes", [], hh.article if hh is not None else "本地配置")
    # The profile's probation when it fixes one (OR art. 10: 3 months), else the labour-contract law's
    # cap for a three-year contract (劳动合同法 art. 19: 6 months).
    p = profile.probation
    put("contract_term_months", 36, "劳动合同法 art. 19")
    put("probation_months", p.months_for(36), p.months.article if p.months is not None else p.caps.article)
    if r.min_service_years is not None:
        put("min_service_years", r.min_service_years.value, r.min_service_years.article)
    return out


def value(settings: dict[str, Any], key: str, default: Any = None) -> Any:
    item = settings.get(key)
    return default if item is None else item.get("value", default)


def article(settings: dict[str, Any], key: str) -> str:
    item = settings.get(key)
    return str(item.get("article", "")) if item else ""


def apply_changes(
    settings: dict[str, Any], changes: dict[str, Any], profile: EffectiveProfile
) -> dict[str, Any]:
    """The organiser's settings for this round's announcement (before publishing); each changed value
    is cited as the announcement's own. Unknown or malformed values are refused, naming the field."""
    out = {k: dict(v) for k, v in settings.items()}
    for key, raw in changes.items():
        if key not in EDITABLE:
            raise InvalidInput(f"设置项 {key} 不能修改", code="setting_not_editable", details={"field": key})
        label = LABELS.get(key, key)
        val: Any = raw
        if key in _INT:
            try:
                val = int(raw)
            except (TypeError, ValueError):
                raise InvalidInput(
                    f"「{label}」须为整数", code="setting_invalid", details={"field": key}
                ) from None
            if val < 0:
                raise InvalidInput(f"「{label}」不能为负数", code="setting_invalid", details={"field": key})
        elif key == "written_pass_line":
            val = None if raw in (None, "") else _number(raw, label, key)
        elif key == "admit_ties_at_cutoff":
            val = raw in (True, "1", "true", "on", "yes")
        elif raw not in _CHOICES.get(key, (raw,)):
            raise InvalidInput(f"「{label}」取值无效", code="setting_invalid", details={"field": key})
        old = out.get(key, {})
        if old.get("value") != val:
            out[key] = _s(val, "招聘公告", key, source="announcement")
    w = value(out, "written_percent", 50) + value(out, "interview_percent", 50)
    if w != 100:
        raise InvalidInput("笔试、面试成绩权重之和须为100%", code="weights_not_100", details={"sum": w})
    if value(out, "interview_ratio", 1) < 1 or value(out, "followup_ratio", 1) < 1:
        raise InvalidInput("面试比例、体检考察比例至少为1", code="setting_invalid")
    check_probation(profile, value(out, "contract_term_months", 36), value(out, "probation_months", 0))
    _check_notice(profile, value(out, "notice_days", 0), value(out, "notice_unit", "calendar"))
    return out


def _check_notice(profile: EffectiveProfile, days: int, unit: str) -> None:
    """The notice period the profile allows: e.g. 7 to 15 days (事业单位公开招聘人员暂行规定 art. 23)."""
    rule = profile.recruitment.public_notice
    if unit == str(rule.value.unit):
        low, high = rule.value.days, rule.value.max_days
        if days < low or (high is not None and days > high):
            span = f"{low}至{high}" if high is not None else f"不少于{low}"
            raise RuleViolation(
                f"公示期应为{span}{'日' if unit == 'calendar' else '个工作日'}(现为{days})",
                code="notice_period_out_of_range",
                article=rule.article,
            )
    minimum = profile.recruitment.public_notice_min_working_days
    if unit == "working" and minimum is not None and days < minimum.value:
        raise RuleViolation(
            f"公示期不得少于{minimum.value}个工作日(现为{days})",
            code="notice_period_out_of_range",
            article=minimum.article,
        )


def check_probation(profile: EffectiveProfile, term_months: int, probation_months: int) -> None:
    """Probation within the profile (OR art. 10) and the labour-contract law's cap (劳动合同法 art. 19)."""
    p = profile.probation
    cap = p.cap_for(term_months)
    if probation_months > cap:
        raise RuleViolation(
            f"劳动合同期限{term_months}个月的，试用期不得超过{cap}个月(现为{probation_months}个月)",
            code="probation_over_cap",
            article=p.caps.article,
        )
    if p.months is not None and probation_months > p.months.value:
        raise RuleViolation(
            f"试用期不得超过{p.months.value}个月(现为{probation_months}个月)",
            code="probation_over_profile",
            article=p.months.article,
        )


def _number(raw: Any, label: str, key: str) -> float:
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"「{label}」须为数字", code="setting_invalid", details={"field": key}) from None


def table(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """For the page: label, value, article, whether the announcement changed it."""
    return [
        {
            "key": k,
            "label": v.get("label", k),
            "value": v.get("value"),
            "article": v.get("article"),
            "source": v.get("source"),
        }
        for k, v in settings.items()
    ]
