"""The metrics registry's Prometheus text, line for line."""

from __future__ import annotations

import pytest

from cdc_pipeline.sink.metrics import Registry, escape_label, format_value
from cdc_pipeline.sink.stats import SinkStats, TableBatch

pytestmark = pytest.mark.unit


def test_counter_gauge_and_histogram_render_in_the_exposition_format() -> None:
    registry = Registry()
    events = registry.counter("cdc_events_total", "Events applied", ("table", "op"))
    lag = registry.gauge("cdc_lag_seconds", "Lag")
    sizes = registry.histogram("cdc_batch_events", "Batch size", (1, 10))
    events.inc(3, "public.users", "create")
    events.inc(2, "public.users", "create")
    events.inc(1, "public.orders", "delete")
    lag.set(0.25)
    for value in (1, 5, 50):
        sizes.observe(value)
    assert registry.render() == (
        "# HELP cdc_events_total Events applied\n"
        "# TYPE cdc_events_total counter\n"
        'cdc_events_total{table="public.orders",op="delete"} 1\n'
        'cdc_events_total{table="public.users",op="create"} 5\n'
        "# HELP cdc_lag_seconds Lag\n"
        "# TYPE cdc_lag_seconds gauge\n"
        "cdc_lag_seconds 0.25\n"
        "# HELP cdc_batch_events Batch size\n"
        "# TYPE cdc_batch_events histogram\n"
        'cdc_batch_events_bucket{le="1"} 1\n'
        'cdc_batch_events_bucket{le="10"} 2\n'
        'cdc_batch_events_bucket{le="+Inf"} 3\n'
        "cdc_batch_events_sum 56\n"
        "cdc_batch_events_count 3\n"
    )


def test_label_values_are_escaped() -> None:
    assert escape_label('a "b"\\c\nd') == 'a \\"b\\"\\\\c\\nd'


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "1"), (0.5, "0.5"), (float("inf"), "+Inf"), (float("-inf"), "-Inf"), (1e20, "1e+20")],
)
def test_values_are_formatted_as_prometheus_reads_them(value: float, text: str) -> None:
    assert format_value(value) == text


def test_counters_refuse_to_go_down_and_labels_must_match() -> None:
    counter = Registry().counter("c_total", "c", ("a",))
    with pytest.raises(ValueError, match="cannot decrease"):
        counter.inc(-1, "x")
    with pytest.raises(ValueError, match="takes labels"):
        counter.inc(1)


def test_a_metric_name_is_registered_once() -> None:
    registry = Registry()
    registry.counter("x_total", "x")
    with pytest.raises(ValueError, match="already registered"):
        registry.gauge("x_total", "x")


def test_sink_stats_feed_status_and_metrics() -> None:
    stats = SinkStats()
    part = TableBatch(
        "public.users", {"c": 3, "u": 1, "d": 1}, upserted=4, deleted=1, last_lsn=42, last_source_ts_ms=0
    )
    stats.record_batch(5, 0.01, [part])
    stats.record_batch(2, 0.02, [TableBatch("public.users", {"u": 2}, upserted=2)])
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
    text = stats.registry.render()
    assert 'cdc_events_applied_total{table="public.users",op="update"} 3' in text
    assert 'cdc_dead_lettered_total{topic="dbserver1.public.users"} 1' in text
    assert 'cdc_consumer_lag_messages{topic="dbserver1.public.users",partition="0"} 7' in text
    assert 'cdc_errors_total{kind="schema"} 1' in text
    assert "cdc_apply_seconds_count 2" in text
    assert "cdc_batches_total 2" in text
