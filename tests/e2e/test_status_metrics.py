"""`cdc status` and the sink's /metrics report the values of a known workload on the real stack.

A fresh table with its own connector and topic prefix gets one snapshot row, then N inserts, M updates and
K deletes. The snapshot row is waited for first, so every later change is streamed (op c/u/d), never part
of the snapshot (op r), and the expected counts are exact.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import psycopg
from typer.testing import CliRunner

from cdc_pipeline.cli.app import app
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.observe.status.report import StatusReport, collect_status
from cdc_pipeline.observe.status.tables import TableStatus
from tests.e2e.conftest import settings_env
from tests.e2e.replica import RunningSink, eventually, running_sink, sink_metrics_text
from tests.prometheus_text import parse, sample

INSERTS, UPDATES, DELETES = 20, 7, 5
ROWS = 1 + INSERTS - DELETES
T = TypeVar("T")


def table_in(report: StatusReport, source_table: str) -> TableStatus | None:
    return next((t for t in report.tables if t.source_table == source_table), None)


def test_status_and_metrics_report_a_known_workload(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]], tmp_path: Path
) -> None:
    table = f"status_{uuid.uuid4().hex[:8]}"
    source = f"public.{table}"
    settings = stack_settings.model_copy(
        update={
            "connector_name": f"e2e_{table}",
            "topic_prefix": f"e2e_{table}",
            "duckdb_path": tmp_path / "replica.duckdb",
            "sink_max_wait_ms": 200,
        }
    )
    before = collect_status(settings.model_copy(update={"sink_http_port": 0}))  # no endpoint: the file
    assert before.sink is not None and "no DuckDB file" in before.sink.note and not before.tables
    pg.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, name text)")
    pg.execute(f"INSERT INTO {table} VALUES (0, 'snapshot')")
    apply_connector(settings, [TableRef("public", table)])
    try:
        with running_sink(settings) as sink:
            eventually(
                "the snapshot row",
                lambda: _table(sink, source),
                90,
                ready=_has_rows(1),
                check_sink=sink,
                every_s=0.5,
            )
            pg.execute(f"INSERT INTO {table} SELECT i, 'row ' || i FROM generate_series(1, {INSERTS}) i")
            pg.execute(f"UPDATE {table} SET name = 'changed' WHERE id BETWEEN 1 AND {UPDATES}")
            # The deleted rows must reach DuckDB first: deleted within one batch, they never land there
            # (the buffer coalesces insert+delete), and "rows deleted" would rightly be 0.
            eventually(
                "the inserts",
                lambda: _table(sink, source),
                90,
                ready=_has_rows(1 + INSERTS),
                check_sink=sink,
                every_s=0.5,
            )
            pg.execute(f"DELETE FROM {table} WHERE id > {INSERTS - DELETES}")
            found = eventually(
                "the workload, caught up",
                lambda: _table(sink, source),
                90,
                ready=_caught_up,
                check_sink=sink,
                every_s=0.5,
            )
            assert found is not None
            _assert_metrics(sink, source, settings.topic_prefix)
            _assert_status(found)
            _assert_cli_status(sink.settings, source)
            sink()
        report = collect_status(sink.settings)  # the sink stopped: read from the file
        stored = table_in(report, source)
        assert report.sink is not None and "read-only" in report.sink.via
        assert stored is not None and (stored.rows, stored.last_lsn) == (ROWS, found.last_lsn)
        assert (stored.consumer_lag, stored.lag_seconds) == (0, 0.0)
    finally:
        with ConnectClient(settings.connect_url) as client:
            client.delete(settings.connector_name)
        pg.execute(f"DROP TABLE {table}")


def _table(sink: RunningSink, source: str) -> TableStatus | None:
    return table_in(collect_status(sink.settings), source)


def _has_rows(rows: int) -> Callable[[TableStatus | None], bool]:
    return lambda table: table is not None and table.rows == rows


def _caught_up(table: TableStatus | None) -> bool:
    """Every change applied, and the sink's lag poller has seen Kafka's end offsets since."""
    expected = {"r": 1, "c": INSERTS, "u": UPDATES, "d": DELETES}
    return (
        _has_rows(ROWS)(table) and table is not None and table.events == expected and table.consumer_lag == 0
    )


def _assert_metrics(sink: RunningSink, source: str, prefix: str) -> None:
    values = parse(sink_metrics_text(sink))

    def value(name: str, **labels: str) -> float:
        found = sample(values, name, **labels)
        assert found is not None, f"no sample {name} {labels}"
        return found

    for op, count in (("read", 1), ("create", INSERTS), ("update", UPDATES), ("delete", DELETES)):
        assert value("cdc_events_applied_total", table=source, op=op) == count, op
    assert sample(values, "cdc_events_applied_total", table=source, op="truncate") in {None, 0}
    assert value("cdc_rows_applied_total", table=source, action="delete") == DELETES
    assert value("cdc_batches_total") >= 2  # the snapshot row, then the workload
    assert value("cdc_batch_events_count") == value("cdc_batches_total")
    assert value("cdc_batch_events_sum") >= 1 + INSERTS + UPDATES + DELETES
    assert value("cdc_apply_seconds_count") == value("cdc_batches_total")
    assert value("cdc_apply_seconds_sum") > 0
    assert value("cdc_lag_seconds", table=source) >= 0
    lag = {labels: v for (name, labels), v in values.items() if name == "cdc_consumer_lag_messages"}
    lag = {labels: v for labels, v in lag.items() if prefix in dict(labels)["topic"]}
    assert lag and set(lag.values()) == {0}, lag


def _assert_status(table: TableStatus) -> None:
    assert table.target_table and table.state == "running" and table.last_error is None
    assert table.last_lsn is not None and table.last_lsn > 0
    assert table.last_source_ts is not None and re.match(r"\d{4}-\d\d-\d\d", table.last_source_ts)
    assert (table.consumer_lag, table.lag_seconds) == (0, 0.0)
    assert table.events_per_second is not None  # over the last minute: no wall-clock assertion


def _assert_cli_status(settings: Settings, source: str) -> None:
    env = {
        **settings_env(settings),
        "CDC_DUCKDB_PATH": str(settings.duckdb_file),
        "CDC_TOPIC_PREFIX": settings.topic_prefix,
        "CDC_CONNECTOR_NAME": settings.connector_name,
    }
    result = CliRunner().invoke(app, ["status", "--json"], env=env)
    data = json.loads(result.stdout)
    rows = {row["name"]: row["state"] for row in data["rows"]}
    assert rows["sink"] == rows[f"connector {settings.connector_name}"] == "RUNNING", data["rows"]
    assert data["sink"]["state"] == "running" and data["sink"]["last_error"] is None
    table = next(t for t in data["tables"] if t["source_table"] == source)
    assert (table["rows"], table["consumer_lag"], table["lag_seconds"]) == (ROWS, 0, 0.0)
    assert table["last_lsn"] > 0 and table["last_lsn_text"] and table["last_source_ts"]
    assert table["events"] == {"r": 1, "c": INSERTS, "u": UPDATES, "d": DELETES}
