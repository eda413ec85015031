"""The DuckDB side of `cdc dead-letter replay`: delete keys PostgreSQL no longer has, and keep the audit.

Runs as an admin action (between two batches in the running sink, or on the file when none runs), like the
`cdc tables` actions. ``_cdc.dead_letter`` holds one row per replayed dead-letter record: where it is, where
it came from, its table, reason and key, what the replay did and when. Reading it never needs the sink.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cdc_pipeline.sink.naming import BOOKKEEPING_SCHEMA, quote_ident, target_table
from cdc_pipeline.sink.tables_admin import ActionReport

if TYPE_CHECKING:
    from cdc_pipeline.sink.admin import Action
    from cdc_pipeline.sink.duckdb_target import DuckDBTarget

DEAD_LETTER = f'{quote_ident(BOOKKEEPING_SCHEMA)}."dead_letter"'

CREATE = (
    f"CREATE TABLE IF NOT EXISTS {DEAD_LETTER} ("
    '"topic" VARCHAR, "partition" INTEGER, "offset" BIGINT, "source_topic" VARCHAR, '
    '"source_partition" INTEGER, '
    '"source_offset" BIGINT, "source_table" VARCHAR, "reason" VARCHAR, "row_key" VARCHAR, "outcome" VARCHAR, '
    '"replayed_at" TIMESTAMPTZ)'
)
_INSERT = f"INSERT INTO {DEAD_LETTER} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())"
_FIELDS = (
    "topic",
    "partition",
    "offset",
    "source_topic",
    "source_partition",
    "source_offset",
    "table",
    "reason",
    "key",
    "outcome",
)


def replay(records: list[dict[str, Any]], deletes: list[dict[str, Any]]) -> Action:
    """``deletes``: ``{"table": "schema.table", "key": {column: value}}`` rows PostgreSQL no longer holds;
    ``records``: the audit rows (fields of ``_FIELDS``)."""

    def action(target: DuckDBTarget) -> ActionReport:
        conn = target.cursor()
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(BOOKKEEPING_SCHEMA)}")
        conn.execute(CREATE)
        deleted = 0
        for row in deletes:
            schema, _, table = str(row["table"]).partition(".")
            where = " AND ".join(f"{quote_ident(c)} = ?" for c in row["key"])
            exists = conn.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
                [target_table(schema, table).schema, table],
            ).fetchone()
            if exists and exists[0]:
                result = conn.execute(
                    f"DELETE FROM {target_table(schema, table).sql} WHERE {where}", list(row["key"].values())
                ).fetchone()
                deleted += int(result[0]) if result else 0
        for record in records:
            values = [record.get(f) for f in _FIELDS]
            values[8] = json.dumps(record.get("key"), default=str)
            conn.execute(_INSERT, values)
        tables = sorted({str(r.get("table")) for r in records})
        done = (
            f"recorded {len(records)} replayed record(s) in _cdc.dead_letter; deleted {deleted} row(s) by key"
        )
        return ActionReport("dead-letter-replay", ", ".join(tables), done)

    return action


def replayed() -> Action:
    """The audit, in the report's ``done`` as JSON: ``[topic, partition, offset, outcome, replayed_at]`` of
    the latest replay of each record."""

    def action(target: DuckDBTarget) -> ActionReport:
        conn = target.cursor()
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(BOOKKEEPING_SCHEMA)}")
        conn.execute(CREATE)
        rows = conn.execute(
            'SELECT "topic", "partition", "offset", arg_max("outcome", "replayed_at"), '
            f'CAST(max("replayed_at") AS VARCHAR) FROM {DEAD_LETTER} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3'
        ).fetchall()
        done = json.dumps([list(r) for r in rows])
        return ActionReport("dead-letter-replayed", "", done)

    return action
