"""One application (报名) for staff: registration data (ID masked unless the actor has the right), the
screening verdict with its articles, flags, scores, history and diagram; the reviewer's decision on a
doubtful one (pass / fail / return once with the complete list of what is missing, 一次性告知), a
declaration of recusal (回避), and the officer's record that the applicant gave up."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import CurrentActor
from api.pages import render
from api.routes import rounds_rows as rr
from api.routes import rounds_views as rv
from db.repos import recruitment_round as repo
from domain.actor import Actor
from domain.applicant import Relation
from domain.errors import ShegongError
from services import audit, org
from services.recruitment_round import exams, registration, rounds, screening
from services.uow import UnitOfWork
from states.application import ApplicationMachine

router = APIRouter(include_in_schema=False)
DECISION_LABELS = {"pass": "通过", "fail": "不通过", "return": "退回补正（一次性告知）"}
OUTCOME_LABELS = {"pass": "符合", "fail": "不符合", "doubtful": "需人工审核"}
FINAL = ApplicationMachine.final_values()


def _choice_text(uow: UnitOfWork, rnd: Any) -> dict[str, str]:
    """key -> label of the round's recommendation groups, priority groups and declared disqualifications."""
    ctx = rr.applicant_context(uow, rnd)
    return {c.key: c.label for c in (*ctx.priority_groups, *ctx.relaxation_groups, *ctx.disqualifications)}


def _flag_labels(names: dict[str, str], flags: list[str]) -> list[str]:
    out = []
    for f in flags:
        if f.startswith("relaxed:"):
            what = {"age": "年龄", "education": "学历"}.get(f[8:], f[8:])
            out.append(f"经街道推荐放宽{what}要求")
        else:
            out.append("优先：" + names.get(f, f))
    return out


def page(
    request: Request,
    actor: Actor,
    app_id: int,
    *,
    flash: str | None = None,
    error: ShegongError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        app = registration.load_application(uow, actor, app_id)
        rnd = rounds.load(uow, app.round_id)
        full = rr.sees_full_ids(actor, rnd)
        row = rr.applicant_row(app, rr.post_labels(uow, rnd), full)
        recused = actor.user_id in repo.recused_users(uow.session, app.id)
        officer = rounds.is_officer(actor, rnd)
        reviewer = rv.may_review(actor, rnd)
        choice_text = _choice_text(uow, rnd)
        flags = _flag_labels(choice_text, list(app.flags or []))
        history = audit.history(uow.session, "application", app.id)
        follow = rr.follow_up(uow, actor, app, rnd)
    return render(
        request,
        "rounds/application.html",
        actor,
        status_code=error.status if error else 200,
        app=app,
        rnd=rnd,
        row=row,
        full=full,
        flags=flags,
        places=rr.decimals(rnd),
        score=rr.score_text,
        choice_text=choice_text,
        relation_text={r.value: r.label for r in Relation},
        verdict=app.verdict or {},
        outcome_labels=OUTCOME_LABELS,
        history=history,
        event_labels=rv.APP_EVENTS,
        app_labels=rv.APP_LABELS,
        note=rv.history_note,
        can_review=reviewer and app.status == "pending_review" and not recused,
        recused=recused,
        may_declare=(reviewer or officer) and not recused,
        officer=officer,
        follow=follow,
        can_withdraw=officer and app.status not in FINAL,
        decisions=DECISION_LABELS
        if app.returns_count == 0
        else {k: v for k, v in DECISION_LABELS.items() if k != "return"},
        relations=list(Relation),
        diagram=ApplicationMachine.mermaid(app.status),
        flash=flash,
        error=error,
        form=form or {},
    )


@router.get("/applications/{app_id}", response_class=HTMLResponse)
def application_page(
    request: Request, app_id: int, actor: CurrentActor, flash: str | None = None
) -> HTMLResponse:
    return page(request, actor, app_id, flash=flash)


@router.get("/applications/{app_id}/ticket", response_class=HTMLResponse)
def admit_ticket(request: Request, app_id: int, actor: CurrentActor) -> HTMLResponse:
    """The officer prints an applicant's admit ticket (e.g. for one who cannot print it)."""
    with UnitOfWork(readonly=True) as uow:
        app = registration.load_application(uow, actor, app_id)
        ticket = exams.admit_ticket(uow, actor, app.round_id, app.id_number)
        rnd = rounds.load(uow, app.round_id)
        organiser = org.get_jurisdiction(uow.session, rnd.jurisdiction_id).name
    return render(request, "rounds/ticket.html", actor, t=ticket, organiser=organiser)


@router.post("/applications/{app_id}/review")
def review(
    request: Request,
    app_id: int,
    actor: CurrentActor,
    decision: Annotated[str, Form()] = "",
    opinion: Annotated[str, Form()] = "",
    missing: Annotated[str, Form()] = "",
) -> Response:
    """The reviewer's decision; a return lists every missing item, one per line."""
    items = [line.strip() for line in missing.splitlines() if line.strip()]
    try:
        with UnitOfWork() as uow:
            screening.review(uow, actor, app_id, decision, opinion, items if decision == "return" else ())
            uow.commit()
    except ShegongError as exc:
        form = {"decision": decision, "opinion": opinion, "missing": missing}
        return page(request, actor, app_id, error=exc, form=form)
    return RedirectResponse(
        f"/applications/{app_id}?flash=已审核：{DECISION_LABELS.get(decision, decision)}", status_code=303
    )


@router.post("/applications/{app_id}/recusal")
def declare_recusal(
    request: Request, app_id: int, actor: CurrentActor, relation: Annotated[str, Form()] = ""
) -> Response:
    try:
        with UnitOfWork() as uow:
            screening.declare_recusal(uow, actor, app_id, relation)
            uow.commit()
    except ShegongError as exc:
        return page(request, actor, app_id, error=exc)
    return RedirectResponse(
        f"/applications/{app_id}?flash=已声明回避，您将不能审核或评分该报名", status_code=303
    )


@router.post("/applications/{app_id}/withdraw")
def withdraw(
    request: Request, app_id: int, actor: CurrentActor, reason: Annotated[str, Form()] = ""
) -> Response:
    try:
        with UnitOfWork() as uow:
            registration.withdraw_by_officer(uow, actor, app_id, reason)
            uow.commit()
    except ShegongError as exc:
        return page(request, actor, app_id, error=exc)
    return RedirectResponse(f"/applications/{app_id}?flash=已登记本人放弃", status_code=303)
