"""How the rows that already existed get the value of a column added in PostgreSQL (see
:mod:`.schema_follow`, step 3): nothing (NULL), DuckDB's constant DEFAULT, or a backfill of their real value
read from PostgreSQL in the batch's transaction; a backfill that could not be exact stops the table first."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pyarrow as pa  # type: ignore[import-untyped]

import duckdb
from cdc_pipeline.sink.batch import Column, TableBatch
from cdc_pipeline.sink.defaults import is_constant_default
from cdc_pipeline.sink.errors import ApplyError, TableStopError
from cdc_pipeline.sink.naming import TargetTable, quote_ident, source_key
from cdc_pipeline.sink.schema_tables import audit, resnapshot_fix, stop_unasked
from cdc_pipeline.sink.source_catalog import CatalogColumn, CatalogUnavailable, SourceCatalog
from cdc_pipeline.sink.widening import decimal_parts, normalize_type

if TYPE_CHECKING:
    from cdc_pipeline.sink.duckdb_target import DuckDBTarget

log = logging.getLogger("cdc_pipeline.sink")

# DuckDB types whose value CAST(<PostgreSQL text output> AS type) reads back exactly (UTC, ISO session).
_TEXT_EXACT = {
    "BOOLEAN",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "REAL",
    "DOUBLE",
    "VARCHAR",
    "UUID",
    "JSON",
    "DATE",
    "TIME",
    "TIMESTAMP",
    "TIMESTAMPTZ",
}


@dataclass(frozen=True)
class Added:
    """How an added column's existing rows get their value."""

    column: Column
    fill: str  # "null" | "default" | "backfill" | "empty" (no rows)
    expression: str | None = None


def reads_back_from_text(duck_type: str) -> bool:
    normal = normalize_type(duck_type)
    return normal in _TEXT_EXACT or decimal_parts(normal) is not None


def agreed(catalog: SourceCatalog, target: DuckDBTarget, changes: TableBatch, item: Added) -> Added:
    """A constant DEFAULT fills existing rows only when PostgreSQL says they hold it (``attmissingval``:
    ``SET DEFAULT`` since the ``ADD COLUMN`` changes the catalog, not those rows) and Debezium's value is
    the same; otherwise the rows are backfilled."""
    if item.fill == "null":  # no default now: were the rows given values (a default dropped since)?
        schema, name = changes.source_schema, changes.source_table
        try:
            filled = catalog.has_values(schema, name, item.column.name)
        except CatalogUnavailable as exc:
            raise stop_unasked(changes, exc) from exc
        return replace(item, fill="backfill") if filled else item
    if item.fill != "default" or item.expression is None or item.column.default_sql is None:
        return item
    try:
        pg_text = catalog.missing_value(
            changes.source_schema, changes.source_table, item.column.name, item.expression
        )
        if pg_text is None:
            return replace(item, fill="backfill")
        # On a cursor of its own: a failed statement must not abort the batch's transaction.
        same = (
            target.cursor()
            .execute(
                f"SELECT CAST({item.column.default_sql} AS {item.column.duck_type}) "
                f"IS NOT DISTINCT FROM CAST(? AS {item.column.duck_type})",
                [pg_text],
            )
            .fetchall()
        )
    except (CatalogUnavailable, duckdb.Error) as exc:
        log.info("DEFAULT %s of %r not compared (%s): backfilled", item.expression, item.column.name, exc)
        return replace(item, fill="backfill")
    return item if same == [(True,)] else replace(item, fill="backfill")


def fill(
    catalog: SourceCatalog, target: DuckDBTarget, changes: TableBatch, table: TargetTable, item: Added
) -> None:
    source = source_key(changes.source_schema, changes.source_table)
    name = item.column.name
    if item.fill == "empty":
        return
    if item.fill != "backfill":
        detail = (
            f"existing rows took the constant DEFAULT {item.column.default_sql}"
            if item.fill == "default"
            else "no DEFAULT: existing rows hold NULL"
        )
        log.info("table %s: column %r added; %s", source, name, detail)
        audit(target, source, "add column", name, detail)
        return
    rows = _backfill(catalog, target, changes, table, item.column)
    detail = (
        f"{_why_backfill(item)}: existing rows were backfilled from PostgreSQL "
        "(their value now; later events overwrite it)"
    )
    log.warning("table %s: column %r added; %s (%d rows)", source, name, detail, rows)
    audit(target, source, "backfill", name, detail, rows)


def _backfill(
    catalog: SourceCatalog, target: DuckDBTarget, changes: TableBatch, table: TargetTable, column: Column
) -> int:
    source = source_key(changes.source_schema, changes.source_table)
    keys = list(changes.key_columns)
    try:
        rows = catalog.values(changes.source_schema, changes.source_table, keys, column.name)
        staged = _staged(rows, [f"k{i}" for i in range(len(keys))] + ["v"])
    except CatalogUnavailable as exc:
        # Statements already ran in this transaction: fail the batch (rolled back); the loop stops
        # the table.
        raise ApplyError(source, f"backfill column {column.name!r} from PostgreSQL", exc) from exc
    key_types = {c.name: c.duck_type for c in changes.columns}
    match = " AND ".join(f"t.{quote_ident(k)} = CAST(b.k{i} AS {key_types[k]})" for i, k in enumerate(keys))
    with target.registered_table(staged) as name:
        return target.execute(
            source,
            f"backfill column {column.name!r}",
            f"UPDATE {table.sql} AS t SET {quote_ident(column.name)} = CAST(b.v AS {column.duck_type}) "
            f"FROM {name} AS b WHERE {match}",
            [],
        )


def decide(source: str, column: Column, catalog: CatalogColumn | None, has_rows: bool) -> Added:
    if not has_rows:
        return Added(column, "empty")
    if catalog is None:
        if column.default_sql is None:
            return Added(column, "null")
        raise TableStopError(
            f"table {source}: column {column.name!r} was added with a DEFAULT and is no longer in PostgreSQL "
            "(dropped or renamed since), so the value of the rows that already existed cannot be known",
            resnapshot_fix(source),
        )
    expression = catalog.default_expr
    if expression is None and column.default_sql is None:
        return Added(column, "null")
    if is_constant_default(expression) and column.default_sql is not None:
        return Added(column, "default", expression)
    return Added(column, "backfill", expression)


def _staged(rows: Iterator[tuple[str | None, ...]], names: Sequence[str], chunk: int = 65_536) -> pa.Table:
    """Text rows as an Arrow table of strings, built a chunk at a time (compact, whatever the row count)."""
    schema = pa.schema([(name, pa.string()) for name in names])
    batches = []
    for part in iter(lambda: list(itertools.islice(rows, chunk)), []):
        batches.append(
            pa.record_batch(
                [pa.array([r[i] for r in part], pa.string()) for i in range(len(names))], schema=schema
            )
        )
    return pa.Table.from_batches(batches, schema=schema)


def _why_backfill(item: Added) -> str:
    if item.expression is None:
        return "PostgreSQL's rows hold values though it has no DEFAULT now"
    if is_constant_default(item.expression):
        return f"the rows that existed do not hold its DEFAULT {item.expression} (changed since)"
    return f"its DEFAULT {item.expression} is not a constant"


def check_backfills(source: str, changes: TableBatch, added: Sequence[Added]) -> None:
    """Refuse, before any statement runs, a backfill that could not be exact."""
    for item in added:
        if item.fill != "backfill":
            continue
        why = ""
        if not changes.key_columns:
            why = "the table has no primary key to match its rows by"
        elif not reads_back_from_text(item.column.duck_type):
            why = f"the sink cannot backfill a {item.column.duck_type} column exactly"
        else:
            by_name = {c.name: c.duck_type for c in changes.columns}
            bad = [k for k in changes.key_columns if not reads_back_from_text(by_name.get(k, "?"))]
            why = f"the sink cannot match rows by key columns {bad}" if bad else ""
        if why:
            raise TableStopError(
                f"table {source}: column {item.column.name!r} was added and {_why_backfill(item)}, so the "
                f"rows that already existed hold values only PostgreSQL knows, and {why}",
                resnapshot_fix(source, keyless=not changes.key_columns),
            )
