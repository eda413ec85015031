"""The sink loop: repeats the commit protocol (:mod:`.protocol`) until asked to stop; runs `cdc tables`
requests between batches, stops renamed tables, retries transient failures and stops in one line otherwise.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import duckdb
from cdc_pipeline import _core
from cdc_pipeline.errors import CdcError
from cdc_pipeline.sink.admin import AdminQueue
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.errors import (
    ApplyError,
    BadRecordError,
)
from cdc_pipeline.sink.policy import OnError
from cdc_pipeline.sink.protocol import BatchOutcome, commit_batch
from cdc_pipeline.sink.retry import Backoff, RetryInterrupted, Terminal, classify, stop_error
from cdc_pipeline.sink.source import BadRecord, DroppedEvents, Source

log = logging.getLogger("cdc_pipeline.sink")


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
            _report(outcome.batch, warned, on_batch, source.table_of_topic)


def _terminal(exc: ApplyError) -> bool:
    return isinstance(classify(exc), Terminal)


def _report(
    batch: BatchOutcome,
    warned: set[str],
    on_batch: Callable[[BatchOutcome], None],
    table_of_topic: Callable[[str], str],
) -> None:
    """A committed batch: its stopped tables logged, unapplied events warned once, the callback told; a bad
    record (policy ``stop``) raises after what came before it was applied."""
    for table, reason in batch.stopped.items():
        log.error("table %s stopped: %s", table, reason)
    _warn_unapplied(batch.dropped, warned)
    _log_dead_letters(batch.dead_letters, table_of_topic)
    on_batch(batch)
    if batch.bad_record is not None:
        raise BadRecordError(batch.bad_record)


@dataclass(frozen=True)
class _Turn:
    batch: BatchOutcome | None
    checked: bool = False  # the renamed-tables and refused-columns check ran


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
    source.start(target.read_offsets(), target.read_positions(), target.read_loaded())


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
    """A table renamed by ``ALTER TABLE ... RENAME TO`` sends nothing any more, and a column of a refused type
    added to a running table is dropped by Debezium or sent as NULL: stop either loudly, with a fix."""
    found = target.renamed_tables() | target.refused_tables()
    renamed = {table: reason for table, reason in found.items() if table not in stopped}
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


DEAD_LETTER_LINES = 20  # per batch: a burst of bad records is summed up after these


def _log_dead_letters(records: Sequence[BadRecord], table_of_topic: Callable[[str], str]) -> None:
    """One line per record the policy ``dead-letter`` sent away, with its reason and the way back."""
    for record in records[:DEAD_LETTER_LINES]:
        table = record.table or table_of_topic(record.topic)
        log.warning(
            "dead-lettered topic %s partition %d offset %d of table %s: %s; list them with "
            "`cdc dead-letter list`, and after fixing the cause `cdc dead-letter replay --table %s`",
            record.topic,
            record.partition,
            record.offset,
            table,
            record.reason,
            table,
        )
    if len(records) > DEAD_LETTER_LINES:
        log.warning(
            "dead-lettered %d more record(s) in this batch (`cdc dead-letter list` shows them all)",
            len(records) - DEAD_LETTER_LINES,
        )


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
                "then re-snapshot it: give it `key_columns` in the pipeline (Debezium's incremental "
                "snapshot needs a key), `cdc connectors apply`, `cdc tables resnapshot %s`",
                d.table,
                d.unapplied,
                schema.replace('"', '""'),
                table.replace('"', '""'),
                d.table,
            )


__all__ = ["BatchOutcome", "run"]
