"""Public notice (公示) of the proposed hires. Entering the round's public_notice step moves every selected
candidate who passed the physical exam and investigation to `proposed`, set-wise, and stores the
period's end as a timer ('round.close_notice') that the sweep fires: the round then goes on to hiring.
The period is the round's setting (notice_days in its unit; a calendar period ending on a holiday runs
to the next working day, 民法典 art. 203) and never less than notice_min_working_days working days, on
the jurisdiction's holiday calendar. Frozen candidates (an objection under review) stay frozen and do not
hold the others back. Candidates refilled after publication get a supplementary notice of their own
('application.notice_ends'). `notice_list` gives the printable list in the configured name order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from db.models.recruitment_round import Application, RecruitmentRound
from db.models.timers import Timer, TimerState
from db.repos import recruitment_round as repo
from db.repos import round_followup as frepo
from domain.actor import Actor
from domain.applicant import Sex
from domain.calendar import due_date, due_end_of_day
from domain.education import Education
from domain.errors import NotFound, RuleViolation
from domain.id_number import mask_id
from domain.notice_order import NOTICE_ORDER_LABELS, notice_order
from services import audit, timers
from services import calendar as calendar_service
from services.recruitment_round import followup, registration, rounds
from services.recruitment_round import settings as rs
from services.uow import UnitOfWork
from states.application import ApplicationMachine

CLOSE_NOTICE = "round.close_notice"
NOTICE_ENDS = "application.notice_ends"
ROLL_FORWARD_ARTICLE = "民法典 art. 203"
ON_LIST = ("proposed", "frozen", "hired")


@dataclass(frozen=True)
class NoticePeriod:
    published_at: datetime
    last_day: date
    closes_at: datetime  # exclusive: the first moment after the last day
    text: str
    articles: tuple[str, ...]


def period(uow: UnitOfWork, rnd: RecruitmentRound, start: datetime) -> NoticePeriod:
    """The notice period from `start` by the round's settings, on the jurisdiction's calendar (the day of
    publication is not counted)."""
    s = rnd.settings
    days, unit = int(rs.value(s, "notice_days", 7)), str(rs.value(s, "notice_unit", "calendar"))
    floor = rs.value(s, "notice_min_working_days")
    cal = calendar_service.calendar_for(uow.session, rnd.policy_keys)
    articles = [rs.article(s, "notice_days")]
    last = cal.deadline(start, days, unit, roll_forward=unit == "calendar")
    if unit == "calendar" and last != cal.add_calendar_days(start, days):
        articles.append(ROLL_FORWARD_ARTICLE)
    if floor:
        at_least = cal.add_working_days(start, int(floor))
        articles.append(rs.article(s, "notice_min_working_days"))
        last = max(last, at_least)
    text = (
        f"公示期{days}{'个工作日' if unit == 'working' else '日'}"
        + (f"(不少于{floor}个工作日)" if floor else "")
        + f"，自{start:%Y年%m月%d日}发布之次日起至{last:%Y年%m月%d日}止"
    )
    return NoticePeriod(
        start, last, due_end_of_day(last), text, tuple(dict.fromkeys(a for a in articles if a))
    )


def _ready(uow: UnitOfWork, rnd: RecruitmentRound) -> list[int]:
    """Selected candidates who passed every follow-up step of the round."""
    seq = rounds.sequence(rnd)
    steps = [s for s in followup.STEPS if s in seq]
    rows = repo.rows_in_states(uow.session, rnd.id, ["selected"], ["physical_result", "retest_result",
                                                                    "investigation_result"])  # fmt: skip
    return [r.id for r in rows if all(followup.passed(r, s) for s in steps)]


def _propose(uow: UnitOfWork, actor: Actor | None, ids: Sequence[int]) -> None:
    """selected -> proposed, set-wise through the machine's transition table; one bulk audit insert."""
    ((source, target),) = ApplicationMachine.transition_table()["propose"]
    repo.move_many(uow.session, [{"id": i, "status": target} for i in ids], sources=[source], now=uow.now)
    article = ApplicationMachine.event_articles.get("propose")
    audit.record_many(
        uow.session,
        uow.now,
        [
            audit.AuditDraft(
                actor=actor,
                subject_type=registration.CASE,
                subject_id=i,
                action="propose",
                from_state=source,
                to_state=target,
                article=article,
            )
            for i in ids
        ],
    )
    repo.expire_applications(uow.session)


@rounds.precondition("public_notice")
def _places_settled(uow: UnitOfWork, rnd: RecruitmentRound) -> list[str]:
    counts = repo.status_counts(uow.session, rnd.id)
    if not any(n for (_, status), n in counts.items() if status == "selected"):
        return ["没有体检、考察合格的拟聘用人员"]
    return [
        f"{p.code}岗位体检考察人选{n}人，多于招聘人数{p.posts}名，须先确定拟聘用人选"
        for p in repo.posts_of(uow.session, rnd.id)
        if (n := counts.get((p.id, "selected"), 0)) > p.posts
    ]


@rounds.on_enter("public_notice")
def _publish(uow: UnitOfWork, actor: Actor | None, rnd: RecruitmentRound) -> None:
    ids = _ready(uow, rnd)
    _propose(uow, actor, ids)
    p = period(uow, rnd, uow.now)
    rnd.notice_published_at, rnd.notice_closes_at = uow.now, p.closes_at
    timers.schedule(uow.session, CLOSE_NOTICE, rounds.CASE, rnd.id, p.closes_at, now=uow.now)
    rounds.audit_round(
        uow, actor, rnd, action="notice_period", article="；".join(p.articles), opinion=p.text,
        data={"proposed": len(ids), "last_day": p.last_day.isoformat()},
    )  # fmt: skip


@rounds.precondition("hiring")
def _period_over(uow: UnitOfWork, rnd: RecruitmentRound) -> list[str]:
    if rnd.notice_closes_at is None or uow.now < rnd.notice_closes_at:
        last = f"(至{due_date(rnd.notice_closes_at):%Y年%m月%d日}止)" if rnd.notice_closes_at else ""
        return [f"公示期未满{last}"]
    return []


@rounds.on_enter("hiring")
def _closed_by_hand(uow: UnitOfWork, actor: Actor | None, rnd: RecruitmentRound) -> None:
    if actor is not None:  # advanced by hand after the period: the stored timer has nothing left to do
        timers.cancel(uow.session, CLOSE_NOTICE, rounds.CASE, rnd.id, now=uow.now)


@timers.register(CLOSE_NOTICE)
def _close_notice_due(uow: UnitOfWork, timer: Timer) -> None:
    """公示期满: public_notice -> hiring. Safe twice: only a round still on notice, past its end, moves."""
    rnd = rounds.load(uow, timer.subject_id, for_update=True)
    if rnd.status != "public_notice" or rnd.notice_closes_at is None or uow.now < rnd.notice_closes_at:
        return
    frozen = repo.count_applications(uow.session, rnd.id, statuses=["frozen"])
    rounds.fire(uow, None, rnd, "close_notice", data={"frozen": frozen})
    rounds.entered(uow, None, rnd)  # the round's own after-entry hooks, as close_registration runs them


# --- candidates refilled after publication ---------------------------------------------------------------


def publish_supplementary(uow: UnitOfWork, actor: Actor, round_id: int) -> NoticePeriod:
    """递补人员公示: refilled candidates who passed the follow-up after the list was published are proposed
    and publicly noticed for a full period of their own (a stored timer per candidate)."""
    rnd = rounds.load_visible(uow, actor, round_id, for_update=True)
    rounds.require_officer(actor, rnd)
    if rnd.status not in ("public_notice", "hiring"):
        raise RuleViolation(
            "拟聘用人员名单公示后递补的人员才需补充公示", code="not_after_notice", article=rs.article(rnd.settings, "notice_days")
        )  # fmt: skip
    ids = _ready(uow, rnd)
    if not ids:
        raise RuleViolation(
            "没有体检、考察合格的待公示递补人员", code="nothing_to_publish", article="IM art. 8"
        )
    _propose(uow, actor, ids)
    p = period(uow, rnd, uow.now)
    for i in ids:
        timers.schedule(uow.session, NOTICE_ENDS, registration.CASE, i, p.closes_at, now=uow.now)
    names = "、".join(
        a.name for a in repo.applications(uow.session, rnd.id, statuses=["proposed"]) if a.id in ids
    )
    rounds.audit_round(
        uow, actor, rnd, action="supplementary_notice", article="；".join(p.articles),
        opinion=f"递补人员{names}公示，{p.text}", data={"applications": list(ids), "last_day": p.last_day.isoformat()},
    )  # fmt: skip
    return p


@timers.register(NOTICE_ENDS)
def _supplementary_ends(uow: UnitOfWork, timer: Timer) -> None:
    app = repo.application(uow.session, timer.subject_id)
    if app is not None and app.status in ("proposed", "frozen"):
        registration.audit_app(
            uow, None, app, action="notice_ended", from_state=app.status, to_state=app.status
        )


def notice_window(
    uow: UnitOfWork, rnd: RecruitmentRound, app: Application
) -> tuple[datetime, datetime] | None:
    """(published, closes) of the notice that lists `app`: its supplementary notice, else the round's."""
    mine = [
        t for t in timers.for_subject(uow.session, registration.CASE, app.id)
        if t.kind == NOTICE_ENDS and t.state != TimerState.CANCELLED
    ]  # fmt: skip
    if mine:
        return mine[-1].created_at, mine[-1].due_at
    if rnd.notice_published_at is None or rnd.notice_closes_at is None:
        return None
    return rnd.notice_published_at, rnd.notice_closes_at


# --- the printable list ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRow:
    seq: int
    application_id: int
    name: str
    sex: str
    birth: str  # 出生年月, e.g. 1995.01
    education: str
    post_code: str
    post_title: str
    community: str
    total_score: Decimal | None
    rank: int | None
    id_masked: str
    supplementary: bool  # a refill (递补)


@dataclass(frozen=True)
class NoticeList:
    round_id: int
    title: str
    published_at: datetime
    last_day: date
    order: str
    order_label: str
    article: str
    rows: list[NoticeRow]


def notice_list(uow: UnitOfWork, round_id: int) -> NoticeList:
    """The proposed hires for the printable notice (public), in the round's configured name order."""
    rnd = rounds.load(uow, round_id)
    if rnd.notice_published_at is None or rnd.notice_closes_at is None:
        raise NotFound("该招聘尚未公示拟聘用人员名单", code="notice_not_published")
    order = str(rs.value(rnd.settings, "name_order", "surname_strokes"))
    rows = notice_order(frepo.notice_rows(uow.session, rnd.id, ON_LIST), order, name=lambda r: str(r.name))
    edu = {e.value: e.label for e in Education}
    out = [
        NoticeRow(
            seq=i,
            application_id=r.id,
            name=r.name,
            sex=Sex(r.sex).label if r.sex else "",
            birth=f"{r.birth_date:%Y.%m}" if r.birth_date else "",
            education=edu.get(r.education, r.education),
            post_code=r.post_code,
            post_title=r.post_title,
            community=r.community,
            total_score=r.total_score,
            rank=r.rank,
            id_masked=mask_id(r.id_number),
            supplementary=r.refill_for_id is not None,
        )
        for i, r in enumerate(rows, start=1)
    ]
    return NoticeList(
        round_id=rnd.id,
        title=f"{rnd.title}拟聘用人员名单公示",
        published_at=rnd.notice_published_at,
        last_day=due_date(rnd.notice_closes_at),
        order=order,
        order_label=NOTICE_ORDER_LABELS.get(order, order),
        article="；".join(period(uow, rnd, rnd.notice_published_at).articles),  # the period's every rule
        rows=out,
    )
