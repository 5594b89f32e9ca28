"""Set-wise writes (`db/repos/set_wise.py`): the PostgreSQL path (COPY into a temporary table, then one
UPDATE) and the SQLite path (executemany) write the same values — JSON lists and dicts, NULLs, decimals,
awkward text —, skip rows no longer in a source state and count only the rows they changed; rows inserted by
COPY equal rows inserted by an INSERT, defaults included; a large audit batch (COPY on PostgreSQL) reads
back as chained."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import pytest
from sqlalchemy import Table

from db.models.recruitment_round import Application
from db.repos import recruitment_round as repo
from db.repos import set_wise
from services import audit
from services.runtime import Runtime
from services.uow import UnitOfWork
from tests.integration.round_support import GetActor, published_round, put_applications

T0 = datetime(2026, 3, 2, 9, 0)
APPLICATION = cast(Table, Application.__table__)


@pytest.fixture
def app_ids(actor: GetActor, set_clock: Callable[[datetime], None]) -> list[int]:
    set_clock(T0)
    rid = published_round(actor, T0, days=10)
    rows: list[dict[str, Any]] = [{"status": "registered"} for _ in range(6)]
    rows[5]["status"] = "withdrawn"
    return put_applications(rid, rows, now=T0)


def _rows(ids: list[int]) -> dict[int, tuple[Any, ...]]:
    with UnitOfWork(readonly=True) as uow:
        return {
            i: (a.status, a.verdict, a.flags, a.written_score, a.written_absent, a.rank_note, a.version)
            for i in ids
            if (a := repo.application(uow.session, i)) is not None
        }


def test_move_many_writes_every_kind_of_value_and_skips_moved_rows(app_ids: list[int]) -> None:
    later = T0.replace(hour=10)
    odd = '{a,"b"}\\ ,\'中文'
    verdict = {"outcome": "pass", "reasons": [{"m": odd}]}
    items: list[dict[str, Any]] = [
        {"id": i, "status": "qualified", "verdict": verdict, "flags": ["relaxed:x", odd] if k % 2 else []}
        for k, i in enumerate(app_ids)
    ]
    with UnitOfWork() as uow:
        moved = repo.move_many(uow.session, items, sources=["registered", "pending_review"], now=later)
        uow.commit()
    assert moved == 5  # the withdrawn one is left alone
    after = _rows(app_ids)
    for k, i in enumerate(app_ids[:5]):
        assert after[i][:3] == ("qualified", items[k]["verdict"], items[k]["flags"])
        assert after[i][6] == 2
    assert after[app_ids[5]][0] == "withdrawn" and after[app_ids[5]][6] == 1


def test_update_many_with_nulls_and_decimals(app_ids: list[int]) -> None:
    scores = [Decimal("61.5"), None, Decimal("0.0"), Decimal("100"), None, Decimal("77.25")]
    items = [
        {"id": i, "written_score": s, "written_absent": s is None, "rank_note": f"第{k}名 'x'\t\\N\n"}
        for k, (i, s) in enumerate(zip(app_ids, scores, strict=True))
    ]
    with UnitOfWork() as uow:
        repo.update_many(uow.session, items, now=T0)
        uow.commit()
    after = _rows(app_ids)
    for it in items:
        row = after[it["id"]]
        assert (row[3], row[4], row[5], row[6]) == (
            it["written_score"],
            it["written_absent"],
            it["rank_note"],
            2,
        )


def test_nothing_to_write(app_ids: list[int]) -> None:
    with UnitOfWork() as uow:
        assert repo.move_many(uow.session, [], sources=["registered"], now=T0) == 0
        repo.update_many(uow.session, [], now=T0)
        uow.commit()
    assert all(r[6] == 1 for r in _rows(app_ids).values())


def test_a_large_audit_batch_round_trips_and_verifies(app_ids: list[int], actor: GetActor) -> None:
    """A batch step's audit rows (sent by COPY on PostgreSQL) read back exactly as chained."""
    by = actor("hm_hr")
    drafts = [
        audit.AuditDraft(
            actor=by if k % 2 else None,
            subject_type="application",
            subject_id=k,
            action="screen_fail" if k % 3 else "screen_pass",
            from_state="registered",
            to_state=None if k % 5 == 0 else "qualified",
            opinion=None if k % 4 else f'第{k}行：\'{{a,"b"}}\\ ,中文',
            article="IM art. 9",
            data=None if k % 2 else {"k": k, "list": [1, "二", None], "nested": {"x": [k]}},
        )
        for k in range(set_wise.COPY_MIN + 50)
    ]
    with UnitOfWork() as uow:
        seqs = audit.record_many(uow.session, uow.now, drafts)
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        assert audit.verify(uow.session).ok
        rows = audit.history_of(uow.session, [("application", [d.subject_id for d in drafts])])
    assert [r.seq for r in rows] == list(seqs)
    for d, r in zip(drafts, rows, strict=True):
        assert (r.subject_id, r.action, r.to_state, r.opinion, r.data) == (
            d.subject_id,
            d.action,
            d.to_state,
            d.opinion,
            d.data or {},  # no data is stored as {}
        )
        assert r.actor_id == (by.user_id if d.actor else None)


def test_rows_copied_in_equal_rows_inserted(app_ids: list[int], runtime: Runtime) -> None:
    """PostgreSQL: COPY fills the columns a row leaves out with their defaults, as an INSERT does."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("COPY is the PostgreSQL path")
    with UnitOfWork(readonly=True) as uow:
        first = repo.application(uow.session, app_ids[0])
        assert first is not None
        base = {
            "round_id": first.round_id,
            "post_id": first.post_id,
            "name": "王\t小\\N明\n",
            "phone": "1",
            "education": "bachelor",
            "verdict": None,
            "priority_groups": ["a", {"b": None}],
            "created_at": T0,
            "updated_at": T0,
        }
    with UnitOfWork() as uow:
        repo.insert_applications(uow.session, [{**base, "id_number": "X1"}])
        set_wise.copy_in(uow.session, APPLICATION, [{**base, "id_number": "X2"}])
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        one, two = (repo.application_by_person(uow.session, first.round_id, n) for n in ("X1", "X2"))
        assert one is not None and two is not None
        skip = ("id", "id_number")
        cols = [c.key for c in APPLICATION.columns if c.key not in skip]
        assert [getattr(two, c) for c in cols] == [getattr(one, c) for c in cols]
        assert (two.status, two.flags, two.relatives, two.version) == ("registered", [], [], 1)
