"""`cdc sink`: run the commit protocol until SIGINT/SIGTERM, serve reads and metrics, stop on bad input.

Thin I/O around :mod:`cdc_pipeline.sink.loop`: it wires settings to the C++ source and the DuckDB target,
starts the read-only query/metrics/status endpoint (DESIGN: the sink process serves reads itself, on its own
cursors, so nobody is locked out of the file), turns signals into a clean stop (the batch in flight
finishes, DuckDB is checkpointed), and reports progress.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from types import FrameType

from cdc_pipeline.config.settings import SETTINGS_ENV, Settings, settings_from_json
from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.endpoint import sandbox
from cdc_pipeline.observe.endpoint.client import query_limits
from cdc_pipeline.observe.endpoint.server import ObserveServer
from cdc_pipeline.observe.endpoint.token import EndpointToken, ensure_token, token_path
from cdc_pipeline.observe.status.connector_poller import ConnectorHealthPoller
from cdc_pipeline.observe.status.consumer_lag import ConsumerLagPoller
from cdc_pipeline.sink.admin import AdminQueue
from cdc_pipeline.sink.bulk_load import LoadRunner
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.loop import run
from cdc_pipeline.sink.protocol import BatchOutcome
from cdc_pipeline.sink.retry import DUCKDB, KAFKA, Backoff, RetryPolicy
from cdc_pipeline.sink.source import Source
from cdc_pipeline.sink.source_catalog import PostgresCatalog
from cdc_pipeline.sink.stats import SinkStats

log = logging.getLogger("cdc_pipeline.sink")


@dataclass
class Progress:
    """Totals since start, logged at most every ``every_s`` seconds, and fed to the metrics."""

    stats: SinkStats
    every_s: float = 5.0
    events: int = 0
    batches: int = 0
    started: float = field(default_factory=time.monotonic)
    _last_log: float = field(default_factory=time.monotonic)

    def add(self, outcome: BatchOutcome) -> None:
        self.stats.record_batch(outcome.events, outcome.apply_s, outcome.table_stats)
        for table, reason in outcome.stopped.items():
            self.stats.record_stopped(table, reason)
        for dropped in outcome.dropped:
            self.stats.record_dropped(dropped.table, dropped.duplicates, dropped.unapplied)
        for record in outcome.dead_letters:
            self.stats.record_dead_letter(record.topic)
        self.events += outcome.events
        self.batches += 1
        now = time.monotonic()
        if self.batches == 1 or now - self._last_log >= self.every_s:
            self._last_log = now
            rate = self.events / max(now - self.started, 1e-9)
            log.info("applied %d events in %d batches (%.0f events/s)", self.events, self.batches, rate)


class StopFlag:
    """Set by SIGINT/SIGTERM; the loop checks it between batches."""

    def __init__(self) -> None:
        self.stopped = False

    def __call__(self) -> bool:
        return self.stopped

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: finishing the current batch and stopping", signal.Signals(signum).name)
        self.stopped = True


def run_sink(settings: Settings, stop: StopFlag | None = None) -> Progress:
    """Run until stopped; for bad input (policy `stop`) raise after applying what came before it."""
    previous = os.umask(0o077)  # its DuckDB file, WAL and token are private, however it was started
    try:
        return _run_sink(settings, stop or StopFlag())
    finally:
        os.umask(previous)  # an in-process sink (tests) leaves the process as it found it


def _run_sink(settings: Settings, stop: StopFlag) -> Progress:
    if threading.current_thread() is threading.main_thread():  # signals can only be handled there
        signal.signal(signal.SIGTERM, stop.handle)
        signal.signal(signal.SIGINT, stop.handle)
    stats = SinkStats()
    progress = Progress(stats)
    settings.duckdb_file.parent.mkdir(parents=True, exist_ok=True)
    log.info(
        "sink: Kafka %s, prefix %s -> %s",
        settings.bootstrap_servers,
        settings.topic_prefix,
        settings.duckdb_file,
    )
    catalog = PostgresCatalog(settings)  # DDL only: renames and volatile defaults (sink/schema_follow.py)
    with (
        DuckDBTarget(settings.duckdb_file, catalog) as target,
        Source.from_settings(settings, observe=stats.record_retry, interrupted=stop) as source,
    ):
        admin = AdminQueue()
        with target.cursor() as cursor:  # before any reader: no file, URL or extension access, ever
            sandbox.lock_down(cursor, settings.sink_memory_limit)
        server = _start_server(settings, target, stats, admin)
        lag = ConsumerLagPoller(target.cursor, stats, source.end_offsets, interval_s=5.0).start()
        health = ConnectorHealthPoller(settings, stats).start()
        if server is not None:
            server.connector_health = health.latest
        try:
            run(
                source,
                target,
                stop,
                progress.add,
                policy=settings.sink_on_error,
                admin=admin,
                on_ready=lambda: stats.set_state("running"),
                table_check_s=settings.sink_table_check_s,
                backoffs={KAFKA: source.kafka_backoff, DUCKDB: duckdb_backoff(settings, stats, stop)},
            )
        except CdcError as exc:
            stats.record_error("apply", str(exc))
            stats.set_state("failed")
            raise
        finally:
            catalog.close()
            lag.stop()
            health.stop()
            if server is not None:
                server.stop()
    stats.set_state("stopped")
    log.info("sink stopped after %d events", progress.events)
    return progress


def duckdb_backoff(settings: Settings, stats: SinkStats, stop: StopFlag) -> Backoff:
    """Retries of a DuckDB file that cannot be written for a moment (disk full, I/O error)."""
    path = settings.duckdb_file
    return Backoff(
        DUCKDB,
        RetryPolicy(settings.sink_retry_base_s, settings.sink_retry_max_s, settings.sink_duckdb_retry_s),
        label=f"writing DuckDB file {path}",
        setting="SINK_DUCKDB_RETRY_S",
        fix=f"nothing of the failed batch was applied: free space on {path.parent}'s disk or fix its "
        "permissions, then start the sink again (`cdc up`); it resumes at DuckDB's offsets",
        observe=stats.record_retry,
        interrupted=stop,
    )


def _start_server(
    settings: Settings, target: DuckDBTarget, stats: SinkStats, admin: AdminQueue
) -> ObserveServer | None:
    if not settings.sink_http_port:
        return None
    path = token_path(settings.state_dir)
    token = EndpointToken(ensure_token(path), path)
    try:
        server = ObserveServer(
            target.cursor,
            stats,
            port=settings.sink_http_port,
            limits=query_limits(settings),
            token=token,
            host=settings.sink_http_host,
            admin=admin,
            loads=LoadRunner(settings, target.cursor, admin, stats),
        ).start()
    except OSError as exc:
        where = f"{settings.sink_http_host}:{settings.sink_http_port}"
        raise CdcError(
            f"the sink's endpoint cannot listen on {where} ({exc.strerror})",
            "set SINK_HTTP_PORT in .env (or CDC_SINK_HTTP_PORT) to a free port, or 0 to turn it off; "
            "SINK_HTTP_HOST to an address of this machine",
        ) from exc
    return server


def configure_logging() -> None:
    """The sink's log lines (stdout, which `cdc up` appends to sink.log)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main() -> int:
    """The detached sink `cdc up` starts: the settings come whole in :data:`SETTINGS_ENV`."""
    configure_logging()
    text = os.environ.pop(SETTINGS_ENV, "")
    if not text:
        log.error("no settings in %s: start the sink with `cdc up` or `cdc sink`", SETTINGS_ENV)
        return 2
    try:
        run_sink(settings_from_json(text))
    except CdcError as exc:
        log.error("%s", exc)  # one line; the state and reason are in /status and `cdc status`
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
