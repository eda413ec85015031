"""A 64 MiB value replicates: broker, topic, Connect's producer and the sink's consumer are all sized from
``max_row_bytes`` (default 64 MiB plus a quarter of headroom, see ``kafka_limits``).

One row with a 64 MiB text value is inserted, then updated to another 64 MiB value, then to a 64 MiB bytea
value (its text set NULL; Debezium's JSON carries the bytea as 85 MiB of base64); DuckDB must end with the
same value, compared by md5 and length on both sides (the value itself never crosses into the test). Time and
memory stay bounded: one row, three events.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import psycopg

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.lifecycle import delete_connector
from cdc_pipeline.connectors.model import TableRef
from tests.e2e.conftest import pipeline_settings
from tests.e2e.replica import duck_connect, running_sink

PG = psycopg.Connection[tuple[object, ...]]
MIB_64 = 64 << 20
# 64 MiB of text that does not compress to nothing: 2 Mi md5 hex digests (32 chars each) of a seeded series
VALUE_SQL = "(SELECT string_agg(md5(%s || g::text), '') FROM generate_series(1, 2097152) g)"
# 64 MiB of bytes: 4 Mi md5 digests (16 bytes each)
BYTES_SQL = "(SELECT decode(string_agg(md5(%s || g::text), ''), 'hex') FROM generate_series(1, 4194304) g)"


def md5_pg(pg: PG, table: str, column: str) -> tuple[object, ...] | None:
    return pg.execute(f"SELECT md5({column}), length({column}) FROM {table} WHERE id = 1").fetchone()


def test_a_64_mib_text_and_a_64_mib_bytea_are_inserted_and_updated_exactly(
    stack_settings: Settings, pg: PG, tmp_path: Path
) -> None:
    table = f"big_{uuid.uuid4().hex[:8]}"
    pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, t text, n integer, b bytea)")
    settings = pipeline_settings(stack_settings, f"e2e_{table}", tmp_path)
    apply_connector(settings, [TableRef("public", table)])
    try:
        with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
            for step, seed in enumerate(("first", "second", "bytes")):
                column, duck_length = ("b", "octet_length") if seed == "bytes" else ("t", "length")
                if step == 0:
                    pg.execute(f"INSERT INTO {table} VALUES (1, {VALUE_SQL}, 0)", (seed,))
                elif seed == "bytes":
                    pg.execute(f"UPDATE {table} SET t = NULL, b = {BYTES_SQL}, n = 2 WHERE id = 1", (seed,))
                else:
                    pg.execute(f"UPDATE {table} SET t = {VALUE_SQL}, n = 1 WHERE id = 1", (seed,))
                expected = md5_pg(pg, table, column)
                assert expected is not None and expected[1] == MIB_64
                deadline = time.monotonic() + 240
                got = None
                while time.monotonic() < deadline:
                    sink()
                    try:
                        got = duck.execute(
                            f'SELECT md5({column}), {duck_length}({column}) FROM main."{table}" '
                            "WHERE id = 1 AND n = ?",
                            [step],
                        ).fetchone()
                    except Exception:  # the table is not created yet
                        got = None
                    if got is not None:
                        break
                    time.sleep(1)
                assert got == expected, f"step {seed}: DuckDB {got} != PostgreSQL {expected}"
    finally:
        delete_connector(settings, drop_slot=True)
        pg.execute(f"DROP TABLE {table}")
