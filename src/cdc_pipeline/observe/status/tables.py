"""Per-table replication status for `cdc status`, built from plain values (no I/O here).

Two sources give the same :class:`TableStatus`: the running sink's ``GET /status`` payload, or, when no sink
answers, DuckDB's ``_cdc.tables`` read from the file (plus Kafka's high watermarks against ``_cdc.offsets``).

"Seconds behind the source" is 0 once the sink has applied every message Kafka holds for the table (consumer
lag 0). While messages wait, it is the age of the newest change applied (now minus its source commit time),
never less than the lag the sink measured when it applied it: the changes still waiting were committed after
that one, so the replica is at most that far behind. With the consumer lag unknown, it is the sink's
measured value, or nothing.

A table's state is the sink's word about it, so it is never ``running`` while the sink is not: with the sink
stopped, failed or not answering a running table shows ``sink-down`` (or ``sink-starting``,
``sink-stopping``, ``unknown``); a stopped table keeps ``stopped``, its own more precise reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from cdc_pipeline.observe.status.replica_tables import ReplicaTable

TopicLag = tuple[str, int, int]  # topic, partition, messages not yet applied


@dataclass(frozen=True)
class TableStatus:
    """One replicated table: where it stands, how far behind, how fast, and what went wrong."""

    source_table: str  # schema.table in PostgreSQL
    target_table: str = ""
    rows: int | None = None  # None: the DuckDB table does not exist (yet)
    last_lsn: int | None = None  # source LSN of the last applied change
    last_source_ts: str | None = None  # its commit time in PostgreSQL
    last_applied_at: str | None = None
    consumer_lag: int | None = None  # Kafka messages of this table not applied yet; None: unknown
    lag_seconds: float | None = None  # seconds behind the source (module docstring)
    events_per_second: float | None = None  # over the last minute; None when no sink runs
    events: dict[str, int] = field(default_factory=dict)  # applied since the sink started, by op letter (> 0)
    state: str = "running"  # running | stopped | sink-down | sink-starting | sink-stopping | unknown
    last_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "last_lsn_text": lsn_text(self.last_lsn)}


@dataclass(frozen=True)
class SinkState:
    """The sink's own state, and where the table figures came from (``via``)."""

    state: str  # running | starting | stopping | stopped | failed | unknown
    via: str = ""
    last_error: str | None = None
    events_per_second: float | None = None
    last_batch_at: str | None = None
    note: str = ""  # why there are no table figures, when there are none
    retrying: tuple[str, ...] = ()  # "kafka for 12 s (attempt 4): <error>", one per edge being retried
    loads: tuple[str, ...] = ()  # "loading public.t from PostgreSQL: ...", one per load this sink ran

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


SINK_DOWN = "sink-down"
_TABLE_STATE_WHEN = {
    "starting": "sink-starting",
    "stopping": "sink-stopping",
    "unknown": "unknown",
    "unreachable": "unknown",
}


def shown_state(table_state: str | None, sink_state: str) -> str:
    """What a table's state means given the sink's state (module docstring)."""
    state = table_state or "running"
    if state != "running" or sink_state == "running":
        return state
    return _TABLE_STATE_WHEN.get(sink_state, SINK_DOWN)


def lsn_text(lsn: int | None) -> str | None:
    """PostgreSQL's spelling of an LSN (``16/B374D848``), as ``pg_current_wal_lsn()`` shows it."""
    return None if lsn is None else f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


def table_lag(source_table: str, lags: Iterable[TopicLag]) -> int | None:
    """Summed over the partitions of the table's topic ``<prefix>.<schema>.<table>``; None if none known."""
    known = [n for topic, _, n in lags if topic == source_table or topic.endswith(f".{source_table}")]
    return sum(known) if known else None


def seconds_behind(
    consumer_lag: int | None, measured: float | None, last_source_ts: str | None, now: datetime
) -> float | None:
    if consumer_lag == 0:
        return 0.0
    if consumer_lag is None or last_source_ts is None:
        return measured
    try:
        age = (now - datetime.fromisoformat(last_source_ts)).total_seconds()
    except (ValueError, TypeError):  # unparsable text, or a naive timestamp
        return measured
    return round(max(age, measured or 0.0, 0.0), 3)


def retrying_text(entry: Mapping[str, Any]) -> str:
    """One edge the sink retries, from ``/status``: ``kafka for 12 s (attempt 4): <last error>``."""
    return (
        f"{entry.get('what', '?')} for {float(entry.get('seconds') or 0):.0f} s "
        f"(attempt {entry.get('attempt', '?')}): {entry.get('error', '')}"
    )


def load_text(load: Mapping[str, Any]) -> str:
    """One load straight from PostgreSQL (sink/bulk_load.py) as `cdc status` shows it."""
    rows, estimate = int(load.get("rows") or 0), int(load.get("estimated_rows") or 0)
    of = f"/{estimate:,}" if estimate and load.get("state") == "loading" else ""
    text = f"{load.get('state')} {load.get('table')} from PostgreSQL: {rows:,}{of} rows"
    text += f", {float(load.get('rows_per_second') or 0):,.0f} rows/s"
    if load.get("eta_seconds") is not None:
        text += f", ETA {float(load['eta_seconds']):,.0f} s"
    if load.get("error"):
        text += f"; {load['error']}"
    return text


def from_endpoint(payload: Mapping[str, Any], via: str, now: datetime) -> tuple[SinkState, list[TableStatus]]:
    """The sink's ``GET /status`` answer (see :mod:`cdc_pipeline.observe.endpoint.server`)."""
    lags = [(str(x["topic"]), int(x["partition"]), int(x["lag"])) for x in payload.get("consumer_lag", [])]
    sink = SinkState(
        state=str(payload.get("state", "unknown")),
        via=via,
        last_error=payload.get("last_error"),
        events_per_second=payload.get("events_per_second"),
        last_batch_at=payload.get("last_batch_at"),
        retrying=tuple(retrying_text(r) for r in payload.get("retrying") or [] if isinstance(r, Mapping)),
        loads=tuple(load_text(p) for p in payload.get("loads") or [] if isinstance(p, Mapping)),
    )
    tables = []
    for t in payload.get("tables", []):
        name = str(t["source_table"])
        lag = table_lag(name, lags)
        tables.append(
            TableStatus(
                source_table=name,
                target_table=str(t.get("target_table") or ""),
                rows=t.get("rows"),
                last_lsn=t.get("last_lsn"),
                last_source_ts=t.get("last_source_ts"),
                last_applied_at=t.get("last_applied_at"),
                consumer_lag=lag,
                lag_seconds=seconds_behind(lag, t.get("lag_seconds"), t.get("last_source_ts"), now),
                events_per_second=t.get("events_per_second", 0.0),
                events={op: int(n) for op, n in (t.get("events") or {}).items() if n},
                state=shown_state(t.get("state"), sink.state),
                last_error=t.get("last_error"),
            )
        )
    return sink, tables


def from_replica(
    stored: Iterable[ReplicaTable], lags: Iterable[TopicLag], now: datetime, sink_state: str = "stopped"
) -> list[TableStatus]:
    """``_cdc.tables`` read from the file (so no sink holds it); ``lags`` from Kafka, empty when unknown."""
    lags = list(lags)
    statuses = []
    for t in stored:
        lag = table_lag(t.source_table, lags)
        statuses.append(
            TableStatus(
                source_table=t.source_table,
                target_table=t.target_table,
                rows=t.rows,
                last_lsn=t.last_lsn,
                last_source_ts=t.last_source_ts,
                last_applied_at=t.last_applied_at,
                consumer_lag=lag,
                lag_seconds=seconds_behind(lag, None, t.last_source_ts, now),
                state=shown_state(t.state, sink_state),
                last_error=t.last_error,
            )
        )
    return statuses


def last_error_in_log(lines: Iterable[str]) -> str | None:
    """The last error line of the sink's latest run in its log (a clean stop or a new start clears it)."""
    last: str | None = None
    for line in lines:
        text = line.strip()
        if "sink stopped after" in text or "sink: Kafka " in text:  # runner.py's stop and start lines
            last = None
        elif text.startswith("error:") or " ERROR " in text or " CRITICAL " in text:
            last = text
    return last
