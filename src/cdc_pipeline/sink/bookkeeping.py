"""SQL text of the ``_cdc`` schema: Kafka offsets and per-table progress, written in the batch's transaction.

``_cdc.offsets`` is the truth for where each partition resumes (the Kafka commit is advisory), so it is
written in the same DuckDB transaction as the rows. These tables are tiny, so their primary keys cost nothing
and let ``ON CONFLICT`` keep one row per partition and per source table.
"""

from __future__ import annotations

from cdc_pipeline.sink.naming import BOOKKEEPING_SCHEMA, quote_ident

_CDC = quote_ident(BOOKKEEPING_SCHEMA)
OFFSETS = f'{_CDC}."offsets"'
TABLES = f'{_CDC}."tables"'

RUNNING = "running"
STOPPED = "stopped"

CREATE: tuple[str, ...] = (
    f"CREATE SCHEMA IF NOT EXISTS {_CDC}",
    f"CREATE TABLE IF NOT EXISTS {OFFSETS} ("
    '"topic" VARCHAR, "partition" INTEGER, "next_offset" BIGINT, PRIMARY KEY ("topic", "partition"))',
    f"CREATE TABLE IF NOT EXISTS {TABLES} ("
    '"source_table" VARCHAR PRIMARY KEY, "target_table" VARCHAR, "last_lsn" BIGINT, '
    '"last_source_ts" TIMESTAMPTZ, "last_applied_at" TIMESTAMPTZ, "rows_upserted" BIGINT, '
    '"rows_deleted" BIGINT, "state" VARCHAR, "last_error" VARCHAR)',
)

READ_OFFSETS = f'SELECT "topic", "partition", "next_offset" FROM {OFFSETS}'
READ_STOPPED = f'SELECT "source_table", "last_error" FROM {TABLES} WHERE "state" = \'{STOPPED}\''


def write_offsets(rows: int) -> str:
    """Upsert ``rows`` (topic, partition, next_offset) parameter triples in one statement."""
    values = ", ".join(["(?, ?, ?)"] * rows)
    return (
        f'INSERT INTO {OFFSETS} ("topic", "partition", "next_offset") VALUES {values} '
        'ON CONFLICT ("topic", "partition") DO UPDATE SET "next_offset" = excluded."next_offset"'
    )


# Parameters: source_table, target_table, last_lsn, last_source_ts, rows_upserted, rows_deleted.
# Counters accumulate; lsn and source time keep the previous value when a batch has none; state is untouched
# on update so a stopped table stays stopped until resumed on purpose.
RECORD_TABLE = (
    f'INSERT INTO {TABLES} ("source_table", "target_table", "last_lsn", "last_source_ts", "last_applied_at", '
    '"rows_upserted", "rows_deleted", "state", "last_error") '
    f"VALUES (?, ?, ?, ?, now(), ?, ?, '{RUNNING}', NULL) "
    'ON CONFLICT ("source_table") DO UPDATE SET "target_table" = excluded."target_table", '
    '"last_lsn" = COALESCE(excluded."last_lsn", "last_lsn"), '
    '"last_source_ts" = COALESCE(excluded."last_source_ts", "last_source_ts"), '
    '"last_applied_at" = excluded."last_applied_at", '
    '"rows_upserted" = "rows_upserted" + excluded."rows_upserted", '
    '"rows_deleted" = "rows_deleted" + excluded."rows_deleted"'
)

# Parameters: source_table, state, last_error.
SET_STATE = (
    f'INSERT INTO {TABLES} ("source_table", "rows_upserted", "rows_deleted", "state", "last_error") '
    'VALUES (?, 0, 0, ?, ?) ON CONFLICT ("source_table") DO UPDATE SET "state" = excluded."state", '
    '"last_error" = excluded."last_error"'
)
