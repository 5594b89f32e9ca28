"""What the exam steps share: the round's scoring rules from its settings (each value with its article),
an application row as ranking sees it, score checks, and the set-wise move of many applications by one
event of the application machine's transition table (one UPDATE, audit drafts for one bulk insert)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from db.models.recruitment_round import RecruitmentRound, RoundPost
from db.repos import recruitment_round as repo
from db.repos import round_exams as exam_repo
from domain.actor import Actor
from domain.education import Education
from domain.errors import Conflict, RuleViolation
from domain.ranking import Candidate, Rounding, ScoringRules, TieBreak, VacancyRefill
from services import audit
from services.recruitment_round import settings as rs
from services.recruitment_round.registration import CASE
from services.recruitment_round.rounds import load, load_visible, require_officer
from services.uow import UnitOfWork
from states.application import ApplicationMachine
from states.recruitment_round import RecruitmentRoundMachine

Progress = Callable[[int, int], None]
# 百分制: the scale of the exam papers, which the weights and pass lines assume (the score template's too).
FULL_MARK = Decimal(100)
# The columns ranking reads from an application row.
RANK_COLUMNS = [
    "admit_ticket", "written_score", "written_absent", "interview_score", "interview_absent", "bonus",
    "education", "birth_date", "flags",
]  # fmt: skip


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def rules_of(rnd: RecruitmentRound) -> ScoringRules:
    """The round's scoring rules, as its announcement fixed them (defaults from the pinned profile)."""
    s = rnd.settings
    return ScoringRules(
        written_percent=int(rs.value(s, "written_percent")),
        interview_percent=int(rs.value(s, "interview_percent")),
        written_decimals=int(rs.value(s, "decimals_written")),
        interview_decimals=int(rs.value(s, "decimals_interview")),
        total_decimals=int(rs.value(s, "decimals_total")),
        rounding=Rounding(rs.value(s, "rounding")),
        written_pass_line=_dec(rs.value(s, "written_pass_line")),
        interview_pass_line=_dec(rs.value(s, "interview_pass_line")),
        interview_ratio=int(rs.value(s, "interview_ratio")),
        admit_ties_at_cutoff=bool(rs.value(s, "admit_ties_at_cutoff")),
        tie_breaks=tuple(TieBreak(t) for t in rs.value(s, "tie_breaks", [])),
        followup_ratio=int(rs.value(s, "followup_ratio")),
        bonus_cap=_dec(rs.value(s, "bonus_cap")),
        refill=VacancyRefill(rs.value(s, "vacancy_refill")),
    )


def articles_of(rnd: RecruitmentRound, *keys: str) -> str:
    """The distinct articles of some settings, joined: what a scoring decision cites."""
    seen: list[str] = []
    for k in keys:
        a = rs.article(rnd.settings, k)
        if a and a not in seen:
            seen.append(a)
    return "；".join(seen)[:200]


def candidate(row: Any) -> Candidate:
    education = Education.parse(row.education or "")
    return Candidate(
        application_id=row.id,
        post_id=row.post_id,
        written=None if row.written_absent else row.written_score,
        interview=None if row.interview_absent else row.interview_score,
        bonus=row.bonus if row.bonus is not None else Decimal(0),
        education_rank=education.rank if education is not None else None,
        birth_date=row.birth_date,
        priority=tuple(f for f in (row.flags or []) if not str(f).startswith("relaxed:")),
    )


def score_problem(value: object, decimals: int, label: str) -> tuple[str, str] | None:
    """(code, message) when a score is not a Decimal within 0..100 with at most `decimals` places."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return "score_not_number", f"{label}不是有效数值"
    if not Decimal(0) <= value <= FULL_MARK:
        return "score_out_of_range", f"{label}{value}超出0至{FULL_MARK}分的范围"
    exp = value.normalize().as_tuple().exponent
    if isinstance(exp, int) and -exp > decimals:
        return "score_too_many_decimals", f"{label}{value}的小数位数超过规定的{decimals}位"
    return None


def officer_round(
    uow: UnitOfWork, actor: Actor | None, round_id: int, step: str, what: str
) -> RecruitmentRound:
    """The round, locked; the actor (if any) is its officer; it is in `step`."""
    if actor is None:
        rnd = load(uow, round_id, for_update=True)
    else:
        rnd = load_visible(uow, actor, round_id, for_update=True)
        require_officer(actor, rnd)
    if rnd.status != step:
        label = RecruitmentRoundMachine.status_labels().get(step, step)
        raise RuleViolation(f"只能在「{label}」环节{what}", code="wrong_step", article="IM art. 8")
    return rnd


def scored_rows_by_post(
    uow: UnitOfWork, rnd: RecruitmentRound, kind: str, status: str, what: str
) -> tuple[dict[int, list[Any]], dict[int, RoundPost]]:
    """The round's applications in `status` (locked, RANK_COLUMNS) grouped by post, and its posts by id;
    refused while any of them still lacks its `kind` score ("written" / "interview")."""
    missing = exam_repo.missing_scores(uow.session, rnd.id, kind, [status])
    if missing:
        label = "笔试" if kind == "written" else "面试"
        raise RuleViolation(
            f"还有{len(missing)}名考生未录入{label}成绩（准考证号{'、'.join(missing[:10])}"
            f"{'等' if len(missing) > 10 else ''}），不能{what}",
            code="scores_missing", article="IM art. 8", details={"tickets": missing},
        )  # fmt: skip
    rows = exam_repo.round_rows(uow.session, rnd.id, [status], RANK_COLUMNS, lock=True)
    by_post: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        by_post[r.post_id].append(r)
    posts = {p.id: p for p in repo.posts_of(uow.session, rnd.id)}
    return by_post, posts


def move(
    uow: UnitOfWork,
    actor: Actor | None,
    event: str,
    source: str,
    items: Sequence[Mapping[str, Any]],
    *,
    article: str,
    opinion_of: Callable[[Mapping[str, Any]], str | None] = lambda _: None,
    data_of: Callable[[Mapping[str, Any]], Mapping[str, Any] | None] = lambda _: None,
) -> list[audit.AuditDraft]:
    """Send `event` to every application in `items` (each {"id", ...columns to set}) that is in `source`:
    the target comes from the machine's transition table; one executemany; returns the audit drafts.
    A row that left `source` meanwhile makes the whole step fail (nothing half-written)."""
    target = dict(ApplicationMachine.transition_table().get(event, [])).get(source)
    if target is None:
        raise RuleViolation(f"报名不能从「{source}」执行「{event}」", code="transition_not_allowed")
    if not items:
        return []
    rows = [{**it, "status": target} for it in items]
    moved = repo.move_many(uow.session, rows, sources=[source], now=uow.now)
    if moved != len(rows):
        raise Conflict("部分报名的状态已被其他操作改变，请重新执行", code="concurrent_change")
    return [
        audit.AuditDraft(
            actor=actor,
            subject_type=CASE,
            subject_id=int(it["id"]),
            action=event,
            from_state=source,
            to_state=target,
            article=article or ApplicationMachine.event_articles.get(event),
            opinion=opinion_of(it),
            data=data_of(it),
        )
        for it in items
    ]
