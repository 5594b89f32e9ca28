"""Validation of one special day before it reaches the table."""

from __future__ import annotations

from datetime import date

import pytest

from domain.calendar import DayEntry, check_entry, parse_entry, parse_region_key, parse_year
from domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("2027-13-01", "holiday", "元旦"), "calendar_bad_date"),
        (("2027/10/01", "holiday", "国庆节"), "calendar_bad_date"),
        (("1999-10-01", "holiday", "国庆节"), "calendar_bad_date"),
        (("2027-10-01", "vacation", "国庆节"), "calendar_bad_kind"),
        (("2027-10-01", "holiday", "  "), "calendar_bad_name"),
        (("2027-10-01", "holiday", "国庆节", "Ningxia!"), "calendar_bad_region"),
    ],
)
def test_parse_entry_refuses_bad_fields(args: tuple[str, ...], code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_entry(*args)
    assert err.value.code == code
    assert err.value.message  # a Chinese sentence for people


def test_parse_entry_normalises() -> None:
    e = parse_entry(" 2027-10-01 ", "Holiday", " 国庆节 ", "")
    assert e == DayEntry(date(2027, 10, 1), "holiday", "国庆节", None)
    assert parse_region_key(" ningxia ") == "ningxia"
    assert parse_year("2027") == 2027
    with pytest.raises(InvalidInput):
        parse_year("二〇二七")


def test_workday_must_be_a_weekend_day() -> None:
    with pytest.raises(InvalidInput) as err:
        check_entry(DayEntry(date(2027, 9, 29), "workday", "国庆节"))  # a Wednesday
    assert err.value.code == "calendar_workday_not_weekend"
    assert check_entry(DayEntry(date(2027, 9, 26), "workday", "国庆节")) == []  # a Sunday


def test_national_workday_on_weekday_allowed_only_to_cancel_a_builtin_holiday() -> None:
    assert check_entry(DayEntry(date(2026, 10, 7), "workday", "更正")) == []
    with pytest.raises(InvalidInput) as err:
        check_entry(DayEntry(date(2026, 10, 7), "workday", "更正", "ningxia"))
    assert err.value.code == "calendar_region_cancels_national"


def test_repeating_the_builtin_schedule_is_refused() -> None:
    builtin_holiday = DayEntry(date(2026, 10, 1), "holiday", "国庆节")
    builtin_workday = DayEntry(date(2026, 10, 10), "workday", "国庆节")
    for entry in (builtin_holiday, builtin_workday):
        with pytest.raises(InvalidInput) as err:
            check_entry(entry)
        assert err.value.code == "calendar_already_builtin"


def test_holiday_on_a_weekend_is_accepted_with_a_warning() -> None:
    [warning] = check_entry(DayEntry(date(2027, 10, 2), "holiday", "国庆节"))  # a Saturday
    assert "周六" in warning
    # ... but not when it cancels a built-in 调休 Saturday: then it matters.
    assert check_entry(DayEntry(date(2026, 10, 10), "holiday", "更正")) == []
    [warning] = check_entry(DayEntry(date(2026, 10, 2), "holiday", "古尔邦节", "xinjiang"))
    assert "全国假日" in warning
