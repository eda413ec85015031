"""The replicated tables as DuckDB's ``_cdc.tables`` records them, optionally with their row counts.

Reads go through any ``fetch(sql) -> rows`` function, so the same code serves a cursor in the sink process,
a read-only connection, and the sink's HTTP endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import duckdb
from cdc_pipeline.sink.bookkeeping import TABLES

Fetch = Callable[[str], Sequence[Sequence[Any]]]

# Text forms, so the values cross JSON (the HTTP reader) unchanged.
READ_TABLES = (
    'SELECT "source_table", "target_table", "last_lsn", CAST("last_source_ts" AS VARCHAR), '
    'CAST("last_applied_at" AS VARCHAR), "rows_upserted", "rows_deleted", "state", "last_error" '
    f'FROM {TABLES} ORDER BY "source_table"'
)


@dataclass(frozen=True)
class ReplicaTable:
    source_table: str  # schema.table in PostgreSQL
    target_table: str  # quoted DuckDB name, as SQL text
    last_lsn: int | None = None
    last_source_ts: str | None = None
    last_applied_at: str | None = None
    rows_upserted: int = 0
    rows_deleted: int = 0
    state: str | None = None
    last_error: str | None = None
    rows: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def read_tables(fetch: Fetch) -> list[ReplicaTable]:
    """Every row of ``_cdc.tables``; empty when the sink never ran on this file."""
    return [
        ReplicaTable(
            source_table=str(r[0]),
            target_table=str(r[1] or ""),
            last_lsn=None if r[2] is None else int(r[2]),
            last_source_ts=_text(r[3]),
            last_applied_at=_text(r[4]),
            rows_upserted=int(r[5] or 0),
            rows_deleted=int(r[6] or 0),
            state=r[7],
            last_error=r[8],
        )
        for r in fetch(READ_TABLES)
    ]


def with_row_counts(tables: list[ReplicaTable], fetch: Fetch) -> list[ReplicaTable]:
    """Each table with ``count(*)`` (None when the DuckDB table does not exist, e.g. never created)."""
    counted = []
    for table in tables:
        rows: int | None = None
        if table.target_table:
            try:
                rows = int(fetch(f"SELECT count(*) FROM {table.target_table}")[0][0])
            except (duckdb.Error, LookupError):
                rows = None
        counted.append(ReplicaTable(**{**asdict(table), "rows": rows}))
    return counted


def replica_tables(cursor: duckdb.DuckDBPyConnection, with_rows: bool = False) -> list[ReplicaTable]:
    """Through a DuckDB cursor; empty when the file has no ``_cdc`` schema (the sink never ran on it)."""

    def fetch(sql: str) -> list[tuple[Any, ...]]:
        return cursor.execute(sql).fetchall()

    try:
        tables = read_tables(fetch)
    except duckdb.CatalogException:
        return []
    return with_row_counts(tables, fetch) if with_rows else tables
