"""Written and interview scores: a whole sheet (parsed by the API layer into (ticket, score) pairs, None for
缺考) is imported whole or not at all, every row's problem listed — unknown ticket, a ticket twice, out of
0-100, more decimals than the announcement allows, or a candidate the importing officer must recuse
from (回避: related staff may not score). One interview score may also be recorded on its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from db.models.recruitment_round import Application
from db.repos import recruitment_round as repo
from db.repos import round_exams as exam_repo
from domain.actor import Actor
from domain.errors import InvalidInput, NotFound, RuleViolation
from services import audit
from services.recruitment_round import registration, rounds
from services.recruitment_round import settings as rs
from services.recruitment_round.registration import CASE
from services.recruitment_round.scoring import Progress, officer_round, score_problem
from services.recruitment_round.screening import require_not_recused
from services.uow import UnitOfWork

ScoreLine = tuple[str, Decimal | None]  # (admission ticket, score); None: absent (缺考)
_KINDS = {
    # kind: (round step, application state holding the candidates, label, decimals setting)
    "written": ("written_exam", "qualified", "笔试", "decimals_written"),
    "interview": ("interview", "shortlisted", "面试", "decimals_interview"),
}
RECUSAL_ARTICLE = "事业单位公开招聘人员暂行规定 art. 27"


@dataclass(frozen=True)
class ScoreProblem:
    row: int
    ticket: str
    code: str
    message: str


def import_written_scores(
    uow: UnitOfWork,
    actor: Actor,
    round_id: int,
    rows: Sequence[ScoreLine],
    *,
    row_numbers: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """笔试成绩导入 (round in the written exam; candidates with an admission ticket, still 'qualified')."""
    return _import(uow, actor, round_id, "written", rows, row_numbers, progress)


def import_interview_scores(
    uow: UnitOfWork,
    actor: Actor,
    round_id: int,
    rows: Sequence[ScoreLine],
    *,
    row_numbers: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """面试成绩导入 (round in the interview; candidates 'shortlisted')."""
    return _import(uow, actor, round_id, "interview", rows, row_numbers, progress)


def _import(
    uow: UnitOfWork,
    actor: Actor,
    round_id: int,
    kind: str,
    lines: Sequence[ScoreLine],
    row_numbers: Sequence[int] | None,
    progress: Progress | None,
) -> dict[str, int]:
    step, state, label, decimals_key = _KINDS[kind]
    rnd = officer_round(uow, actor, round_id, step, f"导入{label}成绩")
    if row_numbers is not None and len(row_numbers) != len(lines):
        raise InvalidInput("行号与成绩行数不一致", code="row_numbers_mismatch")
    if not lines:
        raise InvalidInput(f"没有要导入的{label}成绩", code="import_empty")
    cols = ["admit_ticket", f"{kind}_score", f"{kind}_absent"]
    known = {
        r.admit_ticket: r
        for r in exam_repo.round_rows(uow.session, rnd.id, [state], cols, lock=True)
        if r.admit_ticket
    }
    recused = repo.recused_applications(uow.session, rnd.id, actor.user_id)
    decimals = int(rs.value(rnd.settings, decimals_key))
    problems: list[ScoreProblem] = []
    seen: dict[str, int] = {}
    items: list[dict[str, Any]] = []
    for i, (raw_ticket, score) in enumerate(lines):
        n = row_numbers[i] if row_numbers is not None else i + 1
        ticket = (raw_ticket or "").strip()
        found = known.get(ticket)
        bad = _problem(ticket, score, found, seen, n, label, decimals, recused)
        if bad is not None:
            problems.append(ScoreProblem(n, ticket, *bad))
            continue
        seen[ticket] = n
        assert found is not None
        items.append({"id": found.id, f"{kind}_score": score, f"{kind}_absent": score is None,
                      "_before": getattr(found, f"{kind}_score"), "_ticket": ticket})  # fmt: skip
    if problems:
        raise InvalidInput(
            f"{label}成绩有{len(problems)}处错误，未导入任何成绩："
            + "；".join(f"第{p.row}行：{p.message}" for p in problems[:20])
            + ("……" if len(problems) > 20 else ""),
            code="score_import_invalid",
            details={"problems": [asdict(p) for p in problems]},
        )
    if progress:
        progress(len(items) // 2, len(items))
    repo.update_many(uow.session, [{k: v for k, v in it.items() if not k.startswith("_")} for it in items],
                     now=uow.now)  # fmt: skip
    repo.expire_applications(uow.session)
    drafts = [
        audit.AuditDraft(
            actor=actor, subject_type=CASE, subject_id=it["id"], action=f"{kind}_score", from_state=state,
            to_state=state, article="IM art. 8", opinion=_opinion(label, it, kind),
        )
        for it in items
    ]  # fmt: skip
    audit.record_many(uow.session, uow.now, drafts)
    summary = {"imported": len(items), "absent": sum(1 for it in items if it[f"{kind}_absent"]),
               "missing": len(known) - len(items)}  # fmt: skip
    rounds.audit_round(uow, actor, rnd, action=f"import_{kind}_scores", from_state=rnd.status,
                       to_state=rnd.status, article="IM art. 8", data=summary)  # fmt: skip
    if progress:
        progress(len(items), len(items))
    return summary


def _opinion(label: str, it: dict[str, Any], kind: str) -> str:
    """The audit row's text (plain text, no JSON: this runs for every row of a 20,000-row sheet)."""
    score, before = it[f"{kind}_score"], it["_before"]
    text = f"准考证号{it['_ticket']}，{label}成绩{'缺考' if score is None else score}"
    return text if before is None else f"{text}（原为{before.normalize():f}）"


def _problem(
    ticket: str,
    score: object,
    found: Any,
    seen: dict[str, int],
    row: int,
    label: str,
    decimals: int,
    recused: set[int],
) -> tuple[str, str] | None:
    if not ticket:
        return "ticket_required", "准考证号未填写"
    if ticket in seen:
        return "ticket_duplicate", f"准考证号{ticket}与第{seen[ticket]}行重复"
    if found is None:
        return "ticket_unknown", f"准考证号「{ticket}」不在本次{label}考生名单中（或该考生已不在此环节）"
    if found.id in recused:
        return (
            "recused",
            f"您与准考证号{ticket}的考生有亲属关系，应当回避，不能录入其成绩（{RECUSAL_ARTICLE}）",
        )
    if score is None:
        return None
    return score_problem(score, decimals, f"{label}成绩")


def record_interview_score(uow: UnitOfWork, actor: Actor, app_id: int, score: Decimal | None) -> Application:
    """One candidate's interview score (None: absent), by the round's officer who is not related to them."""
    round_id = exam_repo.round_of_application(uow.session, app_id)
    if round_id is None:
        raise NotFound(f"报名 {app_id} 不存在", code="application_not_found")
    rnd = officer_round(uow, actor, round_id, "interview", "录入面试成绩")  # the round first, as batches lock
    app = registration.load_application(uow, actor, app_id, for_update=True)
    if app.status != "shortlisted":
        raise RuleViolation("该考生不在面试人选中", code="not_shortlisted", article="IM art. 8")
    require_not_recused(uow, actor, app)
    if score is not None:
        bad = score_problem(score, int(rs.value(rnd.settings, "decimals_interview")), "面试成绩")
        if bad is not None:
            raise InvalidInput(bad[1], code=bad[0], details={"field": "score"})
    before = app.interview_score
    app.interview_score, app.interview_absent = score, score is None
    app.updated_at = uow.now
    registration.audit_app(uow, actor, app, action="interview_score", from_state=app.status,
                           to_state=app.status, article="IM art. 8",
                           data={"score": score, "absent": score is None, "before": before})  # fmt: skip
    return app
