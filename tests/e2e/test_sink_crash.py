"""A stream of 100k+ mixed changes, the sink SIGKILLed at 10+ random moments and restarted each time: DuckDB
ends equal to PostgreSQL, and no change is applied twice.

Double application is made visible by an append-only table without a primary key: every INSERT there is a
new row, so an event applied twice leaves a duplicate row in DuckDB.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from cdc_pipeline.config import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.sample import postgres_dsn
from tests.e2e.conftest import settings_env
from tests.e2e.replica import duck_connect, duck_rows, pg_rows, running_sink, wait_equal

pytestmark = pytest.mark.e2e
ROUNDS = 25  # a round: 3,000 inserts, ~1,500 updates, ~400 deletes, 400 appends -> 25 rounds, ~130k events


class Loader(threading.Thread):
    """Runs generate_load; keeps its exception so the test fails with it instead of waiting forever."""

    def __init__(self, settings: Settings, accounts: str, log: str) -> None:
        super().__init__(name="load", daemon=True)
        self.args_ = (settings, accounts, log)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            generate_load(*self.args_)
        except BaseException as exc:
            self.error = exc


def generate_load(settings: Settings, accounts: str, log: str) -> None:
    rng = random.Random(7)
    with psycopg.connect(postgres_dsn(settings), autocommit=True) as conn:
        for r in range(ROUNDS):
            base = r * 3000
            conn.execute(
                f"INSERT INTO {accounts} SELECT g, g %% 97, md5(g::text)"
                " FROM generate_series(%s::int, %s::int) g",
                (base + 1, base + 3000),
            )
            conn.execute(
                f"UPDATE {accounts} SET v = v + 1, note = note || 'u'"
                " WHERE id BETWEEN %s::int AND %s::int AND id %% 3 = 0",
                (base + 1, base + 3000),
            )
            lo = rng.randint(1, base + 1)
            conn.execute(
                f"UPDATE {accounts} SET v = v * 2 WHERE id BETWEEN %s::int AND %s::int", (lo, lo + 499)
            )
            lo = rng.randint(1, base + 1)
            conn.execute(f"DELETE FROM {accounts} WHERE id BETWEEN %s::int AND %s::int", (lo, lo + 399))
            conn.execute(
                f"INSERT INTO {log} SELECT g, 'round ' || %s FROM generate_series(%s::int, %s::int) g",
                (r, r * 400 + 1, r * 400 + 400),
            )
            time.sleep(0.4)  # spread the stream over the kill phase


def start_sink(settings: Settings, log_file: Path) -> subprocess.Popen[bytes]:
    env = {
        **settings_env(settings),
        "CDC_TOPIC_PREFIX": settings.topic_prefix,
        "CDC_DUCKDB_PATH": str(settings.duckdb_file),
        "CDC_SINK_MAX_EVENTS": "5000",
        "CDC_SINK_MAX_WAIT_MS": "200",
        "CDC_SINK_HTTP_PORT": "0",
    }
    with log_file.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cdc_pipeline.cli", "sink"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def test_sigkill_at_random_moments_loses_nothing_and_applies_nothing_twice(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]], tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    accounts, log = f"accounts_{suffix}", f"log_{suffix}"
    settings = stack_settings.model_copy(
        update={
            "connector_name": f"e2e_kill_{suffix}",
            "topic_prefix": f"e2e_kill_{suffix}",
            "duckdb_path": tmp_path / "replica.duckdb",
            "sink_max_events": 5000,
            "sink_max_wait_ms": 200,
        }
    )
    pg.execute(f"CREATE TABLE {accounts} (id integer PRIMARY KEY, v integer NOT NULL, note text NOT NULL)")
    pg.execute(f"CREATE TABLE {log} (seq bigint NOT NULL, what text NOT NULL)")  # no key: append-only
    pg.execute(f"ALTER TABLE {log} REPLICA IDENTITY FULL")
    apply_connector(settings, [TableRef("public", accounts), TableRef("public", log)])

    loader = Loader(settings, accounts, log)
    loader.start()
    rng = random.Random(int(os.environ.get("CDC_KILL_SEED", "11")))
    sink_log = tmp_path / "sink.log"
    kills = 0
    while kills < 10 or loader.is_alive():
        process = start_sink(settings, sink_log)
        time.sleep(rng.uniform(1.0, 4.0))  # the sink needs about a second to start reading
        assert process.poll() is None, f"the sink exited by itself: {sink_log.read_text()[-2000:]}"
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    loader.join()
    assert loader.error is None, f"the load generator failed: {loader.error!r}"
    assert kills >= 10
    lives_that_applied = sink_log.read_text().count("events in 1 batches")
    assert lives_that_applied >= 5, f"only {lives_that_applied} killed sinks had applied a batch"

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
