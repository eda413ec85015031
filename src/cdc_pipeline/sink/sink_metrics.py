"""The sink's Prometheus metrics (prometheus-client), one registry per sink, rendered at ``GET /metrics``.

Counters end in ``_total`` when rendered (``cdc_events_applied_total``); no ``*_created`` series.
"""

from __future__ import annotations

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from cdc_pipeline.sink.retry import DUCKDB, KAFKA

prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]

METRICS_CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4  # the text format every Prometheus scrapes
# Apply durations and batch sizes span orders of magnitude, so the buckets are roughly logarithmic.
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SIZE_BUCKETS = (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000)


class SinkMetrics:
    """Every metric the sink loop and the lag poller update (the connector's are in its poller)."""

    def __init__(self, r: CollectorRegistry) -> None:
        self.events = Counter("cdc_events_applied", "Change events applied", ("table", "op"), registry=r)
        self.rows = Counter("cdc_rows_applied", "Rows changed in DuckDB", ("table", "action"), registry=r)
        self.batches = Counter("cdc_batches", "Batches committed to DuckDB", registry=r)
        self.batch_size = Histogram(
            "cdc_batch_events", "Events per committed batch", buckets=SIZE_BUCKETS, registry=r
        )
        self.apply = Histogram(
            "cdc_apply_seconds", "Time to apply and commit a batch", buckets=DURATION_BUCKETS, registry=r
        )
        self.lag = Gauge(
            "cdc_lag_seconds", "Source commit to DuckDB commit, latest batch", ("table",), registry=r
        )
        self.consumer_lag = Gauge(
            "cdc_consumer_lag_messages",
            "Kafka high watermark minus next offset",
            ("topic", "partition"),
            registry=r,
        )
        self.errors = Counter("cdc_errors", "Errors by kind", ("kind",), registry=r)
        self.dead = Counter(
            "cdc_dead_lettered", "Records sent to the dead-letter topic", ("topic",), registry=r
        )
        self.duplicates = Counter(
            "cdc_duplicates_skipped",
            "Redelivered events skipped by the source position",
            ("table",),
            registry=r,
        )
        self.unapplied = Counter(
            "cdc_unapplied",
            "Keyless updates/deletes without a before-image, dropped",
            ("table",),
            registry=r,
        )
        self.last_batch = Gauge(
            "cdc_last_batch_timestamp_seconds", "Unix time of the last commit", registry=r
        )
        self.retrying = Gauge(
            "cdc_sink_retrying",
            "1 while the sink retries an edge after a transient failure",
            ("what",),
            registry=r,
        )
        self.retries = Counter("cdc_sink_retries", "Retries after transient failures", ("what",), registry=r)
        for what in (KAFKA, DUCKDB):  # both edges show 0 before any retry
            self.retrying.labels(what).set(0)


def render(registry: CollectorRegistry) -> bytes:
    return prometheus_client.generate_latest(registry)
