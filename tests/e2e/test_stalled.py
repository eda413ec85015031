"""A connector stalled for real while Kafka Connect says RUNNING: `cdc status` says STALLED, then recovery.

How it stalls (found on the real stack with Debezium 3.x and the generated config, which leaves
``errors.max.retries`` at Debezium's -1, "unlimited"): with the connector streaming, its walsender is
terminated and at once another client takes the slot: ``pg_recvlogical --start`` with status updates off,
frozen with SIGSTOP as soon as it holds the slot, so it never confirms a position (a running
pg_recvlogical would confirm, and the changes it consumed would be lost to Debezium). Debezium logs "Retry
1 of unlimited retries", restarts its task, then "Failed to start replication stream ..., attempt number N
over 6: replication slot ... is active for PID ..." every 10 s, then restarts again, without end; Connect
reports the connector and its task RUNNING all along. PostgreSQL's ``wal_sender_timeout`` (60 s) ends the
frozen client's walsender by itself; the test releases the slot before that by killing the client.
Rows keep being written meanwhile; after the release they all arrive and the replica ends equal.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from typer.testing import CliRunner

from cdc_pipeline.cli.app import app
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors import slots, source_db
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.lifecycle import delete_connector
from cdc_pipeline.connectors.model import TableRef, slot_name
from cdc_pipeline.observe.status.report import collect_status
from cdc_pipeline.stack.postgres import BIN_DIR
from tests.e2e.conftest import pipeline_settings, settings_env
from tests.e2e.replica import (
    RunningSink,
    duck_connect,
    duck_rows,
    eventually,
    pg_rows,
    running_sink,
    sink_metrics_text,
    sink_status,
    wait_equal,
)
from tests.prometheus_text import Samples, parse, sample

PG = psycopg.Connection[tuple[object, ...]]
STALL_S = 15.0  # connector_stall_s for this test: well inside the 60 s the frozen client holds the slot
MAX_ROWS = 400  # the writer's bound


def health(sink: RunningSink) -> dict[str, Any]:
    """The sink's verdict on its connector (``state`` None until its first look)."""
    sink()
    connectors = sink_status(sink)["connectors"]
    assert len(connectors) <= 1, connectors
    found: dict[str, Any] = connectors[0] if connectors else {"state": None}
    return found


@contextmanager
def slot_taken_over(settings: Settings, slot: str, pg: PG) -> Iterator[int]:
    """Terminate the slot's walsender and hold the slot from a frozen pg_recvlogical; yields its pid."""
    command = [
        str(BIN_DIR / "pg_recvlogical"),
        *("-h", "127.0.0.1", "-p", str(settings.postgres_port), "-U", settings.postgres_user),
        *("-d", settings.postgres_db, "--slot", slot, "--start", "-f", "/dev/null"),
        *("--status-interval", "0", "--fsync-interval", "0"),  # never confirm on its own
        *("-o", "proto_version=1", "-o", f"publication_names={slot}_pub"),
    ]
    env = {**os.environ, "PGPASSWORD": settings.postgres_password.get_secret_value()}
    holder: subprocess.Popen[bytes] | None = None
    deadline = time.monotonic() + 30
    while holder is None:
        assert time.monotonic() < deadline, "could not take the slot over from Debezium within 30 s"
        seen = slots.slot_replication(settings, slot)
        if seen.active_pid is not None:
            pg.execute("SELECT pg_terminate_backend(%s)", (seen.active_pid,))
        candidate = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
        while candidate.poll() is None:  # exits at once when Debezium got the slot back first
            if slots.slot_replication(settings, slot).holder == "pg_recvlogical":
                candidate.send_signal(signal.SIGSTOP)
                holder = candidate
                break
            time.sleep(0.02)
    try:
        yield holder.pid
    finally:
        holder.kill()  # SIGKILL ends a stopped process too; its walsender sees the socket close
        holder.wait(timeout=10)


class Writer:
    """Inserts one row every 0.3 s into ``table`` until stopped (at most MAX_ROWS)."""

    def __init__(self, settings: Settings, table: str) -> None:
        self.settings = settings
        self.table = table
        self.rows = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, name="writer", daemon=True)

    def run(self) -> None:
        with source_db.connect(self.settings) as conn:
            while not self.stop.is_set() and self.rows < MAX_ROWS:
                conn.execute(f"INSERT INTO {self.table} (v) VALUES ('during the stall')")
                self.rows += 1
                self.stop.wait(0.3)

    def __enter__(self) -> Writer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def cli_status(sink: RunningSink) -> tuple[int, dict[str, Any]]:
    settings = sink.settings
    env = {
        **settings_env(settings),
        "CDC_DUCKDB_PATH": str(settings.duckdb_file),
        "CDC_TOPIC_PREFIX": settings.topic_prefix,
        "CDC_CONNECTOR_NAME": settings.connector_name,
        "CDC_CONNECTOR_STALL_S": str(settings.connector_stall_s),
    }
    result = CliRunner().invoke(app, ["status", "--json"], env=env)
    return result.exit_code, json.loads(result.stdout)


def metrics(sink: RunningSink) -> Samples:
    return parse(sink_metrics_text(sink))


def test_a_connector_stuck_in_debezium_retries_is_stalled_then_recovers(
    stack_settings: Settings, pg: PG, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    table = f"stall_{suffix}"
    settings = pipeline_settings(stack_settings, f"e2e_stall_{suffix}", tmp_path, connector_stall_s=STALL_S)
    slot = slot_name(settings)
    pg.execute(f"CREATE TABLE {table} (id serial PRIMARY KEY, v text)")
    pg.execute(f"INSERT INTO {table} (v) SELECT 'before' FROM generate_series(1, 5)")
    apply_connector(settings, [TableRef("public", table)])
    row = f"connector {settings.connector_name}"
    labels = {"connector": settings.connector_name, "slot": slot}
    try:
        with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:

            def same(timeout_s: float = 60.0) -> None:
                expected, actual = (
                    (lambda: pg_rows(pg, table, ["id"])),
                    (lambda: duck_rows(duck, table, ["id"])),
                )
                wait_equal(expected, actual, sink, timeout_s)

            same()
            eventually("the sink sees its connector stream", lambda: health(sink)["state"] == "RUNNING", 60)
            with Writer(settings, table) as writer, slot_taken_over(settings, slot, pg):
                taken = time.monotonic()
                eventually("the connector shows STALLED", lambda: health(sink)["state"] == "STALLED", 40)
                stalled_after = time.monotonic() - taken
                seen = health(sink)
                code, data = cli_status(sink)
                values = metrics(sink)
                assert writer.rows > 0 and writer.thread.is_alive()
            print(f"STALLED shown {stalled_after:.1f} s after the slot was taken; {seen}")

            _assert_stalled(seen, code, data, values, row=row, labels=labels)

            # released: Debezium's next attempt gets the slot and every row written meanwhile arrives
            eventually("the connector streams again", lambda: health(sink)["state"] == "RUNNING", 90)
            same(timeout_s=120)
            recovered = health(sink)
            assert not recovered["retrying"] and recovered["reason"] is None, recovered
            _, data = cli_status(sink)
            rows = {r["name"]: r for r in data["rows"]}
            assert rows[row]["state"] == "RUNNING", rows[row]
            assert sample(metrics(sink), "cdc_connector_stalled", **labels) == 0
        # no sink: one look gives the lag in bytes and Connect's word, and says what needs the sink
        [alone] = collect_status(settings.model_copy(update={"sink_http_port": 0})).connectors
        assert alone.state == "RUNNING" and alone.lag_bytes is not None and alone.lag_seconds is None, alone
        assert any("need the running sink" in note for note in alone.notes), alone
    finally:
        delete_connector(settings, drop_slot=True)
        pg.execute(f"DROP TABLE IF EXISTS {table}")


def _assert_stalled(
    seen: dict[str, Any],
    code: int,
    data: dict[str, Any],
    values: Samples,
    *,
    row: str,
    labels: dict[str, str],
) -> None:
    """The sink's verdict, `cdc status --json` and /metrics while the slot is held."""
    assert "held by another client" in seen["reason"] and "(pg_recvlogical)" in seen["reason"], seen
    assert seen["slot_holder"] is not None and "(pg_recvlogical)" in seen["slot_holder"], seen
    assert seen["retrying"] and seen["retries"] >= 1, seen
    assert "is active for PID" in (seen["last_error"] or ""), seen
    assert seen["lag_bytes"] > 0 and seen["lag_seconds"] is not None, seen
    assert code != 0, data["rows"]
    rows = {r["name"]: r for r in data["rows"]}
    assert rows[row]["state"] == "STALLED", rows[row]
    assert "held by another client" in rows[row]["detail"] and "last error:" in rows[row]["detail"]
    assert "fix: end that client (in PostgreSQL: SELECT pg_terminate_backend(" in rows[row]["detail"]
    assert data["connectors"][0]["state"] == "STALLED"
    assert sample(values, "cdc_connector_stalled", **labels) == 1
    lag_bytes, lag_seconds = (
        sample(values, name, **labels) for name in ("cdc_slot_lag_bytes", "cdc_slot_lag_seconds")
    )
    assert lag_bytes is not None and lag_bytes > 0, values
    assert lag_seconds is not None and lag_seconds >= 0, values
    assert sample(values, "cdc_connector_retrying", **labels) == 1
    assert sample(values, "cdc_connector_up", **labels) == 0
