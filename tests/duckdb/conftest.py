"""Fixtures of the duckdb tier."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cdc_pipeline.sink.duckdb_target import DuckDBTarget


@pytest.fixture
def target(tmp_path: Path) -> Iterator[DuckDBTarget]:
    with DuckDBTarget(tmp_path / "replica.duckdb") as opened:
        yield opened
