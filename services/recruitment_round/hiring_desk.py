"""The street office's hiring desk: the proposed hires whose notice is over and whose contract it signs
(IM art. 12: the street signs the labour contract), with the defaults the round's settings give, and the
contracts it has signed. Signing itself is `hire.sign_contract`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from db.repos import recruitment_round as repo
from domain.actor import Actor
from domain.enums import DeptKind, Role
from domain.id_number import mask_id
from services.recruitment_round import notice
from services.recruitment_round import settings as rs
from services.uow import UnitOfWork

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
        community = places[rnd.id].get(post.id, ("", "", ""))[1]
        decimals = int(rs.value(rnd.settings, "decimals_total", 2))
        rows.append(
            ToSign(
                application_id=app.id,
                name=app.name,
                id_masked=mask_id(app.id_number),
                round_id=rnd.id,
                round_title=rnd.title,
                post=" ".join(x for x in (post.code, community, post.title) if x),
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
