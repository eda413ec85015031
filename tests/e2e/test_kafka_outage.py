"""A Kafka outage the sink waits out: the broker is stopped for 20 s while changes are committed in
PostgreSQL. The same sink (no restart) shows that it retries in ``GET /status`` and ``/metrics``, resumes when
the broker is back and ends with DuckDB equal to PostgreSQL: nothing lost, nothing applied twice. A sink whose
bound (SINK_KAFKA_RETRY_S) is shorter than the outage stops with one line naming Kafka and the setting.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import psycopg

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector, wait_running
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.sample import postgres_dsn
from cdc_pipeline.stack import stack
from cdc_pipeline.stack.process import Processes
from tests.e2e.conftest import pipeline_settings
from tests.e2e.replica import (
    duck_connect,
    duck_rows,
    eventually,
    pg_rows,
    running_sink,
    sink_metrics_text,
    sink_status,
    wait_equal,
)
from tests.prometheus_text import sample

OUTAGE_S = 20.0
MAX_ROUNDS = 600  # a round: 50 inserts and 25 updates in one transaction, 0.1 s apart


def _load(settings: Settings, table: str, stop: threading.Event, rounds: list[int]) -> None:
    with psycopg.connect(postgres_dsn(settings), autocommit=True) as conn:
        for r in range(MAX_ROUNDS):
            if stop.is_set():
                return
            with conn.transaction():
                conn.execute(
                    f"INSERT INTO {table} SELECT g, 0 FROM generate_series(%s::int, %s::int) g",
                    (r * 50 + 1, r * 50 + 50),
                )
                conn.execute(f"UPDATE {table} SET v = v + 1 WHERE id > %s::int AND id %% 2 = 0", (r * 50,))
            rounds.append(r)
            time.sleep(0.1)


def _retrying_kafka(status: dict[str, object]) -> list[dict[str, object]]:
    entries = status.get("retrying") or []
    assert isinstance(entries, list)
    return [e for e in entries if isinstance(e, dict) and e.get("what") == "kafka"]


def _impatient_sink_gives_up(settings: Settings) -> None:
    """A sink whose SINK_KAFKA_RETRY_S (3 s) is shorter than the outage stops with one line."""
    with running_sink(settings) as short:
        eventually("the impatient sink gives up", lambda: bool(short.failure), timeout_s=60)
        message = str(short.failure[0])
        short.failure.clear()  # expected: not re-raised when the context ends
    assert "\n" not in message and "SINK_KAFKA_RETRY_S" in message and "Kafka at" in message
    assert "cdc up" in message, "the line says how to recover"


def test_the_sink_waits_out_a_kafka_outage_and_applies_every_change_once(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]], tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    table = f"outage_{suffix}"
    settings = pipeline_settings(stack_settings, f"e2e_outage_{suffix}", tmp_path, sink_max_events=1000)
    pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, v integer NOT NULL)")
    apply_connector(settings, [TableRef("public", table)])
    stop_load, rounds = threading.Event(), list[int]()
    loader = threading.Thread(target=_load, args=(settings, table, stop_load, rounds), daemon=True)
    impatient = settings.model_copy(
        update={"duckdb_path": tmp_path / "impatient.duckdb", "sink_kafka_retry_s": 3.0}
    )

    with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
        loader.start()

        def status() -> dict[str, object]:
            sink()  # raises the sink's error, if it failed
            try:
                return sink_status(sink)
            except OSError:  # its endpoint is not listening yet
                return {}

        def flowing() -> bool:
            return int(str(status().get("events") or 0)) > 0

        def retrying() -> bool:
            return bool(_retrying_kafka(status()))

        eventually("changes stream into DuckDB", flowing)
        Processes(settings.state_dir).stop("kafka")
        down_at = time.monotonic()
        try:
            eventually(
                "the sink reports that it retries Kafka",
                retrying,
                timeout_s=OUTAGE_S + 40,
            )
            shown = _retrying_kafka(sink_status(sink))[0]
            assert int(str(shown["attempt"])) >= 1
            assert shown["error"], "the last Kafka error is shown"
            assert 'cdc_sink_retrying{what="kafka"} 1' in sink_metrics_text(sink)

            _impatient_sink_gives_up(impatient)

            time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))
            sink()  # still the same sink, still running
        finally:
            stack.up(stack_settings, progress=lambda msg: print(f"[stack] {msg}"))
        with ConnectClient(settings.connect_url) as client:
            wait_running(client, settings.connector_name, 120)
        eventually(
            "the sink stops retrying once Kafka is back",
            lambda: status() != {} and not retrying(),
            timeout_s=120,
        )
        during = len(rounds)
        eventually(
            "the load goes on after the outage", lambda: len(rounds) >= during + 10 or not loader.is_alive()
        )
        stop_load.set()
        loader.join(timeout=120)
        assert not loader.is_alive()
        wait_equal(
            lambda: pg_rows(pg, table, ["id"]), lambda: duck_rows(duck, table, ["id"]), sink, timeout_s=180
        )
        count = duck.execute(f'SELECT count(*), count(DISTINCT id) FROM "{table}"').fetchone()
        assert count == (len(rounds) * 50, len(rounds) * 50), f"a row was lost or applied twice: {count}"
        metrics = sink_metrics_text(sink)
        assert sample(metrics, "cdc_sink_retrying", what="kafka") == 0, metrics
        retries = sample(metrics, "cdc_sink_retries_total", what="kafka")
        assert retries is not None and retries >= 1, metrics
        print(f"[outage] Kafka down {OUTAGE_S:.0f} s during {len(rounds)} rounds; {retries:.0f} retries")

    with ConnectClient(settings.connect_url) as client:
        client.delete(settings.connector_name)
