"""After the exams, on the application page: the officer records the physical exam (and the one re-test),
the investigation's findings, a real-name objection during the public notice, and a proposed hire's
decline; an approver decides an objection. Each is one service call; a refused one shows the page again
with the reason and its article. The post's street office may record a decline too but does not see the
application page: it is answered on its hiring desk (/hires), with the notice or the refusal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import CurrentActor
from api.routes.hires_pages import desk_page
from api.routes.rounds_application import page
from db.repos import recruitment_round as repo
from domain.actor import Actor
from domain.errors import InvalidInput, ShegongError
from services.recruitment_round import followup, hire, objection, rounds
from services.uow import UnitOfWork

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
FLASH = {
    "physical": "已录入体检结论",
    "retest-request": "已登记复检申请",
    "retest": "已录入复检结论",
    "investigation": "已录入考察结论",
    "decline": "已登记放弃聘用，岗位按排名递补",
    "objection": "已受理异议，该人员暂缓聘用，待核查",
}


def _sees(actor: Actor, app_id: int) -> bool:
    """Whether the actor sees the application's page. The post's street office may record a decline
    (hire.decline) but does not see the round: it is answered on its hiring desk (/hires) instead."""
    with UnitOfWork(readonly=True) as uow:
        app = repo.application(uow.session, app_id)
        return app is None or rounds.is_visible(actor, rounds.load(uow, app.round_id))


def _passed(value: str) -> bool:
    if value not in ("pass", "fail"):
        raise InvalidInput("请选择合格或不合格", code="result_required", details={"field": "passed"})
    return value == "pass"


@router.post("/applications/{app_id}/follow-up/{action}")
def record(
    request: Request,
    app_id: int,
    action: str,
    actor: CurrentActor,
    passed: Text = "",
    note: Text = "",
    objector_name: Text = "",
    contact: Text = "",
) -> Response:
    if action not in FLASH:
        return page(request, actor, app_id, error=InvalidInput("未知的操作", code="unknown_action"))
    try:
        with UnitOfWork() as uow:
            if action == "physical":
                followup.record_physical(uow, actor, app_id, _passed(passed), note)
            elif action == "retest-request":
                followup.request_retest(uow, actor, app_id, note)
            elif action == "retest":
                followup.record_retest(uow, actor, app_id, _passed(passed), note)
            elif action == "investigation":
                followup.record_investigation(uow, actor, app_id, _passed(passed), note)
            elif action == "decline":
                hire.decline(uow, actor, app_id, note)
            else:
                objection.file_objection(uow, actor, app_id, objector_name, contact, note)
            uow.commit()
    except ShegongError as exc:
        if action == "decline" and not _sees(actor, app_id):
            return desk_page(request, actor, error=exc)
        return page(request, actor, app_id, error=exc)
    if action == "decline" and not _sees(actor, app_id):
        return RedirectResponse(f"/hires?flash={FLASH[action]}", status_code=303)
    return RedirectResponse(f"/applications/{app_id}?flash={FLASH[action]}", status_code=303)


@router.post("/applications/{app_id}/objections/{objection_id}")
def resolve(
    request: Request,
    app_id: int,
    objection_id: int,
    actor: CurrentActor,
    upheld: Text = "",
    opinion: Text = "",
) -> Response:
    """核查结论: upheld (not hired, the place refilled) or dismissed (the candidate goes on)."""
    try:
        if upheld not in ("yes", "no"):
            raise InvalidInput("请选择异议是否成立", code="result_required", details={"field": "upheld"})
        with UnitOfWork() as uow:
            objection.resolve_objection(uow, actor, objection_id, upheld == "yes", opinion)
            uow.commit()
    except ShegongError as exc:
        return page(request, actor, app_id, error=exc)
    text = "异议成立，不予聘用" if upheld == "yes" else "异议不成立"
    return RedirectResponse(f"/applications/{app_id}?flash=已核查：{text}", status_code=303)
