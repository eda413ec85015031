"""Preflight refuses names that would mix two sources, with both names, what they share and the fix."""

from __future__ import annotations

from dataclasses import replace

from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.connectors.preflight import evaluate
from cdc_pipeline.connectors.source_db import SourceFacts, TableFacts
from cdc_pipeline.sink.merge_guard import owner_of_target
from cdc_pipeline.type_contract import ColumnType

SLOT = "cdc_cdc_db_connector"
INT = ColumnType(typname="int4", typtype="b", element=None, element_typtype=None, dimensions=0)
BASE = SourceFacts(wal_level="logical", user="cdc", can_replicate=True, max_replication_slots=10)


def keyed(schema: str, table: str, *columns: str) -> TableFacts:
    return TableFacts(TableRef(schema, table), True, True, "d", tuple((c, INT) for c in columns or ("id",)))


def lines(*tables: TableFacts, excluded: tuple[str, ...] = ()) -> list[str]:
    facts = replace(BASE, tables=list(tables))
    return [p.line() for p in evaluate(facts, SLOT, {}, excluded, topic_prefix="dbserver1") if p.blocking]


def test_odd_names_that_collide_with_nothing_pass() -> None:
    assert lines(keyed("public", "a b, c"), keyed("public", "x.y;z:w"), keyed("sales", "naïve")) == []


def test_a_double_quote_in_a_table_name_is_refused_in_a_column_name_not() -> None:
    assert lines(keyed("public", 'say "hi"'), keyed("public", "t", "id", 'Q"col')) == [
        'table public."say ""hi""": Debezium cannot snapshot a table whose schema or table name holds a '
        'double quote (its snapshot query leaves the " undoubled and fails, retried forever); fix: rename '
        'it, e.g. `ALTER TABLE public."say ""hi""" RENAME TO "say hi";`'
    ]


def test_two_tables_on_one_kafka_topic() -> None:
    assert lines(keyed("public", "a b"), keyed("public", "a_b")) == [
        "tables public.a b and public.a_b would share Kafka topic dbserver1.public.a_b (Debezium replaces "
        "characters outside A-Za-z0-9._- with _), mixing their changes; fix: rename one in PostgreSQL, e.g. "
        "`ALTER TABLE public.a_b RENAME TO a_b_2;`, or remove public.a_b from the table list"
    ]


def test_a_dot_in_a_name_can_share_a_topic_with_another_schema() -> None:
    [line] = lines(keyed("public", "a.b"), keyed("public.a", "b"))
    assert line.startswith(
        'tables public."a.b" and "public.a".b would share Kafka topic dbserver1.public.a.b'
    )


def test_main_and_public_land_on_one_duckdb_table() -> None:
    assert lines(keyed("main", "users"), keyed("public", "users")) == [
        "tables main.users and public.users would both land in DuckDB table main.users (source schema public "
        "lands in DuckDB schema main), merging their rows; fix: rename one in PostgreSQL, e.g. "
        "`ALTER TABLE public.users RENAME TO users_2;`, or remove public.users from the table list"
    ]


def test_names_differing_only_in_case_land_on_one_duckdb_table() -> None:
    assert lines(keyed("public", "Users"), keyed("public", "users")) == [
        "tables public.Users and public.users would both land in DuckDB table main.Users (DuckDB ignores the "
        "case of identifiers), merging their rows; fix: rename one in PostgreSQL, e.g. "
        "`ALTER TABLE public.users RENAME TO users_2;`, or remove public.users from the table list"
    ]


def test_duckdb_folds_only_ascii_case() -> None:
    [line] = lines(keyed("public", "Äx"), keyed("public", "äx"))  # distinct in DuckDB, one topic in Kafka
    assert "would share Kafka topic dbserver1.public._x" in line and "DuckDB" not in line


def test_a_source_schema_named_like_the_bookkeeping_schema() -> None:
    assert lines(keyed("_CDC", "t")) == [
        "source schema _CDC would land in DuckDB schema _cdc, the sink's bookkeeping; fix: rename it in "
        'PostgreSQL, e.g. `ALTER SCHEMA "_CDC" RENAME TO cdc_data;`, or remove its tables from the table list'
    ]


def test_columns_differing_only_in_case() -> None:
    assert lines(keyed("public", "people", "id", "Name", "name")) == [
        'table public.people has columns "Name" and name that differ only in case: Debezium fails the task '
        "on them and DuckDB would merge them; fix: rename one, e.g. "
        "`ALTER TABLE public.people RENAME COLUMN name TO name_2;`"
    ]


def test_a_missing_whole_schema_is_refused_and_an_empty_one_passes() -> None:
    assert lines(TableFacts(TableRef("sales", "*"), True)) == []
    assert lines(TableFacts(TableRef("Sales", "*"), False)) == [
        'schema Sales does not exist (names are case-sensitive); fix: create it (`CREATE SCHEMA "Sales";`), '
        "or remove Sales.* from the table list"
    ]


def test_tables_of_a_whole_schema_are_checked_like_listed_ones() -> None:
    keyless = TableFacts(TableRef("app", "log"), True, False, "d", (("id", INT),))
    [line] = lines(TableFacts(TableRef("app", "*"), True), keyless)
    assert line.startswith("table app.log has no primary key")


def test_the_sink_finds_the_other_source_of_a_duckdb_table_as_duckdb_compares_names() -> None:
    rows: list[tuple[object, ...]] = [("public.users", '"main"."users"', "running"), ("s.x", None, "stopped")]
    assert owner_of_target(rows, "public.Users", '"main"."Users"') == "public.users"
    assert owner_of_target(rows, "main.users", '"main"."users"') == "public.users"
    assert owner_of_target(rows, "public.users", '"main"."users"') is None  # itself
    assert owner_of_target([("public.Äx", '"main"."Äx"')], "public.äx", '"main"."äx"') is None
