"""Connector lifecycle without divergence, on the real stack: delete then apply, and a slot dropped by hand.

Each (re)created or stopped connector has its stored offset checked against its replication slot before it
runs: it resumes exactly, or re-snapshots and says why. Both ways end with DuckDB equal to PostgreSQL, for a
keyed table and a key-less one (no duplicate, no lost, extra or stale row).
"""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest

import duckdb
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector, client_for, stop_and_wait
from cdc_pipeline.connectors.lifecycle import delete_connector, restart_connector
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.connectors.plan import plan
from cdc_pipeline.sample import postgres_dsn
from tests.e2e.conftest import Pipelines
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


class Writer(threading.Thread):
    """Keeps changing both tables (bounded: ``rounds`` small transactions, a little apart)."""

    def __init__(self, settings: Settings, keyed: str, keyless: str, first: int, rounds: int = 40) -> None:
        super().__init__(name="writer", daemon=True)
        self.settings, self.keyed, self.keyless = settings, keyed, keyless
        self.first, self.rounds, self.done = first, rounds, 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with psycopg.connect(postgres_dsn(self.settings), autocommit=True) as conn:
                for r in range(self.first, self.first + self.rounds):
                    with conn.transaction():
                        conn.execute(f"INSERT INTO {self.keyed} VALUES (%s, 0)", (r,))
                        conn.execute(f"UPDATE {self.keyed} SET v = v + 1 WHERE id %% 7 = %s", (r % 7,))
                        conn.execute(f"DELETE FROM {self.keyed} WHERE id = %s", (r - 5,))
                        conn.execute(f"INSERT INTO {self.keyless} VALUES (%s, 'w')", (r,))
                    self.done += 1
                    time.sleep(0.1)
        except BaseException as exc:
            self.error = exc

    def finish(self) -> None:
        self.join(timeout=120)
        assert not self.is_alive() and self.error is None, f"the writer failed: {self.error!r}"


@pytest.fixture()
def pipeline(isolated_pipeline: Pipelines, pg: PG) -> tuple[Settings, str, str]:
    suffix = uuid.uuid4().hex[:8]
    keyed, keyless = f"lc_acc_{suffix}", f"lc_log_{suffix}"
    settings = isolated_pipeline("lc")
    pg.execute(f"CREATE TABLE {keyed} (id integer PRIMARY KEY, v integer NOT NULL)")
    pg.execute(f"CREATE TABLE {keyless} (seq integer NOT NULL, what text NOT NULL)")
    pg.execute(f"ALTER TABLE {keyless} REPLICA IDENTITY FULL")
    pg.execute(f"INSERT INTO {keyed} SELECT g, g FROM generate_series(1, 50) g")
    pg.execute(f"INSERT INTO {keyless} SELECT g, 'seed' FROM generate_series(1, 50) g")
    return settings, keyed, keyless


def tables_of(keyed: str, keyless: str) -> list[TableRef]:
    return [TableRef("public", keyed), TableRef("public", keyless)]


def assert_equal(
    pg: PG, duck: duckdb.DuckDBPyConnection, sink: RunningSink, keyed: str, keyless: str
) -> None:
    wait_equal(
        lambda: pg_rows(pg, keyed, ["id"]), lambda: duck_rows(duck, keyed, ["id"]), sink, timeout_s=120
    )
    wait_equal(
        lambda: pg_rows(pg, keyless, ["seq"]), lambda: duck_rows(duck, keyless, ["seq"]), sink, timeout_s=120
    )
    expected = pg.execute(f"SELECT count(*) FROM {keyless}").fetchone()
    counted = duck.execute(f'SELECT count(*) FROM "{keyless}"').fetchone()
    assert counted == expected, f"{keyless}: DuckDB holds {counted} rows, PostgreSQL {expected} (duplicates?)"


def test_delete_then_apply_during_writes_re_snapshots_and_keep_slot_resumes_exactly(
    pipeline: tuple[Settings, str, str], pg: PG
) -> None:
    settings, keyed, keyless = pipeline
    first = apply_connector(settings, tables_of(keyed, keyless))
    assert first.position is not None and first.position.kind == "snapshot", first.position
    with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
        assert_equal(pg, duck, sink, keyed, keyless)

        # 1. delete -y (offsets, slot and publication go) while changes are committed, then apply.
        writer = Writer(settings, keyed, keyless, first=100)
        writer.start()
        time.sleep(1.0)
        deleted = delete_connector(settings, drop_slot=True)
        assert (deleted.deleted, deleted.offsets_cleared, deleted.slot_result) == (True, True, "dropped")
        time.sleep(1.0)  # changes the deleted connector never sees
        again = apply_connector(settings, tables_of(keyed, keyless))
        assert again.action == "created" and again.position is not None, again
        assert again.position.kind == "snapshot" and "no offset" in again.position.line(), again.position
        writer.finish()
        assert_equal(pg, duck, sink, keyed, keyless)

        # 2. delete --keep-slot keeps the offsets with the slot: apply resumes exactly where it stopped.
        writer = Writer(settings, keyed, keyless, first=200)
        writer.start()
        time.sleep(1.0)
        kept = delete_connector(settings, drop_slot=False)
        assert (kept.deleted, kept.offsets_cleared, kept.slot_result) == (True, False, "kept")
        time.sleep(1.0)
        resumed = apply_connector(settings, tables_of(keyed, keyless))
        assert resumed.position is not None and resumed.position.kind == "resume", resumed.position
        assert resumed.position.line().startswith("resumed at LSN "), resumed.position.line()
        writer.finish()
        assert_equal(pg, duck, sink, keyed, keyless)


def test_a_slot_dropped_by_hand_while_stopped_re_snapshots_with_no_stale_row(
    pipeline: tuple[Settings, str, str], pg: PG
) -> None:
    settings, keyed, keyless = pipeline
    apply_connector(settings, tables_of(keyed, keyless))
    slot = f"cdc_{settings.connector_name}".lower()
    with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
        assert_equal(pg, duck, sink, keyed, keyless)
        with client_for(settings) as client:
            stop_and_wait(client, settings.connector_name, 60)
        pg.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
        # Inserted, updated and deleted rows of both tables that no slot records.
        pg.execute(f"INSERT INTO {keyed} SELECT g, -g FROM generate_series(1001, 1010) g")
        pg.execute(f"UPDATE {keyed} SET v = 777 WHERE id <= 10")
        pg.execute(f"DELETE FROM {keyed} WHERE id BETWEEN 20 AND 29")
        pg.execute(f"INSERT INTO {keyless} SELECT g, 'new' FROM generate_series(1001, 1010) g")
        pg.execute(f"UPDATE {keyless} SET what = 'changed' WHERE seq <= 10")
        pg.execute(f"DELETE FROM {keyless} WHERE seq BETWEEN 20 AND 29")

        planned = plan(settings.model_copy(update={"tables": {"public": [keyed, keyless]}}))
        assert planned.position is not None and planned.position.startswith(
            f"re-snapshot: slot {slot} was dropped"
        )
        report = apply_connector(settings, tables_of(keyed, keyless))
        assert report.action == "unchanged" and report.position is not None, report
        assert report.position.kind == "resnapshot", report.position
        assert f"slot {slot} was dropped" in report.position.line(), report.position.line()
        assert report.state.running
        pg.execute(f"UPDATE {keyed} SET v = 888 WHERE id = 1001")  # streamed after the snapshot
        assert_equal(pg, duck, sink, keyed, keyless)
        assert duck.execute(f'SELECT count(*) FROM "{keyed}" WHERE id BETWEEN 20 AND 29').fetchone() == (0,)


def test_a_connector_failed_on_a_dropped_slot_is_recovered_by_restart(
    pipeline: tuple[Settings, str, str], pg: PG
) -> None:
    settings, keyed, keyless = pipeline
    apply_connector(settings, tables_of(keyed, keyless))
    slot = f"cdc_{settings.connector_name}".lower()
    name = settings.connector_name
    with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
        assert_equal(pg, duck, sink, keyed, keyless)
        with client_for(settings) as client:
            stop_and_wait(client, name, 60)
            pg.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
            pg.execute(f"DELETE FROM {keyed} WHERE id <= 5")
            pg.execute(f"INSERT INTO {keyless} VALUES (2000, 'while no slot')")
            client.resume(name)  # behind cdc's back: Debezium starts on the stored offset no slot holds

            def failed() -> bool:
                state = client.status(name)
                return state is not None and any(t.state == "FAILED" for t in state.tasks)

            eventually("Debezium fails on the stored offset", failed, timeout_s=60)
        report = restart_connector(settings)
        assert report.state is not None and report.state.running, report
        assert report.position is not None and report.position.kind == "resnapshot", report.position
        assert f"slot {slot} was dropped" in report.position.line(), report.position.line()
        assert_equal(pg, duck, sink, keyed, keyless)


def test_stop_then_apply_cycles_under_writes_always_resume_exactly(
    pipeline: tuple[Settings, str, str], pg: PG
) -> None:
    """A stopped connector's slot sits exactly at the stored offset's lsn_commit (equal, not before): the
    comparison must accept equality, or every stop would cost a full re-snapshot."""
    settings, keyed, keyless = pipeline
    apply_connector(settings, tables_of(keyed, keyless))
    with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
        writer = Writer(settings, keyed, keyless, first=100, rounds=100)
        writer.start()
        for _ in range(4):
            time.sleep(1.5)
            with client_for(settings) as client:
                stop_and_wait(client, settings.connector_name, 60)
            position = apply_connector(settings, tables_of(keyed, keyless)).position
            assert position is not None and position.kind == "resume", position
            print(f"[lifecycle] {position.line()}")
        writer.finish()
        assert_equal(pg, duck, sink, keyed, keyless)
