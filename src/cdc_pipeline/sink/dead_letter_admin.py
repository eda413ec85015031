"""The DuckDB side of `cdc dead-letter replay`: delete keys PostgreSQL no longer has, and keep the audit.

Runs as an admin action (between two batches in the running sink, or on the file when none runs), like the
`cdc tables` actions. ``_cdc.dead_letter`` holds one row per replayed dead-letter record: where it is, where
it came from, its table, reason and key, what the replay did and when. Reading it never needs the sink.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cdc_pipeline.sink.bookkeeping import TABLES
from cdc_pipeline.sink.naming import BOOKKEEPING_SCHEMA, quote_ident, target_table
from cdc_pipeline.sink.tables_admin import ActionReport

if TYPE_CHECKING:
    import duckdb
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


def replay(records: list[dict[str, Any]]) -> Action:
    """Record each replayed record (fields of ``_FIELDS``) in ``_cdc.dead_letter``. A record with
    ``delete_checked_lsn`` names a key PostgreSQL did not hold at that WAL position; it is deleted from DuckDB
    only while the sink has applied the table strictly below that position (then every change DuckDB holds
    is older than the check, and every newer one, e.g. a new insert of that key, is still to come and wins);
    otherwise it is left alone and the outcome says "not deleted", for the caller to check again.
    The report's ``done`` is JSON: ``{"outcomes": [[topic, partition, offset, outcome]], "summary": ...}``."""

    def action(target: DuckDBTarget) -> ActionReport:
        conn = target.cursor()
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(BOOKKEEPING_SCHEMA)}")
        conn.execute(CREATE)
        outcomes, deleted = [], 0
        for record in records:
            outcome = str(record.get("outcome") or "")
            if "delete_checked_lsn" in record:
                outcome, count = _delete(
                    conn, str(record["table"]), dict(record["key"]), int(record["delete_checked_lsn"])
                )
                deleted += count
            values = [record.get(f) for f in _FIELDS]
            values[8] = json.dumps(record.get("key"), default=str)
            values[9] = outcome
            conn.execute(_INSERT, values)
            outcomes.append([record["topic"], record["partition"], record["offset"], outcome])
        tables = sorted({str(r.get("table")) for r in records})
        summary = (
            f"recorded {len(records)} replayed record(s) in _cdc.dead_letter; deleted {deleted} row(s) by key"
        )
        return ActionReport(
            "dead-letter-replay", ", ".join(tables), json.dumps({"outcomes": outcomes, "summary": summary})
        )

    return action


def _delete(
    conn: duckdb.DuckDBPyConnection, source: str, key: dict[str, Any], checked_lsn: int
) -> tuple[str, int]:
    schema, _, table = source.partition(".")
    target = target_table(schema, table)
    exists = conn.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
        [target.schema, table],
    ).fetchone()
    where = " AND ".join(f"{quote_ident(c)} = ?" for c in key)
    held = (
        exists is not None
        and exists[0]
        and conn.execute(f"SELECT count(*) FROM {target.sql} WHERE {where}", list(key.values())).fetchone()
        != (0,)
    )
    if not held:
        return "the row is in neither PostgreSQL nor DuckDB: nothing to do", 0
    applied = conn.execute(
        f'SELECT "last_commit_lsn" FROM {TABLES} WHERE "source_table" = ?', [source]
    ).fetchone()
    if applied is not None and applied[0] is not None and int(applied[0]) >= checked_lsn:
        return (
            f"not deleted: the sink already applied {source} up to LSN {applied[0]}, past PostgreSQL's check "
            f"at {checked_lsn}; run `cdc dead-letter replay` again",
            0,
        )
    result = conn.execute(f"DELETE FROM {target.sql} WHERE {where}", list(key.values())).fetchone()
    count = int(result[0]) if result else 0
    return "the row is not in PostgreSQL any more: deleted by key from DuckDB", count


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
