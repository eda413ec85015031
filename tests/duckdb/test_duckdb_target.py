"""DuckDBTarget against an embedded DuckDB file: the apply rules (upsert, delete, truncate, TOAST, keyless
tables, identifiers)."""

from __future__ import annotations

from typing import Any

import pytest

from cdc_pipeline.sink.batch import Column, TableBatch, unavailable_mask_name
from cdc_pipeline.sink.duckdb_target import AppliedCounts, DuckDBTarget
from tests.duckdb.target_helpers import (
    apply,
    rows,
    users,
)

# -- create, upsert, delete, truncate ----------------------------------------------------------------------


def test_new_table_lands_in_main_without_key_or_index(target: DuckDBTarget) -> None:
    changes = users({"id": [1, 2], "name": ["a", "b"]})
    target.begin()
    ddl = target.evolve(changes)
    target.apply(changes)
    target.commit()
    assert ddl == ['CREATE TABLE "main"."users" ("id" BIGINT NOT NULL, "name" VARCHAR)']
    assert rows(target, "SELECT * FROM users ORDER BY id") == [(1, "a"), (2, "b")]
    assert rows(target, "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'users'") == [
        ("NOT NULL",)
    ]
    assert rows(target, "SELECT index_name FROM duckdb_indexes() WHERE table_name = 'users'") == []


def test_other_source_schema_becomes_a_duckdb_schema(target: DuckDBTarget) -> None:
    ddl = target.evolve(users(schema="sales", table="orders"))
    assert ddl[0] == 'CREATE SCHEMA IF NOT EXISTS "sales"'
    assert target.evolve(users(schema="sales", table="orders")) == []


def test_upsert_replaces_existing_key_and_inserts_new(target: DuckDBTarget) -> None:
    apply(target, users({"id": [1, 2], "name": ["a", "b"]}))
    counts = apply(target, users({"id": [2, 3], "name": ["B", "c"]}))
    assert counts == AppliedCounts(upserted=2, deleted=0)
    assert rows(target, "SELECT * FROM users ORDER BY id") == [(1, "a"), (2, "B"), (3, "c")]


def test_delete_by_key_with_deletes_carrying_full_rows(target: DuckDBTarget) -> None:
    apply(target, users({"id": [1, 2, 3], "name": ["a", "b", "c"]}))
    counts = apply(target, users(deletes={"id": [1, 3, 99], "name": [None, None, None]}))
    assert counts == AppliedCounts(upserted=0, deleted=2)
    assert rows(target, "SELECT * FROM users") == [(2, "b")]


def test_deletes_run_before_upserts_in_one_batch(target: DuckDBTarget) -> None:
    apply(target, users({"id": [1, 2], "name": ["a", "b"]}))
    apply(target, users({"id": [3], "name": ["c"]}, {"id": [1]}))
    assert rows(target, "SELECT id FROM users ORDER BY id") == [(2,), (3,)]


def test_deletes_and_upserts_of_one_batch_count_exactly_with_one_scan(target: DuckDBTarget) -> None:
    apply(target, users({"id": [1, 2, 3], "name": ["a", "b", "c"]}))
    counts = apply(target, users({"id": [2, 4], "name": ["B", "d"]}, {"id": [1, 99]}))
    assert counts == AppliedCounts(upserted=2, deleted=1), "99 matched nothing; 2 is replaced, not deleted"
    assert rows(target, "SELECT * FROM users ORDER BY id") == [(2, "B"), (3, "c"), (4, "d")]
    assert rows(target, "SELECT table_name FROM duckdb_tables() WHERE temporary") == [], "no temp left"


def test_a_user_column_named_rowid_keeps_the_two_scan_apply(target: DuckDBTarget) -> None:
    columns = [Column("id", "INTEGER", key=True), Column("rowid", "INTEGER")]
    # the user's values repeat: a DuckDB rowid shadowed by them would remove row 1 with row 2
    apply(target, users({"id": [1, 2, 3], "rowid": [7, 7, 5]}, columns=columns, table="r"))
    counts = apply(target, users({"id": [2], "rowid": [99]}, {"id": [3]}, columns=columns, table="r"))
    assert counts == AppliedCounts(upserted=1, deleted=1)
    assert rows(target, 'SELECT id, "rowid" FROM r ORDER BY id') == [(1, 7), (2, 99)]


def test_truncate_then_rows_of_the_same_batch(target: DuckDBTarget) -> None:
    apply(target, users({"id": [1, 2], "name": ["a", "b"]}))
    counts = apply(target, users({"id": [2, 5], "name": ["new", "e"]}, truncate=True))
    assert counts == AppliedCounts(upserted=2, deleted=0, truncated=2)
    assert rows(target, "SELECT * FROM users ORDER BY id") == [(2, "new"), (5, "e")]


def test_composite_key_matches_on_every_key_column(target: DuckDBTarget) -> None:
    columns = [
        Column("tenant", "VARCHAR", key=True),
        Column("id", "INTEGER", key=True),
        Column("v", "INTEGER"),
    ]
    first = {"tenant": ["a", "a", "b"], "id": [1, 2, 1], "v": [10, 20, 30]}
    apply(target, users(first, columns=columns, table="t"))
    apply(
        target,
        users(
            {"tenant": ["b"], "id": [1], "v": [31]}, {"tenant": ["a"], "id": [2]}, columns=columns, table="t"
        ),
    )
    assert rows(target, "SELECT * FROM t ORDER BY tenant, id") == [("a", 1, 10), ("b", 1, 31)]


def test_each_stream_is_exported_once(target: DuckDBTarget) -> None:
    changes = users({"id": [1], "name": ["a"]}, {"id": [7]})
    apply(target, changes)
    assert [changes.upserts.exports, changes.deletes.exports] == [1, 1]  # type: ignore[union-attr]


# -- TOAST -------------------------------------------------------------------------------------------------

TOASTED = [Column("id", "INTEGER", key=True), Column("doc", "VARCHAR"), Column("n", "INTEGER")]


def toasted(ids: list[int], docs: list[str | None], masked: list[bool], n: list[int]) -> TableBatch:
    data = {"id": ids, "doc": docs, "n": n, unavailable_mask_name(1): masked}
    return users(data, columns=TOASTED, table="docs", unavailable=["doc"])


def test_unchanged_toast_keeps_the_duckdb_value(target: DuckDBTarget) -> None:
    apply(
        target, users({"id": [1, 2], "doc": ["big-1", "big-2"], "n": [1, 2]}, columns=TOASTED, table="docs")
    )
    apply(target, toasted([1, 2], [None, "changed"], [True, False], [10, 20]))
    assert rows(target, "SELECT * FROM docs ORDER BY id") == [(1, "big-1", 10), (2, "changed", 20)]


def test_unchanged_toast_on_a_key_duckdb_lacks_is_null(target: DuckDBTarget) -> None:
    """No value to keep: the row is inserted with NULL there (documented in dml.py)."""
    apply(target, toasted([3], [None], [True], [30]))
    assert rows(target, "SELECT * FROM docs") == [(3, None, 30)]


# -- keyless tables ----------------------------------------------------------------------------------------

KEYLESS = [Column("a", "INTEGER"), Column("b", "VARCHAR")]


def test_keyless_upserts_append_and_deletes_remove_one_row_per_image(target: DuckDBTarget) -> None:
    data = {"a": [1, 1, 1, None, None, 2], "b": ["x", "x", "x", None, None, "y"]}
    apply(target, users(data, columns=KEYLESS, table="log"))
    apply(target, users(data, columns=KEYLESS, table="log"))  # appended again: every row twice
    images = {"a": [1, 1, None, 2, 3], "b": ["x", "x", None, "y", "z"]}
    counts = apply(target, users(deletes=images, columns=KEYLESS, table="log"))
    assert counts.deleted == 4  # (3, 'z') matches nothing
    remaining = rows(target, "SELECT a, b, count(*) FROM log GROUP BY ALL ORDER BY ALL")
    assert remaining == [(1, "x", 4), (2, "y", 1), (None, None, 3)]


def test_keyless_masked_value_is_null(target: DuckDBTarget) -> None:
    data = {"a": [1], "b": [None], unavailable_mask_name(1): [True]}
    apply(target, users(data, columns=KEYLESS, table="log", unavailable=["b"]))
    assert rows(target, "SELECT * FROM log") == [(1, None)]


# -- identifiers -------------------------------------------------------------------------------------------

ODD = [
    Column('my "id"', "INTEGER", key=True),
    Column("Select", "VARCHAR"),
    Column("with space", "VARCHAR"),
    Column("a.b", "INTEGER"),
    Column("Größe", "INTEGER"),
    Column("ORDER", "INTEGER"),
]


@pytest.mark.parametrize(
    ("schema", "table"), [("public", "My Table"), ('we"ird.Schema', "select"), ("ünï", "Ä.b")]
)
def test_odd_identifiers_round_trip(target: DuckDBTarget, schema: str, table: str) -> None:
    first: dict[str, list[Any]] = {'my "id"': [1, 2], "Select": ["s", "t"], "with space": ["w", "v"]}
    first |= {"a.b": [1, 2], "Größe": [3, 4], "ORDER": [5, 6]}
    second = {k: v[:1] for k, v in first.items()} | {"Select": ["S"]}
    apply(target, users(first, columns=ODD, schema=schema, table=table))
    apply(target, users(second, {'my "id"': [2]}, columns=ODD, schema=schema, table=table))
    duck_schema = "main" if schema == "public" else schema
    name = '"{}"."{}"'.format(duck_schema.replace('"', '""'), table)
    assert rows(target, f"SELECT * FROM {name}") == [(1, "S", "w", 1, 3, 5)]
    header = [c for c, *_ in target.cursor().execute(f"DESCRIBE {name}").fetchall()]
    assert header == [c.name for c in ODD]
