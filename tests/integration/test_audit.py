"""The audit chain on a real database: appending, history, tampering detected at the exact row,
rollback, and bulk append."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from domain.actor import Actor, Membership
from domain.enums import DeptKind, Role
from domain.errors import InvalidInput
from services import audit
from services.runtime import Runtime
from services.uow import UnitOfWork

ACTOR = Actor(
    user_id=7,
    username="zs",
    display_name="张三",
    memberships=(
        Membership(3, DeptKind.CIVIL_AFFAIRS, "民政局", 2, "某区", "/1/2/", "county", Role.APPROVER),
    ),
)


def _append(n: int, *, subject_id: int = 1) -> None:
    with UnitOfWork() as uow:
        for i in range(n):
            audit.record(
                uow.session,
                uow.now,
                actor=ACTOR if i % 3 else None,
                subject_type="recruitment_plan",
                subject_id=subject_id,
                action="approve",
                from_state="submitted",
                to_state="approved",
                opinion=f"同意 第{i}次",
                article="IM art. 8",
                data={"department": "民政局", "i": i, "x": 0.1},
            )
        uow.commit()


def _verify(batch: int = 5000) -> audit.VerifyResult:
    with UnitOfWork(readonly=True) as uow:
        return audit.verify(uow.session, batch=batch)


def _sql(runtime: Runtime, *stmts: str) -> None:
    with runtime.engine.begin() as conn:
        for s in stmts:
            conn.execute(text(s))


def _head(runtime: Runtime) -> tuple[int, str] | None:
    with runtime.engine.connect() as conn:
        row = conn.execute(text("SELECT last_seq, last_hash FROM audit_head")).first()
    return None if row is None else (row[0], row[1])


def test_empty_log_verifies(runtime: Runtime) -> None:
    assert _verify() == audit.VerifyResult(ok=True, checked=0)


def test_chain_verifies_across_batches_and_history_reads_back(runtime: Runtime) -> None:
    _append(5, subject_id=1)
    _append(7, subject_id=2)
    _append(1, subject_id=1)
    for batch in (1, 3, 5000):
        assert _verify(batch) == audit.VerifyResult(ok=True, checked=13), batch
    with UnitOfWork(readonly=True) as uow:
        rows = audit.history(uow.session, "recruitment_plan", 1)
        assert [r.seq for r in rows] == [1, 2, 3, 4, 5, 13]
        r = rows[1]
        assert (r.actor_id, r.actor_name, r.actor_role) == (7, "张三", "approver")
        assert (r.action, r.from_state, r.to_state, r.article) == (
            "approve",
            "submitted",
            "approved",
            "IM art. 8",
        )
        assert r.data == {"department": "民政局", "i": 1, "x": 0.1}
        assert rows[0].actor_id is None and rows[0].actor_name == audit.SYSTEM_NAME
        assert rows[0].prev_hash == "0" * 64 and rows[1].prev_hash == rows[0].hash
        assert r.at.tzinfo is None and abs(r.at - uow.now) < timedelta(minutes=5)
    assert _head(runtime) == (13, rows[-1].hash)


def test_record_returns_the_row_as_written(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        e = audit.record(
            uow.session,
            uow.now,
            actor=ACTOR,
            subject_type="task",
            subject_id=9,
            action="claim",
            opinion="认领",
            data={"k": [1, "二"]},
        )
        uow.commit()
    assert (e.seq, e.at, e.subject_type, e.action, e.opinion) == (1, uow.now, "task", "claim", "认领")
    with UnitOfWork(readonly=True) as uow:
        (back,) = audit.history(uow.session, "task", 9)
    assert (back.hash, back.data, back.at) == (e.hash, {"k": [1, "二"]}, e.at)


def test_edited_opinion_is_detected_at_that_row(runtime: Runtime) -> None:
    _append(10)
    _sql(runtime, "UPDATE audit_log SET opinion = '不同意' WHERE seq = 6")
    result = _verify(batch=4)
    assert (result.ok, result.first_bad_seq, result.code, result.checked) == (False, 6, "altered", 5)
    assert "第 6 条" in (result.reason or "") and "seq 6" in (result.reason or "")


def test_edit_with_rehash_is_pinned_on_the_edited_row(runtime: Runtime) -> None:
    """A forger who also recomputes the row's hash breaks the next row's link; the edited row is named."""
    _append(10)
    with UnitOfWork(readonly=True) as uow:
        row = next(r for r in audit.history(uow.session, "recruitment_plan", 1) if r.seq == 4)
    from db.models.audit import CONTENT_FIELDS, entry_hash

    fields = {f: getattr(row, f) for f in (*CONTENT_FIELDS, "prev_hash")}
    fields["opinion"] = "伪造"
    _sql(runtime, f"UPDATE audit_log SET opinion = '伪造', hash = '{entry_hash(fields)}' WHERE seq = 4")
    result = _verify()
    assert (result.ok, result.first_bad_seq, result.code) == (False, 4, "broken_link")


def test_deleted_middle_row_is_detected(runtime: Runtime) -> None:
    _append(10)
    _sql(runtime, "DELETE FROM audit_log WHERE seq = 4")
    result = _verify(batch=3)
    assert (result.ok, result.first_bad_seq, result.code, result.checked) == (False, 4, "missing", 3)


def test_deleted_tail_row_is_detected(runtime: Runtime) -> None:
    _append(10)
    _sql(runtime, "DELETE FROM audit_log WHERE seq = 10")
    result = _verify()
    assert (result.ok, result.first_bad_seq, result.code) == (False, 10, "missing")


def test_swapped_rows_are_detected(runtime: Runtime) -> None:
    _append(10)
    _sql(
        runtime,
        "UPDATE audit_log SET seq = 1000000 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 7",
        "UPDATE audit_log SET seq = 7 WHERE seq = 1000000",
    )
    result = _verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_swapped_opinions_are_detected(runtime: Runtime) -> None:
    _append(10)
    _sql(
        runtime,
        "UPDATE audit_log SET opinion = (SELECT opinion FROM audit_log WHERE seq = 8) || '#' WHERE seq = 2",
        "UPDATE audit_log SET opinion = (SELECT opinion FROM audit_log WHERE seq = 2) WHERE seq = 8",
    )
    result = _verify()
    assert (result.ok, result.first_bad_seq, result.code) == (False, 2, "altered")


def test_row_inserted_beyond_the_head_is_detected(runtime: Runtime) -> None:
    _append(3)
    _sql(
        runtime,
        "INSERT INTO audit_log (seq, at, actor_name, subject_type, subject_id, action, data, "
        "prev_hash, hash) SELECT 4, at, actor_name, subject_type, subject_id, action, data, hash, hash "
        "FROM audit_log WHERE seq = 3",
    )
    result = _verify()
    assert (result.ok, result.first_bad_seq, result.code) == (False, 4, "inserted")


def test_head_out_of_step_is_detected(runtime: Runtime) -> None:
    _append(3)
    _sql(runtime, "UPDATE audit_head SET last_hash = 'forged'")
    result = _verify()
    assert (result.ok, result.first_bad_seq, result.code) == (False, 3, "head_mismatch")


def test_missing_head_refuses_to_fork_the_chain(runtime: Runtime) -> None:
    _append(2)
    _sql(runtime, "DELETE FROM audit_head")
    assert _verify().code == "head_mismatch"
    with pytest.raises(audit.AuditChainBroken), UnitOfWork() as uow:
        audit.record(uow.session, uow.now, actor=None, subject_type="task", subject_id=1, action="escalate")


def test_rolled_back_unit_of_work_leaves_no_row_and_no_head_change(runtime: Runtime) -> None:
    _append(1)
    before = _head(runtime)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), UnitOfWork() as uow:
        audit.record(uow.session, uow.now, actor=ACTOR, subject_type="task", subject_id=1, action="claim")
        raise Boom
    with UnitOfWork() as uow:  # never committed
        audit.record(uow.session, uow.now, actor=ACTOR, subject_type="task", subject_id=1, action="claim")
    assert _head(runtime) == before
    with UnitOfWork(readonly=True) as uow:
        assert audit.history(uow.session, "task", 1) == []
    _append(1)
    assert _verify() == audit.VerifyResult(ok=True, checked=2)


def test_rolled_back_first_append_leaves_no_head(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        audit.record(uow.session, uow.now, actor=None, subject_type="task", subject_id=1, action="escalate")
    assert _head(runtime) is None


def test_bad_input_writes_nothing(runtime: Runtime) -> None:
    with pytest.raises(InvalidInput), UnitOfWork() as uow:
        audit.record(uow.session, uow.now, actor=None, subject_type="task", subject_id=1, action="x" * 41)
    assert _head(runtime) is None


def test_bulk_append_chains_correctly(runtime: Runtime) -> None:
    _append(2)
    drafts = [
        audit.AuditDraft(
            actor=None,
            subject_type="application",
            subject_id=i,
            action="screen",
            from_state="registered",
            to_state="qualified",
            article="JLP art. 14",
            data={"batch": "2026-spring"},
        )
        for i in range(2500)
    ]
    with UnitOfWork() as uow:
        seqs = audit.record_many(uow.session, uow.now, drafts)
        assert audit.record_many(uow.session, uow.now, []) == range(0)
        uow.commit()
    assert seqs == range(3, 2503)
    _append(1)
    assert _verify(batch=700) == audit.VerifyResult(ok=True, checked=2503)
    with UnitOfWork(readonly=True) as uow:
        (row,) = audit.history(uow.session, "application", 1234)
    assert (row.seq, row.to_state, row.data) == (1237, "qualified", {"batch": "2026-spring"})
    assert _head(runtime) == (2503, _last_hash(runtime))


def _last_hash(runtime: Runtime) -> str:
    with runtime.engine.connect() as conn:
        return str(conn.execute(text("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")).scalar_one())


def _defer(uow: UnitOfWork, subject_id: int, action: str) -> None:
    audit.defer(uow.session, uow.now, actor=ACTOR, subject_type="task", subject_id=subject_id, action=action)


def test_deferred_rows_are_chained_at_commit_in_order(runtime: Runtime) -> None:
    _append(2)
    with UnitOfWork() as uow:
        _defer(uow, 5, "claim")
        _defer(uow, 5, "complete")
        with UnitOfWork(readonly=True) as other:  # nothing written yet
            assert audit.verify(other.session) == audit.VerifyResult(ok=True, checked=2)
        e = audit.record(uow.session, uow.now, actor=None, subject_type="task", subject_id=5, action="remind")
        assert e.seq == 5  # the deferred rows went first, in order
        _defer(uow, 6, "claim")
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        assert [(r.seq, r.action) for r in audit.history(uow.session, "task", 5)] == [
            (3, "claim"),
            (4, "complete"),
            (5, "remind"),
        ]
        assert [r.seq for r in audit.history(uow.session, "task", 6)] == [6]
    assert _verify(batch=2) == audit.VerifyResult(ok=True, checked=6)
    assert _head(runtime) == (6, _last_hash(runtime))


def test_deferred_rows_are_read_back_in_their_own_unit_of_work(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        _defer(uow, 1, "claim")
        assert [r.action for r in audit.history(uow.session, "task", 1)] == ["claim"]
        _defer(uow, 1, "complete")
        assert [r.action for r in audit.history_of(uow.session, [("task", [1])])] == ["claim", "complete"]
        uow.commit()
    assert _verify() == audit.VerifyResult(ok=True, checked=2)


def test_deferred_rows_vanish_with_a_rollback(runtime: Runtime) -> None:
    _append(1)
    before = _head(runtime)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), UnitOfWork() as uow:
        _defer(uow, 1, "claim")
        raise Boom
    with UnitOfWork() as uow:  # never committed
        _defer(uow, 1, "claim")
    with UnitOfWork() as uow:  # rolled back by hand, then reused for a committed row
        _defer(uow, 1, "claim")
        uow.session.rollback()
        _defer(uow, 2, "release")
        uow.commit()
    assert _head(runtime) != before
    with UnitOfWork(readonly=True) as uow:
        assert audit.history(uow.session, "task", 1) == []
        assert [r.seq for r in audit.history(uow.session, "task", 2)] == [2]
    assert _verify() == audit.VerifyResult(ok=True, checked=2)


def test_deferred_bad_input_raises_at_once(runtime: Runtime) -> None:
    with pytest.raises(InvalidInput), UnitOfWork() as uow:
        _defer(uow, 1, "x" * 41)
    assert _head(runtime) is None
