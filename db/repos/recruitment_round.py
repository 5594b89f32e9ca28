"""Queries and set-wise writes of recruitment rounds, their posts and applications."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Table, func, or_, select, update
from sqlalchemy.orm import Session

from db.models.org import Jurisdiction
from db.models.recruitment_round import (
    Application,
    BatchRun,
    HireContract,
    Objection,
    RecruitmentRound,
    RoundPost,
    StaffRecusal,
)
from db.repos import set_wise

T = TypeVar("T")
_APP: Table = Application.__table__  # type: ignore[assignment]


def get_round(session: Session, round_id: int, *, for_update: bool = False) -> RecruitmentRound | None:
    stmt = select(RecruitmentRound).where(RecruitmentRound.id == round_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def rounds_under(session: Session, paths: Sequence[str], *, limit: int = 200) -> list[RecruitmentRound]:
    if not paths:
        return []
    cond = [RecruitmentRound.jurisdiction_path.startswith(p) for p in paths]
    stmt = select(RecruitmentRound).where(or_(*cond)).order_by(RecruitmentRound.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def published_rounds(session: Session, *, limit: int = 100) -> list[RecruitmentRound]:
    stmt = (
        select(RecruitmentRound)
        .where(RecruitmentRound.published_at.is_not(None))
        .order_by(RecruitmentRound.published_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def round_of_plan(session: Session, plan_id: int) -> RecruitmentRound | None:
    stmt = select(RecruitmentRound).where(
        RecruitmentRound.plan_id == plan_id, RecruitmentRound.status != "cancelled"
    )
    return session.scalars(stmt).first()


def add(session: Session, row: T) -> T:
    session.add(row)
    session.flush()
    return row


def add_all(session: Session, rows: Iterable[Any]) -> None:
    session.add_all(list(rows))
    session.flush()


# --- posts --------------------------------------------------------------------------------------------


def posts_of(session: Session, round_id: int) -> list[RoundPost]:
    stmt = select(RoundPost).where(RoundPost.round_id == round_id).order_by(RoundPost.code)
    return list(session.scalars(stmt))


def post(session: Session, post_id: int) -> RoundPost | None:
    return session.get(RoundPost, post_id)


def post_by_code(session: Session, round_id: int, code: str) -> RoundPost | None:
    stmt = select(RoundPost).where(RoundPost.round_id == round_id, RoundPost.code == code)
    return session.scalars(stmt).one_or_none()


def post_places(session: Session, round_id: int) -> dict[int, tuple[str, str, str]]:
    """post id -> (community code, community name, street code) for the posts of a round."""
    street = Jurisdiction.__table__.alias("street")
    stmt = (
        select(RoundPost.id, Jurisdiction.code, Jurisdiction.name, street.c.code)
        .join(Jurisdiction, Jurisdiction.id == RoundPost.community_id)
        .outerjoin(street, street.c.id == RoundPost.street_id)
        .where(RoundPost.round_id == round_id)
    )
    return {r[0]: (r[1], r[2], r[3] or "") for r in session.execute(stmt)}


# --- applications --------------------------------------------------------------------------------------


def application(session: Session, app_id: int, *, for_update: bool = False) -> Application | None:
    stmt = select(Application).where(Application.id == app_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def application_by_person(session: Session, round_id: int, id_number: str) -> Application | None:
    stmt = select(Application).where(Application.round_id == round_id, Application.id_number == id_number)
    return session.scalars(stmt).one_or_none()


def existing_id_numbers(session: Session, round_id: int, numbers: Iterable[str]) -> set[str]:
    return set(ids_by_person(session, round_id, list(set(numbers))))


def ids_by_person(session: Session, round_id: int, numbers: Sequence[str]) -> dict[str, int]:
    """ID number -> application id, for those of `numbers` who applied to the round. PostgreSQL: one query
    joining the numbers given as an array (an IN list of hundreds tested against every row of the round's
    index range took up to 75 ms per 900 on a table still without statistics); SQLite: IN lists of 900."""
    if set_wise.is_postgresql(session):
        given = set_wise.listed(_APP.c.id_number, "numbers")
        stmt = (
            select(Application.id_number, Application.id)
            .join(given, Application.id_number == given.c.value)
            .where(Application.round_id == round_id)
        )
        return {r[0]: r[1] for r in session.execute(stmt, {"numbers": list(numbers)})}
    out: dict[str, int] = {}
    for i in range(0, len(numbers), 900):
        stmt = select(Application.id_number, Application.id).where(
            Application.round_id == round_id, Application.id_number.in_(list(numbers[i : i + 900]))
        )
        out.update({r[0]: r[1] for r in session.execute(stmt)})
    return out


def applications(
    session: Session,
    round_id: int,
    *,
    post_id: int | None = None,
    statuses: Iterable[str] | None = None,
    search: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[Application]:
    stmt = select(Application).where(Application.round_id == round_id)
    if post_id is not None:
        stmt = stmt.where(Application.post_id == post_id)
    if statuses:
        stmt = stmt.where(Application.status.in_(list(statuses)))
    if search:
        like = f"%{search}%"
        stmt = stmt.where(
            (Application.name.like(like))
            | (Application.admit_ticket.like(like))
            | (Application.phone.like(like))
        )
    stmt = stmt.order_by(Application.post_id, Application.rank, Application.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def count_applications(
    session: Session, round_id: int, *, post_id: int | None = None, statuses: Iterable[str] | None = None
) -> int:
    stmt = select(func.count()).select_from(Application).where(Application.round_id == round_id)
    if post_id is not None:
        stmt = stmt.where(Application.post_id == post_id)
    if statuses:
        stmt = stmt.where(Application.status.in_(list(statuses)))
    return int(session.scalar(stmt) or 0)


def status_counts(session: Session, round_id: int) -> dict[tuple[int, str], int]:
    """(post id, status) -> count: the funnel."""
    stmt = (
        select(Application.post_id, Application.status, func.count())
        .where(Application.round_id == round_id)
        .group_by(Application.post_id, Application.status)
    )
    return {(r[0], r[1]): int(r[2]) for r in session.execute(stmt)}


def application_rows(
    session: Session,
    scope: ColumnElement[bool],
    statuses: Sequence[str],
    columns: Sequence[str],
    *,
    lock: bool = False,
) -> list[Row[Any]]:
    """Plain rows (no ORM objects) of the applications matching `scope` in `statuses`: (id, post_id, status,
    *columns), by id; with `lock`, the rows are locked until the transaction ends."""
    cols = [Application.id, Application.post_id, Application.status] + [
        getattr(Application, c) for c in columns
    ]
    stmt = select(*cols).where(scope, Application.status.in_(list(statuses))).order_by(Application.id)
    if lock:
        stmt = stmt.with_for_update()
    return list(session.execute(stmt))


def rows_in_states(
    session: Session, round_id: int, statuses: Sequence[str], columns: Sequence[str]
) -> list[Row[Any]]:
    """Plain rows (no ORM objects) of the round's applications in the given states: for batch steps."""
    return application_rows(session, Application.round_id == round_id, statuses, columns)


def move_many(
    session: Session,
    rows: Sequence[Mapping[str, Any]],
    *,
    sources: Sequence[str],
    now: Any,
) -> int:
    """Set-wise transition: each row {"id", "status", ...other columns} is updated only if the row is still
    in one of `sources` (a row moved meanwhile is left alone). One statement per column set (and chunk on
    PostgreSQL; see `set_wise`)."""
    by_cols: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for r in rows:
        by_cols.setdefault(tuple(sorted(r)), []).append(r)
    return sum(
        set_wise.update_by_id(session, _APP, part, set_also=_touched(now), only_in=("status", sources))
        for part in by_cols.values()
    )


def update_many(session: Session, rows: Sequence[Mapping[str, Any]], *, now: Any) -> None:
    """Set columns (no state change) on many applications: {"id", col: value, ...}, same columns each."""
    set_wise.update_by_id(session, _APP, rows, set_also=_touched(now))


def _touched(now: Any) -> dict[str, Any]:
    return {"updated_at": now, "version": _APP.c.version + 1}


def insert_applications(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (the same keys in each): a sheet's thousands by COPY on PostgreSQL (`set_wise`)."""
    if len(rows) >= set_wise.COPY_MIN and set_wise.is_postgresql(session):
        set_wise.copy_in(session, _APP, rows)
    elif rows:
        session.connection().execute(_APP.insert(), list(rows))


def ids_in_states(session: Session, round_id: int, statuses: Sequence[str]) -> list[int]:
    stmt = select(Application.id).where(
        Application.round_id == round_id, Application.status.in_(list(statuses))
    )
    return list(session.scalars(stmt))


def expire_applications(session: Session) -> None:
    """After Core updates: reload ORM copies on next access."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Application):
            session.expire(obj)


# --- recusal, objections, contracts, batches ------------------------------------------------------------


def users_named_at(session: Session, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], set[int]]:
    """(display name, jurisdiction code) -> ids of active users of that name holding a role in a department
    of that jurisdiction: the staff an applicant's declared relative may be."""
    from db.models.org import Department, RoleAssignment, User

    names = sorted({p[0] for p in pairs})
    codes = sorted({p[1] for p in pairs})
    stmt = (
        select(User.display_name, Jurisdiction.code, User.id)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(Department, Department.id == RoleAssignment.department_id)
        .join(Jurisdiction, Jurisdiction.id == Department.jurisdiction_id)
        .where(User.display_name.in_(names), Jurisdiction.code.in_(codes), User.active.is_(True))
    )
    out: dict[tuple[str, str], set[int]] = {}
    wanted = set(pairs)
    for name, code, uid in session.execute(stmt):
        if (name, code) in wanted:
            out.setdefault((name, code), set()).add(uid)
    return out


def recused_users(session: Session, application_id: int) -> set[int]:
    stmt = select(StaffRecusal.user_id).where(StaffRecusal.application_id == application_id)
    return set(session.scalars(stmt))


def recusals_of_round(session: Session, round_id: int) -> list[StaffRecusal]:
    return list(session.scalars(select(StaffRecusal).where(StaffRecusal.round_id == round_id)))


def recused_applications(session: Session, round_id: int, user_id: int) -> set[int]:
    stmt = select(StaffRecusal.application_id).where(
        StaffRecusal.round_id == round_id, StaffRecusal.user_id == user_id
    )
    return set(session.scalars(stmt))


def objections_of(session: Session, application_id: int) -> list[Objection]:
    stmt = select(Objection).where(Objection.application_id == application_id).order_by(Objection.id)
    return list(session.scalars(stmt))


def objections_of_round(session: Session, round_id: int) -> list[Objection]:
    stmt = select(Objection).where(Objection.round_id == round_id).order_by(Objection.id)
    return list(session.scalars(stmt))


def objection(session: Session, objection_id: int, *, for_update: bool = False) -> Objection | None:
    stmt = select(Objection).where(Objection.id == objection_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def contract_of(session: Session, application_id: int) -> HireContract | None:
    stmt = select(HireContract).where(HireContract.application_id == application_id)
    return session.scalars(stmt).one_or_none()


def contracts_of_round(session: Session, round_id: int) -> list[HireContract]:
    return list(session.scalars(select(HireContract).where(HireContract.round_id == round_id)))


def batch(session: Session, batch_id: int, *, for_update: bool = False) -> BatchRun | None:
    stmt = select(BatchRun).where(BatchRun.id == batch_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def batches_of(session: Session, round_id: int) -> list[BatchRun]:
    stmt = select(BatchRun).where(BatchRun.round_id == round_id).order_by(BatchRun.id.desc())
    return list(session.scalars(stmt))


def active_batch(session: Session, round_id: int) -> BatchRun | None:
    stmt = select(BatchRun).where(BatchRun.round_id == round_id, BatchRun.status.in_(["queued", "running"]))
    return session.scalars(stmt).first()


def queued_batches(session: Session, *, limit: int = 20) -> list[BatchRun]:
    stmt = select(BatchRun).where(BatchRun.status == "queued").order_by(BatchRun.id).limit(limit)
    return list(session.scalars(stmt))


def set_batch_progress(session: Session, batch_id: int, done: int) -> None:
    session.connection().execute(update(BatchRun).where(BatchRun.id == batch_id).values(done=done))


# --- the street's hiring desk ---------------------------------------------------------------------------


def proposed_at_streets(session: Session, street_ids: Sequence[int]) -> list[Row[Any]]:
    """Proposed hires of rounds in their hiring step whose post lies under one of `street_ids`, with
    the round and post they belong to (for the street office that signs the contracts, IM art. 12)."""
    if not street_ids:
        return []
    stmt = (
        select(Application, RoundPost, RecruitmentRound)
        .join(RoundPost, RoundPost.id == Application.post_id)
        .join(RecruitmentRound, RecruitmentRound.id == Application.round_id)
        .where(
            RoundPost.street_id.in_(list(street_ids)),
            Application.status == "proposed",
            RecruitmentRound.status == "hiring",
        )
        .order_by(RecruitmentRound.id, RoundPost.code, Application.rank)
    )
    return list(session.execute(stmt))


def contracts_at(session: Session, employer_ids: Sequence[int], *, limit: int = 100) -> list[Row[Any]]:
    if not employer_ids:
        return []
    stmt = (
        select(HireContract, Application.name)
        .join(Application, Application.id == HireContract.application_id)
        .where(HireContract.employer_id.in_(list(employer_ids)))
        .order_by(HireContract.signed_at.desc())
        .limit(limit)
    )
    return list(session.execute(stmt))
