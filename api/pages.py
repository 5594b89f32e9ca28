"""Rendering pages: every page gets the actor, the inbox counts for the menu and, in demo/test mode,
the simulated clock's time."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.templating import templates
from domain.actor import Actor
from services import tasks
from services.uow import UnitOfWork


def render(
    request: Request, template: str, actor: Actor | None, status_code: int = 200, **ctx: Any
) -> HTMLResponse:
    nav_counts: dict[str, int] = {}
    sim_now = None
    with UnitOfWork(readonly=True) as uow:
        if actor is not None and not request.headers.get("hx-request"):
            nav_counts = tasks.counts(uow, actor)
        if uow.runtime.settings.simulated_clock_allowed:
            sim_now = uow.now
    return templates.TemplateResponse(
        request,
        template,
        {"actor": actor, "nav_counts": nav_counts, "sim_now": sim_now, **ctx},
        status_code=status_code,
    )
