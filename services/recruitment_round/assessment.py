"""Direct assessment (直接考核) of service-programme graduates converting to community workers (OR art.
8 (二) 2): instead of the open exam, each qualified applicant is assessed; pass -> `select` (on to the
public notice), fail -> `eliminate` with the reason. The round goes on once everyone is assessed."""

from __future__ import annotations

from decimal import Decimal

from db.models.recruitment_round import Application, RecruitmentRound
from db.repos import recruitment_round as repo
from db.repos import round_exams as exam_repo
from domain.actor import Actor
from domain.errors import InvalidInput, NotFound, RuleViolation
from services.recruitment_round import registration, rounds
from services.recruitment_round import settings as rs
from services.recruitment_round.scoring import score_problem
from services.recruitment_round.screening import require_not_recused
from services.uow import UnitOfWork


def _article(rnd: RecruitmentRound) -> str:
    conv = rounds.pinned(rnd).recruitment.service_programme_conversion
    return conv.article if conv is not None else "OR art. 8"


def record_assessment(
    uow: UnitOfWork,
    actor: Actor,
    app_id: int,
    passed: bool,
    opinion: str,
    *,
    score: Decimal | None = None,
) -> Application:
    """The assessment panel's result for one applicant, recorded by the round's officer (not related to
    them): the opinion is required (the panel's conclusion); a score, if the plan gives one, is kept."""
    round_id = exam_repo.round_of_application(uow.session, app_id)
    if round_id is None:
        raise NotFound(f"报名 {app_id} 不存在", code="application_not_found")
    rnd = rounds.load_visible(uow, actor, round_id, for_update=True)  # the round first, as batches lock
    rounds.require_officer(actor, rnd)
    app = registration.load_application(uow, actor, app_id, for_update=True)
    article = _article(rnd)
    if rnd.track != "programme_conversion" or rnd.status != "assessment":
        raise RuleViolation(
            "只有直接考核转聘的招聘在考核环节才能录入考核结果", code="wrong_step", article=article
        )
    if app.status != "qualified":
        raise RuleViolation("该人员不在待考核名单中", code="not_qualified", article=article)
    require_not_recused(uow, actor, app)
    text = (opinion or "").strip()
    if not text:
        raise InvalidInput("请填写考核意见", code="reason_required", details={"field": "opinion"})
    if score is not None:
        bad = score_problem(score, int(rs.value(rnd.settings, "decimals_total")), "考核成绩")
        if bad is not None:
            raise InvalidInput(bad[1], code=bad[0], details={"field": "score"})
        app.total_score = score
    app.rank_note = (("直接考核合格：" if passed else "直接考核不合格：") + text)[:200]
    registration.fire(uow, actor, app, "select" if passed else "eliminate", article=article, opinion=text,
                      data={"passed": passed, "score": score})  # fmt: skip
    return app


def assessment_problems(uow: UnitOfWork, rnd: RecruitmentRound) -> list[str]:
    """Before the public notice that follows the assessment: everyone assessed."""
    if rnd.status != "assessment":
        return []
    left = repo.count_applications(uow.session, rnd.id, statuses=["qualified"])
    return [f"还有{left}名人员未录入直接考核结果"] if left else []


rounds.precondition("public_notice")(assessment_problems)
rounds.precondition("physical_exam")(assessment_problems)
rounds.precondition("investigation")(assessment_problems)
