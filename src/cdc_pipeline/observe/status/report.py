"""What `cdc status` reports: each stack component and connector, the sink, and each replicated table.

The table figures come from the running sink's ``GET /status`` when it answers; otherwise from ``_cdc.tables``
in the DuckDB file opened read-only (with the consumer lag asked from Kafka when it runs). DuckDB lets no
other process open a file the sink holds, so the file is only read when the endpoint does not answer.

The configured connector row tells whether it streams (:mod:`cdc_pipeline.observe.status.connector_health`):
the sink samples the slot and publishes its verdict in ``/status``; without a sink, one look gives the slot
lag in bytes and Connect's state. A ``STALLED`` (or ``FAILED``) connector makes ``all_running`` false.
"""

from __future__ import annotations

from collections import deque
from contextlib import closing
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.errors import CdcError, ConnectError
from cdc_pipeline.observe.endpoint.client import (
    QueryError,
    endpoint_headers,
    endpoint_url,
    open_read_only,
    query_limits,
)
from cdc_pipeline.observe.status.connector_health import ConnectorHealth
from cdc_pipeline.observe.status.connector_poller import look_once
from cdc_pipeline.observe.status.replica_tables import replica_tables
from cdc_pipeline.observe.status.tables import (
    SinkState,
    TableStatus,
    TopicLag,
    from_endpoint,
    from_replica,
    last_error_in_log,
)
from cdc_pipeline.sink.bookkeeping import READ_OFFSETS
from cdc_pipeline.stack import stack

WATERMARK_TIMEOUT_MS = 2000
_STATES = {"RUNNING": "running", "FAILED": "failed", "STOPPED": "stopped"}  # stack row -> sink state
LOG_TAIL_LINES = 200


@dataclass(frozen=True)
class Row:
    """One line of the status table: a component or a connector."""

    name: str
    state: str
    detail: str = ""
    port: int | None = None
    pid: int | None = None
    log_file: str | None = None


@dataclass(frozen=True)
class StatusReport:
    """``rows``: components and connectors (``all_running`` is about them); ``sink`` and ``tables``: data."""

    rows: list[Row] = field(default_factory=list)
    sink: SinkState | None = None
    tables: list[TableStatus] = field(default_factory=list)
    connectors: list[ConnectorHealth] = field(default_factory=list)

    @property
    def all_running(self) -> bool:
        return bool(self.rows) and all(r.state == "RUNNING" for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "all_running": self.all_running,
            "rows": [asdict(r) for r in self.rows],
            "sink": None if self.sink is None else self.sink.to_json(),
            "tables": [t.to_json() for t in self.tables],
            "connectors": [c.to_json() for c in self.connectors],
        }


def collect_status(settings: Settings) -> StatusReport:
    """Stack components, the configured connector (when Connect answers), the sink and its tables."""
    report = stack.status(settings)
    rows = [
        Row(c.name, c.state, "" if c.state == "RUNNING" else c.detail, c.port, c.pid, _shown(c.log_file))
        for c in report
    ]
    states = {r.name: r.state for r in rows}
    payload = _sink_status(settings) if settings.sink_http_port else None
    health = _health(settings, payload, states)
    if states.get("connect") == "RUNNING":
        rows.extend(with_health(_connector_rows(settings), health))
    sink_log = next((c.log_file for c in report if c.name == "sink"), None)
    sink, tables = _replication(settings, states, sink_log, payload)
    return StatusReport(rows=rows, sink=sink, tables=tables, connectors=[] if health is None else [health])


def _health(
    settings: Settings, payload: dict[str, Any] | None, states: dict[str, str]
) -> ConnectorHealth | None:
    """The sink's verdict on its connector when it answers, else one look (when PostgreSQL runs)."""
    published = (payload or {}).get("connectors") or []
    for item in published:
        if isinstance(item, dict) and item.get("connector") == settings.connector_name:
            return ConnectorHealth.from_json(item)
    if states.get("postgres") != "RUNNING" and states.get("connect") != "RUNNING":
        return None
    return look_once(settings)


def with_health(rows: list[Row], health: ConnectorHealth | None) -> list[Row]:
    """The configured connector's row takes the health verdict (STALLED, lag, retries)."""
    if health is None:
        return rows
    name = f"connector {health.connector}"
    shown = []
    for row in rows:
        if row.name != name or (health.state == "ABSENT" and row.state != "ABSENT"):
            # (a sink's verdict from before the connector was registered: Connect's own word is newer)
            shown.append(row)
            continue
        state = row.state if health.state in {"UNKNOWN", "ABSENT"} else health.state
        shown.append(replace(row, state=state, detail=health_detail(health, row.detail)))
    return shown


def health_detail(health: ConnectorHealth, tasks: str) -> str:
    """``task 0 RUNNING; slot lag 1.2 MB / 35 s; retrying (3); STALLED: reason; last error: ...``."""
    parts = [tasks]
    if health.lag_bytes is not None:
        seconds = "" if health.lag_seconds is None else f" / {health.lag_seconds:g} s"
        parts.append(f"slot {health.slot} lag {health.lag_bytes} B{seconds}")
    if health.retrying:
        parts.append(f"retrying (restart {health.retries})")
    if health.reason and health.state != "RUNNING":
        parts.append(f"{health.state}: {health.reason}")
    if health.last_error and (health.retrying or health.state != "RUNNING"):
        parts.append(f"last error: {health.last_error}")
    if health.fix and health.state != "RUNNING":
        parts.append(f"fix: {health.fix}")
    return "; ".join(parts)


def _replication(
    settings: Settings, states: dict[str, str], sink_log: Path | None, payload: dict[str, Any] | None
) -> tuple[SinkState, list[TableStatus]]:
    """From the sink's endpoint when it answers, else from the DuckDB file (which may not exist yet)."""
    now = datetime.now(UTC)
    url = endpoint_url(settings)
    if payload is not None:
        return from_endpoint(payload, f"the sink's endpoint {url}", now)
    stack_state = _STATES.get(states.get("sink", ""), "unknown")
    if stack_state == "running" and settings.sink_http_port:
        stack_state = "unreachable"  # the process runs but its endpoint does not answer
    sink = SinkState(stack_state, last_error=_last_log_error(sink_log))
    path = settings.duckdb_file
    if not path.is_file():
        return replace(sink, note=f"no DuckDB file at {path} yet: the sink has not applied anything"), []
    try:
        replica = open_read_only(path, query_limits(settings))
    except QueryError as exc:
        return replace(sink, note=str(exc)), []
    with closing(replica.conn) as conn:
        stored = replica_tables(conn.cursor(), with_rows=True)
        offsets = conn.execute(READ_OFFSETS).fetchall() if stored else []
    lags = _kafka_lags(settings, offsets) if states.get("kafka") == "RUNNING" else []
    sink = replace(sink, via=replica.via, note="" if stored else f"{path} has no replicated table yet")
    return sink, from_replica(stored, lags, now, sink.state)


def _sink_status(settings: Settings) -> dict[str, Any] | None:
    """The sink's ``GET /status``; None when it does not answer; an error when it refuses our token."""
    url = endpoint_url(settings)
    try:
        response = httpx.get(f"{url}/status", headers=endpoint_headers(settings), timeout=2.0)
        payload = response.json() if response.status_code in {200, 401} else None
    except (httpx.HTTPError, ValueError):
        return None
    if response.status_code == 401:
        reason = payload.get("error", "unauthorized") if isinstance(payload, dict) else "unauthorized"
        raise CdcError(f"the sink at {url} refused `cdc status`: {reason}")
    return payload if isinstance(payload, dict) else None


def _kafka_lags(settings: Settings, offsets: list[tuple[Any, ...]]) -> list[TopicLag]:
    """End offset minus DuckDB's next offset per partition; empty when Kafka cannot be asked."""
    from cdc_pipeline import _core  # noqa: PLC0415 (the C++ extension; only needed here)

    watermarks = getattr(_core, "query_watermarks", None)
    if watermarks is None:
        return []
    lags: list[TopicLag] = []
    for topic, partition, next_offset in offsets:
        try:
            _low, high = watermarks(settings.bootstrap_servers, topic, partition, WATERMARK_TIMEOUT_MS)
        except RuntimeError:  # _core.KafkaError: the lag stays unknown
            continue
        lags.append((str(topic), int(partition), max(0, int(high) - int(next_offset))))
    return lags


def _last_log_error(log_file: Path | None) -> str | None:
    if log_file is None or not log_file.is_file():
        return None
    with log_file.open(encoding="utf-8", errors="replace") as f:
        return last_error_in_log(deque(f, maxlen=LOG_TAIL_LINES))


def _shown(path: Path | None) -> str | None:
    """Paths under the working directory are shown relative to it, so the table stays readable."""
    if path is None:
        return None
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _connector_rows(settings: Settings) -> list[Row]:
    try:
        with ConnectClient(settings.connect_url, retry_for_s=5) as client:
            names = client.connectors()
            rows = []
            for name in sorted(names):
                state = client.status(name)
                if state is None:
                    continue
                tasks = ", ".join(f"task {t.id} {t.state}" for t in state.tasks) or "no tasks yet"
                shown = "RUNNING" if state.running else ("FAILED" if "FAILED" in tasks else state.state)
                rows.append(Row(f"connector {name}", shown, tasks))
    except ConnectError as exc:
        return [Row("connectors", "UNKNOWN", str(exc))]
    if settings.connector_name not in names:
        rows.append(
            Row(f"connector {settings.connector_name}", "ABSENT", "not registered (`cdc up --sample`)")
        )
    return rows
