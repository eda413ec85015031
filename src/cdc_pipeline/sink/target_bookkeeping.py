"""The ``_cdc`` bookkeeping that :class:`~cdc_pipeline.sink.duckdb_target.DuckDBTarget` writes in the batch's
transaction: offsets (the source of truth of what is applied), each table's totals and source position, and
the stopped, resumed and skipped tables. The SQL text is :mod:`.bookkeeping`'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
from cdc_pipeline.sink import bookkeeping
from cdc_pipeline.sink.batch import TableBatch
from cdc_pipeline.sink.naming import source_key, target_table

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class AppliedCounts:
    """Rows one :meth:`DuckDBTarget.apply` changed: upserted, deleted by key, removed by truncate."""

    upserted: int
    deleted: int
    truncated: int = 0


def _timestamp(ms: int | None) -> datetime | None:
    """Exact (no float) conversion of Debezium's epoch milliseconds to an aware datetime."""
    return None if ms is None else _EPOCH + timedelta(milliseconds=ms)


class BookkeepingWrites:
    """The bookkeeping statements of the target, on its one connection (``_conn``) and its ``_count``."""

    _conn: duckdb.DuckDBPyConnection

    def _count(self, source: str, step: str, sql: str, params: list[object] | None = None) -> int:
        raise NotImplementedError

    def write_offsets(self, offsets: list[tuple[str, int, int]]) -> None:
        """Store each partition's next offset to read (in the batch's transaction: the source of truth)."""
        if offsets:
            params: list[object] = [value for row in offsets for value in row]
            self._count("_cdc.offsets", "write offsets", bookkeeping.write_offsets(len(offsets)), params)

    def read_offsets(self) -> dict[tuple[str, int], int]:
        rows = self._conn.execute(bookkeeping.READ_OFFSETS).fetchall()
        return {(topic, partition): next_offset for topic, partition, next_offset in rows}

    def record_table(self, changes: TableBatch, counts: AppliedCounts) -> None:
        """Add this batch's counts to the table's totals (rows_deleted includes rows removed by truncate) and
        store its high source position, in the batch's transaction like the rows."""
        source = source_key(changes.source_schema, changes.source_table)
        table = target_table(changes.source_schema, changes.source_table)
        params: list[object] = [
            source,
            table.sql,
            changes.last_lsn,
            _timestamp(changes.last_source_ts_ms),
            counts.upserted,
            counts.deleted + counts.truncated,
            changes.last_commit_lsn,
            changes.last_event_lsn,
            changes.last_tx_id,
            changes.counts.get("dup", 0),
            changes.snapshot_started,
        ]
        self._count(source, "record progress", bookkeeping.RECORD_TABLE, params)

    def settle_loaded(self, changes: TableBatch) -> bool:
        """A loaded table's snapshot goes once this batch is past its clear LSN, or when Debezium snapshots
        the table again; True when it went (the caller tells the source after the commit)."""
        source = source_key(changes.source_schema, changes.source_table)
        if changes.snapshot_started:
            return self._count(source, "forget its load", bookkeeping.FORGET_LOADED, [source]) > 0
        if changes.last_commit_lsn is None:
            return False
        cleared = self._count(
            source, "forget its load", bookkeeping.CLEAR_LOADED, [source, changes.last_commit_lsn]
        )
        return cleared > 0

    def record_load(self, source: str, target: str, snapshot: str, clear_lsn: int | None) -> None:
        """The table now holds a load taken at ``snapshot`` (running, no applied position)."""
        self._count(source, "record its load", bookkeeping.LOADED, [source, target, snapshot, clear_lsn])

    def read_loaded(self) -> dict[str, str]:
        """Each loaded table's snapshot text (``schema.table`` -> ``xmin:xmax:xip``) for Source.start."""
        return {str(t): str(s) for t, s in self._conn.execute(bookkeeping.READ_LOADED).fetchall()}

    def read_positions(self) -> list[tuple[str, int, int]]:
        """Each table's applied high position ``(schema.table, last_commit_lsn, last_event_lsn)``."""
        rows = self._conn.execute(bookkeeping.READ_POSITIONS).fetchall()
        return [(table, int(commit_lsn), int(lsn)) for table, commit_lsn, lsn in rows]

    def mark_table_stopped(
        self, source_table: str, error: str, at: tuple[str, int, int] | None = None
    ) -> None:
        """Remember that ``source_table`` (``schema.table``) is not applied any more, why, and where it is
        held: ``at`` = (topic, partition, offset of the record it resumes at)."""
        topic, partition, offset = at if at is not None else (None, None, None)
        params: list[object] = [source_table, error, topic, partition, offset]
        self._count(source_table, "mark it stopped", bookkeeping.STOP_TABLE, params)

    def resume_table(self, source_table: str) -> None:
        """Apply ``source_table`` again (after the cause was fixed, a record skipped, or a re-snapshot)."""
        self._count(source_table, "resume it", bookkeeping.RESUME_TABLE, [source_table])

    def table_rows(self) -> list[tuple[object, ...]]:
        """``_cdc.tables`` as :data:`bookkeeping.LIST_TABLES` selects it."""
        return self._conn.execute(bookkeeping.LIST_TABLES).fetchall()

    def record_skip(self, source_table: str, record: tuple[str, int, int], reason: str) -> None:
        """Audit one record skipped on purpose and move its partition past it (caller's transaction)."""
        topic, partition, offset = record
        self._count(source_table, "record the skip", bookkeeping.RECORD_SKIP, [*record, source_table, reason])
        self._count(source_table, "count the skip", bookkeeping.COUNT_SKIP, [source_table])
        self._count(source_table, "move past it", bookkeeping.SET_OFFSET, [topic, partition, offset + 1])

    def held_position(self, topic: str) -> tuple[str, int, int]:
        """Where a held topic resumes: its lowest partition and DuckDB's next offset (0 = the beginning)."""
        held = sorted((p, o) for (t, p), o in self.read_offsets().items() if t == topic)
        partition, offset = held[0] if held else (0, 0)
        return topic, partition, offset

    def set_offset(self, topic: str, partition: int, next_offset: int) -> None:
        self._count(topic, "set its offset", bookkeeping.SET_OFFSET, [topic, partition, next_offset])

    def stopped_tables(self) -> dict[str, str]:
        """Stopped source tables (``schema.table``) and the error that stopped each."""
        rows = self._conn.execute(bookkeeping.READ_STOPPED).fetchall()
        return {source: error or "" for source, error in rows}
