"""The commit protocol, in one function (:func:`commit_batch`, numbered steps).

Exactly-once rests on one rule: DuckDB holds the truth about what has been applied (``_cdc.offsets``), in the
same transaction as the rows. Kafka's committed offsets are advisory (for lag tools only). The loop that
repeats it, retries and stops is :mod:`.loop`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from cdc_pipeline.sink.batch import TableBatch
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.errors import (
    ApplyError,
    TableStopError,
    refuse_bookkeeping_schema,
    retry_hint,
    skip_hint,
)
from cdc_pipeline.sink.merge_guard import refuse_merged_table
from cdc_pipeline.sink.policy import OnError
from cdc_pipeline.sink.source import BadRecord, Batch, DroppedEvents, Source
from cdc_pipeline.sink.stats import AppliedTable

Offset = tuple[str, int, int]  # topic, partition, next offset to read


@dataclass
class BatchOutcome:
    """What one turn of the protocol did, for logs, status and metrics."""

    events: int = 0
    upserted: int = 0
    deleted: int = 0
    tables: list[str] = field(default_factory=list)
    stopped: dict[str, str] = field(default_factory=dict)  # table -> reason, newly stopped in this batch
    bad_record: BadRecord | None = None  # policy `stop-sink`: the record the batch ended before
    table_stats: list[AppliedTable] = field(default_factory=list)
    dropped: list[DroppedEvents] = field(default_factory=list)  # duplicates and unappliable keyless changes
    dead_letters: list[BadRecord] = field(default_factory=list)  # sent to the dead-letter topic, with why
    loads_settled: list[str] = field(default_factory=list)  # loaded tables whose snapshot filter went
    apply_s: float = 0.0


def commit_batch(
    source: Source, target: DuckDBTarget, stopped: dict[str, str], policy: OnError = "stop-table"
) -> BatchOutcome | None:
    """Run the commit protocol once; None when nothing arrived.

    1. ``batch = source.next_batch()``: poll, decode, coalesce (in C++). Nothing is acknowledged yet.
    2. ``BEGIN``; per table, in the order first seen: evolve the schema, apply a truncate if one came
       (events before it were already dropped), delete keys whose final state is deleted, upsert keys whose
       final state is a row; write the next offset of every partition in the batch into ``_cdc.offsets``;
       update ``_cdc.tables``; ``COMMIT``. Isolation (policy ``stop-table``/``dead-letter``): a stopped table,
       a table whose schema change is incompatible, a source schema named ``_cdc`` and a table that would
       land on another source's DuckDB table (:mod:`.merge_guard`) are held back (their
       offsets are not written and the source rewinds them, so nothing is lost); a bad record stops its table
       at the record's exact position once the records before it are applied. DuckDB has no savepoints, so
       when DuckDB refuses one table's statement the whole transaction is rolled back, that table is stopped
       in a transaction of its own, and the source re-reads every other table from ``_cdc.offsets``.
    3. Commit the same offsets to Kafka, only so lag tools see them. On start the source seeks to what
       ``_cdc.offsets`` holds, so a crash anywhere loses nothing and applies nothing twice. A table loaded
       straight from PostgreSQL whose snapshot filter this batch settled (``_cdc.tables.loaded_snapshot``)
       is told to the source now, after the commit.
    4. Tables held back: the source starts again from ``_cdc.offsets`` and ``_cdc.tables`` (dropping any batch
       it read ahead, which may hold more of a held table's records and has moved every partition on), then
       stops reading the held topics, which resume at DuckDB's offsets on the next start.
    """
    batch = source.next_batch()  # 1
    if batch.events == 0 and batch.error is None:
        return None
    started = time.monotonic()
    outcome = BatchOutcome(events=batch.events)
    outcome.dropped = [d for d in batch.dropped if d.table not in stopped]
    outcome.dead_letters = list(batch.dead_letters)
    target.begin()  # 2
    try:
        held_back = _apply_tables(target, batch.tables, stopped, outcome)
        if batch.error is not None:
            held_back |= _bad_record(source, target, batch.error, stopped, policy, outcome)
        offsets = [o for o in batch.offsets if o[0] not in held_back or o[0] == _bad_topic(batch, policy)]
        target.write_offsets(offsets)
        target.commit()
    except ApplyError as exc:
        target.abandon()
        if not exc.table_level or policy == "stop-sink" or not exc.source:
            raise
        return _stop_after_rollback(source, target, exc, stopped, started)
    except BaseException:
        target.abandon()
        raise
    source.commit(offsets)  # 3
    for table in outcome.loads_settled:
        source.forget_loaded(table)
    if held_back:  # 4
        source.start(target.read_offsets(), target.read_positions(), target.read_loaded())
        source.rewind(held_back)
    outcome.apply_s = time.monotonic() - started
    return outcome


def _bad_topic(batch: Batch, policy: OnError) -> str | None:
    """The topic of a bad record whose table stops: the records before it are applied (offsets count)."""
    return batch.error.topic if batch.error is not None and policy != "stop-sink" else None


def _bad_record(  # noqa: PLR0917 (the loop's state, passed explicitly)
    source: Source,
    target: DuckDBTarget,
    record: BadRecord,
    stopped: dict[str, str],
    policy: OnError,
    outcome: BatchOutcome,
) -> set[str]:
    """Policy ``stop-sink``: remember the record (the loop raises after the commit). Otherwise stop only its
    table, held exactly at the record, and return its topic to rewind."""
    if policy == "stop-sink":
        outcome.bad_record = record
        return set()
    table = record.table or source.table_of_topic(record.topic)
    hint = skip_hint(table, record.topic, record.partition, record.offset)
    reason = f"bad record at {record.describe()}. {hint}"
    stopped[table] = outcome.stopped[table] = reason
    target.mark_table_stopped(table, reason, (record.topic, record.partition, record.offset))
    return {record.topic}


def _stop_after_rollback(
    source: Source, target: DuckDBTarget, error: ApplyError, stopped: dict[str, str], started: float
) -> BatchOutcome:
    """Stop the table DuckDB refused (own transaction); the source re-reads the batch without it."""
    reason = f"{error.what}. {retry_hint(error.source)}"
    target.begin()
    try:
        target.mark_table_stopped(error.source, reason, target.held_position(error.topic))
        target.commit()
    except BaseException:
        target.abandon()
        raise
    stopped[error.source] = reason
    source.start(target.read_offsets(), target.read_positions(), target.read_loaded())
    return BatchOutcome(stopped={error.source: reason}, apply_s=time.monotonic() - started)


def _apply_tables(
    target: DuckDBTarget, tables: Sequence[TableBatch], stopped: dict[str, str], outcome: BatchOutcome
) -> set[str]:
    """Apply each table's changes; returns the topics held back (stopped tables)."""
    held_back: set[str] = set()
    for changes in tables:
        name = f"{changes.source_schema}.{changes.source_table}"
        if name in stopped:
            held_back.add(changes.topic)
            continue
        try:
            refuse_bookkeeping_schema(changes.source_schema, changes.source_table)
            refuse_merged_table(target, changes)
            target.evolve(changes)
            counts = target.apply(changes)
            target.record_table(changes, counts)
            if target.settle_loaded(changes):
                outcome.loads_settled.append(name)
        except TableStopError as exc:  # raised before any statement for this table ran
            stopped[name] = outcome.stopped[name] = str(exc)
            target.mark_table_stopped(name, str(exc), target.held_position(changes.topic))
            held_back.add(changes.topic)
            continue
        except ApplyError as exc:
            exc.topic = changes.topic
            raise
        outcome.upserted += counts.upserted
        outcome.deleted += counts.deleted
        outcome.tables.append(name)
        outcome.table_stats.append(
            AppliedTable.from_changes(changes, counts.upserted, counts.deleted + counts.truncated)
        )
    return held_back


__all__ = ["BatchOutcome", "Offset", "commit_batch"]
