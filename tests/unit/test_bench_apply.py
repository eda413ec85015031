"""Scenario ``apply`` at toy sizes: every strategy ends with the same table (so the sink's delete-and-insert
upsert gives exactly what MERGE gave), and the result reports a rate per strategy and size."""

from __future__ import annotations

import pytest

import duckdb
from cdc_bench import apply_strategy

pytestmark = pytest.mark.duckdb


def test_strategies_agree_and_report_rates(tmp_path_factory: pytest.TempPathFactory) -> None:
    result = apply_strategy.run([2_000, 5_000], upserts=400, deletes=100, batches=2, keep_checksums=True)
    by_size: dict[int, set[tuple[object, ...]]] = {}
    for r in result["results"]:
        assert r["rows_per_s"] > 0
        by_size.setdefault(r["table_rows"], set()).add(tuple(r["checksum"]))
    assert all(len(checksums) == 1 for checksums in by_size.values()), by_size
    assert set(result["scaling"]) == set(apply_strategy.STRATEGIES)


@pytest.mark.parametrize("strategy", ["delete_insert", "one_scan"])
def test_the_sink_sql_is_what_is_measured(strategy: str) -> None:
    conn = duckdb.connect()
    apply_strategy._create(conn, strategy, 10)
    up, de = apply_strategy._batch(conn, 10, 4, 2, seed=1)
    apply_strategy._apply(conn, strategy, up, de)
    count = conn.execute("SELECT count(*), count(DISTINCT id) FROM t").fetchone()
    assert count == (10 - 2 + 2, 10 - 2 + 2)  # 2 deleted, 2 updated in place, 2 new
