"""The working-day calendar, without a database: chinesecalendar's built-in schedule plus table entries
given as plain DayEntry values."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.calendar import (
    CalendarNotCovered,
    DayEntry,
    WorkCalendar,
    add_months,
    builtin_national,
    compose,
    due_date,
    due_end_of_day,
    format_years,
)
from domain.errors import InvalidInput

D = date


@pytest.fixture(scope="module")
def national() -> WorkCalendar:
    return compose([])


def test_builtin_covers_2004_to_2026_only() -> None:
    assert builtin_national().years == frozenset(range(2004, 2027))


def test_national_day_2026_as_chinesecalendar_says(national: WorkCalendar) -> None:
    # chinesecalendar 1.11: 1-7 October off (Thursday to Wednesday), Thursday 8 October back at work;
    # 调休 workdays Sunday 20 September and Saturday 10 October. (Mid-autumn is separate: 25-27 September.)
    days = [D(2026, 9, 30) + timedelta(days=i) for i in range(12)]
    off = [d for d in days if not national.is_working_day(d)]
    assert off == [D(2026, 10, i) for i in range(1, 8)] + [D(2026, 10, 11)]  # 11 October is a plain Sunday
    assert national.day_name(D(2026, 10, 1)) == "国庆节"
    assert national.is_working_day(D(2026, 10, 8))
    assert national.is_working_day(D(2026, 9, 20))  # Sunday, 调休
    assert national.is_working_day(D(2026, 10, 10))  # Saturday, 调休
    assert national.day_name(D(2026, 10, 10)) == "国庆节"
    assert [national.is_working_day(D(2026, 9, d)) for d in (25, 26, 27)] == [False, False, False]


def test_five_working_days_after_2026_09_30(national: WorkCalendar) -> None:
    # 8 Oct (1), 9 Oct (2), Saturday 10 Oct 调休 (3), Monday 12 Oct (4), Tuesday 13 Oct (5).
    assert national.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert national.deadline(datetime(2026, 9, 30, 16, 45), 5) == D(2026, 10, 13)
    assert national.due_at(D(2026, 9, 30), 5, "working") == datetime(2026, 10, 14, 0, 0)


def test_deadline_crossing_spring_festival_2026(national: WorkCalendar) -> None:
    # Off 15-23 February 2026; Saturdays 14 and 28 February are 调休 workdays.
    assert national.add_working_days(D(2026, 2, 12), 1) == D(2026, 2, 13)
    assert national.add_working_days(D(2026, 2, 12), 2) == D(2026, 2, 14)
    assert national.add_working_days(D(2026, 2, 12), 3) == D(2026, 2, 24)
    # 13, 14, 24, 25, 26, 27, 28 (Saturday), 2 March, 3 March, 4 March.
    assert national.add_working_days(D(2026, 2, 12), 10) == D(2026, 3, 4)
    assert national.working_days_between(D(2026, 2, 12), D(2026, 3, 4)) == 10


def test_adjusted_working_saturday_counts(national: WorkCalendar) -> None:
    assert national.next_working_day(D(2026, 10, 9)) == D(2026, 10, 10)
    assert national.next_working_day(D(2026, 10, 10)) == D(2026, 10, 12)
    assert national.working_days_between(D(2026, 10, 9), D(2026, 10, 12)) == 2


def test_start_day_is_not_counted_even_on_a_day_off(national: WorkCalendar) -> None:
    # Submitted on National Day itself: the first working day after it is 8 October.
    assert national.add_working_days(D(2026, 10, 3), 1) == D(2026, 10, 8)
    assert national.add_working_days(D(2026, 10, 8), 0) == D(2026, 10, 8)


def test_backwards_and_between_are_consistent(national: WorkCalendar) -> None:
    assert national.add_working_days(D(2026, 10, 13), -5) == D(2026, 9, 30)
    assert national.working_days_between(D(2026, 10, 13), D(2026, 9, 30)) == -5
    assert national.working_days_between(D(2026, 5, 6), D(2026, 5, 6)) == 0


def test_2027_is_refused_until_published() -> None:
    cal = compose([])
    assert cal.add_working_days(D(2026, 12, 28), 3) == D(2026, 12, 31)
    with pytest.raises(CalendarNotCovered) as err:
        cal.add_working_days(D(2026, 12, 28), 4)
    assert err.value.code == "calendar_not_covered"
    assert err.value.details["year"] == 2027
    assert "2027年" in err.value.message and "2004–2026" in err.value.message
    # Calendar days need no holiday schedule.
    assert cal.deadline(D(2026, 12, 28), 30, "calendar") == D(2027, 1, 27)
    # ... unless they roll forward to a working day.
    with pytest.raises(CalendarNotCovered):
        cal.deadline(D(2026, 12, 28), 30, "calendar", roll_forward=True)


def test_2027_once_published_uses_its_schedule() -> None:
    entries = [DayEntry(D(2027, 1, 1), "holiday", "元旦")]
    unpublished = compose(entries)
    with pytest.raises(CalendarNotCovered):
        unpublished.add_working_days(D(2026, 12, 31), 1)
    published = compose(entries, published_years=[2027])
    # 1 January 2027 is a Friday off; then the weekend.
    assert published.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert format_years(published.covered_years) == "2004–2027"
    with pytest.raises(CalendarNotCovered):
        published.add_working_days(D(2027, 12, 30), 5)


def test_regional_festival_only_affects_its_region() -> None:
    # A Ningxia 古尔邦节 day (illustrative date: Wednesday 27 May 2026) and a Xinjiang one.
    entries = [
        DayEntry(D(2026, 5, 27), "holiday", "古尔邦节", "ningxia"),
        DayEntry(D(2026, 5, 28), "holiday", "古尔邦节", "xinjiang"),
    ]
    nation = compose(entries)
    ningxia = compose(entries, ["ningxia"])
    bingtuan = compose(entries, ["xinjiang", "bingtuan"])
    assert nation.add_working_days(D(2026, 5, 26), 1) == D(2026, 5, 27)
    assert ningxia.add_working_days(D(2026, 5, 26), 1) == D(2026, 5, 28)
    assert bingtuan.add_working_days(D(2026, 5, 26), 1) == D(2026, 5, 27)
    assert bingtuan.add_working_days(D(2026, 5, 26), 2) == D(2026, 5, 29)
    assert ningxia.day_name(D(2026, 5, 27)) == "古尔邦节"
    assert nation.day_name(D(2026, 5, 27)) is None


def test_later_layers_win() -> None:
    entries = [
        DayEntry(D(2026, 10, 10), "holiday", "更正", None),  # cancels the built-in 调休 Saturday
        DayEntry(D(2026, 6, 6), "workday", "地区调休", "xinjiang"),  # a regional working Saturday
    ]
    cal = compose(entries, ["xinjiang"])
    assert not cal.is_working_day(D(2026, 10, 10))
    assert cal.is_working_day(D(2026, 6, 6))
    assert not compose(entries).is_working_day(D(2026, 6, 6))


def test_units_and_due_moments(national: WorkCalendar) -> None:
    assert national.deadline(D(2026, 9, 24), 7, "calendar") == D(2026, 10, 1)
    assert national.deadline(D(2026, 9, 24), 7, "calendar", roll_forward=True) == D(2026, 10, 8)
    assert national.deadline(D(2026, 1, 31), 1, "month") == D(2026, 2, 28)
    assert national.deadline(D(2026, 3, 15), 3, "month") == D(2026, 6, 15)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    moment = due_end_of_day(D(2026, 10, 13))
    assert moment == datetime(2026, 10, 14)
    assert due_date(moment) == D(2026, 10, 13)
    # Escalate 1 working day after a task due on 13 October: the 14th, so due at the 15th 00:00.
    assert national.extend_due(moment, 1) == datetime(2026, 10, 15)
    with pytest.raises(InvalidInput) as err:
        national.deadline(D(2026, 1, 1), 5, "weeks")
    assert err.value.code == "calendar_bad_unit"
    with pytest.raises(InvalidInput) as err:
        national.add_working_days(D(2026, 1, 1), 100_000)
    assert err.value.code == "calendar_bad_span"
