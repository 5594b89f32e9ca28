"""Policy profiles: every value cited, inheritance, effective dates, pinning (no database)."""

from __future__ import annotations

from datetime import date

from policies.loader import load_catalog


def test_catalog_loads_and_resolves() -> None:
    catalog = load_catalog()
    profile = catalog.resolve(["inner_mongolia"], date(2025, 1, 1))
    assert profile.staffing.workers_per_10k_urban is not None
    assert profile.staffing.workers_per_10k_urban.value == 18
