"""A stream of 100k+ mixed changes, the sink SIGKILLed 13 times, each time at a random moment after it applied
a batch, and restarted: DuckDB ends equal to PostgreSQL, and no change is applied twice.

Double application is made visible by an append-only table without a primary key: every INSERT there is a
new row, so an event applied twice leaves a duplicate row in DuckDB.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.sample import postgres_dsn
from tests.e2e.conftest import free_ports, pipeline_settings, settings_env
from tests.e2e.replica import (
    duck_connect,
    duck_rows,
    pg_rows,
    running_sink,
    sink_status,
    wait_equal,
)

ROUNDS = 26  # a round: 3,000 inserts, ~1,500 updates, ~400 deletes, 400 appends -> 26 rounds, ~135k events
ROUNDS_PER_LIFE = 2  # -> 13 sink lives, each killed after it applied a batch


def load_round(
    conn: psycopg.Connection[tuple[object, ...]], rng: random.Random, r: int, accounts: str, log: str
) -> None:
    """One round of mixed changes: 3,000 inserts, ~1,500 updates, 500 updates, 400 deletes, 400 appends."""
    base = r * 3000
    conn.execute(
        f"INSERT INTO {accounts} SELECT g, g %% 97, md5(g::text) FROM generate_series(%s::int, %s::int) g",
        (base + 1, base + 3000),
    )
    conn.execute(
        f"UPDATE {accounts} SET v = v + 1, note = note || 'u'"
        " WHERE id BETWEEN %s::int AND %s::int AND id %% 3 = 0",
        (base + 1, base + 3000),
    )
    lo = rng.randint(1, base + 1)
    conn.execute(f"UPDATE {accounts} SET v = v * 2 WHERE id BETWEEN %s::int AND %s::int", (lo, lo + 499))
    lo = rng.randint(1, base + 1)
    conn.execute(f"DELETE FROM {accounts} WHERE id BETWEEN %s::int AND %s::int", (lo, lo + 399))
    conn.execute(
        f"INSERT INTO {log} SELECT g, 'round ' || %s FROM generate_series(%s::int, %s::int) g",
        (r, r * 400 + 1, r * 400 + 400),
    )


def applied_batches(settings: Settings, port: int) -> int:
    """Batches the sink on ``port`` has committed since it started, from its /status (0 while it starts)."""
    try:
        return int(sink_status(settings.model_copy(update={"sink_http_port": port}), timeout_s=5)["batches"])
    except OSError:
        return 0


def wait_first_batch(
    process: subprocess.Popen[bytes], settings: Settings, port: int, log_file: Path, timeout_s: float
) -> None:
    """Wait until this sink life has committed a batch, as its endpoint reports (not a log line)."""
    deadline = time.monotonic() + timeout_s
    while applied_batches(settings, port) == 0:
        assert process.poll() is None, f"the sink exited by itself: {log_file.read_text()[-2000:]}"
        tail = log_file.read_text()[-2000:]
        assert time.monotonic() < deadline, f"the sink applied no batch within {timeout_s:.0f} s: {tail}"
        time.sleep(0.1)


def start_sink(settings: Settings, log_file: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **settings_env(settings),
        "CDC_TOPIC_PREFIX": settings.topic_prefix,
        "CDC_DUCKDB_PATH": str(settings.duckdb_file),
        "CDC_SINK_MAX_EVENTS": "5000",
        "CDC_SINK_MAX_WAIT_MS": "200",
        "CDC_SINK_HTTP_PORT": str(port),
    }
    with log_file.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cdc_pipeline.cli.app", "sink"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_sigkill_at_random_moments_loses_nothing_and_applies_nothing_twice(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]], tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    accounts, log = f"accounts_{suffix}", f"log_{suffix}"
    settings = pipeline_settings(stack_settings, f"e2e_kill_{suffix}", tmp_path, sink_max_events=5000)
    pg.execute(f"CREATE TABLE {accounts} (id integer PRIMARY KEY, v integer NOT NULL, note text NOT NULL)")
    pg.execute(f"CREATE TABLE {log} (seq bigint NOT NULL, what text NOT NULL)")  # no key: append-only
    pg.execute(f"ALTER TABLE {log} REPLICA IDENTITY FULL")
    apply_connector(settings, [TableRef("public", accounts), TableRef("public", log)])

    # Each sink life: start it, commit new changes while it runs, wait (through its endpoint) until it has
    # applied a batch, then SIGKILL it at a random moment of its work. Every life has fresh changes to
    # apply, so every kill lands on a sink that is applying, whatever the machine's speed.
    rng = random.Random(int(os.environ.get("CDC_KILL_SEED", "11")))
    sink_log = tmp_path / "sink.log"
    lives = 0
    with psycopg.connect(postgres_dsn(settings), autocommit=True) as load:
        for first_round in range(0, ROUNDS, ROUNDS_PER_LIFE):
            port = free_ports(1)[0]
            process = start_sink(settings, sink_log, port)
            try:
                for r in range(first_round, min(first_round + ROUNDS_PER_LIFE, ROUNDS)):
                    load_round(load, rng, r, accounts, log)
                wait_first_batch(process, settings, port, sink_log, timeout_s=180 if lives == 0 else 90)
                time.sleep(rng.uniform(0.0, 1.5))
                assert process.poll() is None, f"the sink exited by itself: {sink_log.read_text()[-2000:]}"
            finally:
                process.send_signal(signal.SIGKILL)
                process.wait()
            lives += 1
    assert lives >= 10, f"only {lives} sink lives were killed"

    with running_sink(settings) as check, duck_connect(settings.duckdb_file) as duck:
        wait_equal(
            lambda: pg_rows(pg, accounts, ["id"]),
            lambda: duck_rows(duck, accounts, ["id"]),
            check,
            timeout_s=180,
        )
        wait_equal(lambda: pg_rows(pg, log, ["seq"]), lambda: duck_rows(duck, log, ["seq"]), check)
        counts = duck.execute(f'SELECT count(*), count(DISTINCT seq) FROM "{log}"').fetchone()
        assert counts == (ROUNDS * 400, ROUNDS * 400), "an append was applied twice or lost"
    total = pg.execute(f"SELECT count(*) FROM {accounts}").fetchone()
    assert total is not None and total[0] > 0

    with ConnectClient(settings.connect_url) as client:
        client.delete(settings.connector_name)
