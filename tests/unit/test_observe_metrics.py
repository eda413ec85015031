"""The sink's counters reach ``/status`` and ``/metrics`` (Prometheus text, rendered by prometheus_client)."""

from __future__ import annotations

from cdc_pipeline.sink.sink_metrics import METRICS_CONTENT_TYPE
from cdc_pipeline.sink.stats import AppliedTable, SinkStats
from tests.prometheus_text import parse, sample


def test_sink_stats_feed_status_and_metrics() -> None:
    stats = SinkStats()
    part = AppliedTable(
        "public.users", {"c": 3, "u": 1, "d": 1}, upserted=4, deleted=1, last_lsn=42, last_source_ts_ms=0
    )
    stats.record_batch(5, 0.01, [part])
    stats.record_batch(2, 0.02, [AppliedTable("public.users", {"u": 2}, upserted=2)])
    stats.record_dead_letter("dbserver1.public.users")
    stats.set_consumer_lag("dbserver1.public.users", 0, 7)
    stats.record_stopped("public.orders", "column id changed from integer to text")
    snapshot = stats.snapshot()
    users = next(t for t in snapshot["tables"] if t["source_table"] == "public.users")
    assert (snapshot["batches"], snapshot["events"]) == (2, 7)
    assert users["events"] == {"c": 3, "u": 3, "d": 1}
    assert (users["rows_upserted"], users["rows_deleted"], users["last_lsn"]) == (6, 1, 42)
    assert users["last_source_ts"] == "1970-01-01T00:00:00.000+00:00"
    orders = next(t for t in snapshot["tables"] if t["source_table"] == "public.orders")
    assert orders["state"] == "stopped" and "integer to text" in orders["last_error"]
    assert snapshot["consumer_lag"] == [{"topic": "dbserver1.public.users", "partition": 0, "lag": 7}]
    text = stats.metrics_text().decode()
    metrics = parse(text)
    assert sample(metrics, "cdc_events_applied_total", table="public.users", op="update") == 3
    assert sample(metrics, "cdc_dead_lettered_total", topic="dbserver1.public.users") == 1
    assert sample(metrics, "cdc_consumer_lag_messages", topic="dbserver1.public.users", partition="0") == 7
    assert sample(metrics, "cdc_errors_total", kind="schema") == 1
    assert sample(metrics, "cdc_apply_seconds_count") == 2
    assert sample(metrics, "cdc_batches_total") == 2
    assert sample(metrics, "cdc_apply_seconds_bucket", le="+Inf") == 2, "histogram buckets are cumulative"
    assert "_created" not in text, "no creation-time series"


def test_the_metrics_are_served_in_the_text_format_prometheus_scrapes() -> None:
    assert METRICS_CONTENT_TYPE.startswith("text/plain; version=0.0.4")
    stats = SinkStats()
    stats.record_retry("kafka", None)
    stats.record_error("apply", 'bad "value"\nline two', "public.users")
    metrics = parse(stats.metrics_text().decode())  # the library's parser accepts every line
    assert sample(metrics, "cdc_sink_retrying", what="kafka") == 0
    assert sample(metrics, "cdc_sink_retrying", what="duckdb") == 0, "both edges are shown before any retry"
    assert sample(metrics, "cdc_errors_total", kind="apply") == 1
