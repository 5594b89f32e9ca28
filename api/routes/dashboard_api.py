"""JSON API of the leaders' dashboard."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import CurrentActor
from api.schemas import TaskOut
from services.recruitment_plan import views
from services.uow import UnitOfWork

router = APIRouter(prefix="/api/v1", tags=["dashboard"])


class DashRow(BaseModel):
    jurisdiction_id: int
    jurisdiction: str
    counts: dict[str, int]
    total: int


class DashboardOut(BaseModel):
    statuses: dict[str, str]
    totals: dict[str, int]
    rows: list[DashRow]
    overdue_tasks: list[TaskOut]


@router.get("/dashboard", response_model=DashboardOut)
def dashboard(actor: CurrentActor) -> DashboardOut:
    with UnitOfWork(readonly=True) as uow:
        d = views.dashboard(uow, actor)
        return DashboardOut(
            statuses=d.statuses,
            totals=d.totals,
            rows=[
                DashRow(
                    jurisdiction_id=r.jurisdiction_id,
                    jurisdiction=r.name,
                    counts=dict(r.counts),
                    total=r.total,
                )
                for r in d.rows
            ],
            overdue_tasks=[TaskOut.of(t, actor, uow.now) for t in d.overdue],
        )
