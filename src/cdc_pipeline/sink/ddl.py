"""SQL text for creating and evolving replicated tables and the ``_cdc`` bookkeeping: pure, tested as text.

Replicated tables get NO primary key and no index: DuckDB's ART index makes bulk writes several times slower,
bloats files under churn and has had WAL-replay bugs (performance-facts 1E, 2.4-2.5). Rows are matched by key
with a hash join instead. Only key columns are declared NOT NULL: other columns must accept the NULL written
for a dropped source column or for an unchanged-TOAST value with no row to take it from, and the source
already enforces its own nullability.

Evolution rules (one table, planned before anything runs, so an incompatible change leaves no partial DDL):

- a new source column is added, with ``DEFAULT <default_sql>`` when the source has a constant default, so rows
  already in DuckDB take that value as they did in Postgres (without it for the columns the caller names in
  ``no_default``: a volatile default, whose existing rows :mod:`.schema_follow` backfills from PostgreSQL);
- a renamed source column is renamed (``RENAME COLUMN``, planned by :mod:`.renames`), keeping its values;
- a column the source dropped is kept (new rows get NULL; rows already there keep their value);
- a type change follows :mod:`cdc_pipeline.sink.widening`: widen, keep the wider DuckDB type, or raise
  :class:`IncompatibleSchemaChange`;
- NOT NULL is dropped from any column that is no longer a key column.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from cdc_pipeline.sink.batch import Column, TableBatch
from cdc_pipeline.sink.errors import IncompatibleSchemaChange
from cdc_pipeline.sink.naming import TargetTable, quote_ident, source_key, target_table
from cdc_pipeline.sink.widening import TypeChange, type_change


@dataclass(frozen=True)
class ExistingColumn:
    """A column as DuckDB's catalog describes it (``duckdb_columns()``)."""

    name: str
    duck_type: str
    nullable: bool = True
    default_sql: str | None = None


def create_schema(table: TargetTable) -> list[str]:
    """``main`` exists already; any other schema is created on first use."""
    return [] if table.is_default_schema else [f"CREATE SCHEMA IF NOT EXISTS {quote_ident(table.schema)}"]


def _column_definition(column: Column, key: bool) -> str:
    not_null = " NOT NULL" if key else ""
    return f"{quote_ident(column.name)} {column.duck_type}{not_null}"


def create_table(table: TargetTable, columns: Sequence[Column], key_columns: Sequence[str]) -> str:
    """A plain table (no PRIMARY KEY, no index: see the module docstring)."""
    keys = set(key_columns)
    body = ", ".join(_column_definition(column, column.name in keys) for column in columns)
    return f"CREATE TABLE {table.sql} ({body})"


def add_column(table: TargetTable, column: Column, with_default: bool = True) -> str:
    """Existing rows take the source's constant default, as they do in Postgres."""
    default = f" DEFAULT {column.default_sql}" if column.default_sql is not None and with_default else ""
    return f"ALTER TABLE {table.sql} ADD COLUMN {quote_ident(column.name)} {column.duck_type}{default}"


def rename_column(table: TargetTable, old: str, new: str) -> str:
    return f"ALTER TABLE {table.sql} RENAME COLUMN {quote_ident(old)} TO {quote_ident(new)}"


def alter_column_type(table: TargetTable, column: str, duck_type: str) -> str:
    return f"ALTER TABLE {table.sql} ALTER COLUMN {quote_ident(column)} SET DATA TYPE {duck_type}"


def drop_not_null(table: TargetTable, column: str) -> str:
    return f"ALTER TABLE {table.sql} ALTER COLUMN {quote_ident(column)} DROP NOT NULL"


def _by_name(existing: Sequence[ExistingColumn]) -> dict[str, ExistingColumn]:
    """DuckDB matches column names case-insensitively, so the lookup does too."""
    return {column.name.lower(): column for column in existing}


def _evolve_column(table: TargetTable, source: str, column: Column, current: ExistingColumn) -> list[str]:
    change = type_change(current.duck_type, column.duck_type)
    if change is TypeChange.INCOMPATIBLE:
        raise IncompatibleSchemaChange(source, table.sql, column.name, current.duck_type, column.duck_type)
    return [alter_column_type(table, current.name, column.duck_type)] if change is TypeChange.ALTER else []


def plan_evolution(
    changes: TableBatch, existing: Sequence[ExistingColumn], no_default: Collection[str] = ()
) -> list[str]:
    """The DDL that makes the DuckDB table (``existing`` columns; empty when absent) hold ``changes``.

    Columns named in ``no_default`` are added without the event's DEFAULT (their existing rows are filled
    otherwise, or there are none)."""
    table = target_table(changes.source_schema, changes.source_table)
    if not existing:
        return [*create_schema(table), create_table(table, changes.columns, changes.key_columns)]
    source = source_key(changes.source_schema, changes.source_table)
    current = _by_name(existing)
    keys = {name.lower() for name in changes.key_columns}
    statements: list[str] = []
    for column in changes.columns:
        found = current.get(column.name.lower())
        if found is None:
            statements.append(add_column(table, column, column.name not in no_default))
        else:
            statements.extend(_evolve_column(table, source, column, found))
    relax = [c for c in existing if not c.nullable and c.name.lower() not in keys]
    statements.extend(drop_not_null(table, c.name) for c in relax)
    return statements
