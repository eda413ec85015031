"""`cdc tables resnapshot --via postgres` on the real stack: the running sink loads the table straight from
PostgreSQL (COPY, not Kafka) while a writer keeps changing it, and the table ends equal to PostgreSQL, by the
independent comparator, with exactly the DuckDB schema streaming gave it (Debezium's snapshot made the first
copy). Exactly once: every change during the load is either in the load or applied after it, and the
changes in both are dropped from the stream (counted as duplicates skipped). A table the load cannot read
is refused with the way through Debezium.

Bounded: 20,000 rows, a writer of at most 20 s. (Intervals are whole seconds here: Debezium's snapshot, which
makes the first copy, carries seconds in a double and can lose 1 µs of a fraction like 1.118 s; the load is
exact. The type contract says so.)
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from cdc_pipeline import tables
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.lifecycle import delete_connector
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.errors import CdcError
from cdc_pipeline.sample import postgres_dsn
from tests.e2e.conftest import pipeline_settings
from tests.e2e.replica import duck_connect, duck_rows, pg_rows, running_sink, sink_status, wait_equal

PG = psycopg.Connection[tuple[object, ...]]
ROWS = 20_000

COLUMNS = """(
    id integer PRIMARY KEY, i2 smallint, i8 bigint NOT NULL, f4 real, f8 double precision, b boolean,
    n numeric(12,3), t text, vc varchar(20), c char(5), u uuid, j json, jb jsonb, by bytea, d date,
    ts timestamp, tz timestamptz, tm time, iv interval, m money, counter integer NOT NULL DEFAULT 0
)"""
# Special values on the first rows, then ordinary ones: NaN/±Infinity/-0, BC and infinite dates and
# timestamps, NULLs, empty strings, CSV's own characters, emoji, zero bytes.
SPECIAL = [
    "(1, -32768, -9223372036854775808, 'NaN', '-0', true, -123456789.125, '', 'a,b', 'x', "
    "'00000000-0000-0000-0000-000000000000', '{\"a\": [1, \"x\"]}', '{\"k\": null}', '\\x00ff00', "
    "'2000-01-01', '2000-01-01 00:00', '-infinity', '23:59:59.999999', "
    "'-178000000 years -1 mon 3 days -01:00:00.000001', "
    "-92233720368547758.08, 0)",
    "(2, 32767, 9223372036854775807, 'Infinity', '-Infinity', false, 0.001, "
    "E'line\\nbreak \"quoted\" \\\\ back', '😀 שלום', 'ab', gen_random_uuid(), 'null', '[]', '', "
    "'infinity', 'infinity', '294246-12-31 23:59:59.999999+00', '00:00:00', '0', 92233720368547758.07, 0)",
    "(3, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, 0)",
]
BULK = f"""
INSERT INTO {{table}} SELECT g, g % 30000, g::bigint * 1000003, g / 7.0, g / 3.0, g % 2 = 0, g / 8.0,
  md5(g::text), left(md5(g::text), 20), left(md5(g::text), 3), md5(g::text)::uuid,
  json_build_object('g', g), jsonb_build_object('g', g, 'h', 'x'), decode(md5(g::text), 'hex'),
  DATE '2000-01-01' + g, TIMESTAMP '2000-01-01' + g * INTERVAL '1 minute',
  TIMESTAMPTZ '2000-01-01 00:00+00' + g * INTERVAL '1 second', TIME '00:00' + g * INTERVAL '1.000001 second',
  make_interval(months => g % 40, days => g % 30, secs => g), (g / 100.0)::numeric::money, 0
FROM generate_series(4, {ROWS}) g
"""


def skipped(duck: Any, table: str) -> int:
    [(count,)] = duck.execute(
        "SELECT COALESCE(duplicates_skipped, 0) FROM _cdc.tables WHERE source_table = ?", [f"public.{table}"]
    ).fetchall()
    return int(count)


def schema_of(duck: Any, table: str) -> list[tuple[object, ...]]:
    return duck.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()


class Writer(threading.Thread):
    """Updates (counter + 1), inserts and deletes until stopped (at most 20 s), on its own connection."""

    def __init__(self, settings: Settings, table: str) -> None:
        super().__init__(name="writer", daemon=True)
        self.settings, self.table, self.done, self.stop = settings, table, 0, threading.Event()
        self.errors: list[BaseException] = []

    def run(self) -> None:
        deadline = time.monotonic() + 20
        try:
            with psycopg.connect(postgres_dsn(self.settings), autocommit=True) as conn:
                while not self.stop.is_set() and time.monotonic() < deadline:
                    i = self.done
                    with conn.transaction():  # several statements per transaction, as applications do
                        conn.execute(
                            f"UPDATE {self.table} SET counter = counter + 1, t = %s WHERE id = %s",
                            (f"w{i}", 4 + (i * 7919) % (ROWS - 4)),
                        )
                        conn.execute(
                            f"INSERT INTO {self.table} (id, i8, t) VALUES (%s, %s, 'new')", (ROWS + 1 + i, i)
                        )
                        if i % 5 == 0:
                            conn.execute(f"DELETE FROM {self.table} WHERE id = %s", (ROWS + 1 + i - 3,))
                    self.done += 1
        except BaseException as exc:
            self.errors.append(exc)


def test_a_load_from_postgres_under_writes_ends_equal_with_the_streamed_schema(
    stack_settings: Settings, pg: PG, tmp_path: Path
) -> None:
    table = f"fast_{uuid.uuid4().hex[:8]}"
    pg.execute(f"CREATE TABLE {table} {COLUMNS}")
    for row in SPECIAL:
        pg.execute(f"INSERT INTO {table} VALUES {row}")
    pg.execute(BULK.format(table=table))
    pg.execute(f"ANALYZE {table}")  # the load's ETA reads reltuples
    settings = pipeline_settings(stack_settings, f"e2e_{table}", tmp_path)
    apply_connector(settings, [TableRef("public", table)])
    try:
        with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
            wait_equal(lambda: pg_rows(pg, table, ["id"]), lambda: duck_rows(duck, table, ["id"]), sink, 180)
            # BC values after Debezium's snapshot, which sends them as AD (streamed changes are exact)
            pg.execute(
                f"UPDATE {table} SET d = '4713-01-01 BC', ts = '0044-03-15 10:00:00.000001 BC' WHERE id = 1"
            )
            wait_equal(lambda: pg_rows(pg, table, ["id"]), lambda: duck_rows(duck, table, ["id"]), sink)
            streamed = schema_of(duck, table)
            skipped_before = skipped(duck, table)
            seen: list[dict[str, Any]] = []
            writer = Writer(settings, table)
            writer.start()
            while writer.done < 50 and writer.is_alive():
                time.sleep(0.05)
            report = tables.resnapshot(sink.settings, f"public.{table}", "postgres", seen.append)
            loaded_while = writer.done
            time.sleep(2)  # writes go on after the swap too
            writer.stop.set()
            writer.join(timeout=60)
            assert not writer.errors, writer.errors
            assert report.done == f"loaded public.{table} from PostgreSQL", report
            assert seen[-1]["state"] == "done" and seen[-1]["rows"] >= ROWS, seen[-1]
            assert {s["state"] for s in seen} <= {"loading", "swapping", "done"}
            assert loaded_while > 50, "the writer wrote during the load"
            wait_equal(lambda: pg_rows(pg, table, ["id"]), lambda: duck_rows(duck, table, ["id"]), sink, 120)
            assert schema_of(duck, table) == streamed, "the load built the table streaming built"
            # the writer's transactions between the offsets taken and the load's snapshot reached DuckDB in
            # the load and again from Kafka: the second copies were dropped (never applied twice)
            assert skipped(duck, table) > skipped_before
            [(snapshot,)] = duck.execute(
                "SELECT loaded_snapshot FROM _cdc.tables WHERE source_table = ?", [f"public.{table}"]
            ).fetchall()
            loads = sink_status(sink)["loads"]
            assert loads[0]["table"] == f"public.{table}" and loads[0]["eta_seconds"] is None, loads
            # the writes after the load are past its clear LSN: the filter is gone (it would wrap at 2^31)
            assert snapshot is None, snapshot
            assert duck.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = '_cdc' AND table_name LIKE 'load %'"
            ).fetchone() == (0,), "no staging table is left"
    finally:
        delete_connector(settings, drop_slot=True)
        pg.execute(f"DROP TABLE {table}")


def test_a_table_the_load_cannot_read_is_refused_with_the_debezium_way(
    stack_settings: Settings, pg: PG, tmp_path: Path
) -> None:
    table = f"slow_{uuid.uuid4().hex[:8]}"
    pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, tags integer[])")
    pg.execute(f"INSERT INTO {table} VALUES (1, '{{1,2}}')")
    settings = pipeline_settings(stack_settings, f"e2e_{table}", tmp_path)
    apply_connector(settings, [TableRef("public", table)])
    try:
        with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
            wait_equal(lambda: pg_rows(pg, table, ["id"]), lambda: duck_rows(duck, table, ["id"]), sink)
            with pytest.raises(CdcError, match="'tags': arrays are not loaded this way") as refused:
                tables.resnapshot(sink.settings, f"public.{table}", "postgres")
            assert f"cdc tables resnapshot public.{table} --via debezium" in str(refused.value)
            pg.execute(f"UPDATE {table} SET tags = '{{3}}' WHERE id = 1")
            report = tables.resnapshot(sink.settings, f"public.{table}")  # auto: through Debezium, saying why
            assert "not loaded from PostgreSQL" in report.done and "execute-snapshot" in report.done, report
            wait_equal(lambda: pg_rows(pg, table, ["id"]), lambda: duck_rows(duck, table, ["id"]), sink, 120)
    finally:
        delete_connector(settings, drop_slot=True)
        pg.execute(f"DROP TABLE {table}")


def test_a_table_added_to_the_connector_is_loaded_from_postgres(
    stack_settings: Settings, pg: PG, tmp_path: Path
) -> None:
    """`cdc connectors apply` with a new table: once the task streams it, the running sink loads it straight
    from PostgreSQL (no incremental snapshot signal), and changes after it stream on."""
    first, added = f"first_{uuid.uuid4().hex[:8]}", f"added_{uuid.uuid4().hex[:8]}"
    for table in (first, added):
        pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, n integer, t text)")
        pg.execute(f"INSERT INTO {table} SELECT g, g, md5(g::text) FROM generate_series(1, 5000) g")
    settings = pipeline_settings(stack_settings, f"e2e_{first}", tmp_path)
    apply_connector(settings, [TableRef("public", first)])
    try:
        with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
            wait_equal(lambda: pg_rows(pg, first, ["id"]), lambda: duck_rows(duck, first, ["id"]), sink)
            both = [TableRef("public", first), TableRef("public", added)]
            report = apply_connector(
                sink.settings, both, load_added=lambda t: tables.load_tables(sink.settings, t)
            )
            assert report.loaded_tables == [f"public.{added}"] and report.snapshot_tables == [], report
            assert report.signal_id is None
            pg.execute(f"UPDATE {added} SET n = -n WHERE id <= 100")
            pg.execute(f"DELETE FROM {added} WHERE id > 4900")
            wait_equal(lambda: pg_rows(pg, added, ["id"]), lambda: duck_rows(duck, added, ["id"]), sink)
    finally:
        delete_connector(settings, drop_slot=True)
        for table in (first, added):
            pg.execute(f"DROP TABLE {table}")
