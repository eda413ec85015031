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

SKIPPED = f'{_CDC}."skipped"'

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
    # The applied high position per table (exactly once: pipeline/position_filter.hpp); files written before
    # these columns existed get them here.
    f'ALTER TABLE {TABLES} ADD COLUMN IF NOT EXISTS "last_commit_lsn" BIGINT',
    f'ALTER TABLE {TABLES} ADD COLUMN IF NOT EXISTS "last_event_lsn" BIGINT',
    f'ALTER TABLE {TABLES} ADD COLUMN IF NOT EXISTS "last_tx_id" BIGINT',
    f'ALTER TABLE {TABLES} ADD COLUMN IF NOT EXISTS "duplicates_skipped" BIGINT DEFAULT 0',
    # Whether the last recorded batch started the table's snapshot (read only by RECORD_TABLE's update).
    f'ALTER TABLE {TABLES} ADD COLUMN IF NOT EXISTS "position_reset" BOOLEAN DEFAULT false',
    # Where a stopped table is held (the record it resumes at) and how many records were skipped on purpose.
    # Added with IF NOT EXISTS so files written before these columns existed are upgraded in place.
    f'ALTER TABLE {TABLES} ADD COLUMN IF NOT EXISTS "stopped_topic" VARCHAR',
    f'ALTER TABLE {TABLES} ADD COLUMN IF NOT EXISTS "stopped_partition" INTEGER',
    f'ALTER TABLE {TABLES} ADD COLUMN IF NOT EXISTS "stopped_offset" BIGINT',
    f'ALTER TABLE {TABLES} ADD COLUMN IF NOT EXISTS "stopped_at" TIMESTAMPTZ',
    f'ALTER TABLE {TABLES} ADD COLUMN IF NOT EXISTS "records_skipped" BIGINT DEFAULT 0',
    # A table loaded straight from PostgreSQL (sink/bulk_load.py): its snapshot's pg_current_snapshot() text
    # (streaming events of the transactions it saw are dropped: pipeline/loaded_snapshot.hpp) until the
    # applied position passes loaded_clear_lsn (NULL: kept until the next load or re-snapshot).
    f'ALTER TABLE {TABLES} ADD COLUMN IF NOT EXISTS "loaded_snapshot" VARCHAR',
    f'ALTER TABLE {TABLES} ADD COLUMN IF NOT EXISTS "loaded_clear_lsn" BIGINT',
    # The audit trail of `cdc tables skip`: one row per record the sink was told not to apply.
    f"CREATE TABLE IF NOT EXISTS {SKIPPED} ("
    '"topic" VARCHAR, "partition" INTEGER, "offset" BIGINT, "source_table" VARCHAR, '
    '"skipped_at" TIMESTAMPTZ, "reason" VARCHAR, PRIMARY KEY ("topic", "partition", "offset"))',
)

READ_OFFSETS = f'SELECT "topic", "partition", "next_offset" FROM {OFFSETS}'
# Tables with an applied position: (source_table, last_commit_lsn, last_event_lsn) for Source.start.
READ_POSITIONS = (
    f'SELECT "source_table", COALESCE("last_commit_lsn", 0), "last_event_lsn" FROM {TABLES} '
    'WHERE "last_event_lsn" IS NOT NULL'
)
# Tables loaded straight from PostgreSQL: (source_table, loaded_snapshot) for Source.start.
READ_LOADED = f'SELECT "source_table", "loaded_snapshot" FROM {TABLES} WHERE "loaded_snapshot" IS NOT NULL'
# Parameters: source_table, target_table, loaded_snapshot, loaded_clear_lsn. The table holds the load now:
# running, no stop, no applied position (the stream from the offsets taken before the load applies on top).
LOADED = (
    f'INSERT INTO {TABLES} ("source_table", "target_table", "rows_upserted", "rows_deleted", "state", '
    '"loaded_snapshot", "loaded_clear_lsn", "last_applied_at") '
    f"VALUES (?, ?, 0, 0, '{RUNNING}', ?, ?, now()) ON CONFLICT (\"source_table\") DO UPDATE SET "
    '"target_table" = excluded."target_table", "state" = excluded."state", "last_error" = NULL, '
    '"stopped_topic" = NULL, "stopped_partition" = NULL, "stopped_offset" = NULL, "stopped_at" = NULL, '
    '"last_commit_lsn" = NULL, "last_event_lsn" = NULL, "last_tx_id" = NULL, '
    '"loaded_snapshot" = excluded."loaded_snapshot", "loaded_clear_lsn" = excluded."loaded_clear_lsn", '
    '"last_applied_at" = excluded."last_applied_at"'
)
# Parameters: source_table, the batch's highest commit LSN. Forgets the load's snapshot once past it.
CLEAR_LOADED = (
    f'UPDATE {TABLES} SET "loaded_snapshot" = NULL, "loaded_clear_lsn" = NULL WHERE "source_table" = ? '
    'AND "loaded_snapshot" IS NOT NULL AND "loaded_clear_lsn" IS NOT NULL AND "loaded_clear_lsn" <= ?'
)
# Parameters: source_table. A Debezium re-snapshot replaces a load.
FORGET_LOADED = (
    f'UPDATE {TABLES} SET "loaded_snapshot" = NULL, "loaded_clear_lsn" = NULL WHERE "source_table" = ?'
)
READ_STOPPED = f'SELECT "source_table", "last_error" FROM {TABLES} WHERE "state" = \'{STOPPED}\''


def write_offsets(rows: int) -> str:
    """Upsert ``rows`` (topic, partition, next_offset) parameter triples in one statement."""
    values = ", ".join(["(?, ?, ?)"] * rows)
    return (
        f'INSERT INTO {OFFSETS} ("topic", "partition", "next_offset") VALUES {values} '
        'ON CONFLICT ("topic", "partition") DO UPDATE SET "next_offset" = excluded."next_offset"'
    )


# Parameters: source_table, target_table, last_lsn, last_source_ts, rows_upserted, rows_deleted,
# last_commit_lsn, last_event_lsn, last_tx_id, duplicates_skipped, position_reset.
# Counters accumulate; lsn and source time keep the previous value when a batch has none; the position moves
# only with a batch that has one (the core only batches positions above the stored one); state is untouched
# on update so a stopped table stays stopped until resumed on purpose. A position column keeps its stored
# value when the batch has no streaming event, unless the table's snapshot started in the batch
# (``position_reset``): then the snapshot replaced the table and the stored position too.
_KEEP_OR_REPLACE = (
    '"{column}" = CASE WHEN excluded."last_event_lsn" IS NULL AND NOT excluded."position_reset" '
    'THEN "{column}" ELSE excluded."{column}" END'
)
RECORD_TABLE = (
    f'INSERT INTO {TABLES} ("source_table", "target_table", "last_lsn", "last_source_ts", "last_applied_at", '
    '"rows_upserted", "rows_deleted", "last_commit_lsn", "last_event_lsn", "last_tx_id", '
    '"duplicates_skipped", '
    '"position_reset", "state", "last_error") '
    f"VALUES (?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?, ?, '{RUNNING}', NULL) "
    'ON CONFLICT ("source_table") DO UPDATE SET "target_table" = excluded."target_table", '
    '"last_lsn" = COALESCE(excluded."last_lsn", "last_lsn"), '
    '"last_source_ts" = COALESCE(excluded."last_source_ts", "last_source_ts"), '
    '"last_applied_at" = excluded."last_applied_at", '
    '"rows_upserted" = "rows_upserted" + excluded."rows_upserted", '
    '"rows_deleted" = "rows_deleted" + excluded."rows_deleted", '
    f"{_KEEP_OR_REPLACE.format(column='last_commit_lsn')}, "
    f"{_KEEP_OR_REPLACE.format(column='last_tx_id')}, "
    f"{_KEEP_OR_REPLACE.format(column='last_event_lsn')}, "
    '"position_reset" = excluded."position_reset", '
    '"duplicates_skipped" = COALESCE("duplicates_skipped", 0) + excluded."duplicates_skipped"'
)

# Parameters: source_table, last_error, stopped_topic, stopped_partition, stopped_offset.
STOP_TABLE = (
    f'INSERT INTO {TABLES} ("source_table", "rows_upserted", "rows_deleted", "state", "last_error", '
    '"stopped_topic", "stopped_partition", "stopped_offset", "stopped_at") '
    f"VALUES (?, 0, 0, '{STOPPED}', ?, ?, ?, ?, now()) ON CONFLICT (\"source_table\") DO UPDATE SET "
    '"state" = excluded."state", "last_error" = excluded."last_error", '
    '"stopped_topic" = excluded."stopped_topic", "stopped_partition" = excluded."stopped_partition", '
    '"stopped_offset" = excluded."stopped_offset", "stopped_at" = excluded."stopped_at"'
)

# Parameters: source_table.
RESUME_TABLE = (
    f'UPDATE {TABLES} SET "state" = \'{RUNNING}\', "last_error" = NULL, "stopped_topic" = NULL, '
    '"stopped_partition" = NULL, "stopped_offset" = NULL, "stopped_at" = NULL WHERE "source_table" = ?'
)

LIST_TABLES = (
    'SELECT "source_table", "target_table", "state", "last_error", "stopped_topic", "stopped_partition", '
    f'"stopped_offset", "stopped_at", COALESCE("records_skipped", 0) FROM {TABLES} ORDER BY "source_table"'
)

# Parameters: topic, partition, offset, source_table, reason.
RECORD_SKIP = (
    f'INSERT INTO {SKIPPED} ("topic", "partition", "offset", "source_table", "skipped_at", "reason") '
    "VALUES (?, ?, ?, ?, now(), ?)"
)

# Parameters: source_table.
COUNT_SKIP = (
    f'UPDATE {TABLES} SET "records_skipped" = COALESCE("records_skipped", 0) + 1 WHERE "source_table" = ?'
)

# Parameters: topic, partition, next_offset.
SET_OFFSET = write_offsets(1)
