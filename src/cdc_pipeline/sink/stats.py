"""What the running sink knows about itself, for ``GET /status`` and ``GET /metrics``.

The sink's thread calls :meth:`SinkStats.record_batch` once per committed batch (after the DuckDB commit) and
:meth:`SinkStats.record_error` / :meth:`SinkStats.record_dead_letter` when those happen, and
:meth:`SinkStats.record_retry` while an edge is retried (``retrying`` in ``/status``); the HTTP thread reads
:meth:`SinkStats.snapshot` and the metrics registry. One lock guards the per-table state; the metrics have
their own locks.

Lag in seconds is measured when a batch is applied: commit time minus the source commit time of the latest
change to that table in the batch. An idle table is not behind, so the value is not grown while nothing
arrives (``seconds_since_apply`` says how long it has been quiet).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry

from cdc_pipeline.sink.batch import TableBatch
from cdc_pipeline.sink.retry import Retrying
from cdc_pipeline.sink.sink_metrics import SinkMetrics, render

THROUGHPUT_WINDOW_S = 60.0
OPS = {"c": "create", "u": "update", "d": "delete", "r": "read", "t": "truncate"}


@dataclass(frozen=True)
class AppliedTable:
    """One table's part of one committed batch."""

    source_table: str  # schema.table, as in _cdc.tables
    ops: Mapping[str, int]  # events per Debezium op letter: c, u, d, r, t
    upserted: int = 0
    deleted: int = 0
    last_lsn: int | None = None
    last_source_ts_ms: int | None = None

    @staticmethod
    def from_changes(changes: TableBatch, upserted: int, deleted: int) -> AppliedTable:
        return AppliedTable(
            source_table=f"{changes.source_schema}.{changes.source_table}",
            ops={op: n for op, n in changes.counts.items() if op in OPS},
            upserted=upserted,
            deleted=deleted,
            last_lsn=changes.last_lsn,
            last_source_ts_ms=changes.last_source_ts_ms,
        )


@dataclass
class TableStats:
    """A table's state as ``/status`` shows it (``rows`` is filled in by the server from DuckDB)."""

    source_table: str
    events: dict[str, int] = field(default_factory=dict)
    rows_upserted: int = 0
    rows_deleted: int = 0
    last_lsn: int | None = None
    last_source_ts: str | None = None
    last_applied_at: str | None = None
    lag_seconds: float | None = None
    state: str = "running"
    last_error: str | None = None
    duplicates_skipped: int = 0  # redelivered events at or below the applied source position
    unapplied: int = 0  # keyless updates/deletes without a before-image (not REPLICA IDENTITY FULL)


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="milliseconds")


class SinkStats:
    """Counters of the running sink, shared between the apply loop and the HTTP server."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.m = SinkMetrics(self.registry)
        self._lock = threading.Lock()
        self._tables: dict[str, TableStats] = {}
        self._recent: deque[tuple[float, int]] = deque()
        self._recent_by_table: dict[str, deque[tuple[float, int]]] = {}
        self._started = time.time()
        self._batches = 0
        self._events = 0
        self._duplicates = 0
        self._last_batch_at: float | None = None
        self._last_error: str | None = None
        self._consumer_lag: dict[tuple[str, int], int] = {}
        self._retrying: dict[str, Retrying] = {}
        self._loads: dict[str, dict[str, Any]] = {}  # table -> the fast load's progress (bulk_load.py)
        self.state = "starting"

    def record_load(self, table: str, progress: dict[str, Any]) -> None:
        """The latest progress of ``table``'s load straight from PostgreSQL (any thread)."""
        with self._lock:
            self._loads[table] = dict(progress)

    # -- updates (the sink's thread) -------------------------------------------------------------------

    def record_batch(self, events: int, apply_s: float, tables: Sequence[AppliedTable] = ()) -> None:
        """After a batch committed: ``events`` consumed, ``apply_s`` to apply it, each table's part."""
        now = time.time()
        self.m.batches.inc()
        self.m.batch_size.observe(events)
        self.m.apply.observe(apply_s)
        self.m.last_batch.set(now)
        with self._lock:
            self.state = "running"
            self._batches += 1
            self._events += events
            self._last_batch_at = now
            self._recent.append((now, events))
            for part in tables:
                self._record_table(part, now)

    def _record_table(self, part: AppliedTable, now: float) -> None:
        stats = self._tables.setdefault(part.source_table, TableStats(part.source_table))
        for op, count in part.ops.items():
            stats.events[op] = stats.events.get(op, 0) + count
            self.m.events.labels(part.source_table, OPS.get(op, op)).inc(count)
        self._recent_by_table.setdefault(part.source_table, deque()).append((now, sum(part.ops.values())))
        stats.rows_upserted += part.upserted
        stats.rows_deleted += part.deleted
        self.m.rows.labels(part.source_table, "upsert").inc(part.upserted)
        self.m.rows.labels(part.source_table, "delete").inc(part.deleted)
        stats.last_applied_at = _iso(now)
        if part.last_lsn is not None:
            stats.last_lsn = part.last_lsn
        if part.last_source_ts_ms is not None:
            stats.last_source_ts = _iso(part.last_source_ts_ms / 1000)
            stats.lag_seconds = max(0.0, now - part.last_source_ts_ms / 1000)
            self.m.lag.labels(part.source_table).set(stats.lag_seconds)

    def record_error(self, kind: str, message: str, table: str | None = None) -> None:
        """An error the sink met (``kind``: e.g. ``apply``, ``decode``, ``kafka``, ``schema``)."""
        self.m.errors.labels(kind).inc()
        with self._lock:
            self._last_error = f"{table}: {message}" if table else message
            if table is not None:
                stats = self._tables.setdefault(table, TableStats(table))
                stats.last_error = message

    def record_retry(self, what: str, state: Retrying | None) -> None:
        """An edge (``kafka``, ``duckdb``) failed transiently and is retried (``state``), or recovered
        (None)."""
        if state is None:
            self.m.retrying.labels(what).set(0)
            with self._lock:
                self._retrying.pop(what, None)
            return
        self.m.retrying.labels(what).set(1)
        self.m.retries.labels(what).inc()
        self.m.errors.labels(what).inc()
        with self._lock:
            self._retrying[what] = state
            self._last_error = f"{what}: {state.error}"

    def record_dropped(self, table: str, duplicates: int, unapplied: int) -> None:
        """Events of ``table`` a committed batch consumed but dropped (see ``sink.source.DroppedEvents``)."""
        self.m.duplicates.labels(table).inc(duplicates)
        self.m.unapplied.labels(table).inc(unapplied)
        with self._lock:
            stats = self._tables.setdefault(table, TableStats(table))
            stats.duplicates_skipped += duplicates
            stats.unapplied += unapplied
            self._duplicates += duplicates

    def record_stopped(self, table: str, reason: str) -> None:
        """A table stopped (incompatible schema change): it stays visible with its reason."""
        self.record_error("schema", reason, table)
        with self._lock:
            self._tables[table].state = "stopped"

    def record_dead_letter(self, topic: str, count: int = 1) -> None:
        self.m.dead.labels(topic).inc(count)

    def set_consumer_lag(self, topic: str, partition: int, lag: int) -> None:
        self.m.consumer_lag.labels(topic, str(partition)).set(lag)
        with self._lock:
            self._consumer_lag[(topic, partition)] = lag

    def set_state(self, state: str) -> None:
        """``running``, ``stopping``, ``stopped`` or ``failed``."""
        with self._lock:
            self.state = state

    # -- reads (the HTTP thread) -----------------------------------------------------------------------

    def metrics_text(self) -> bytes:
        """``GET /metrics``: the registry in Prometheus' text format (:data:`METRICS_CONTENT_TYPE`)."""
        return render(self.registry)

    def last_batch_at(self) -> float | None:
        """Unix time of the last committed batch; None before the first."""
        with self._lock:
            return self._last_batch_at

    def events_per_second(self, now: float | None = None, table: str | None = None) -> float:
        """Events per second over the last minute (or since start), of all tables or of ``table``."""
        now = time.time() if now is None else now
        with self._lock:
            recent = self._recent if table is None else self._recent_by_table.get(table, deque())
            while recent and recent[0][0] < now - THROUGHPUT_WINDOW_S:
                recent.popleft()
            total = sum(n for _, n in recent)
        return total / min(THROUGHPUT_WINDOW_S, max(now - self._started, 1.0))

    def snapshot(self) -> dict[str, Any]:
        """Everything ``/status`` returns, as JSON-ready values."""
        now = time.time()
        throughput = self.events_per_second(now)
        with self._lock:
            names = list(self._tables)
        rates = {name: round(self.events_per_second(now, name), 3) for name in names}
        with self._lock:
            tables = [
                {**asdict(t), "events_per_second": rates.get(name, 0.0)}
                for name, t in sorted(self._tables.items())
            ]
            lag = [{"topic": t, "partition": p, "lag": n} for (t, p), n in sorted(self._consumer_lag.items())]
            return {
                "state": self.state,
                "started_at": _iso(self._started),
                "batches": self._batches,
                "events": self._events,
                "duplicates_skipped": self._duplicates,
                "events_per_second": round(throughput, 3),
                "last_batch_at": _iso(self._last_batch_at) if self._last_batch_at else None,
                "seconds_since_apply": round(now - self._last_batch_at, 3) if self._last_batch_at else None,
                "last_error": self._last_error,
                "retrying": [
                    {
                        "what": r.what,
                        "since": _iso(r.since),
                        "seconds": round(max(0.0, now - r.since), 1),
                        "attempt": r.attempt,
                        "error": r.error,
                    }
                    for _, r in sorted(self._retrying.items())
                ],
                "consumer_lag": lag,
                "tables": tables,
                "loads": [dict(p) for _, p in sorted(self._loads.items())],
            }
