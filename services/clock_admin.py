"""Simulated-clock use cases for the admin page, the API and the CLI: read the clock's state, set, advance,
freeze, release and reset it, each audited (subject_type "clock", subject_id 1) in the caller's unit of
work; and a manual timer sweep. Demo and test mode only: in production every function here refuses with
PermissionDenied (code sim_clock_disabled). The caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from db.repos import clock as repo
from domain.actor import Actor
from domain.clock import CST, real_now
from domain.errors import InvalidInput, PermissionDenied
from services import audit, clock, timers
from services import calendar as cal
from services.calendar_admin import region_chain
from services.uow import UnitOfWork

SUBJECT = "clock"
SUBJECT_ID = 1
MAX_DAYS = 3660
WORKDAY_START = time(9, 0)  # "advance to the next working day" lands at the start of office hours


@dataclass(frozen=True)
class ClockState:
    now: datetime  # what every use case sees
    real: datetime  # wall-clock time
    mode: str
    simulated: bool  # a simulated setting is in force (else: real time)
    frozen: bool
    offset_seconds: float

    @property
    def offset_text(self) -> str:
        """The distance from real time, for people (e.g. 比真实时间快 3 天 2 小时)."""
        delta = self.now - self.real
        seconds = int(abs(delta.total_seconds()))
        if seconds < 60:
            return "与真实时间一致"
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        parts = [
            f"{days} 天" if days else "",
            f"{hours} 小时" if hours else "",
            f"{minutes} 分" if minutes else "",
        ]
        text = " ".join(p for p in parts if p)
        return f"比真实时间{'快' if delta.total_seconds() > 0 else '慢'} {text}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(timespec="seconds"),
            "real_now": self.real.isoformat(timespec="seconds"),
            "mode": self.mode,
            "simulated": self.simulated,
            "frozen": self.frozen,
            "offset_seconds": round((self.now - self.real).total_seconds(), 3),
            "description": self.offset_text,
        }


def _guard(uow: UnitOfWork, actor: Actor | None) -> None:
    if not uow.runtime.settings.simulated_clock_allowed:
        raise PermissionDenied(
            "模拟时钟仅在演示或测试模式下可用；生产环境始终使用真实时间", code="sim_clock_disabled"
        )
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("需要系统管理员权限才能操作模拟时钟", code="admin_required")


def state(uow: UnitOfWork) -> ClockState:
    """The clock as every use case sees it now."""
    _guard(uow, None)
    settings = uow.runtime.settings
    row = repo.get(uow.session)
    return ClockState(
        now=clock.now_in(uow.session, settings),
        real=real_now(),
        mode=settings.mode,
        simulated=row is not None,
        frozen=row is not None and row.frozen_at is not None,
        offset_seconds=row.offset_seconds if row is not None else 0.0,
    )


def parse_moment(value: str | datetime | date) -> datetime:
    """A moment typed by a person: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or with a space; an explicit offset
    is converted to China Standard Time."""
    if isinstance(value, datetime):
        at = value
    elif isinstance(value, date):
        at = datetime.combine(value, time.min)
    else:
        text = str(value).strip()
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidInput(
                f"时间“{text}”格式不正确，应为 YYYY-MM-DD HH:MM（如 2026-09-30 09:00）",
                code="sim_clock_bad_time",
            ) from None
    if at.tzinfo is not None:
        at = at.astimezone(CST).replace(tzinfo=None)
    if not 2004 <= at.year <= 2100:
        raise InvalidInput(f"时间 {at:%Y-%m-%d} 超出支持范围（2004–2100年）", code="sim_clock_bad_time")
    return at


def _audit(
    uow: UnitOfWork, actor: Actor | None, action: str, before: datetime, after: datetime, **data: Any
) -> None:
    audit.record(
        uow.session,
        uow.now,
        actor=actor,
        subject_type=SUBJECT,
        subject_id=SUBJECT_ID,
        action=action,
        opinion=f"模拟时钟：{before:%Y-%m-%d %H:%M} → {after:%Y-%m-%d %H:%M}",
        data={"from": before, "to": after, **data},
    )


def set_to(
    uow: UnitOfWork, actor: Actor | None, at: str | datetime | date, *, freeze: bool = False
) -> ClockState:
    """Jump to a moment; the clock runs on from there, or stands still when `freeze`."""
    _guard(uow, actor)
    before = state(uow).now
    moment = parse_moment(at)
    clock.set_time(uow.session, uow.runtime.settings, moment, freeze=freeze)
    _audit(uow, actor, "clock.set", before, moment, frozen=freeze)
    uow.flush()
    return state(uow)


def advance(uow: UnitOfWork, actor: Actor | None, *, days: int = 0, hours: int = 0) -> ClockState:
    """Move forward by days and hours (a frozen clock stays frozen)."""
    _guard(uow, actor)
    if days < 0 or hours < 0:
        raise InvalidInput("只能向前拨动模拟时钟：天数和小时数不能为负", code="sim_clock_backwards")
    if days > MAX_DAYS or hours > MAX_DAYS * 24:
        raise InvalidInput(f"一次最多拨动 {MAX_DAYS} 天", code="sim_clock_too_far")
    if days == 0 and hours == 0:
        raise InvalidInput("请填写要拨动的天数或小时数（大于 0）", code="sim_clock_backwards")
    before = state(uow).now
    after = clock.advance(uow.session, uow.runtime.settings, timedelta(days=days, hours=hours))
    _audit(uow, actor, "clock.advance", before, after, days=days, hours=hours)
    uow.flush()
    return state(uow)


def to_next_working_day(uow: UnitOfWork, actor: Actor | None, region: str | None = None) -> ClockState:
    """Move to 09:00 of the next working day (national calendar, or a region's)."""
    _guard(uow, actor)
    before = state(uow).now
    work = cal.calendar_for(uow.session, region_chain(region))
    target = datetime.combine(work.next_working_day(before.date()), WORKDAY_START)
    after = clock.advance(uow.session, uow.runtime.settings, target - before)
    _audit(uow, actor, "clock.next_working_day", before, after, region=region or None)
    uow.flush()
    return state(uow)


def freeze(uow: UnitOfWork, actor: Actor | None) -> ClockState:
    """Stop the clock at the current moment."""
    _guard(uow, actor)
    now = state(uow).now
    clock.set_time(uow.session, uow.runtime.settings, now, freeze=True)
    _audit(uow, actor, "clock.freeze", now, now)
    uow.flush()
    return state(uow)


def unfreeze(uow: UnitOfWork, actor: Actor | None) -> ClockState:
    """Let a frozen clock run on from where it stands."""
    _guard(uow, actor)
    now = state(uow).now
    clock.set_time(uow.session, uow.runtime.settings, now, freeze=False)
    _audit(uow, actor, "clock.unfreeze", now, now)
    uow.flush()
    return state(uow)


def reset(uow: UnitOfWork, actor: Actor | None) -> ClockState:
    """Back to real time."""
    _guard(uow, actor)
    before = state(uow).now
    after = clock.reset(uow.session, uow.runtime.settings)
    _audit(uow, actor, "clock.reset", before, after)
    uow.flush()
    return state(uow)


def sweep_now(actor: Actor | None, *, worker_id: str = "web-manual") -> timers.SweepResult:
    """Fire the timers due at the simulated 'now' at once (plain Python, no Prefect); each timer in its own
    unit of work, as the scheduled sweep does."""
    with UnitOfWork(readonly=True) as uow:
        _guard(uow, actor)
    return timers.sweep(worker_id=worker_id)
