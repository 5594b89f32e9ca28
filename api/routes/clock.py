"""The simulated clock (demo and test mode only): the /admin/clock page and /api/v1/clock. Every change is
audited by services.clock_admin; in production mode everything here answers 403 sim_clock_disabled."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AdminActor, CurrentActor
from api.pages import render
from domain.actor import Actor
from domain.errors import InvalidInput
from services import clock_admin as svc
from services.calendar_admin import region_options
from services.uow import UnitOfWork

router = APIRouter()

PAGE_ACTIONS = {
    "next-workday": "next_working_day",
    "freeze": "freeze",
    "unfreeze": "unfreeze",
    "reset": "reset",
}
Action = Literal["set", "advance", "next_working_day", "freeze", "unfreeze", "reset"]


def _apply(
    actor: Actor,
    action: str,
    *,
    at: str | None = None,
    freeze: bool = False,
    days: int = 0,
    hours: int = 0,
    region: str | None = None,
) -> tuple[svc.ClockState, str]:
    """Run one clock action in a unit of work; the new state and a sentence for people."""
    with UnitOfWork() as uow:
        if action == "set":
            if not at or not at.strip():
                raise InvalidInput("请填写要设定的时间（YYYY-MM-DD HH:MM）", code="sim_clock_bad_time")
            state = svc.set_to(uow, actor, at, freeze=freeze)
            msg = f"模拟时钟已设为 {state.now:%Y-%m-%d %H:%M}" + ("（已冻结）" if state.frozen else "")
        elif action == "advance":
            state = svc.advance(uow, actor, days=days, hours=hours)
            msg = f"已向前拨动 {days} 天 {hours} 小时，现在是 {state.now:%Y-%m-%d %H:%M}"
        elif action == "next_working_day":
            state = svc.to_next_working_day(uow, actor, region or None)
            msg = f"已拨到下一个工作日：{state.now:%Y-%m-%d %H:%M}"
        elif action == "freeze":
            state = svc.freeze(uow, actor)
            msg = f"模拟时钟已冻结在 {state.now:%Y-%m-%d %H:%M}"
        elif action == "unfreeze":
            state = svc.unfreeze(uow, actor)
            msg = f"模拟时钟已恢复走动，从 {state.now:%Y-%m-%d %H:%M} 起"
        elif action == "reset":
            state = svc.reset(uow, actor)
            msg = "模拟时钟已恢复为真实时间"
        else:
            raise InvalidInput(
                f"未知的操作“{action}”，应为 set、advance、next_working_day、freeze、unfreeze 或 reset",
                code="sim_clock_bad_action",
            )
        uow.commit()
    return state, msg


def _state() -> svc.ClockState:
    with UnitOfWork(readonly=True) as uow:
        return svc.state(uow)


# -- the page ----------------------------------------------------------------------------------------


@router.get("/admin/clock", response_class=HTMLResponse, include_in_schema=False)
def clock_page(request: Request, actor: AdminActor) -> Response:
    return render(request, "clock.html", actor, state=_state(), regions=region_options(), fragment=False)


def _done(request: Request, actor: Actor, state: svc.ClockState, message: str, **extra: Any) -> Response:
    if not request.headers.get("hx-request"):
        return RedirectResponse("/admin/clock", status_code=303)
    return render(request, "clock.html", actor, state=state, message=message, fragment=True, **extra)


@router.post("/admin/clock/set", include_in_schema=False)
def page_set(
    request: Request, actor: AdminActor, at: Annotated[str, Form()] = "", freeze: Annotated[str, Form()] = ""
) -> Response:
    state, msg = _apply(actor, "set", at=at, freeze=bool(freeze))
    return _done(request, actor, state, msg)


@router.post("/admin/clock/advance", include_in_schema=False)
def page_advance(
    request: Request,
    actor: AdminActor,
    days: Annotated[int, Form(ge=0)] = 0,
    hours: Annotated[int, Form(ge=0)] = 0,
) -> Response:
    state, msg = _apply(actor, "advance", days=days, hours=hours)
    return _done(request, actor, state, msg)


@router.post("/admin/clock/{action}", include_in_schema=False)
def page_action(
    request: Request, action: str, actor: AdminActor, region: Annotated[str, Form()] = ""
) -> Response:
    if action == "sweep":
        result = svc.sweep_now(actor)
        counts = result.as_dict()
        msg = (
            f"到期任务扫描完成：触发 {counts['fired']} 个，失败 {counts['failed']} 个，"
            f"跳过 {counts['skipped']} 个，放弃 {counts['given_up']} 个"
        )
        return _done(request, actor, _state(), msg, sweep=counts)
    state, msg = _apply(actor, PAGE_ACTIONS.get(action, action), region=region)
    return _done(request, actor, state, msg)


# -- JSON API ----------------------------------------------------------------------------------------


class ClockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Action
    at: str | None = Field(default=None, max_length=64, description="set：YYYY-MM-DDTHH:MM[:SS]")
    freeze: bool = False
    days: int = Field(default=0, ge=0, le=svc.MAX_DAYS)
    hours: int = Field(default=0, ge=0, le=svc.MAX_DAYS * 24)
    region: str | None = Field(default=None, max_length=64, description="next_working_day：地区日历")


@router.get("/api/v1/clock", tags=["clock"])
def api_get(actor: CurrentActor) -> dict[str, Any]:
    """模拟时钟的当前时间与状态（仅演示/测试模式）。"""
    return _state().to_dict()


@router.post("/api/v1/clock", tags=["clock"])
def api_post(body: ClockIn, actor: AdminActor) -> dict[str, Any]:
    """设定（set）、拨动（advance / next_working_day）、冻结（freeze / unfreeze）或重置（reset）模拟时钟。"""
    state, msg = _apply(
        actor,
        body.action,
        at=body.at,
        freeze=body.freeze,
        days=body.days,
        hours=body.hours,
        region=body.region,
    )
    return state.to_dict() | {"message": msg}


@router.post("/api/v1/clock/sweep", tags=["clock"])
def api_sweep(actor: AdminActor) -> dict[str, Any]:
    """立即按模拟时间执行一次到期任务扫描（与定时扫描相同，可重复执行）。"""
    counts = svc.sweep_now(actor).as_dict()
    return counts | {"now": _state().to_dict()["now"]}
