"""The target re-plans a table only when its schema fingerprint changes, and forgets what a rollback undid."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from cdc_pipeline.sink.batch import Column, TableBatch
from cdc_pipeline.sink.ddl import ExistingColumn
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.naming import TargetTable

BASE = [Column("id", "BIGINT", nullable=False, key=True), Column("name", "VARCHAR")]
WIDER = [*BASE, Column("score", "INTEGER")]


def batch(columns: list[Column], ids: list[int]) -> TableBatch:
    data: dict[str, Any] = {"id": ids, "name": [f"n{i}" for i in ids]}
    if len(columns) > len(BASE):
        data["score"] = pa.array(ids, pa.int32())
    return TableBatch(
        "dbserver1.public.users",
        "public",
        "users",
        columns,
        ["id"],
        upserts=pa.table(data),
        last_lsn=ids[-1],
    )


class CountingTarget(DuckDBTarget):
    """Counts the catalog reads (the work a known schema saves)."""

    catalog_reads = 0

    def existing_columns(self, table: TargetTable) -> list[ExistingColumn]:
        self.catalog_reads += 1
        return super().existing_columns(table)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[CountingTarget]:
    with CountingTarget(tmp_path / "replica.duckdb") as opened:
        yield opened


def run(target: DuckDBTarget, changes: TableBatch) -> list[str]:
    target.begin()
    ddl = target.evolve(changes)
    target.apply(changes)
    target.commit()
    return ddl


def rows(target: DuckDBTarget) -> list[tuple[Any, ...]]:
    return target.cursor().execute("SELECT * FROM users ORDER BY id").fetchall()


def test_fingerprint_follows_the_schema_not_the_rows() -> None:
    assert batch(BASE, [1]).schema_fingerprint == batch(BASE, [2, 3]).schema_fingerprint != 0
    assert batch(WIDER, [1]).schema_fingerprint != batch(BASE, [1]).schema_fingerprint
    renamed = [BASE[0], Column("Name", "VARCHAR")]
    assert batch(renamed, [1]).schema_fingerprint != batch(BASE, [1]).schema_fingerprint


def test_an_unchanged_schema_reads_no_catalog(target: CountingTarget) -> None:
    run(target, batch(BASE, [1]))
    before = target.catalog_reads
    assert run(target, batch(BASE, [2])) == []
    assert run(target, batch(BASE, [3])) == []
    assert target.catalog_reads == before
    assert rows(target) == [(1, "n1"), (2, "n2"), (3, "n3")]


def test_a_changed_schema_is_planned_again(target: CountingTarget) -> None:
    run(target, batch(BASE, [1]))
    before = target.catalog_reads
    ddl = run(target, batch(WIDER, [2]))
    assert any("ADD COLUMN" in statement for statement in ddl)
    assert target.catalog_reads > before
    assert rows(target) == [(1, "n1", None), (2, "n2", 2)]


def test_a_rolled_back_schema_change_is_planned_again(target: CountingTarget) -> None:
    run(target, batch(BASE, [1]))
    target.begin()
    target.evolve(batch(WIDER, [2]))
    target.apply(batch(WIDER, [2]))
    target.rollback()  # the ADD COLUMN is undone: remembering WIDER would apply it to a table without it
    assert any("ADD COLUMN" in statement for statement in run(target, batch(WIDER, [2])))
    assert rows(target) == [(1, "n1", None), (2, "n2", 2)]


def test_a_dropped_table_is_planned_again(target: CountingTarget) -> None:
    run(target, batch(BASE, [1]))
    target.begin()
    assert target.drop_table("public", "users")
    target.commit()
    assert run(target, batch(BASE, [5])) != []  # CREATE TABLE again
    assert rows(target) == [(5, "n5")]
