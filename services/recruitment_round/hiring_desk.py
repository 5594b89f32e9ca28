"""The street office's hiring desk: the proposed hires whose notice is over and whose contract it signs
(IM art. 12: the street signs the labour contract), with the defaults the round's settings give, and the
contracts it has signed. Signing itself is `hire.sign_contract`; a decline the street records
(`hire.decline`) is answered with `declined`, what the desk shows of that candidate and no more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from db.models.recruitment_round import RoundPost
from db.repos import recruitment_round as repo
from db.repos import round_followup as frepo
from domain.actor import Actor
from domain.enums import DeptKind, Role
from domain.errors import NotFound
from domain.id_number import mask_id
from services.recruitment_round import notice
from services.recruitment_round import settings as rs
from services.uow import UnitOfWork
from states.application import ApplicationMachine

_ROLES = (Role.HR_OFFICER, Role.APPROVER)


@dataclass(frozen=True)
class ToSign:
    application_id: int
    name: str
    id_masked: str
    round_id: int
    round_title: str
    post: str
    total_score: str
    notice_over: bool
    term_months: int
    probation_months: int
    probation_article: str
    starts_on: date


@dataclass(frozen=True)
class Signed:
    name: str
    term_months: int
    probation_months: int
    starts_on: date
    probation_ends_on: date
    signed_at: str


@dataclass(frozen=True)
class Person:
    id: int  # the application
    name: str


@dataclass(frozen=True)
class Declined:
    """A proposed hire who declined, as the street's desk knows them: the place's post, the status now,
    and who moved up into the place (递补), or None (not refilled: vacancy, tie to settle, round closed).
    `id` is the application's, named as in the full view (ApplicationOut) of the same answer."""

    id: int
    name: str
    post: str
    status: str
    status_label: str
    refilled_by: Person | None


def post_label(post: RoundPost, places: dict[int, tuple[str, str, str]]) -> str:
    """The post as the desk names it: code, community, title (places: repo.post_places of its round)."""
    community = places.get(post.id, ("", "", ""))[1]
    return " ".join(x for x in (post.code, community, post.title) if x)


def street_ids(actor: Actor) -> list[int]:
    return sorted(
        {
            m.jurisdiction_id
            for m in actor.memberships
            if m.department_kind == DeptKind.STREET_OFFICE and m.role in _ROLES
        }
    )


def desk(uow: UnitOfWork, actor: Actor) -> tuple[list[ToSign], list[Signed]]:
    streets = street_ids(actor)
    rows: list[ToSign] = []
    places: dict[int, dict[int, tuple[str, str, str]]] = {}  # round -> post -> (code, community, street)
    for app, post, rnd in repo.proposed_at_streets(uow.session, streets):
        window = notice.notice_window(uow, rnd, app)
        if rnd.id not in places:
            places[rnd.id] = repo.post_places(uow.session, rnd.id)
        decimals = int(rs.value(rnd.settings, "decimals_total", 2))
        rows.append(
            ToSign(
                application_id=app.id,
                name=app.name,
                id_masked=mask_id(app.id_number),
                round_id=rnd.id,
                round_title=rnd.title,
                post=post_label(post, places[rnd.id]),
                total_score=f"{app.total_score:.{decimals}f}" if app.total_score is not None else "",
                notice_over=window is not None and uow.now >= window[1],
                term_months=int(rs.value(rnd.settings, "contract_term_months", 36)),
                probation_months=int(rs.value(rnd.settings, "probation_months", 0)),
                probation_article=rs.article(rnd.settings, "probation_months"),
                starts_on=max(uow.now.date(), window[1].date()) if window else uow.now.date(),
            )
        )
    signed = [
        Signed(
            name,
            c.term_months,
            c.probation_months,
            c.starts_on,
            c.probation_ends_on,
            f"{c.signed_at:%Y-%m-%d %H:%M}",
        )
        for c, name in repo.contracts_at(uow.session, streets)
    ]
    return rows, signed


def declined(uow: UnitOfWork, app_id: int) -> Declined:
    """The reduced answer to a decline recorded by the street (no screening reasons, flags or scores).
    The caller has just recorded it (hire.decline checked who may); this reads, it does not check."""
    app = repo.application(uow.session, app_id)
    if app is None:  # pragma: no cover - declined in the unit of work just committed
        raise NotFound(f"报名 {app_id} 不存在", code="application_not_found")
    post = repo.post(uow.session, app.post_id)
    assert post is not None
    moved_up = frepo.refilled_by(uow.session, app.id)
    return Declined(
        id=app.id,
        name=app.name,
        post=post_label(post, repo.post_places(uow.session, app.round_id)),
        status=app.status,
        status_label=ApplicationMachine.status_labels().get(app.status, app.status),
        refilled_by=Person(moved_up.id, moved_up.name) if moved_up else None,
    )
