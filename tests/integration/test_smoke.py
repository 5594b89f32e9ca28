from datetime import timedelta

from services import clock
from services.runtime import Runtime
from services.uow import UnitOfWork


def test_simulated_clock_moves_every_unit_of_work(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        start = uow.now
        clock.advance(uow.session, runtime.settings, timedelta(days=90))
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        assert uow.now - start >= timedelta(days=90)
        assert uow.now - start < timedelta(days=90, minutes=5)
