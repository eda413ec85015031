"""Dead-letter list and replay on the real stack (SINK_ON_ERROR=dead-letter).

Copies of real events of ``bad`` with one field made unconvertible are produced into its topic (as in
test_table_isolation.py). The core dead-letters them with their reason while every other change flows;
`cdc dead-letter list` shows them; after newer changes of the same rows, `cdc dead-letter replay` re-reads
each row by key from PostgreSQL: the row that exists is re-sent by Debezium with its CURRENT value (never the
dead-lettered one), the row that was deleted since stays deleted, the replays are audited in
``_cdc.dead_letter``, and the table ends equal.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import uuid

import psycopg
import pytest

from cdc_bench.produce import write_records
from cdc_pipeline import _core
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.dead_letter.commands import list_dead_letters
from cdc_pipeline.dead_letter.records import Selection
from tests.e2e.conftest import Pipelines, settings_env
from tests.e2e.kafka_helpers import read_topic
from tests.e2e.replica import (
    duck_connect,
    duck_rows,
    eventually,
    pg_rows,
    running_sink,
    sink_metrics_text,
    wait_equal,
)

PG = psycopg.Connection[tuple[object, ...]]


@pytest.fixture()
def pipeline(isolated_pipeline: Pipelines, pg: PG) -> tuple[Settings, str, str]:
    suffix = uuid.uuid4().hex[:8]
    good, bad = f"dl_good_{suffix}", f"dl_bad_{suffix}"
    for table in (good, bad):
        pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, n integer)")
        pg.execute(f"INSERT INTO {table} SELECT i, i FROM generate_series(1, 5) i")
    tables = [TableRef("public", good), TableRef("public", bad)]
    return isolated_pipeline("dl", tables, sink_on_error="dead-letter"), good, bad


def cdc(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """The `cdc` command, pointed at this test's pipeline (topic prefix, DuckDB file, sink endpoint)."""
    env = {
        **settings_env(settings),
        "CDC_TOPIC_PREFIX": settings.topic_prefix,
        "CDC_CONNECTOR_NAME": settings.connector_name,
        "CDC_DUCKDB_PATH": str(settings.duckdb_file),
        "COLUMNS": "400",  # rich tables unwrapped
    }
    return subprocess.run(
        [sys.executable, "-m", "cdc_pipeline.cli.app", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def bad_copy(settings: Settings, topic: str, row_id: int) -> tuple[bytes | None, bytes]:
    """The snapshot event of row ``row_id`` with its integer column ``n`` holding a string."""
    for message in read_topic(settings.bootstrap_servers, topic, count=5):
        envelope = json.loads(message.value or b"{}")
        if envelope["payload"]["after"]["id"] == row_id:
            envelope["payload"]["after"]["n"] = "not a number"
            return message.key, json.dumps(envelope).encode()
    raise AssertionError(f"no event of id {row_id} in {topic}")


def test_dead_lettered_records_are_listed_with_their_reason_and_replayed_by_key(
    pipeline: tuple[Settings, str, str], pg: PG, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cdc_pipeline.sink")
    settings, good, bad = pipeline
    bad_topic = f"{settings.topic_prefix}.public.{bad}"
    with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:

        def same(table: str) -> None:
            wait_equal(lambda: pg_rows(pg, table, ["id"]), lambda: duck_rows(duck, table, ["id"]), sink)

        same(good)
        same(bad)
        high = _core.query_watermarks(settings.bootstrap_servers, bad_topic, 0, 10_000)[1]
        write_records(
            settings.bootstrap_servers,
            bad_topic,
            0,
            [bad_copy(settings, bad_topic, 2), bad_copy(settings, bad_topic, 4)],
        )
        eventually(
            "both bad records are dead-lettered", lambda: len(list_dead_letters(sink.settings).records) >= 2
        )
        # The sink's log names each one with its reason, and /metrics counts them (after their batch commits).
        line = f"topic {bad_topic} partition 0 offset {high} of table public.{bad}: "
        counter = re.compile(rf'^cdc_dead_lettered_total{{topic="{re.escape(bad_topic)}"}} (\S+)$', re.M)

        def logged_and_counted() -> bool:
            logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("dead-lettered")]
            counted = counter.search(sink_metrics_text(sink))
            return (
                any(line in m and "column 'n'" in m for m in logged)
                and counted is not None
                and float(counted.group(1)) >= 2
            )

        eventually("the sink logged and counted both dead-lettered records", logged_and_counted)

        # Everything else keeps flowing, in both tables; newer changes of the same rows too.
        pg.execute(f"INSERT INTO {good} VALUES (6, 6)")
        pg.execute(f"UPDATE {bad} SET n = 100 WHERE id = 2")
        pg.execute(f"DELETE FROM {bad} WHERE id = 4")
        same(good)
        same(bad)

        listed = list_dead_letters(sink.settings).records
        assert [(r.record.source_topic, r.record.source_offset) for r in listed] == [
            (bad_topic, high),
            (bad_topic, high + 1),
        ]
        first = listed[0].record
        assert first.topic == settings.dead_letter_topic and first.table == f"public.{bad}"
        assert first.key == {"id": 2} and "column 'n'" in first.reason, first
        assert first.time_ms > 0 and listed[0].replayed is None
        only_one = list_dead_letters(
            sink.settings, Selection(topic=first.topic, partition=0, offset=first.offset)
        )
        assert [r.record.offset for r in only_one.records] == [first.offset]

        shown = cdc(sink.settings, "dead-letter", "list")
        assert shown.returncode == 0 and "column 'n'" in shown.stdout and f"public.{bad}" in shown.stdout, (
            shown
        )

        before = _core.query_watermarks(settings.bootstrap_servers, bad_topic, 0, 10_000)[1]
        replayed = cdc(sink.settings, "dead-letter", "replay", "--table", f"public.{bad}", "--json")
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        report = json.loads(replayed.stdout)
        did = {line["key"]: line["did"] for line in report["lines"]}
        assert did["id=2"].startswith("re-read by key from PostgreSQL"), did
        assert did["id=4"] == "the row is in neither PostgreSQL nor DuckDB: nothing to do", did
        assert "recorded 2 replayed record(s) in _cdc.dead_letter" in report["audit"], report["audit"]

        # Debezium re-sends row 2 with its current value (100), never the dead-lettered one.
        def resent() -> bool:
            end = _core.query_watermarks(settings.bootstrap_servers, bad_topic, 0, 10_000)[1]
            events = read_topic(settings.bootstrap_servers, bad_topic, count=end)[before:]
            rows = [json.loads(m.value)["payload"] for m in events if m.value]
            return any(p["op"] == "r" and p["after"] == {"id": 2, "n": 100} for p in rows)

        eventually("Debezium re-sends row 2", resent, timeout_s=90)
        same(bad)
        audit = duck.execute(
            'SELECT "source_offset", "row_key" FROM _cdc.dead_letter ORDER BY "source_offset"'
        ).fetchall()
        assert audit == [(high, '{"id": 2}'), (high + 1, '{"id": 4}')]
        assert list_dead_letters(sink.settings).records[0].replayed is not None
