"""The swap of a load from PostgreSQL on an embedded DuckDB (sink/bulk_load.py): the staging table replaces
the old copy in one transaction, the table's partitions move to the watermarks taken before the load, the
snapshot is recorded for the source, and a batch past the clear LSN settles it (the real load is
tests/e2e/test_fast_load.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cdc_pipeline.sink.admin import run_action
from cdc_pipeline.sink.batch import Column, TableBatch
from cdc_pipeline.sink.bulk_load import LoadRequest, staging_name, swap
from cdc_pipeline.sink.duckdb_target import AppliedCounts, DuckDBTarget
from cdc_pipeline.sink.load_plan import LoadColumn, LoadPlan

COLUMNS = [Column("id", "INTEGER", nullable=False, key=True), Column("n", "BIGINT")]
PLAN = LoadPlan("public", "t", tuple(LoadColumn(c, c.name, c.name) for c in COLUMNS))
REQUEST = LoadRequest("public", "t", "p.public.t", {0: 42})


def changes(commit_lsn: int | None = None, snapshot_started: bool = False) -> TableBatch:
    return TableBatch(
        "p.public.t", "public", "t", COLUMNS, ["id"], last_commit_lsn=commit_lsn,
        last_event_lsn=commit_lsn, snapshot_started=snapshot_started,
    )  # fmt: skip


@pytest.fixture
def target(tmp_path: Path) -> Iterator[DuckDBTarget]:
    with DuckDBTarget(tmp_path / "replica.duckdb") as opened:
        _old_copy(opened)
        yield opened


def _old_copy(opened: DuckDBTarget) -> None:
    run_action(opened, lambda t: (t.evolve(changes()), t.record_table(changes(100), AppliedCounts(1, 0))))
    opened.cursor().execute("INSERT INTO main.t VALUES (1, -1)")  # the old copy
    staging = staging_name("public.t")
    opened.cursor().execute(f"CREATE TABLE {staging} (id INTEGER, n BIGINT)")
    opened.cursor().execute(f"INSERT INTO {staging} VALUES (1, 10), (2, 20)")


def test_the_load_replaces_the_copy_and_records_its_snapshot(target: DuckDBTarget) -> None:
    rows = run_action(target, swap(REQUEST, PLAN, "100:110:103", 5000))
    assert rows == 2
    cursor = target.cursor()
    assert cursor.execute("SELECT id, n FROM main.t ORDER BY id").fetchall() == [(1, 10), (2, 20)]
    assert target.read_offsets()[("p.public.t", 0)] == 42
    assert target.read_loaded() == {"public.t": "100:110:103"}
    assert target.read_positions() == [], "the old copy's position would drop the changes after the load"
    assert cursor.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = '_cdc' AND table_name LIKE 'load %'"
    ).fetchone() == (0,)
    assert cursor.execute("SELECT is_nullable FROM information_schema.columns WHERE table_name = 't' "
                          "AND column_name = 'id'").fetchone() == ("NO",)  # fmt: skip


def test_a_batch_past_the_clear_lsn_settles_the_load(target: DuckDBTarget) -> None:
    run_action(target, swap(REQUEST, PLAN, "100:110:103", 5000))
    assert not run_action(target, lambda t: t.settle_loaded(changes(4999)))
    assert target.read_loaded() == {"public.t": "100:110:103"}
    assert run_action(target, lambda t: t.settle_loaded(changes(5000)))
    assert target.read_loaded() == {}


def test_without_a_clear_lsn_only_a_debezium_snapshot_settles_it(target: DuckDBTarget) -> None:
    run_action(target, swap(REQUEST, PLAN, "100:110:", None))
    assert not run_action(target, lambda t: t.settle_loaded(changes(10**12)))
    assert run_action(target, lambda t: t.settle_loaded(changes(snapshot_started=True)))
    assert target.read_loaded() == {}


def test_several_partitions_keep_the_filter_until_the_next_load(target: DuckDBTarget) -> None:
    request = LoadRequest("public", "t", "p.public.t", {0: 42, 1: 7})  # order holds per partition only
    run_action(target, swap(request, PLAN, "100:110:", 5000))
    assert not run_action(target, lambda t: t.settle_loaded(changes(10**12)))
