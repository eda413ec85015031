"""Batches and checks shared by the DuckDBTarget tests (test_duckdb_target*.py).

Streams are wrapped in :class:`OneShot`, which refuses a second export: the core's streams are one-shot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from cdc_pipeline.sink.batch import Column, TableBatch
from cdc_pipeline.sink.duckdb_target import AppliedCounts, DuckDBTarget

INFINITY_US = 2**63 - 1
UUID_TEXT = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"


class OneShot:
    """An Arrow stream that can be exported once, like the core's batches."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table
        self.exports = 0

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        self.exports += 1
        if self.exports > 1:
            raise RuntimeError("stream exported twice")
        return self._table.__arrow_c_stream__(requested_schema)


USERS = [Column("id", "BIGINT", nullable=False, key=True), Column("name", "VARCHAR")]


def stream(data: dict[str, Any], schema: dict[str, pa.DataType] | None = None) -> OneShot:
    types = schema or {}
    return OneShot(pa.table({name: pa.array(values, types.get(name)) for name, values in data.items()}))


def users(
    upserts: dict[str, Any] | None = None,
    deletes: dict[str, Any] | None = None,
    *,
    columns: Sequence[Column] = USERS,
    truncate: bool = False,
    schema: str = "public",
    table: str = "users",
    unavailable: Sequence[str] = (),
) -> TableBatch:
    keys = [c.name for c in columns if c.key]
    return TableBatch(
        topic=f"dbserver1.{schema}.{table}",
        source_schema=schema,
        source_table=table,
        columns=list(columns),
        key_columns=keys,
        truncate=truncate,
        deletes=stream(deletes) if deletes is not None else None,
        upserts=stream(upserts) if upserts is not None else None,
        unavailable=list(unavailable),
        last_lsn=100,
        last_source_ts_ms=1_700_000_000_123,
    )


def apply(target: DuckDBTarget, changes: TableBatch) -> AppliedCounts:
    """One batch in one transaction, as the sink loop does it."""
    target.begin()
    target.evolve(changes)
    counts = target.apply(changes)
    target.commit()
    return counts


def rows(target: DuckDBTarget, sql: str) -> list[tuple[Any, ...]]:
    return target.cursor().execute(sql).fetchall()
