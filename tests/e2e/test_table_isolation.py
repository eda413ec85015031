"""One table's trouble stops only that table, on the real stack, and each stop has its way back.

- A value that cannot be converted: a copy of a real event of ``bad`` with one field made unconvertible is
  produced into its topic. ``bad`` stops at exactly that record while ``good`` keeps flowing; `cdc tables
  skip` passes exactly that record and ``bad`` ends equal to PostgreSQL (changes made meanwhile included).
- A schema change DuckDB refuses (timestamp -> timestamptz is not a widening): ``good`` stops while ``bad``
  keeps flowing; `cdc tables resnapshot` rebuilds it from an incremental snapshot and it ends equal.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import psycopg
import pytest

from cdc_bench.produce import write_records
from cdc_pipeline import _core, tables
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.sink.tables_admin import TableState
from tests.e2e.conftest import Pipelines
from tests.e2e.kafka_helpers import read_topic
from tests.e2e.replica import (
    RunningSink,
    duck_connect,
    duck_rows,
    eventually,
    pg_rows,
    running_sink,
    wait_equal,
)

PG = psycopg.Connection[tuple[object, ...]]


@pytest.fixture()
def pipeline(isolated_pipeline: Pipelines, pg: PG) -> tuple[Settings, str, str]:
    suffix = uuid.uuid4().hex[:8]
    good, bad = f"good_{suffix}", f"bad_{suffix}"
    for table in (good, bad):
        pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, n integer, ts timestamp)")
        pg.execute(
            f"INSERT INTO {table} SELECT i, i, '2024-01-01'::timestamp + i * interval '1 h' "
            "FROM generate_series(1, 5) i"
        )
    return isolated_pipeline("iso", [TableRef("public", good), TableRef("public", bad)]), good, bad


def wait_state(sink: RunningSink, table: str, state: str, timeout_s: float = 60.0) -> TableState:
    """Wait until `cdc tables` (through the sink's endpoint) shows ``table`` in ``state``."""

    def probe() -> list[TableState]:
        shown = tables.list_tables(sink.settings).tables
        assert any(t.source_table == f"public.{table}" and t.state == state for t in shown), shown
        return shown

    shown = eventually(f"public.{table} is {state} in `cdc tables`", probe, timeout_s, check_sink=sink)
    return next(t for t in shown if t.source_table == f"public.{table}")


def unconvertible_copy(settings: Settings, topic: str) -> tuple[bytes | None, bytes]:
    """The first event of ``topic`` with its integer column ``n`` holding a string."""
    [first] = read_topic(settings.bootstrap_servers, topic, count=1)
    assert first.value is not None
    envelope = json.loads(first.value)
    envelope["payload"]["after"]["n"] = "not a number"
    return first.key, json.dumps(envelope).encode()


def test_a_bad_value_and_a_refused_schema_change_each_stop_one_table(
    pipeline: tuple[Settings, str, str], pg: PG
) -> None:
    settings, good, bad = pipeline
    bad_topic = f"{settings.topic_prefix}.public.{bad}"
    with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:

        def same(table: str) -> Callable[[], object]:
            return lambda: wait_equal(
                lambda: pg_rows(pg, table, ["id"]), lambda: duck_rows(duck, table, ["id"]), sink
            )

        same(good)()
        same(bad)()

        # 1. A value the core cannot convert, produced into bad's topic after its real events.
        high = _core.query_watermarks(settings.bootstrap_servers, bad_topic, 0, 10_000)[1]
        key, value = unconvertible_copy(settings, bad_topic)
        write_records(settings.bootstrap_servers, bad_topic, 0, [(key, value)])
        pg.execute(f"UPDATE {bad} SET n = 100 WHERE id = 2")  # after the bad record: held until the skip
        stopped = wait_state(sink, bad, "stopped")
        assert (stopped.stopped_topic, stopped.stopped_partition, stopped.stopped_offset) == (
            bad_topic,
            0,
            high,
        )
        assert (
            stopped.fix == f"cdc tables skip public.{bad} --topic {bad_topic} --partition 0 --offset {high}"
        )
        assert stopped.reason is not None and "column 'n'" in stopped.reason, stopped.reason

        pg.execute(f"INSERT INTO {good} VALUES (6, 6, '2024-02-01')")
        same(good)()  # the other table keeps flowing meanwhile
        assert duck.execute(f"SELECT n FROM {bad} WHERE id = 2").fetchone() == (2,), "held, not applied"

        report = tables.skip(sink.settings, f"public.{bad}", bad_topic, 0, high)
        assert report.via == "sink" and report.resumes_at == [(bad_topic, 0, high + 1)], report
        same(bad)()
        skipped = duck.execute('SELECT topic, "offset" FROM _cdc.skipped').fetchall()
        assert skipped == [(bad_topic, high)]

        # 2. A schema change DuckDB refuses stops good; bad keeps flowing; a re-snapshot rebuilds good.
        pg.execute(f"ALTER TABLE {good} ALTER COLUMN ts TYPE timestamptz")
        pg.execute(f"UPDATE {good} SET n = 60 WHERE id = 6")
        wait_state(sink, good, "stopped")
        pg.execute(f"INSERT INTO {bad} VALUES (7, 7, '2024-03-01')")
        same(bad)()

        report = tables.resnapshot(
            sink.settings, f"public.{good}", "debezium"
        )  # the fast load: test_fast_load
        assert "execute-snapshot" in report.done and "dropped its DuckDB copy" in report.done, report
        pg.execute(f"INSERT INTO {good} VALUES (8, 8, '2024-04-01')")  # streamed while the snapshot runs
        same(good)()
        wait_state(sink, good, "running")
        ts_type = duck.execute(
            f"SELECT data_type FROM duckdb_columns() WHERE table_name = '{good}' AND column_name = 'ts'"
        ).fetchone()
        assert ts_type == ("TIMESTAMP WITH TIME ZONE",)
