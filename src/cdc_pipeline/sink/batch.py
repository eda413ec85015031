"""The core's batch as the sink's values: :class:`Batch` (per table a
:class:`~cdc_pipeline.sink.changes.TableChanges`), :class:`BadRecord` and :class:`DroppedEvents`, converted
once per table and per batch (the Arrow streams are passed through, nothing per row).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cdc_pipeline import _core
from cdc_pipeline.sink.changes import Column, TableChanges

Offset = tuple[str, int, int]  # topic, partition, next offset to read


@dataclass  # not frozen: it satisfies sink.errors.BadRecordLike, whose attributes are plain
class BadRecord:
    """A record the core could not decode or convert: where it is and why."""

    topic: str
    partition: int
    offset: int
    table: str
    column: str
    reason: str

    def describe(self) -> str:
        where = f"topic {self.topic!r} partition {self.partition} offset {self.offset}"
        what = ", ".join(
            part
            for part in (
                f"table {self.table}" if self.table else "",
                f"column {self.column!r}" if self.column else "",
            )
            if part
        )
        return f"{where}{f' ({what})' if what else ''}: {self.reason}"


@dataclass(frozen=True)
class Batch:
    """One batch: the changes per table (first-seen order) and the next offset of every partition read."""

    events: int
    bytes: int
    tables: list[TableChanges]
    offsets: list[Offset]
    error: BadRecord | None = None
    dead_lettered: int = 0
    dropped: list[DroppedEvents] = field(default_factory=list)


@dataclass(frozen=True)
class DroppedEvents:
    """Events of one table a batch consumed but dropped (see ``pipeline/position_filter.hpp``)."""

    table: str  # schema.table
    topic: str
    duplicates: int  # redelivered events at or below the table's applied position
    unapplied: int  # updates/deletes of a keyless table without a before-image (not REPLICA IDENTITY FULL)


def table_changes(table: _core.TableBatch) -> TableChanges:
    """One core table batch as the sink's :class:`TableChanges` (the Arrow streams are passed through)."""
    return TableChanges(
        topic=table.topic,
        source_schema=table.source_schema,
        source_table=table.source_table,
        columns=[
            Column(
                name=c.name, duck_type=c.duck_type, nullable=c.nullable, default_sql=c.default_sql, key=c.key
            )
            for c in table.columns
        ],
        key_columns=list(table.key_columns),
        truncate=table.truncate,
        snapshot_started=table.snapshot_started,
        deletes=table.deletes,
        upserts=table.upserts,
        unavailable=list(table.unavailable),
        last_lsn=table.last_lsn,
        last_source_ts_ms=table.last_source_ts_ms,
        last_commit_lsn=table.last_commit_lsn,
        last_event_lsn=table.last_event_lsn,
        last_tx_id=table.last_tx_id,
        counts=dict(table.counts),
    )


def bad_record(error: _core.BadRecord | None) -> BadRecord | None:
    if error is None:
        return None
    return BadRecord(error.topic, error.partition, error.offset, error.table, error.column, error.reason)


def to_batch(batch: _core.Batch) -> Batch:
    """A core batch as the sink's :class:`Batch`."""
    return Batch(
        events=batch.events,
        bytes=batch.bytes,
        tables=[table_changes(table) for table in batch.tables],
        offsets=list(batch.offsets),
        error=bad_record(batch.error),
        dead_lettered=batch.dead_lettered,
        dropped=[DroppedEvents(*dropped) for dropped in batch.dropped],
    )


def batches_from_records(
    records: Iterable[tuple[str, int, int, bytes | None, bytes | None]], max_events: int = 100_000
) -> list[Batch]:
    """Decode and batch ``(topic, partition, offset, key, value)`` records without Kafka (tests, tools)."""
    return [to_batch(batch) for batch in _core.batches_from_records(list(records), max_events)]
