"""Identifiers that need quoting, and schema evolution on the real stack: an added column with a DEFAULT
reaches existing rows, a dropped column is kept, a widened column is altered, and an incompatible change
stops only its table while the others keep flowing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from tests.e2e.replica import duck_connect, duck_rows, eventually, pg_rows, running_sink, wait_equal

WEIRD_TABLE = "Weird Table"


@pytest.fixture()
def pipeline(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]], tmp_path: Path
) -> Iterator[tuple[Settings, str, str]]:
    suffix = uuid.uuid4().hex[:8]
    schema, evolve = f"Sales Ünits {suffix}", f"evolve_{suffix}"
    settings = stack_settings.model_copy(
        update={
            "connector_name": f"e2e_schema_{suffix}",
            "topic_prefix": f"e2e_schema_{suffix}",
            "duckdb_path": tmp_path / "schema.duckdb",
            "sink_max_wait_ms": 200,
        }
    )
    pg.execute(f'CREATE SCHEMA "{schema}"')
    pg.execute(
        f'CREATE TABLE "{schema}"."{WEIRD_TABLE}" ("Id" integer PRIMARY KEY, "select" text, '
        '"Mixed Case" integer, "with space" text, "quo""te" text, "ts" timestamp)'
    )
    pg.execute(
        f'INSERT INTO "{schema}"."{WEIRD_TABLE}" VALUES '
        "(1, 'from', 10, 'a b', 'say \"hi\"', '2024-01-01 10:00'), (2, NULL, -1, 'ü', '', NULL)"
    )
    pg.execute(f"CREATE TABLE {evolve} (id integer PRIMARY KEY, n integer, note text)")
    pg.execute(f"INSERT INTO {evolve} SELECT i, i, 'note ' || i FROM generate_series(1, 5) i")
    apply_connector(settings, [TableRef(schema, WEIRD_TABLE), TableRef("public", evolve)])
    yield settings, schema, evolve
    with ConnectClient(settings.connect_url) as client:
        client.delete(settings.connector_name)


def test_quoted_identifiers_and_schema_evolution(
    pipeline: tuple[Settings, str, str], pg: psycopg.Connection[tuple[object, ...]]
) -> None:
    settings, schema, evolve = pipeline
    weird = f'"{schema}"."{WEIRD_TABLE}"'
    with running_sink(settings) as check, duck_connect(settings.duckdb_file) as duck:

        def same(table: str, key: str, pg_schema: str = "public", duck_schema: str = "main") -> None:
            wait_equal(
                lambda: pg_rows(pg, table, [key], pg_schema),
                lambda: duck_rows(duck, table, [key], duck_schema),
                check,
            )

        same(WEIRD_TABLE, "Id", schema, schema)  # a non-public schema keeps its name in DuckDB
        same(evolve, "id")

        pg.execute(f"ALTER TABLE {evolve} ADD COLUMN extra integer DEFAULT 7")
        pg.execute(f"UPDATE {evolve} SET n = 50 WHERE id = 5")  # the new schema arrives with the next change
        same(evolve, "id")  # rows 1-4, untouched since, have extra = 7 in DuckDB too

        pg.execute(f"ALTER TABLE {evolve} ALTER COLUMN n TYPE bigint")
        pg.execute(f"INSERT INTO {evolve} (id, n) VALUES (6, 1099511627776)")
        same(evolve, "id")
        types = dict(
            duck.execute(
                f"SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = '{evolve}'"
            ).fetchall()
        )
        assert types["n"] == "BIGINT"

        pg.execute(f"ALTER TABLE {evolve} DROP COLUMN note")
        pg.execute(f"INSERT INTO {evolve} (id, n) VALUES (7, 7)")
        eventually(
            "row 7 arrives",
            lambda: duck.execute(f'SELECT count(*) FROM "{evolve}" WHERE id = 7').fetchone() == (1,),
            60,
            check_sink=check,
        )
        kept = duck.execute(f'SELECT id, note FROM "{evolve}" WHERE id IN (1, 7) ORDER BY id').fetchall()
        assert kept == [(1, "note 1"), (7, None)], "a dropped source column is kept; new rows get NULL"

        pg.execute(f"ALTER TABLE {weird} ALTER COLUMN ts TYPE timestamptz")  # not a widening: stops the table
        pg.execute(f'UPDATE {weird} SET "select" = \'changed\' WHERE "Id" = 1')
        pg.execute(f"INSERT INTO {evolve} (id, n) VALUES (8, 8)")  # the other table keeps flowing
        eventually(
            "row 8 of the other table arrives",
            lambda: duck.execute(f'SELECT count(*) FROM "{evolve}" WHERE id = 8').fetchone() == (1,),
            60,
            check_sink=check,
        )
        state = duck.execute(
            "SELECT state, last_error FROM _cdc.tables WHERE source_table = ?", [f"{schema}.{WEIRD_TABLE}"]
        ).fetchone()
        assert state is not None and state[0] == "stopped" and "re-snapshot" in state[1], state
        assert duck.execute(f'SELECT "select" FROM {weird} WHERE "Id" = 1').fetchone() == ("from",)
