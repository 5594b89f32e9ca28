"""Pages of the recruitment round for staff: the list, "发起招聘" from an approved plan, the overview (step
bar, settings with articles, set-up form, step actions, funnel per post, batch runs, diagram, history)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import CurrentActor
from api.pages import render
from api.routes import amendment_views as av
from api.routes import rounds_views as rv
from api.templating import templates
from db.repos import recruitment_round as repo
from domain.actor import Actor
from domain.calendar import due_date
from domain.enums import Role
from domain.errors import InvalidInput, ShegongError
from services.recruitment_plan import views as plan_views
from services.recruitment_round import batch, rounds
from services.recruitment_round import settings as rs
from services.uow import UnitOfWork

router = APIRouter(include_in_schema=False)
# The set-up form offers these settings (tie-break order stays as the profile gives it).
SETUP_KEYS = sorted(rs.EDITABLE - {"tie_breaks"}, key=list(rs.LABELS).index)
CHOICE_LABELS = {
    "vacancy_refill": {"next_in_ranking": "按总成绩排名依次递补", "none": "不递补"},
    "name_order": {"surname_strokes": "按姓氏笔画", "ranking": "按成绩排名", "pinyin": "按姓氏拼音"},
    "notice_unit": {"calendar": "日（自然日）", "working": "个工作日"},
}
INT_KEYS = set(SETUP_KEYS) - set(CHOICE_LABELS) - {"written_pass_line", "admit_ties_at_cutoff"}
ACTION_FLASH = {
    "publish": "已发布招聘公告，报名开始",
    "close-registration": "报名已截止，进入资格审查",
    "advance": "已进入下一环节",
    "cancel": "已取消招聘",
    "close": "招聘已结束",
}


@router.get("/rounds", response_class=HTMLResponse)
def rounds_page(request: Request, actor: CurrentActor) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        rows = rv.visible_rounds(uow, actor)
    return render(request, "rounds/list.html", actor, rows=rows, labels=rv.ROUND_LABELS,
                  tracks=rv.TRACK_LABELS, can_create=actor.has_role(Role.HR_OFFICER))  # fmt: skip


@router.get("/rounds/new", response_class=HTMLResponse)
def new_round(request: Request, actor: CurrentActor, plan_id: int) -> Response:
    with UnitOfWork(readonly=True) as uow:
        v = plan_views.get_view(uow, actor, plan_id)
        existing = repo.round_of_plan(uow.session, plan_id)
    if existing is not None and actor.oversees(existing.jurisdiction_path):
        return RedirectResponse(f"/rounds/{existing.id}", status_code=303)
    return render(request, "rounds/new.html", actor, v=v, tracks=rv.TRACK_LABELS)


@router.post("/rounds/new")
def create_round(
    request: Request,
    actor: CurrentActor,
    plan_id: Annotated[int, Form()],
    track: Annotated[str, Form()] = "open_exam",
    title: Annotated[str, Form()] = "",
) -> Response:
    try:
        with UnitOfWork() as uow:
            rnd = rounds.create_from_plan(uow, actor, plan_id, track=track, title=title)
            uow.commit()
    except ShegongError as exc:
        with UnitOfWork(readonly=True) as uow:
            v = plan_views.get_view(uow, actor, plan_id)
        return render(request, "rounds/new.html", actor, status_code=exc.status, v=v, tracks=rv.TRACK_LABELS,
                      error=exc, title=title, track=track)  # fmt: skip
    return RedirectResponse(f"/rounds/{rnd.id}?flash=已发起招聘，请完成公告设置后发布", status_code=303)


def _page(
    request: Request,
    actor: Actor,
    round_id: int,
    *,
    flash: str | None = None,
    error: ShegongError | None = None,
    form: dict[str, Any] | None = None,
    amend_state: dict[str, Any] | None = None,
) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        o = rv.overview(uow, actor, round_id)
        amend = av.card(uow, actor, o.rnd, **(amend_state or {}))  # supplementary announcements
    failed = error or amend.error
    return render(
        request,
        "rounds/round.html",
        actor,
        status_code=failed.status if failed else 200,
        o=o,
        flash=flash,
        error=error,
        form=form or _form_of(o.rnd),
        setup_keys=SETUP_KEYS,
        setting_labels=rs.LABELS,
        int_keys=INT_KEYS,
        choice_labels=CHOICE_LABELS,
        batch_labels=rv.BATCH_LABELS,
        kind_labels=rv.KIND_LABELS,
        summary_labels=rv.SUMMARY_LABELS,
        summary_text=summary_text,
        app_labels=rv.APP_LABELS,
        next_label=rv.ROUND_LABELS.get(o.next_state or "", ""),
        event_labels=rv.ROUND_EVENTS,
        round_labels=rv.ROUND_LABELS,
        note=rv.history_note,
        amend=amend,
    )


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(
    request: Request, round_id: int, actor: CurrentActor, flash: str | None = None
) -> HTMLResponse:
    return _page(request, actor, round_id, flash=flash)


@router.get("/rounds/{round_id}/batches", response_class=HTMLResponse)
def batches_partial(request: Request, round_id: int, actor: CurrentActor) -> HTMLResponse:
    """The batch runs (htmx: polled every 2 s while one is queued or running; when it has finished, the
    whole page reloads to show what the step changed)."""
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load_visible(uow, actor, round_id)
        batches = repo.batches_of(uow.session, rnd.id)
    running = any(b.status in ("queued", "running") for b in batches)
    headers = {"HX-Refresh": "true"} if request.headers.get("hx-request") and not running else None
    return templates.TemplateResponse(
        request,
        "rounds/batches.html",
        {
            "rnd": rnd,
            "batches": batches,
            "running": running,
            "batch_labels": rv.BATCH_LABELS,
            "kind_labels": rv.KIND_LABELS,
            "summary_labels": rv.SUMMARY_LABELS,
            "summary_text": summary_text,
        },
        headers=headers,
    )


def summary_text(summary: dict[str, Any] | None) -> str:
    """A batch run's result as people read it: labels, not keys; posts by code with how many wait on
    each; empty lists left out; the notice's end as its last day."""
    parts: list[str] = []
    for k, v in (summary or {}).items():
        label = rv.SUMMARY_LABELS.get(k, k)
        if isinstance(v, dict | list) and not v:
            continue
        if isinstance(v, dict):
            each = [
                f"{code}（{len(n)}人）" if isinstance(n, list) else f"{code}（{n}）" for code, n in v.items()
            ]
            parts.append(f"{label} {'、'.join(each)}")
        elif isinstance(v, list):
            parts.append(f"{label} {'、'.join(map(str, v))}")
        elif k == "notice_closes_at" and isinstance(v, str):
            parts.append(f"公示期至 {due_date(datetime.fromisoformat(v)):%Y-%m-%d}")
        else:
            parts.append(f"{label} {v}")
    return "，".join(parts)


def _form_of(rnd: Any) -> dict[str, Any]:
    def local(v: datetime | None) -> str:
        return v.strftime("%Y-%m-%dT%H:%M") if v else ""

    out: dict[str, Any] = {
        "title": rnd.title,
        "announcement": rnd.announcement,
        "registration_opens_at": local(rnd.registration_opens_at),
        "registration_closes_at": local(rnd.registration_closes_at),
    }
    for key in SETUP_KEYS:
        v = rs.value(rnd.settings, key)
        out[key] = "" if v is None else v
    return out


def _when(raw: str, label: str, name: str) -> datetime:
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(
            f"{label}格式应为 YYYY-MM-DD HH:MM（现为「{raw}」）",
            code="datetime_invalid",
            details={"field": name},
        ) from None


@router.post("/rounds/{round_id}/setup")
async def save_setup(request: Request, round_id: int, actor: CurrentActor) -> Response:
    raw = await request.form()
    form: dict[str, Any] = {k: str(raw.get(k, "")) for k in
                            ("title", "announcement", "registration_opens_at", "registration_closes_at", *SETUP_KEYS)}  # fmt: skip
    form["admit_ties_at_cutoff"] = "admit_ties_at_cutoff" in raw
    try:
        setup = rounds.RoundSetup(
            title=form["title"],
            announcement=form["announcement"],
            registration_opens_at=_when(
                form["registration_opens_at"], "报名开始时间", "registration_opens_at"
            ),
            registration_closes_at=_when(
                form["registration_closes_at"], "报名截止时间", "registration_closes_at"
            ),
            # the keys the form sent (a checkbox sends nothing when unticked: always included)
            settings={k: form[k] for k in SETUP_KEYS if k in raw or k == "admit_ties_at_cutoff"},
        )
        with UnitOfWork() as uow:
            rounds.update_setup(uow, actor, round_id, setup)
            uow.commit()
    except ShegongError as exc:
        return _page(request, actor, round_id, error=exc, form=form)
    return RedirectResponse(f"/rounds/{round_id}?flash=已保存公告设置", status_code=303)


@router.post("/rounds/{round_id}/batch/{kind}")
def request_batch(request: Request, round_id: int, kind: str, actor: CurrentActor) -> Response:
    """A batch step (资格初审, 开考比例, 准考证号, 面试人选, 排名, 公示) is queued here and run by the Prefect
    dispatch flow (or `shegong round-batch drain`); the page follows its progress."""
    try:
        with UnitOfWork() as uow:
            row = batch.request(uow, actor, round_id, kind)
            uow.commit()
    except ShegongError as exc:
        return _page(request, actor, round_id, error=exc)
    text = f"已提交批处理「{batch.kind_of(kind).label}」(#{row.id})，后台执行，进度见下方"
    return RedirectResponse(f"/rounds/{round_id}?flash={text}", status_code=303)


@router.post("/rounds/{round_id}/{action}")
def round_action(
    request: Request,
    round_id: int,
    action: str,
    actor: CurrentActor,
    reason: Annotated[str, Form()] = "",
    expected: Annotated[str, Form()] = "",
) -> Response:
    """The step buttons: publish, close registration, advance to the next pinned step, cancel, close."""
    if action not in ACTION_FLASH:
        return _page(request, actor, round_id, error=InvalidInput("未知的操作", code="unknown_action"))
    try:
        with UnitOfWork() as uow:
            if action == "publish":
                rounds.publish(uow, actor, round_id)
            elif action == "close-registration":
                rounds.close_registration(uow, actor, round_id)
            elif action == "advance":
                rounds.advance(uow, actor, round_id, expected=expected or None)
            elif action == "cancel":
                rounds.cancel(uow, actor, round_id, reason)
            else:
                rounds.close(uow, actor, round_id)
            uow.commit()
    except ShegongError as exc:
        return _page(request, actor, round_id, error=exc)
    return RedirectResponse(f"/rounds/{round_id}?flash={ACTION_FLASH[action]}", status_code=303)
