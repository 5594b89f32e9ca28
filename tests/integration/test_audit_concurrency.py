"""Concurrent appenders, each in its own unit of work, still build one unbroken chain."""

from __future__ import annotations

import threading

from sqlalchemy import text

from services import audit
from services.runtime import Runtime
from services.uow import UnitOfWork

THREADS, PER_THREAD = 4, 50


def test_four_threads_append_one_valid_chain(runtime: Runtime) -> None:
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            start.wait()
            for i in range(PER_THREAD):
                with UnitOfWork(runtime) as uow:
                    audit.record(
                        uow.session,
                        uow.now,
                        actor=None,
                        subject_type="task",
                        subject_id=t,
                        action="claim",
                        opinion=f"线程{t} 第{i}条",
                        data={"i": i},
                    )
                    uow.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with UnitOfWork(runtime, readonly=True) as uow:
        assert audit.verify(uow.session, batch=64) == audit.VerifyResult(
            ok=True, checked=THREADS * PER_THREAD
        )
        for t in range(THREADS):
            rows = audit.history(uow.session, "task", t)
            assert [r.data["i"] for r in rows] == list(range(PER_THREAD))  # each thread's order kept
    with runtime.engine.connect() as conn:
        seqs = [r[0] for r in conn.execute(text("SELECT seq FROM audit_log ORDER BY seq"))]
        head = conn.execute(text("SELECT last_seq FROM audit_head")).scalar_one()
    assert seqs == list(range(1, THREADS * PER_THREAD + 1))
    assert head == THREADS * PER_THREAD


def test_concurrent_batches_and_single_rows_interleave_whole(runtime: Runtime) -> None:
    """A batch holds the head for its whole length: its seqs are contiguous, never interleaved."""
    ranges: list[range] = []
    lock = threading.Lock()

    def batch(t: int) -> None:
        drafts = [
            audit.AuditDraft(actor=None, subject_type="application", subject_id=t * 1000 + i, action="screen")
            for i in range(300)
        ]
        for _ in range(3):
            with UnitOfWork(runtime) as uow:
                r = audit.record_many(uow.session, uow.now, drafts)
                uow.commit()
            with lock:
                ranges.append(r)

    def single() -> None:
        for i in range(40):
            with UnitOfWork(runtime) as uow:
                audit.record(
                    uow.session, uow.now, actor=None, subject_type="task", subject_id=i, action="claim"
                )
                uow.commit()

    threads = [threading.Thread(target=batch, args=(t,)) for t in range(2)]
    threads += [threading.Thread(target=single) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(ranges) == 6 and all(len(r) == 300 for r in ranges)
    with UnitOfWork(runtime, readonly=True) as uow:
        assert audit.verify(uow.session) == audit.VerifyResult(ok=True, checked=6 * 300 + 2 * 40)
