"""The editable calendar table through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.calendar import CalendarNotCovered
from domain.errors import Conflict, InvalidInput, NotFound
from services import calendar as cal
from services.runtime import Runtime
from services.uow import UnitOfWork

D = date


def _deadline(start: date, n: int, unit: str = "working", regions: tuple[str, ...] = ()) -> date:
    with UnitOfWork(readonly=True) as uow:
        return cal.deadline(uow.session, start, n, unit, region_keys=regions)


def _add(day: str, kind: str, name: str, region: str | None = None) -> cal.DayChange:
    with UnitOfWork() as uow:
        change = cal.add_day(uow.session, day, kind, name, region_key=region, now=uow.now)
        uow.commit()
        return change


def test_editing_the_table_changes_deadlines(runtime: Runtime) -> None:
    assert _deadline(D(2026, 5, 26), 1) == D(2026, 5, 27)
    _add("2026-05-27", "holiday", "临时放假")
    assert _deadline(D(2026, 5, 26), 1) == D(2026, 5, 28)  # the cached calendar was rebuilt
    with UnitOfWork() as uow:
        cal.remove_day(uow.session, "2026-05-27", now=uow.now)
        uow.commit()
    assert _deadline(D(2026, 5, 26), 1) == D(2026, 5, 27)


def test_a_later_year_needs_its_schedule_published(runtime: Runtime) -> None:
    with pytest.raises(CalendarNotCovered):
        _deadline(D(2026, 12, 31), 1)
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as err:
        cal.publish_year(uow.session, 2027, "国办发明电〔2026〕1号")
    assert err.value.code == "calendar_year_empty"
    _add("2027-01-01", "holiday", "元旦")
    with pytest.raises(CalendarNotCovered):  # entered, not yet published
        _deadline(D(2026, 12, 31), 1)
    with UnitOfWork() as uow:
        info = cal.publish_year(uow.session, 2027, "国办发明电〔2026〕1号", now=uow.now)
        uow.commit()
    assert info.covered and not info.builtin
    assert _deadline(D(2026, 12, 31), 1) == D(2027, 1, 4)
    with UnitOfWork() as uow:
        cal.publish_year(uow.session, 2027, "", published=False, now=uow.now)
        uow.commit()
    with pytest.raises(CalendarNotCovered):
        _deadline(D(2026, 12, 31), 1)
    with UnitOfWork(readonly=True) as uow:
        info = cal.year_info(uow.session, 2027)
        assert (info.published, info.source) == (False, "国办发明电〔2026〕1号")
        assert [y.year for y in cal.list_years(uow.session)][-1] == 2027
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as err:
        cal.publish_year(uow.session, 2026, "x")
    assert err.value.code == "calendar_year_builtin"


def test_regional_rows_apply_to_their_region_only(runtime: Runtime) -> None:
    _add("2026-05-27", "holiday", "古尔邦节", "ningxia")
    assert _deadline(D(2026, 5, 26), 1, regions=("ningxia",)) == D(2026, 5, 28)
    assert _deadline(D(2026, 5, 26), 1, regions=("xinjiang", "bingtuan")) == D(2026, 5, 27)
    assert _deadline(D(2026, 5, 26), 1) == D(2026, 5, 27)
    # The same date may be registered for another region, but not twice for one.
    _add("2026-05-27", "holiday", "古尔邦节", "xinjiang")
    with pytest.raises(Conflict) as err:
        _add("2026-05-27", "holiday", "古尔邦节", "ningxia")
    assert err.value.code == "calendar_duplicate_day"
    _add("2026-05-27", "holiday", "全国临时放假")
    with pytest.raises(Conflict):
        _add("2026-05-27", "holiday", "全国临时放假")
    with UnitOfWork(readonly=True) as uow:
        days = [(v.day, v.region_key, v.source) for v in cal.list_days(uow.session, 2026, "ningxia")]
    assert (D(2026, 5, 27), None, "table") in days
    assert (D(2026, 5, 27), "ningxia", "table") in days
    assert (D(2026, 5, 27), "xinjiang", "table") not in days
    assert (D(2026, 10, 1), None, "builtin") in days


def test_edits_are_validated(runtime: Runtime) -> None:
    with pytest.raises(InvalidInput) as err:
        _add("2027-09-29", "workday", "国庆节")
    assert err.value.code == "calendar_workday_not_weekend"
    change = _add("2027-10-02", "holiday", "国庆节")
    assert change.warnings and "周六" in change.warnings[0]
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as err:
        cal.remove_day(uow.session, "2026-10-01")
    assert err.value.code == "calendar_builtin_day"
    with UnitOfWork() as uow, pytest.raises(NotFound):
        cal.remove_day(uow.session, "2026-06-01", region_key="ningxia")


CSV_GOOD = """\ufeffdate,kind,name,region
2027-01-01,holiday,元旦,
2027-01-02,holiday,元旦,
2027-03-10,holiday,开斋节,ningxia
"""

CSV_BAD = """date,kind,name,region
2027-01-01,holiday,元旦,
2027-02-30,holiday,春节,
2027-02-10,workday,春节,
2027-01-01,holiday,元旦,
2027-03-10,festival,开斋节,ningxia
2027-03-11,holiday,开斋节
"""


def test_csv_import_is_all_or_nothing(runtime: Runtime) -> None:
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as err:
        cal.import_csv(uow.session, CSV_BAD, now=uow.now)
    assert err.value.code == "calendar_import_invalid"
    errors = err.value.details["errors"]
    assert [(e["line"], e["code"]) for e in errors] == [
        (3, "calendar_bad_date"),
        (4, "calendar_workday_not_weekend"),
        (5, "calendar_duplicate_day"),
        (6, "calendar_bad_kind"),
    ]
    assert all(e["message"] for e in errors)
    with UnitOfWork(readonly=True) as uow:
        assert [v for v in cal.list_days(uow.session, 2027) if v.source == "table"] == []
    with UnitOfWork() as uow:
        result = cal.import_csv(uow.session, CSV_GOOD, now=uow.now)
        uow.commit()
    assert len(result.added) == 3
    assert any("第 3 行" in w for w in result.warnings)  # 2 January 2027 is a Saturday
    # A second import of an overlapping file names the rows already there and writes nothing.
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as err:
        cal.import_csv(uow.session, CSV_GOOD + "2027-01-03,holiday,元旦,\n")
    assert {e["line"] for e in err.value.details["errors"]} == {2, 3, 4}
    with UnitOfWork(readonly=True) as uow:
        assert len(cal.list_days(uow.session, 2027, "ningxia")) == 3


def test_csv_header_is_checked(runtime: Runtime) -> None:
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as err:
        cal.import_csv(uow.session, "日期,类型,名称\n2027-01-01,holiday,元旦\n")
    assert err.value.code == "calendar_import_header"
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as err:
        cal.import_csv(uow.session, "date,kind,name,region\n")
    assert err.value.code == "calendar_import_empty"


def test_uncommitted_edits_are_seen_inside_their_unit_of_work_only(runtime: Runtime) -> None:
    with UnitOfWork() as uow:
        cal.add_day(uow.session, "2026-05-27", "holiday", "临时放假", now=uow.now)
        assert cal.deadline(uow.session, D(2026, 5, 26), 1) == D(2026, 5, 28)
        # rolled back: never committed
    assert _deadline(D(2026, 5, 26), 1) == D(2026, 5, 27)


def test_due_at_is_the_start_of_the_next_day(runtime: Runtime) -> None:
    with UnitOfWork(readonly=True) as uow:
        assert cal.due_at(uow.session, datetime(2026, 9, 30, 9), 5) == datetime(2026, 10, 14)
