"""Faults during load: Kafka Connect, or separately the Kafka broker, is SIGKILLed while changes stream and
restarted. Debezium is at-least-once after such a crash (it resends what Connect had not flushed as its
offset); the sink's per-table source position must make the effect exactly once, so DuckDB ends equal to
PostgreSQL and the append-only table without a primary key holds no duplicate.
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Literal

import psycopg
import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector, wait_running
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.sample import postgres_dsn
from cdc_pipeline.stack import stack
from cdc_pipeline.stack.process import Processes
from tests.e2e.conftest import pipeline_settings
from tests.e2e.replica import (
    RunningSink,
    duck_connect,
    duck_rows,
    eventually,
    pg_rows,
    running_sink,
    sink_status,
    wait_equal,
)

MAX_ROUNDS = 1000  # a round: one transaction of 200 keyed inserts and 100 updates, one of 100 keyless appends
APPENDS = 100
ROUNDS_AFTER_RESTART = 10  # the load goes on this many rounds once the component is back
MAX_KILLS = 3  # Connect is killed again (up to this often) until a kill has caused a redelivery


class Loader(threading.Thread):
    """Commits rounds of small transactions, a little apart, until told to stop (at most MAX_ROUNDS), so the
    stream is busy whenever the component is killed, however slow the machine is."""

    def __init__(self, settings: Settings, keyed: str, keyless: str) -> None:
        super().__init__(name="load", daemon=True)
        self.settings, self.keyed, self.keyless = settings, keyed, keyless
        self.rounds = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with psycopg.connect(postgres_dsn(self.settings), autocommit=True) as conn:
                for r in range(MAX_ROUNDS):
                    if self.stop.is_set():
                        break
                    with conn.transaction():
                        conn.execute(
                            f"INSERT INTO {self.keyed} SELECT g, 0 FROM generate_series(%s::int, %s::int) g",
                            (r * 200 + 1, r * 200 + 200),
                        )
                        conn.execute(
                            f"UPDATE {self.keyed} SET v = v + 1 WHERE id %% 2 = 0 AND id > %s::int",
                            (r * 200,),
                        )
                    conn.execute(
                        f"INSERT INTO {self.keyless} SELECT g, 'r' || %s"
                        " FROM generate_series(%s::int, %s::int) g",
                        (r, r * APPENDS + 1, r * APPENDS + APPENDS),
                    )
                    self.rounds = r + 1
                    time.sleep(0.2)
        except BaseException as exc:
            self.error = exc


def wait_for_rounds(loader: Loader, rounds: int) -> None:
    eventually(f"{rounds} rounds of load", lambda: loader.rounds >= rounds or not loader.is_alive())


def wait_for_duplicates(sink: RunningSink, timeout_s: float = 30.0) -> bool:
    """True once the sink reports a skipped redelivered event (within timeout_s)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if int(sink_status(sink).get("duplicates_skipped") or 0) > 0:
            return True
        time.sleep(1.0)
    return False


@pytest.mark.parametrize("component", ["connect", "kafka"])
def test_killing_a_component_during_load_applies_every_change_exactly_once(
    stack_settings: Settings,
    pg: psycopg.Connection[tuple[object, ...]],
    tmp_path: Path,
    component: Literal["connect", "kafka"],
) -> None:
    suffix = uuid.uuid4().hex[:8]
    keyed, keyless = f"fault_acc_{suffix}", f"fault_log_{suffix}"
    settings = pipeline_settings(stack_settings, f"e2e_fault_{suffix}", tmp_path, sink_max_events=2000)
    pg.execute(f"CREATE TABLE {keyed} (id integer PRIMARY KEY, v integer NOT NULL)")
    pg.execute(f"CREATE TABLE {keyless} (seq bigint NOT NULL, what text NOT NULL)")  # no key: append-only
    pg.execute(f"ALTER TABLE {keyless} REPLICA IDENTITY FULL")
    apply_connector(settings, [TableRef("public", keyed), TableRef("public", keyless)])

    with running_sink(settings) as check, duck_connect(settings.duckdb_file) as duck:
        loader = Loader(settings, keyed, keyless)
        loader.start()

        def flowing() -> bool:
            check()
            return loader.rounds >= 10 and int(sink_status(check)["events"]) > 0

        eventually("changes stream into DuckDB", flowing)
        kills = 0
        while True:
            assert loader.is_alive(), f"the load ended before kill {kills + 1}: {loader.error!r}"
            Processes(settings.state_dir).stop(component, sig=signal.SIGKILL)
            kills += 1
            time.sleep(2.0)  # changes keep being committed in PostgreSQL while the component is down
            # The shared stack's own settings: whatever the kill took down with it (its sink) comes back too.
            stack.up(stack_settings, progress=lambda msg: print(f"[stack] {msg}"))
            with ConnectClient(settings.connect_url) as client:
                wait_running(client, settings.connector_name, 120)
            wait_for_rounds(loader, loader.rounds + ROUNDS_AFTER_RESTART)
            if component != "connect" or kills >= MAX_KILLS:
                break
            # Connect flushes source offsets every second, so a kill under load leaves a resent tail almost
            # always; the tail is seen once the sink has read past it. Without one, kill again.
            if wait_for_duplicates(check):
                break
        loader.stop.set()
        loader.join(timeout=300)
        assert not loader.is_alive(), "the load did not finish"
        assert loader.error is None, f"the load generator failed: {loader.error!r}"
        rounds = loader.rounds

        wait_equal(
            lambda: pg_rows(pg, keyed, ["id"]), lambda: duck_rows(duck, keyed, ["id"]), check, timeout_s=180
        )
        wait_equal(
            lambda: pg_rows(pg, keyless, ["seq"]),
            lambda: duck_rows(duck, keyless, ["seq"]),
            check,
            timeout_s=180,
        )
        counts = duck.execute(f'SELECT count(*), count(DISTINCT seq) FROM "{keyless}"').fetchone()
        assert counts == (rounds * APPENDS, rounds * APPENDS), (
            f"an append was applied twice or lost: {counts}"
        )
        skipped = int(sink_status(check).get("duplicates_skipped") or 0)
        print(
            f"[faults] {component} killed {kills}x during {rounds} rounds: {skipped} redelivered events"
            " skipped by the source position"
        )
        if component == "connect":
            # Without a resent tail the test would not have exercised the position rule at all.
            assert skipped > 0, f"no redelivered event seen after {kills} kills: exactly-once not exercised"

    with ConnectClient(settings.connect_url) as client:
        client.delete(settings.connector_name)
    stack.up(stack_settings, progress=lambda msg: print(f"[stack] {msg}"))  # leave the shared stack whole
