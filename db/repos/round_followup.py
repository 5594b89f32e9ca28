"""Queries of a round's later steps: the reserve of a post (递补), the public-notice list, open objections,
workers by ID number (one probation per employer)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from db.models.org import Jurisdiction
from db.models.recruitment_round import Application, Objection, RoundPost
from db.models.workers import Worker


def reserve_of_post(session: Session, post_id: int) -> list[Application]:
    """The post's reserve (递补人选) in ranking order, locked: the first is the next to be refilled."""
    stmt = (
        select(Application)
        .where(
            Application.post_id == post_id,
            Application.status == "reserve",
            Application.rank.is_not(None),
        )
        .order_by(Application.rank, Application.id)
        .with_for_update()
    )
    return list(session.scalars(stmt))


def notice_rows(session: Session, round_id: int, statuses: Sequence[str]) -> list[Row[Any]]:
    """Plain rows for the public-notice list: the application's public facts with its post and community."""
    stmt = (
        select(
            Application.id,
            Application.status,
            Application.name,
            Application.sex,
            Application.birth_date,
            Application.education,
            Application.id_number,
            Application.total_score,
            Application.rank,
            Application.refill_for_id,
            RoundPost.code.label("post_code"),
            RoundPost.title.label("post_title"),
            Jurisdiction.name.label("community"),
        )
        .join(RoundPost, RoundPost.id == Application.post_id)
        .join(Jurisdiction, Jurisdiction.id == RoundPost.community_id)
        .where(Application.round_id == round_id, Application.status.in_(list(statuses)))
        .order_by(RoundPost.code, Application.rank, Application.id)
    )
    return list(session.execute(stmt))


def open_objections(session: Session, application_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(Objection)
        .where(Objection.application_id == application_id, Objection.status == "open")
    )
    return int(session.scalar(stmt) or 0)


def workers_by_id_number(session: Session, id_number: str) -> list[Worker]:
    stmt = select(Worker).where(Worker.id_number == id_number).order_by(Worker.id)
    return list(session.scalars(stmt))


def community_parents(session: Session, community_ids: Sequence[int]) -> dict[int, int | None]:
    """community id -> its parent (the street)."""
    if not community_ids:
        return {}
    stmt = select(Jurisdiction.id, Jurisdiction.parent_id).where(Jurisdiction.id.in_(list(community_ids)))
    return {r[0]: r[1] for r in session.execute(stmt)}


def refilled_by(session: Session, application_id: int) -> Application | None:
    """The application that took the place `application_id` left (递补), if any."""
    stmt = select(Application).where(Application.refill_for_id == application_id).limit(1)
    return session.scalars(stmt).first()
