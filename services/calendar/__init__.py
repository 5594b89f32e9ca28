"""The working-day calendar: the one place deadlines get their calendar, and the use cases that edit it.

Every deadline computation calls `calendar_for(session, region_keys)` (or the `deadline` / `due_at`
shortcuts). region_keys is the jurisdiction's policy-profile chain, general to specific (e.g.
["xinjiang", "bingtuan"]); national days always apply. Calendars are cached per process and rebuilt when
the change token in `calendar_version` differs, which costs one primary-key read per call.

Editing functions validate, write through the repository, replace the change token and return plain
values (to_dict() for JSON); the caller's unit of work commits. Nothing is written when they raise.

Split by sub-step: `reading` (the calendar, deadlines, listings), `editing` (a day, a year), `csv_import`
(a file of days), `types` (the plain values returned). Every public name is re-exported here.
"""

from services.calendar.csv_import import CSV_COLUMNS, MAX_IMPORT_ROWS, import_csv
from services.calendar.editing import add_day, publish_year, remove_day
from services.calendar.reading import (
    calendar_for,
    deadline,
    due_at,
    invalidate_cache,
    list_days,
    list_years,
    year_info,
)
from services.calendar.types import CalendarDayView, DayChange, ImportResult, YearInfo

__all__ = [
    "CSV_COLUMNS",
    "MAX_IMPORT_ROWS",
    "CalendarDayView",
    "DayChange",
    "ImportResult",
    "YearInfo",
    "add_day",
    "calendar_for",
    "deadline",
    "due_at",
    "import_csv",
    "invalidate_cache",
    "list_days",
    "list_years",
    "publish_year",
    "remove_day",
    "year_info",
]
