"""Shared pytest setup. The real stack is started once per test session (see tests/e2e/conftest.py).

A test's tier is its folder: tests/unit -> ``unit``, tests/duckdb -> ``duckdb``, tests/e2e -> ``e2e``, so
``pytest -m duckdb`` can never miss a file that forgot its marker. (A unit-folder file that needs DuckDB may
say ``pytestmark = pytest.mark.duckdb`` and is then in both.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

TIERS = ("unit", "duckdb", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.path)).parts
        tier = next((part for part in TIERS if part in parts[-3:-1]), None)
        if tier is not None and item.get_closest_marker(tier) is None:
            item.add_marker(getattr(pytest.mark, tier))
