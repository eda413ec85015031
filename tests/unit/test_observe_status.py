"""`cdc status` per table: built from the sink's /status payload or from _cdc.tables, and rendered."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from rich.console import Console

from cdc_pipeline.cli.status import status_view
from cdc_pipeline.observe.status.replica_tables import ReplicaTable
from cdc_pipeline.observe.status.report import Row, StatusReport
from cdc_pipeline.observe.status.tables import (
    SinkState,
    TableStatus,
    from_endpoint,
    from_replica,
    last_error_in_log,
    lsn_text,
    seconds_behind,
    table_lag,
)
from cdc_pipeline.sink.retry import Retrying
from cdc_pipeline.sink.stats import AppliedTable, SinkStats

NOW = datetime(2024, 5, 1, 12, 0, 10, tzinfo=UTC)
PAYLOAD: dict[str, Any] = {
    "state": "running",
    "events_per_second": 12.5,
    "last_batch_at": "2024-05-01T12:00:05.000+00:00",
    "last_error": None,
    "consumer_lag": [
        {"topic": "dbserver1.public.users", "partition": 0, "lag": 0},
        {"topic": "dbserver1.public.orders", "partition": 0, "lag": 3},
        {"topic": "dbserver1.public.orders", "partition": 1, "lag": 2},
    ],
    "tables": [
        {
            "source_table": "public.orders",
            "target_table": '"main"."orders"',
            "rows": 40,
            "last_lsn": 0x16B374D848,
            "last_source_ts": "2024-05-01 12:00:00+00",
            "last_applied_at": "2024-05-01 12:00:01+00",
            "lag_seconds": 1.0,
            "events_per_second": 2.0,
            "events": {"c": 40, "u": 2},
            "state": "running",
            "last_error": None,
        },
        {
            "source_table": "public.users",
            "target_table": '"main"."users"',
            "rows": 5,
            "last_lsn": 100,
            "last_source_ts": "2024-05-01 11:59:00+00",
            "lag_seconds": 0.2,
            "events": {"r": 5},
            "state": "stopped",
            "last_error": "incompatible change of column x",
        },
    ],
}


def test_the_endpoint_payload_gives_each_table_with_its_lag() -> None:
    sink, tables = from_endpoint(PAYLOAD, "the sink's endpoint http://127.0.0.1:1", NOW)
    assert sink == SinkState(
        "running", "the sink's endpoint http://127.0.0.1:1", None, 12.5, "2024-05-01T12:00:05.000+00:00"
    )
    orders, users = tables
    assert (orders.rows, orders.last_lsn, orders.consumer_lag, orders.lag_seconds) == (
        40,
        0x16B374D848,
        5,
        10.0,
    )
    assert (orders.events, orders.events_per_second) == ({"c": 40, "u": 2}, 2.0)
    assert (users.consumer_lag, users.lag_seconds) == (0, 0.0)  # caught up: not behind
    assert (users.state, users.last_error) == ("stopped", "incompatible change of column x")


@pytest.mark.parametrize(
    ("lag", "measured", "source_ts", "expected"),
    [
        (0, 3.0, "2024-05-01 12:00:00+00", 0.0),  # everything in Kafka applied
        (5, 3.0, "2024-05-01 12:00:00+00", 10.0),  # waiting: the age of the newest applied change
        (5, 30.0, "2024-05-01 12:00:00+00", 30.0),  # never less than what the sink measured
        (None, 3.0, "2024-05-01 12:00:00+00", 3.0),  # lag unknown: what the sink measured
        (5, None, None, None),
        (5, 1.5, "not a time", 1.5),
    ],
)
def test_seconds_behind_the_source(
    lag: int | None, measured: float | None, source_ts: str | None, expected: float | None
) -> None:
    assert seconds_behind(lag, measured, source_ts, NOW) == expected


def test_the_consumer_lag_of_a_table_sums_its_topic_partitions_only() -> None:
    lags = [("p.public.a", 0, 2), ("p.public.a", 1, 3), ("p.public.ab", 0, 7), ("p.other.a", 0, 1)]
    assert table_lag("public.a", lags) == 5
    assert table_lag("public.zz", lags) is None


def test_the_file_gives_the_stored_tables_with_kafka_lag() -> None:
    stored = [
        ReplicaTable(
            "public.users", '"main"."users"', 7, "2024-05-01 12:00:00+00", None, 3, 1, "running", None, 2
        ),
        ReplicaTable("public.orders", '"main"."orders"', None, None, None, 0, 0, "stopped", "bad change"),
    ]
    users, orders = from_replica(stored, [("dbserver1.public.users", 0, 0)], NOW)
    # read from the file, so no sink holds it: a running table is shown sink-down, never running
    assert users == TableStatus(
        "public.users", '"main"."users"', 2, 7, "2024-05-01 12:00:00+00", None, 0, 0.0, None, {}, "sink-down"
    )
    assert (orders.consumer_lag, orders.lag_seconds, orders.state, orders.last_error) == (
        None,
        None,
        "stopped",
        "bad change",
    )


def test_the_last_error_of_the_latest_run_comes_from_the_log() -> None:
    run = [
        "2024-05-01 10:00:00 INFO cdc_pipeline.sink: sink: Kafka 127.0.0.1:19092, prefix p -> x.duckdb",
        "2024-05-01 10:00:01 ERROR cdc_pipeline.sink: lost Kafka",
        "error: bad record in topic p.public.t partition 0 offset 7.",
    ]
    assert last_error_in_log(run) == "error: bad record in topic p.public.t partition 0 offset 7."
    assert last_error_in_log([*run, "2024-05-01 10:00:03 INFO cdc_pipeline.sink: sink: Kafka ..."]) is None
    assert last_error_in_log([*run[:2], "... INFO cdc_pipeline.sink: sink stopped after 9 events"]) is None


def test_lsn_is_shown_as_postgresql_spells_it() -> None:
    assert (lsn_text(0x16B374D848), lsn_text(0), lsn_text(None)) == ("16/B374D848", "0/0", None)


def _report() -> StatusReport:
    sink, tables = from_endpoint(PAYLOAD, "the sink's endpoint http://127.0.0.1:1", NOW)
    return StatusReport(rows=[Row("sink", "RUNNING", port=1, pid=2)], sink=sink, tables=tables)


def test_the_json_keeps_rows_and_all_running_and_adds_sink_and_tables() -> None:
    data = _report().to_json()
    assert data["all_running"] is True and data["rows"][0]["name"] == "sink"
    assert data["sink"]["state"] == "running"
    assert [t["source_table"] for t in data["tables"]] == ["public.orders", "public.users"]
    assert data["tables"][0]["last_lsn_text"] == "16/B374D848"
    empty = {"all_running": False, "rows": [], "sink": None, "tables": [], "connectors": []}
    assert StatusReport().to_json() == empty


def test_the_view_shows_components_sink_and_tables() -> None:
    console = Console(record=True, width=250, color_system=None)
    console.print(status_view(_report()))
    text = console.export_text()
    assert "sink running, 12.5 events/s over the last minute" in text
    orders = next(line for line in text.splitlines() if "public.orders" in line)
    for cell in (
        "40",
        "16/B374D848",
        "2024-05-01 12:00:00+00",
        "5",
        "10.0",
        "2.0",
        "ins 40 upd 2",
        "running",
    ):
        assert cell in orders
    assert "incompatible change of column x" in text


def test_the_view_says_why_there_are_no_tables() -> None:
    console = Console(record=True, width=200, color_system=None)
    note = "no DuckDB file at x.duckdb yet: the sink has not applied anything"
    console.print(status_view(StatusReport(sink=SinkState("stopped", note=note, last_error="error: boom"))))
    text = console.export_text()
    assert "sink stopped" in text and note in text and "last error: error: boom" in text


def test_sink_stats_report_each_tables_recent_throughput() -> None:
    stats = SinkStats()
    stats.record_batch(5, 0.01, [AppliedTable("public.a", {"c": 4}), AppliedTable("public.b", {"u": 1})])
    tables = {t["source_table"]: t for t in stats.snapshot()["tables"]}
    rate_a, rate_b = tables["public.a"]["events_per_second"], tables["public.b"]["events_per_second"]
    assert 0 < rate_a <= 4.0 and rate_a == pytest.approx(4 * rate_b, abs=0.01)


def test_the_sink_line_shows_what_is_retried() -> None:
    stats = SinkStats()
    retry = Retrying(
        "kafka", since=0.0, attempt=4, error="metadata: Local: Broker transport failure (_TRANSPORT)"
    )
    stats.record_retry("kafka", retry)
    sink, _ = from_endpoint(stats.snapshot(), "endpoint", datetime.now(UTC))
    assert len(sink.retrying) == 1 and "(attempt 4)" in sink.retrying[0] and "_TRANSPORT" in sink.retrying[0]
    console = Console(record=True, width=200)
    console.print(status_view(StatusReport(sink=sink)))
    assert "retrying kafka for" in console.export_text()
    stats.record_retry("kafka", None)
    assert from_endpoint(stats.snapshot(), "endpoint", datetime.now(UTC))[0].retrying == ()
