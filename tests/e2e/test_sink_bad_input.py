"""A value that cannot be converted: `stop-sink` stops exactly there (and again after a restart, never a
skip or a crash loop); policy `dead-letter` sends the raw record to the dead-letter topic and goes on.

The bad record is a real one: PostgreSQL allows a timestamp up to 294276 AD, but Debezium computes its
microseconds in a Java long, so '294276-12-31' arrives wrapped to a value before 4714 BC, which the core
refuses (never a wrong timestamp).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import duckdb
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.sink.errors import BadRecordError
from tests.e2e.kafka_helpers import read_topic
from tests.e2e.replica import duck_connect, running_sink


@pytest.fixture()
def bad_pipeline(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]], tmp_path: Path
) -> Iterator[tuple[Settings, str]]:
    table = f"bad_{uuid.uuid4().hex[:8]}"
    settings = stack_settings.model_copy(
        update={
            "connector_name": f"e2e_{table}",
            "topic_prefix": f"e2e_{table}",
            "duckdb_path": tmp_path / "bad.duckdb",
            "sink_max_wait_ms": 200,
            "sink_on_error": "stop-sink",
        }
    )
    pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, v timestamp)")
    pg.execute(f"INSERT INTO {table} VALUES (1, '2024-01-01')")
    apply_connector(settings, [TableRef("public", table)])
    pg.execute(
        f"INSERT INTO {table} VALUES (2, '294276-12-31 23:59:59.999999')"
    )  # offset 1: cannot be converted
    pg.execute(f"INSERT INTO {table} VALUES (3, '2024-01-03')")
    yield settings, table
    with ConnectClient(settings.connect_url) as client:
        client.delete(settings.connector_name)


def run_until_failure(settings: Settings, timeout_s: float = 60.0) -> BaseException:
    with pytest.raises(AssertionError) as caught, running_sink(settings) as check:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            check()
            time.sleep(0.2)
    cause = caught.value.__cause__
    assert cause is not None, str(caught.value)
    return cause


def ids(path: Path, table: str) -> list[int]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return [row[0] for row in conn.execute(f'SELECT id FROM "{table}" ORDER BY id').fetchall()]


def test_stop_stops_exactly_at_the_bad_record_and_dead_letter_goes_on(
    bad_pipeline: tuple[Settings, str],
) -> None:
    settings, table = bad_pipeline
    topic = f"{settings.topic_prefix}.public.{table}"

    error = run_until_failure(settings)
    assert isinstance(error, BadRecordError)
    message = str(error)
    for part in (f"topic {topic}", "partition 0", "offset 1", f"public.{table}", "column 'v'"):
        assert part in message, message
    assert ids(settings.duckdb_file, table) == [1], "everything before the bad record, nothing after it"

    again = run_until_failure(settings)  # a restart without a fix stops at the same record again
    assert isinstance(again, BadRecordError) and "offset 1" in str(again)
    assert ids(settings.duckdb_file, table) == [1]

    dead_letter = settings.model_copy(update={"sink_on_error": "dead-letter"})
    with running_sink(dead_letter) as check, duck_connect(dead_letter.duckdb_file) as duck:
        deadline = time.monotonic() + 60
        while duck.execute(f'SELECT count(*) FROM "{table}" WHERE id = 3').fetchone() != (1,):
            check()
            assert time.monotonic() < deadline, "the stream did not go on after the dead-lettered record"
            time.sleep(0.2)
        assert [r[0] for r in duck.execute(f'SELECT id FROM "{table}" ORDER BY id').fetchall()] == [1, 3]

    raw = read_topic(settings.bootstrap_servers, topic, count=2)[1]
    [dead] = read_topic(settings.bootstrap_servers, settings.dead_letter_topic, count=1)
    assert (dead.key, dead.value) == (raw.key, raw.value), "the raw record, unchanged"
