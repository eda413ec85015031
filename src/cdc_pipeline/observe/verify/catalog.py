"""Which tables ``cdc verify`` compares, and each one's columns, key and size on both sides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.endpoint.client import Replica, fetch, sql_literal
from cdc_pipeline.observe.status.replica_tables import read_tables
from cdc_pipeline.observe.verify.compare import TableShape, bucket_count
from cdc_pipeline.observe.verify.sql import ColumnPair
from cdc_pipeline.sink.naming import POSTGRES_DEFAULT_SCHEMA, qualified, target_table

PG_COLUMNS = (
    "SELECT column_name, udt_name FROM information_schema.columns "
    "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position"
)
PG_KEY = (
    "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
    "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
    "ORDER BY array_position(i.indkey, a.attnum)"
)
PG_ESTIMATE = "SELECT greatest(reltuples, 0)::bigint, reltuples < 0 FROM pg_class WHERE oid = %s::regclass"


@dataclass(frozen=True)
class CatalogShape:
    shape: TableShape
    duck_table: str
    duck_exists: bool
    missing_columns: list[str]  # in PostgreSQL, not in DuckDB: a difference by itself
    note: str = ""


def split_source(name: str) -> tuple[str, str]:
    """``schema.table`` or ``table`` (schema ``public``); the first dot separates."""
    schema, dot, table = name.partition(".")
    return (schema, table) if dot else (POSTGRES_DEFAULT_SCHEMA, name)


def tables_to_verify(replica: Replica, names: Sequence[str]) -> list[str]:
    if names:
        return ["{}.{}".format(*split_source(n)) for n in names]
    try:
        return [t.source_table for t in read_tables(lambda sql: fetch(replica, sql))]
    except CdcError as exc:
        raise CdcError(
            f"cannot read _cdc.tables through {replica.via}: {exc}", "has the sink run yet?"
        ) from exc


def _duck_columns(replica: Replica, schema: str, table: str) -> dict[str, str]:
    sql = (
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        f"AND lower(schema_name) = lower({sql_literal(schema)}) "
        f"AND lower(table_name) = lower({sql_literal(table)}) "
        "ORDER BY column_index"
    )
    return {str(name): str(dtype) for name, dtype in fetch(replica, sql)}


def _estimate(pg: psycopg.Connection[Any], pg_table: str) -> int:
    row = pg.execute(PG_ESTIMATE, (pg_table,)).fetchone()
    if row is None or row[1]:  # never analyzed: count once, so the buckets fit the table
        counted = pg.execute(f"SELECT count(*) FROM {pg_table}").fetchone()
        return int(counted[0]) if counted else 0
    return int(row[0])


def table_shape(pg: psycopg.Connection[Any], replica: Replica, source: str) -> CatalogShape:
    schema, table = split_source(source)
    pg_table = qualified(schema, table)
    pg_columns = pg.execute(PG_COLUMNS, (schema, table)).fetchall()
    if not pg_columns:
        raise CdcError(f"PostgreSQL has no table {source}", "name it as schema.table")
    keys = [str(r[0]) for r in pg.execute(PG_KEY, (pg_table,)).fetchall()]
    target = target_table(schema, table)
    duck_columns = _duck_columns(replica, target.schema, target.table)
    by_lower = {name.lower(): name for name in duck_columns}
    pairs, missing = [], []
    for name, udt in pg_columns:
        duck_name = name if name in duck_columns else by_lower.get(name.lower())
        if duck_name is None:
            missing.append(name)
        else:
            pairs.append(ColumnPair(name, udt, duck_columns[duck_name]))
    pairs.sort(key=lambda c: c.name)
    note = "" if keys else "no primary key: rows compared as a multiset"
    if duck_columns and missing:
        note = f"columns missing in DuckDB: {', '.join(missing)}"
    shape = TableShape(
        pg_table,
        target.sql,
        pairs,
        [k for k in keys if k not in missing],
        bucket_count(_estimate(pg, pg_table)),
    )
    return CatalogShape(shape, target.sql, bool(duck_columns), missing if duck_columns else [], note)
