"""The I/O around :mod:`cdc_pipeline.observe.status.connector_health`: one look at Connect, slot and log.

The running sink samples its connector every ``interval_s`` on a thread of its own (the history is what
makes "stuck for 60 s" and "lag in seconds" measurable), publishes the verdict in ``GET /status`` and the
gauges in ``GET /metrics``. `cdc status` without a running sink takes a single look (:func:`look_once`):
lag in bytes and Connect's state, but no stall verdict and no lag in seconds (one sample has no history).
Every failure to ask is a note in the answer, never an exception: health reporting never stops the sink.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from prometheus_client import Gauge

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors import slots
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef, included_patterns, pattern_table, slot_name
from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.status.connect_log import retry_facts
from cdc_pipeline.observe.status.connector_health import (
    ConnectFacts,
    ConnectorHealth,
    SlotSample,
    assess,
)
from cdc_pipeline.sink.stats import SinkStats

log = logging.getLogger("cdc_pipeline.observe")
LOG_TAIL_BYTES = 512 * 1024
HISTORY_S = 3600.0


def connect_log(settings: Settings) -> Path:
    return settings.state_dir / "logs" / "connect.log"


def log_tail(path: Path, max_bytes: int = LOG_TAIL_BYTES) -> list[str]:
    """The last ``max_bytes`` of a log as lines (the first, likely partial, line dropped); [] if absent."""
    try:
        with path.open("rb") as f:
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - max_bytes))
            data = f.read()
    except OSError:
        return []
    lines = data.decode("utf-8", errors="replace").splitlines()
    return lines[1:] if size > max_bytes else lines


def captured_tables(config: dict[str, str]) -> list[TableRef]:
    """The tables of a stored config's ``table.include.list`` as model.py writes them; a whole schema
    (``schema.*``) and a hand-written regular expression are left out."""
    found = (pattern_table(p) for p in sorted(included_patterns(config)))
    return [t for t in found if t is not None and not t.is_whole_schema]


def connect_facts(settings: Settings) -> tuple[ConnectFacts | None, list[TableRef], str | None]:
    """Connect's view of the settings' connector and its tables; (None, [], why) when Connect is silent."""
    name = settings.connector_name
    try:
        with ConnectClient(settings.connect_url, timeout_s=3.0, retry_for_s=0.0) as client:
            state = client.status(name)
            stored = (client.get_config(name) or {}) if state is not None else {}
    except CdcError as exc:
        return None, [], str(exc)
    slot = stored.get("slot.name") or settings.debezium.get("slot.name") or slot_name(settings)
    if state is None:
        return ConnectFacts(name, slot, None), [], None
    failed = next((t.trace for t in state.tasks if t.trace), None) or state.trace
    facts = ConnectFacts(name, slot, state.state, tuple(t.state for t in state.tasks), failed)
    return facts, captured_tables(stored), None


def slot_sample(
    settings: Settings, slot: str, tables: list[TableRef]
) -> tuple[SlotSample | None, str | None]:
    try:
        seen = slots.slot_replication(settings, slot, tables)
    except CdcError as exc:
        return None, str(exc)
    return (
        SlotSample(
            at=time.time(),
            wal_lsn=seen.wal_lsn,
            confirmed_lsn=seen.confirmed_flush_lsn if seen.exists else None,
            active=seen.active,
            active_pid=seen.active_pid,
            holder=seen.holder,
            changes=seen.table_changes,
        ),
        None,
    )


def look(
    settings: Settings, history: Sequence[SlotSample] = (), last_arrival: float | None = None
) -> tuple[ConnectorHealth, SlotSample | None]:
    """One look at Connect, the slot and the log, judged with the earlier ``history`` and the time the sink
    last applied events (``last_arrival``, unix seconds)."""
    connect, tables, connect_error = connect_facts(settings)
    slot = connect.slot if connect else settings.debezium.get("slot.name") or slot_name(settings)
    sample, slot_error = slot_sample(settings, slot, tables)
    samples = [*history, sample] if sample is not None else []  # no fresh look: no verdict on old ones
    retry = retry_facts(log_tail(connect_log(settings)), settings.connector_name)
    notes = [n for n in (connect_error, slot_error) if n]
    now = time.time()
    if connect is None:  # the slot's figures still count; the state is unknown
        facts = ConnectFacts(settings.connector_name, slot, "RUNNING", ("RUNNING",))
        judged = assess(facts, samples, retry, now, settings.connector_stall_s, last_arrival=last_arrival)
        health = replace(judged, state="UNKNOWN", connect_state=None, reason=connect_error)
    else:
        health = assess(connect, samples, retry, now, settings.connector_stall_s, last_arrival=last_arrival)
    health.notes.extend(notes)
    return health, sample


def look_once(settings: Settings) -> ConnectorHealth:
    """A single look (no history): `cdc status` when the sink does not answer."""
    health, _ = look(settings)
    health.notes.append("stall detection and lag in seconds need the running sink (it samples every 5 s)")
    return health


class ConnectorHealthPoller:
    """``start()`` / ``stop()``; a look every ``interval_s``, gauges in the sink's registry; ``latest()``."""

    def __init__(self, settings: Settings, stats: SinkStats, interval_s: float = 5.0) -> None:
        self.settings = settings
        self.stats = stats
        registry = stats.registry
        self.interval_s = interval_s
        self._samples: deque[SlotSample] = deque(maxlen=int(HISTORY_S / interval_s) + 1)
        self._latest: ConnectorHealth | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cdc-connector-health", daemon=True)
        labels = ("connector", "slot")
        self.m_lag_bytes = Gauge(
            "cdc_slot_lag_bytes",
            "pg_current_wal_lsn() minus the slot's confirmed_flush_lsn",
            labels,
            registry=registry,
        )
        self.m_lag_seconds = Gauge(
            "cdc_slot_lag_seconds",
            "Age of the oldest WAL the connector has not confirmed",
            labels,
            registry=registry,
        )
        self.m_retrying = Gauge(
            "cdc_connector_retrying",
            "1 while the task is in Debezium's retriable-restart loop",
            labels,
            registry=registry,
        )
        self.m_retries = Gauge(
            "cdc_connector_retries",
            "Retriable restarts since the task last started streaming",
            labels,
            registry=registry,
        )
        self.m_stalled = Gauge(
            "cdc_connector_stalled",
            "1 when Connect says RUNNING but nothing streams",
            labels,
            registry=registry,
        )
        self.m_up = Gauge(
            "cdc_connector_up", "1 when the connector really streams", labels, registry=registry
        )

    def start(self) -> ConnectorHealthPoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)

    def latest(self) -> ConnectorHealth | None:
        with self._lock:
            return self._latest

    def _run(self) -> None:
        while True:
            try:
                self.poll_once()
            except Exception:  # health reporting must never stop the sink
                log.exception("connector health of %s", self.settings.connector_name)
            if self._stop.wait(self.interval_s):
                return

    def poll_once(self) -> ConnectorHealth:
        health, sample = look(self.settings, list(self._samples), self.stats.last_batch_at())
        if sample is not None:
            self._samples.append(sample)
        labels = (health.connector, health.slot)
        for gauge, value in ((self.m_lag_bytes, health.lag_bytes), (self.m_lag_seconds, health.lag_seconds)):
            if value is None:  # unknown now: no stale value left behind
                with contextlib.suppress(KeyError):
                    gauge.remove(*labels)
            else:
                gauge.labels(*labels).set(value)
        self.m_retrying.labels(*labels).set(1 if health.retrying else 0)
        self.m_retries.labels(*labels).set(health.retries)
        self.m_stalled.labels(*labels).set(1 if health.state == "STALLED" else 0)
        self.m_up.labels(*labels).set(1 if health.healthy else 0)
        with self._lock:
            self._latest = health
        return health
