"""/cases/{type}/{id}: one link target for tasks and notifications, redirected to the case's own page."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from api.deps import CurrentActor
from services import case_links
from services.uow import UnitOfWork

router = APIRouter(include_in_schema=False)


@router.get("/cases/{case_type}/{case_id}")
def case_page(case_type: str, case_id: int, actor: CurrentActor) -> RedirectResponse:
    del actor  # login required; the target page checks what the actor may see
    with UnitOfWork(readonly=True) as uow:
        return RedirectResponse(case_links.page_of(uow, case_type, case_id), status_code=303)
