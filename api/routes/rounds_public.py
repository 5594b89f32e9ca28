"""Public pages of a recruitment round (no login): the list of published announcements, the announcement
(posts, conditions, window, every rule with its article), the registration form and the public notice.
Nothing here shows another applicant's data beyond what a real notice shows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages import render
from api.routes import amendment_views as av
from api.routes import rounds_rows as rr
from api.routes import rounds_views as rv
from db.models.recruitment_round import Application, RecruitmentRound
from db.repos import recruitment_round as repo
from domain.applicant import Relation
from domain.education import Education
from domain.errors import InvalidInput, NotFound, ShegongError
from forms.applicant_context import ApplicantContext
from forms.application_input import RELATIVE_PARTS, parse_html_form
from services import org
from services.recruitment_round import notice, objection, refill, registration
from services.uow import UnitOfWork
from states.application import ApplicationMachine

router = APIRouter(include_in_schema=False)
RELATIVE_ROWS = 3
FINAL = ApplicationMachine.final_values()
# What the applicant reads about their own application (plain words for the machine's states).
PUBLIC_LABELS = {
    **rv.APP_LABELS,
    "registered": "已报名，等待资格审查",
    "pending_review": "资格审查中（人工审核）",
    "returned": "退回补正：请一次性补正下列全部事项后重新提交",
}


def form_values(raw: Any) -> dict[str, Any]:
    """What the person typed, to show the form again: single fields as text, lists, relative rows."""
    get = raw.getlist if hasattr(raw, "getlist") else (lambda k: [raw[k]] if k in raw else [])
    out: dict[str, Any] = {k: (get(k) or [""])[0] for k in
                           ("name", "id_number", "phone", "education", "major", "school", "household_code",
                            "household_place", "post_code", "relaxation_group", "note")}  # fmt: skip
    for k in ("street_recommended", "pledge", "service_programme", "service_programme_passed"):
        out[k] = bool(get(k))
    out["priority_groups"] = list(get("priority_groups"))
    out["declared_disqualifications"] = list(get("declared_disqualifications"))
    parts = {f: list(get(f"relative_{f}")) for _, f in RELATIVE_PARTS}
    out["relatives"] = [
        {f: (v[i] if i < len(v) else "") for f, v in parts.items()} for i in range(RELATIVE_ROWS)
    ]
    return out


def values_of(app: Application, post_code: str) -> dict[str, Any]:
    """An application as the form's values (for the applicant's own edit)."""
    out: dict[str, Any] = {k: getattr(app, k) for k in
                           ("name", "id_number", "phone", "education", "major", "school", "household_code",
                            "household_place", "relaxation_group", "note", "street_recommended",
                            "service_programme", "service_programme_passed")}  # fmt: skip
    out.update(post_code=post_code, pledge=False, priority_groups=list(app.priority_groups or []),
               declared_disqualifications=list(app.declared_disqualifications or []))  # fmt: skip
    rel = list(app.relatives or [])
    out["relatives"] = [rel[i] if i < len(rel) else {} for i in range(RELATIVE_ROWS)]
    return out


def field_errors(exc: ShegongError | None) -> dict[str, str]:
    if exc is None:
        return {}
    out: dict[str, str] = {}
    for f in exc.details.get("fields", []) if isinstance(exc.details.get("fields"), list) else []:
        out.setdefault(str(f.get("field", "")).split(".")[0], str(f.get("message", "")))
    if "field" in exc.details:
        out.setdefault(str(exc.details["field"]), exc.message)
    return out


def render_form(
    request: Request,
    rnd: RecruitmentRound,
    ctx: ApplicantContext,
    values: dict[str, Any],
    *,
    action: str,
    error: ShegongError | None = None,
    auth: dict[str, str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "rounds/public_form.html",
        None,
        status_code=error.status if error else 200,
        rnd=rnd,
        ctx=ctx,
        v=values,
        action=action,
        error=error,
        errors=field_errors(error),
        auth=auth,
        educations=list(Education),
        relations=list(Relation),
    )


@router.get("/public/rounds", response_class=HTMLResponse)
def public_rounds(request: Request) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        rows = repo.published_rounds(uow.session)
        now = uow.now
    return render(request, "rounds/public_list.html", None, rows=rows, now=now, labels=rv.ROUND_LABELS,
                  window_open=registration.window_open)  # fmt: skip


@router.get("/public/rounds/{round_id}", response_class=HTMLResponse)
def announcement(request: Request, round_id: int) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        rnd = rr.published(uow, round_id)
        places = repo.post_places(uow.session, rnd.id)
        posts = [(p, places.get(p.id, ("", "", ""))[1]) for p in repo.posts_of(uow.session, rnd.id)]
        organiser = org.get_jurisdiction(uow.session, rnd.jurisdiction_id).name
        open_now = registration.window_open(rnd, uow.now)
        amended = av.public(uow, rnd)  # supplementary announcements, exam arrangements, marks
        changes = refill.changes(uow, rnd.id)  # 递补、空缺
    return render(
        request,
        "rounds/public_round.html",
        None,
        **amended,
        rnd=rnd,
        organiser=organiser,
        posts=posts,
        conditions=rr.conditions(rnd),
        settings=rv.settings_rows(rnd),
        open_now=open_now,
        label=rv.ROUND_LABELS.get(rnd.status, rnd.status),
        post_labels=rv.POST_LABELS,
        changes=changes,
    )


@router.get("/public/rounds/{round_id}/register", response_class=HTMLResponse)
def register_form(request: Request, round_id: int) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        rnd = rr.published(uow, round_id)
        ctx = rr.applicant_context(uow, rnd)
        closed = not registration.window_open(rnd, uow.now)
    if closed:
        return render(request, "rounds/public_closed.html", None, rnd=rnd)
    return render_form(request, rnd, ctx, form_values({}), action=f"/public/rounds/{rnd.id}/register")


@router.post("/public/rounds/{round_id}/register", response_class=HTMLResponse)
async def register(request: Request, round_id: int) -> HTMLResponse:
    """Check the whole form (every problem at once, in Chinese), then register: nothing is written unless
    the registration is accepted (ID checksum, window, post, one per person)."""
    raw = await request.form()
    with UnitOfWork(readonly=True) as uow:
        rnd = rr.published(uow, round_id)
        ctx = rr.applicant_context(uow, rnd)
    try:
        form = parse_html_form(raw, ctx)
        with UnitOfWork() as uow:
            app = registration.register(uow, round_id, form.to_registration(), form.post_code)
            uow.commit()
    except ShegongError as exc:
        return render_form(
            request, rnd, ctx, form_values(raw), action=f"/public/rounds/{rnd.id}/register", error=exc
        )
    return mine_page(
        request,
        round_id,
        app.id_number,
        app.phone,
        flash="报名成功。请牢记身份证号和手机号码，凭此查询审查结果、修改或放弃报名。",
    )


def mine_page(
    request: Request,
    round_id: int,
    id_number: str,
    phone: str,
    *,
    flash: str | None = None,
    error: ShegongError | None = None,
) -> HTMLResponse:
    """The applicant's own application (found by ID number and phone): status, reasons, what is missing
    after a return, and what they may do now (edit or correct, withdraw, print the admit ticket)."""
    with UnitOfWork(readonly=True) as uow:
        rnd = rr.published(uow, round_id)
        app = registration.find_own(uow, round_id, id_number, phone)
        code, post = rr.post_labels(uow, rnd).get(app.post_id, ("", ""))
        open_now = registration.window_open(rnd, uow.now)
    return render(
        request,
        "rounds/public_mine.html",
        None,
        status_code=error.status if error else 200,
        rnd=rnd,
        app=app,
        post=f"{code} {post}",
        label=PUBLIC_LABELS.get(app.status, app.status),
        reasons=(app.verdict or {}).get("reasons", []) if app.status in ("rejected", "returned") else [],
        can_edit=(app.status == "registered" and open_now)
        or (app.status == "returned" and rnd.status == "qualification_review"),
        can_withdraw=app.status not in FINAL,
        auth={"auth_id_number": app.id_number, "auth_phone": app.phone},
        flash=flash,
        error=error,
    )


@router.get("/public/rounds/{round_id}/notice", response_class=HTMLResponse)
def public_notice(request: Request, round_id: int, filed: str | None = None) -> HTMLResponse:
    """The public notice of the proposed hires (公示), printable: what a paper notice shows (name, sex, birth
    month, education, post, and the total score and rank where the round was scored), in the configured
    name order; never an ID number or a phone. During the period, a real-name objection form."""
    return _notice_page(
        request,
        round_id,
        flash="已收到您的实名反映。招聘单位将进行核查，核查期间对该人员暂缓聘用。" if filed else None,
    )


def _notice_page(
    request: Request,
    round_id: int,
    *,
    flash: str | None = None,
    error: ShegongError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with UnitOfWork(readonly=True) as uow:
        rnd = rr.published(uow, round_id)
        organiser = org.get_department(uow.session, rnd.department_id).name
        try:
            listing: notice.NoticeList | None = notice.notice_list(uow, round_id)
        except NotFound:
            listing = None
        open_ids = objection.open_to_objection(uow, round_id)
    scored = listing is not None and any(r.total_score is not None for r in listing.rows)
    places = rr.decimals(rnd)["total"]
    objectable = [r for r in listing.rows if r.application_id in open_ids] if listing else []
    return render(
        request,
        "rounds/public_notice.html",
        None,
        status_code=error.status if error else 200,
        rnd=rnd,
        organiser=organiser,
        n=listing,
        scored=scored,
        score=lambda v: rr.score_text(v, places),
        objectable=objectable,
        flash=flash,
        error=error,
        errors=field_errors(error),
        form=form or {},
    )


@router.post("/public/rounds/{round_id}/notice/objection", response_class=HTMLResponse)
async def file_objection(request: Request, round_id: int) -> Response:
    """异议 filed by a person on the notice page: real name, contact and facts; the named candidate is
    frozen until a reviewer has checked it. Refused in place (the form kept) when incomplete or late."""
    raw = await request.form()
    form = {k: str(raw.get(k, "")) for k in ("application_id", "objector_name", "contact", "facts")}
    try:
        with UnitOfWork(readonly=True) as uow:
            rr.published(uow, round_id)
        if not form["application_id"].isdigit():
            raise InvalidInput(
                "请选择被反映的拟聘用人员", code="objection_incomplete", details={"field": "application_id"}
            )
        with UnitOfWork() as uow:
            app_id = int(form["application_id"])
            objection.file_public_objection(
                uow, round_id, app_id, form["objector_name"], form["contact"], form["facts"]
            )
            uow.commit()
    except ShegongError as exc:
        return _notice_page(request, round_id, error=exc, form=form)
    return RedirectResponse(f"/public/rounds/{round_id}/notice?filed=1#objection", status_code=303)
