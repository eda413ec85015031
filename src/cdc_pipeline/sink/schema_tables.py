"""The bookkeeping of schema following, in ``_cdc``: column identities (``columns``), table oids
(``relations``) and the audit of every rename, default and backfill (``schema_changes``); the reasons and
fixes that schema following gives when it stops a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdc_pipeline.sink.batch import TableBatch
from cdc_pipeline.sink.errors import TableStopError
from cdc_pipeline.sink.naming import BOOKKEEPING_SCHEMA, quote_ident, source_key
from cdc_pipeline.sink.source_catalog import CatalogUnavailable

if TYPE_CHECKING:
    from cdc_pipeline.sink.duckdb_target import DuckDBTarget

_CDC = quote_ident(BOOKKEEPING_SCHEMA)
COLUMNS = f'{_CDC}."columns"'
SCHEMA_CHANGES = f'{_CDC}."schema_changes"'
RELATIONS = f'{_CDC}."relations"'

CREATE: tuple[str, ...] = (
    f"CREATE TABLE IF NOT EXISTS {COLUMNS} ("
    '"source_table" VARCHAR, "column_name" VARCHAR, "attnum" INTEGER, '
    'PRIMARY KEY ("source_table", "column_name"))',
    f"CREATE TABLE IF NOT EXISTS {SCHEMA_CHANGES} ("
    '"source_table" VARCHAR, "changed_at" TIMESTAMPTZ, "change" VARCHAR, "column_name" VARCHAR, '
    '"detail" VARCHAR, "rows" BIGINT)',
    f'CREATE TABLE IF NOT EXISTS {RELATIONS} ("source_table" VARCHAR PRIMARY KEY, "oid" BIGINT)',
    # The latest of them per table, where `cdc tables` and status read: which way existing rows were filled.
    f'ALTER TABLE {_CDC}."tables" ADD COLUMN IF NOT EXISTS "last_schema_change" VARCHAR',
)
LAST_CHANGE = f'UPDATE {_CDC}."tables" SET "last_schema_change" = ? WHERE "source_table" = ?'
FORGET_OID = f'DELETE FROM {RELATIONS} WHERE "source_table" = ?'
STORE_OID = f'INSERT INTO {RELATIONS} ("source_table", "oid") VALUES (?, ?)'
# Running tables with a recorded oid (stopped ones are already held).
RUNNING_OIDS = (
    f'SELECT r."source_table", r."oid" FROM {RELATIONS} r JOIN {_CDC}."tables" t USING ("source_table") '
    "WHERE t.\"state\" = 'running'"
)
READ_IDS = f'SELECT lower("column_name"), "attnum" FROM {COLUMNS} WHERE "source_table" = ?'
FORGET_IDS = f'DELETE FROM {COLUMNS} WHERE "source_table" = ?'
STORE_ID = f'INSERT INTO {COLUMNS} ("source_table", "column_name", "attnum") VALUES (?, ?, ?)'
AUDIT = (
    f'INSERT INTO {SCHEMA_CHANGES} ("source_table", "changed_at", "change", "column_name", "detail", "rows") '
    "VALUES (?, now(), ?, ?, ?, ?)"
)


def table_renamed(source: str, renamed: str) -> str:
    """Why a renamed table stops, and the fix (also what preflight says: connectors/preflight.py)."""
    return (
        f"table {source} was renamed to {renamed} in PostgreSQL (ALTER TABLE ... RENAME TO): Debezium "
        "captures tables by name, so its changes no longer reach Kafka and this DuckDB copy is stale. Fix: "
        f"in cdc.yaml `tables` replace {source} with {renamed}, then run `cdc connectors apply` "
        f"(it snapshots {renamed} into DuckDB anew); this stopped copy is then unused"
    )


def resnapshot_fix(source: str, keyless: bool = False) -> str:
    if keyless:  # Debezium's incremental snapshot needs a key: the table's key_columns give it one
        return (
            f"give it key_columns (e.g. KEY_COLUMNS={source}:col1,col2), run `cdc connectors apply`, then "
            f"rebuild it from a fresh snapshot with `cdc tables resnapshot {source}`"
        )
    return f"rebuild it from a fresh snapshot with `cdc tables resnapshot {source}`"


def stop_unasked(changes: TableBatch, exc: CatalogUnavailable) -> TableStopError:
    source = source_key(changes.source_schema, changes.source_table)
    return TableStopError(
        f"table {source}: the columns of its events changed (now "
        f"{', '.join(repr(c.name) for c in changes.columns)}) and the sink must ask PostgreSQL which column "
        f"is which and what the existing rows hold, but {exc.what}",
        f"once PostgreSQL answers run `cdc tables resume {source}`",
    )


def audit(  # noqa: PLR0917 (one audit row's fields)
    target: DuckDBTarget, source: str, change: str, column: str, detail: str, rows: int | None = None
) -> None:
    """One row of ``_cdc.schema_changes``, and the same line in ``_cdc.tables.last_schema_change``."""
    target.execute(source, "audit", AUDIT, [source, change, column, detail, rows])
    counted = "" if rows is None else f" ({rows} rows)"
    target.execute(source, "audit", LAST_CHANGE, [f"{change} {column!r}: {detail}{counted}", source])
