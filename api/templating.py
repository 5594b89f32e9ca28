"""Jinja2 environment for pages: api/templates (pages) and forms/templates (form partials)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from domain.calendar import due_date
from domain.enums import DEPT_LABELS, LEVEL_LABELS, ROLE_LABELS

_HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(_HERE / "templates"))
templates.env.loader = ChoiceLoader(
    [FileSystemLoader(str(_HERE / "templates")), FileSystemLoader(str(_HERE.parent / "forms" / "templates"))]
)


def _dt(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(fmt)
    return value.strftime("%Y-%m-%d")


templates.env.filters["dt"] = _dt
templates.env.filters["d"] = lambda v: _dt(v, "%Y-%m-%d")
templates.env.globals.update(
    DEPT_LABELS={k.value: v for k, v in DEPT_LABELS.items()},
    LEVEL_LABELS={k.value: v for k, v in LEVEL_LABELS.items()},
    ROLE_LABELS={k.value: v for k, v in ROLE_LABELS.items()},
)


def _due(value: datetime | None) -> str:
    """A due moment is the exclusive end of its deadline day: show the day itself."""
    return "" if value is None else due_date(value).strftime("%Y-%m-%d")


templates.env.filters["due"] = _due
