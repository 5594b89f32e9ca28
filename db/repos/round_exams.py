"""Queries of a round's exam steps: the opening-ratio tasks of its posts, one post's applications as plain
rows, scores still missing. (The set-wise writes are `recruitment_round.move_many` / `update_many`.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from db.models.recruitment_round import Application
from db.models.tasks import TaskGroup
from db.repos.recruitment_round import application_rows


def groups_of_cases(session: Session, case_type: str, case_ids: Sequence[int]) -> dict[int, list[TaskGroup]]:
    """case id -> its task groups, oldest first (e.g. the opening-ratio proposals of a round's posts)."""
    out: dict[int, list[TaskGroup]] = {i: [] for i in case_ids}
    if not case_ids:
        return out
    stmt = (
        select(TaskGroup)
        .where(TaskGroup.case_type == case_type, TaskGroup.case_id.in_(list(case_ids)))
        .order_by(TaskGroup.id)
    )
    for g in session.scalars(stmt):
        out[g.case_id].append(g)
    return out


def post_rows(
    session: Session, post_id: int, statuses: Sequence[str], columns: Sequence[str]
) -> list[Row[Any]]:
    """Plain rows of one post's applications in the given states (id, post_id, status, *columns)."""
    return application_rows(session, Application.post_id == post_id, statuses, columns)


def missing_scores(session: Session, round_id: int, kind: str, statuses: Sequence[str]) -> list[str]:
    """Admission tickets of applications in `statuses` with neither a `kind` score nor marked absent."""
    score = getattr(Application, f"{kind}_score")
    absent = getattr(Application, f"{kind}_absent")
    stmt = (
        select(Application.admit_ticket)
        .where(
            Application.round_id == round_id,
            Application.status.in_(list(statuses)),
            Application.admit_ticket.is_not(None),
            score.is_(None),
            absent.is_(False),
        )
        .order_by(Application.admit_ticket)
    )
    return [t for t in session.scalars(stmt) if t]


def count_without_ticket(session: Session, round_id: int, statuses: Sequence[str]) -> int:
    stmt = (
        select(func.count())
        .select_from(Application)
        .where(
            Application.round_id == round_id,
            Application.status.in_(list(statuses)),
            Application.admit_ticket.is_(None),
        )
    )
    return int(session.scalar(stmt) or 0)


def round_rows(
    session: Session, round_id: int, statuses: Sequence[str], columns: Sequence[str], *, lock: bool = False
) -> list[Row[Any]]:
    """Plain rows of the round's applications in `statuses` (id, post_id, status, *columns), by id; with
    `lock`, the rows are locked until the transaction ends (a withdrawal meanwhile waits for the step)."""
    return application_rows(session, Application.round_id == round_id, statuses, columns, lock=lock)


def round_of_application(session: Session, app_id: int) -> int | None:
    """The round an application belongs to (to lock the round before the application: the batch order)."""
    return session.scalar(select(Application.round_id).where(Application.id == app_id))
