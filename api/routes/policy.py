"""Policy profiles: /policy (the profiles and a jurisdiction picker), /policy/{code} (a jurisdiction's
effective profile with the source of every value, filterable) and their JSON API. Any logged-in user."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import CurrentActor
from api.pages import render
from domain.calendar import parse_day
from services import org, policy_view
from services.uow import UnitOfWork

router = APIRouter()


def _on(raw: str | None) -> date | None:
    return parse_day(raw) if raw and raw.strip() else None


@router.get("/policy", response_class=HTMLResponse, include_in_schema=False)
def policy_index(request: Request, actor: CurrentActor, code: str | None = None) -> Response:
    if code and code.strip():
        return RedirectResponse(f"/policy/{code.strip()}", status_code=303)
    with UnitOfWork(readonly=True) as uow:
        nodes = org.tree(uow.session)
        today = uow.now.date()
    return render(
        request,
        "policy.html",
        actor,
        profiles=policy_view.profiles(),
        nodes=nodes,
        today=today,
        status_labels=policy_view.STATUS_LABELS,
    )


def _jurisdiction(code: str, q: str | None, on: str | None) -> policy_view.JurisdictionPolicy:
    with UnitOfWork(readonly=True) as uow:
        return policy_view.for_jurisdiction(uow, code, on=_on(on), q=q)


@router.get("/policy/{code}", response_class=HTMLResponse, include_in_schema=False)
def policy_jurisdiction(
    request: Request, code: str, actor: CurrentActor, q: str | None = None, on: str | None = None
) -> Response:
    view = _jurisdiction(code, q, on)
    template = "policy_rows.html" if request.headers.get("hx-request") else "policy_jurisdiction.html"
    return render(request, template, actor, view=view, labels=policy_view.SECTION_LABELS)


@router.get("/api/v1/policy/profiles", tags=["policy"])
def api_profiles(actor: CurrentActor) -> list[dict[str, Any]]:
    """全部政策配置（键、名称、依据文件、生效日期、上级链）。"""
    return [p.to_dict() for p in policy_view.profiles()]


@router.get("/api/v1/policy/jurisdictions/{code}", tags=["policy"])
def api_jurisdiction(
    code: str, actor: CurrentActor, q: str | None = None, on: str | None = None
) -> dict[str, Any]:
    """某区划在某日（默认今天）生效的政策参数，每项注明条款、依据类别、来源配置和生效日期。"""
    return _jurisdiction(code, q, on).to_dict()
