"""The sink loop: the commit protocol, in one function, and the loop that repeats it.

Exactly-once rests on one rule: DuckDB holds the truth about what has been applied (``_cdc.offsets``), in the
same transaction as the rows. Kafka's committed offsets are advisory (for lag tools only).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import duckdb
from cdc_pipeline import _core
from cdc_pipeline.errors import CdcError
from cdc_pipeline.sink.admin import AdminQueue
from cdc_pipeline.sink.changes import TableChanges
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.errors import (
    ApplyError,
    BadRecordError,
    TableStopError,
    refuse_bookkeeping_schema,
    retry_hint,
    skip_hint,
)
from cdc_pipeline.sink.merge_guard import refuse_merged_table
from cdc_pipeline.sink.policy import OnError
from cdc_pipeline.sink.retry import Backoff, RetryInterrupted, Terminal, classify, stop_error
from cdc_pipeline.sink.source import BadRecord, Batch, DroppedEvents, Source
from cdc_pipeline.sink.stats import TableBatch

log = logging.getLogger("cdc_pipeline.sink")

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
    table_stats: list[TableBatch] = field(default_factory=list)
    dropped: list[DroppedEvents] = field(default_factory=list)  # duplicates and unappliable keyless changes
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
       ``_cdc.offsets`` holds, so a crash anywhere loses nothing and applies nothing twice.
    """
    batch = source.next_batch()  # 1
    if batch.events == 0 and batch.error is None:
        return None
    started = time.monotonic()
    outcome = BatchOutcome(events=batch.events)
    outcome.dropped = [d for d in batch.dropped if d.table not in stopped]
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
    source.rewind(held_back)
    source.commit(offsets)  # 3
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
    source.start(target.read_offsets(), target.read_positions())
    return BatchOutcome(stopped={error.source: reason}, apply_s=time.monotonic() - started)


def _apply_tables(
    target: DuckDBTarget, tables: Sequence[TableChanges], stopped: dict[str, str], outcome: BatchOutcome
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
            TableBatch.from_changes(changes, counts.upserted, counts.deleted + counts.truncated)
        )
    return held_back


def run(
    source: Source,
    target: DuckDBTarget,
    should_stop: Callable[[], bool],
    on_batch: Callable[[BatchOutcome], None] = lambda _: None,
    *,
    policy: OnError = "stop-table",
    admin: AdminQueue | None = None,
    on_ready: Callable[[], None] = lambda: None,
    table_check_s: float = 30.0,
    backoffs: Mapping[str, Backoff] | None = None,
) -> None:
    """Repeat the protocol until ``should_stop()``; stopped tables stay stopped, the others keep flowing.

    Between batches, requests of `cdc tables ...` (``admin``) run in this thread; after any of them the
    stopped tables are re-read and the source re-seeks every partition to ``_cdc.offsets`` (a resumed table
    starts at its held record, a skipped record is passed, a re-snapshotted table starts at its new offsets).
    Every ``table_check_s`` seconds the tables renamed in PostgreSQL are stopped (their changes no longer
    arrive: :func:`_stop_renamed_tables`).

    Failures (:mod:`.retry`): a transient one of an edge with a ``backoffs`` entry (``kafka``, ``duckdb``)
    ends the transaction (:meth:`DuckDBTarget.abandon`), waits, and the turn starts over exactly as a sink
    restart does: stopped tables and the source's positions re-read from DuckDB, so the batch is read again
    from DuckDB's offsets (nothing applied twice, nothing lost). Past the bound, or for a terminal failure,
    the loop raises one :class:`CdcError` line naming the file or Kafka, the last error and the fix.
    """
    backoffs = backoffs or {}
    stopped: dict[str, str] = {}
    warned: set[str] = set()
    ready = False
    resync = True  # as at a start: read what DuckDB holds
    next_check = time.monotonic() + table_check_s
    while not should_stop():
        try:
            if resync:
                _resync(source, target, stopped)
            outcome = _turn(source, target, stopped, policy, admin, on_batch, next_check <= time.monotonic())
        except RetryInterrupted:
            log.info("stop requested while waiting to retry: stopping at DuckDB's offsets")
            return
        except (CdcError, _core.KafkaError, duckdb.Error) as exc:
            if isinstance(exc, CdcError) and (not isinstance(exc, ApplyError) or _terminal(exc)):
                raise
            if not _retry(exc, target, backoffs, source):
                return
            resync = True
            continue
        resync = False
        for backoff in backoffs.values():
            backoff.succeeded()
        if outcome.checked:
            next_check = time.monotonic() + table_check_s
        if not ready:  # one turn went through: Kafka answered and the first batch (if any) is applied
            ready = True
            on_ready()
        if outcome.batch is not None:
            _report(outcome.batch, warned, on_batch)


def _terminal(exc: ApplyError) -> bool:
    return isinstance(classify(exc), Terminal)


def _report(batch: BatchOutcome, warned: set[str], on_batch: Callable[[BatchOutcome], None]) -> None:
    """A committed batch: its stopped tables logged, unapplied events warned once, the callback told; a bad
    record (policy ``stop``) raises after what came before it was applied."""
    for table, reason in batch.stopped.items():
        log.error("table %s stopped: %s", table, reason)
    _warn_unapplied(batch.dropped, warned)
    on_batch(batch)
    if batch.bad_record is not None:
        raise BadRecordError(batch.bad_record)


@dataclass(frozen=True)
class _Turn:
    batch: BatchOutcome | None
    checked: bool = False  # the renamed-tables check ran


def _turn(  # noqa: PLR0917 (the loop's state, passed explicitly)
    source: Source,
    target: DuckDBTarget,
    stopped: dict[str, str],
    policy: OnError,
    admin: AdminQueue | None,
    on_batch: Callable[[BatchOutcome], None],
    check_renames: bool,
) -> _Turn:
    """One turn of :func:`run`: the renamed-tables check when due, pending admin requests, one batch."""
    if check_renames:
        _stop_renamed_tables(target, stopped, on_batch)
    if admin is not None and admin.run_pending(target):
        _resync(source, target, stopped)
    return _Turn(commit_batch(source, target, stopped, policy), checked=check_renames)


def _resync(source: Source, target: DuckDBTarget, stopped: dict[str, str]) -> None:
    """What a sink start does: the stopped tables and every partition's position from DuckDB."""
    stopped.clear()
    stopped.update(target.stopped_tables())
    source.start(target.read_offsets(), target.read_positions())


def _retry(exc: Exception, target: DuckDBTarget, backoffs: Mapping[str, Backoff], source: Source) -> bool:
    """Wait before the turn starts over (True), or raise the one line that stops the sink (module
    :mod:`.retry`); False when a stop was asked for during the wait."""
    verdict = classify(exc)
    backoff = backoffs.get(verdict.what)
    if isinstance(verdict, Terminal) or backoff is None:
        raise stop_error(verdict, target.path, getattr(source, "bootstrap_servers", "")) from exc
    target.abandon()
    try:
        backoff.wait(exc)
    except RetryInterrupted:
        log.info("stop requested while waiting to retry: stopping at DuckDB's offsets")
        return False
    return True


def _stop_renamed_tables(
    target: DuckDBTarget, stopped: dict[str, str], on_batch: Callable[[BatchOutcome], None]
) -> None:
    """A table renamed by ``ALTER TABLE ... RENAME TO`` sends nothing any more: stop it loudly, with a fix."""
    renamed = {table: reason for table, reason in target.renamed_tables().items() if table not in stopped}
    if not renamed:
        return
    target.begin()
    try:
        for table, reason in renamed.items():
            target.mark_table_stopped(table, reason)
        target.commit()
    except BaseException:
        target.abandon()
        raise
    stopped.update(renamed)
    for table, reason in renamed.items():
        log.error("table %s stopped: %s", table, reason)
    on_batch(BatchOutcome(stopped=renamed))


def _warn_unapplied(dropped: Sequence[DroppedEvents], warned: set[str]) -> None:
    """One warning per table whose updates/deletes cannot be applied (no key, no REPLICA IDENTITY FULL)."""
    for d in dropped:
        if d.unapplied and d.table not in warned:
            warned.add(d.table)
            schema, _, table = d.table.partition(".")
            log.warning(
                "table %s has no primary key and no REPLICA IDENTITY FULL: %d update/delete event(s) "
                "carried no before-image and were not applied (inserts still replicate; the replica may "
                'now differ). Fix: in PostgreSQL run `ALTER TABLE "%s"."%s" REPLICA IDENTITY FULL;`, '
                "then re-snapshot the table",
                d.table,
                d.unapplied,
                schema.replace('"', '""'),
                table.replace('"', '""'),
            )


__all__ = ["Batch", "BatchOutcome", "Offset", "commit_batch", "run"]
