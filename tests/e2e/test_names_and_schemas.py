"""Odd identifiers replicate exactly, and a captured whole schema picks up a table created later by itself.

- Tables named with a space, a comma, a dot, upper case and non-ASCII letters (columns also with ``;``, ``:``
  and a quote), in a schema whose name holds a space and a dot: inserts, updates and deletes land in DuckDB
  under the exact same names.
- Names sharing a Kafka topic or a DuckDB table, and a table name holding a quote, are refused at preflight.
- ``tables: {schema: "*"}``: the publication is ``FOR TABLES IN SCHEMA``; a table created after the connector
  started is streamed (its topic found by the sink) and ends equal, without `cdc connectors apply`. A keyless
  table created later replicates its inserts; PostgreSQL refuses its updates and deletes until it is given
  REPLICA IDENTITY FULL (or a primary key), and then those replicate too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from cdc_pipeline import tables
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.model import publication_name
from cdc_pipeline.connectors.preflight import PreflightError
from tests.e2e.conftest import Pipelines
from tests.e2e.replica import (
    duck_connect,
    duck_rows,
    eventually,
    pg_rows,
    running_sink,
    wait_equal,
)

PG = psycopg.Connection[tuple[object, ...]]
ODD_TABLES = ["a b, c;d:e", "x.y", "MixedCase", "naïve 表"]  # a quote is refused (Debezium's snapshot)
COLUMNS = '(id integer PRIMARY KEY, "first name" text, "e,mail;x:y" text, "Q""col" integer, "Größe" text)'


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture()
def schema(pg: PG) -> Iterator[str]:
    name = f"Odd Schema.{uuid.uuid4().hex[:6]}"
    pg.execute(f"CREATE SCHEMA {q(name)}")
    yield name
    pg.execute(f"DROP SCHEMA {q(name)} CASCADE")


def change_rows(pg: PG, table: str, start: int) -> None:
    pg.execute(
        f"INSERT INTO {table} SELECT i, 'n' || i, 'm' || i, i, 'ß' || i "
        "FROM generate_series(%s::int, %s::int) i",
        (start, start + 9),
    )
    pg.execute(
        f'UPDATE {table} SET "first name" = "first name" || \' updated\', "Q""col" = -"Q""col" '
        f"WHERE id %% 3 = 0 AND id >= %s",
        (start,),
    )
    pg.execute(f"DELETE FROM {table} WHERE id = %s", (start + 1,))


def test_tables_with_odd_names_replicate_exactly(isolated_pipeline: Pipelines, pg: PG, schema: str) -> None:
    for table in ODD_TABLES:
        pg.execute(f"CREATE TABLE {q(schema)}.{q(table)} {COLUMNS}")
        change_rows(pg, f"{q(schema)}.{q(table)}", 1)
    settings = isolated_pipeline("names", tables={schema: ODD_TABLES})
    apply_connector(settings)
    with running_sink(settings) as sink:
        for table in ODD_TABLES:
            change_rows(pg, f"{q(schema)}.{q(table)}", 100)
        with duck_connect(settings.duckdb_file) as duck:
            for table in ODD_TABLES:
                try:
                    wait_equal(
                        lambda t=table: pg_rows(pg, t, ["id"], schema=schema),  # type: ignore[misc]
                        lambda t=table: duck_rows(duck, t, ["id"], schema=schema),  # type: ignore[misc]
                        sink,
                    )
                except AssertionError as exc:
                    raise AssertionError(f"table {table}: {exc}") from exc
            landed = duck.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1", [schema]
            ).fetchall()
    assert sorted(t for (t,) in landed) == sorted(ODD_TABLES)


def test_tables_sharing_a_topic_or_a_duckdb_name_are_refused(
    stack_settings: Settings, pg: PG, schema: str
) -> None:
    for table in ("a b", "a_b", "Users", "users", 'say "hi"'):
        pg.execute(f"CREATE TABLE {q(schema)}.{q(table)} (id integer PRIMARY KEY)")
    settings = stack_settings.model_copy(
        update={"connector_name": f"e2e_clash_{uuid.uuid4().hex[:8]}", "tables": {schema: ["*"]}}
    )
    with pytest.raises(PreflightError) as refused:
        apply_connector(settings)
    message = str(refused.value)
    assert f"would share Kafka topic dbserver1.{schema.replace(' ', '_')}.a_b" in message
    assert f"would both land in DuckDB table {schema}.Users" in message
    assert "Debezium cannot snapshot a table whose schema or table name holds a double quote" in message


def test_a_table_created_later_in_a_captured_schema_appears_by_itself(
    isolated_pipeline: Pipelines, pg: PG
) -> None:
    schema = f"whole_{uuid.uuid4().hex[:8]}"
    pg.execute(f"CREATE SCHEMA {schema}")
    try:
        pg.execute(f"CREATE TABLE {schema}.early {COLUMNS}")
        change_rows(pg, f"{schema}.early", 1)
        settings = isolated_pipeline(schema, tables={schema: ["*"]})
        apply_connector(settings)
        [(objects,)] = pg.execute(
            "SELECT array_agg(DISTINCT n.nspname) FROM pg_publication_namespace pn "
            "JOIN pg_publication p ON p.oid = pn.pnpubid JOIN pg_namespace n ON n.oid = pn.pnnspid "
            "WHERE p.pubname = %s",
            (publication_name(settings),),
        ).fetchall()
        assert objects == [schema]
        with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
            wait_equal(
                lambda: pg_rows(pg, "early", ["id"], schema=schema),
                lambda: duck_rows(duck, "early", ["id"], schema=schema),
                sink,
            )
            pg.execute(f"CREATE TABLE {schema}.later {COLUMNS}")
            change_rows(pg, f"{schema}.later", 1)
            change_rows(pg, f"{schema}.early", 100)
            for table in ("early", "later"):
                wait_equal(
                    lambda t=table: pg_rows(pg, t, ["id"], schema=schema),  # type: ignore[misc]
                    lambda t=table: duck_rows(duck, t, ["id"], schema=schema),  # type: ignore[misc]
                    sink,
                    timeout_s=90,
                )
            # a keyless table created later: inserts replicate, but PostgreSQL refuses its updates and
            # deletes (it is published) until it gets a primary key or REPLICA IDENTITY FULL
            pg.execute(f"CREATE TABLE {schema}.keyless (n integer, s text)")
            pg.execute(f"INSERT INTO {schema}.keyless SELECT i, 's' || i FROM generate_series(1, 5) i")
            with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="does not have a replica"):
                pg.execute(f"UPDATE {schema}.keyless SET s = 'x' WHERE n = 1")
            pg.execute(f"ALTER TABLE {schema}.keyless REPLICA IDENTITY FULL")
            pg.execute(f"UPDATE {schema}.keyless SET s = 'x' WHERE n = 1")
            pg.execute(f"DELETE FROM {schema}.keyless WHERE n = 2")
            wait_equal(
                lambda: pg_rows(pg, "keyless", ["n"], schema=schema),
                lambda: duck_rows(duck, "keyless", ["n"], schema=schema),
                sink,
                timeout_s=90,
            )
            # a table created later whose DuckDB name another already holds stops; the other is untouched
            pg.execute(f'CREATE TABLE {schema}."Early" {COLUMNS}')
            change_rows(pg, f'{schema}."Early"', 500)
            change_rows(pg, f"{schema}.later", 500)
            eventually(
                "the clashing table is stopped",
                lambda: any(
                    t.source_table == f"{schema}.Early"
                    and t.state == "stopped"
                    and "already holds" in (t.reason or "")
                    for t in tables.list_tables(sink.settings).tables
                ),
                timeout_s=90,
                check_sink=sink,
            )
            for table in ("early", "later"):
                wait_equal(
                    lambda t=table: pg_rows(pg, t, ["id"], schema=schema),  # type: ignore[misc]
                    lambda t=table: duck_rows(duck, t, ["id"], schema=schema),  # type: ignore[misc]
                    sink,
                )
            pg.execute(f'DROP TABLE {schema}."Early"')
            # a table created later with a column of a refused type stops before it lands (the preflight
            # never saw it; Debezium drops the tsquery column from its events)
            pg.execute(f"CREATE TABLE {schema}.searched (id integer PRIMARY KEY, q tsquery)")
            pg.execute(f"INSERT INTO {schema}.searched VALUES (1, 'fat & rat')")
            eventually(
                "the table with a refused column is stopped",
                lambda: any(
                    t.source_table == f"{schema}.searched"
                    and t.state == "stopped"
                    and 'column "q" cannot replicate exactly: tsquery' in (t.reason or "")
                    for t in tables.list_tables(sink.settings).tables
                ),
                timeout_s=90,
                check_sink=sink,
            )
            assert not duck.execute(
                "SELECT 1 FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'searched'", [schema]
            ).fetchall(), "no DuckDB table without its column"
            pg.execute(f"DROP TABLE {schema}.searched")
        # a later apply keeps the schema publication (Debezium does not rewrite it to a table list)
        assert apply_connector(settings).action == "unchanged"
    finally:
        pg.execute(f"DROP SCHEMA {schema} CASCADE")
