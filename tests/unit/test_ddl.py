"""SQL text of the sink's DDL and DML, and the column type rules, tested as text (no database)."""

from __future__ import annotations

import pytest

from cdc_pipeline.sink import bookkeeping, dml
from cdc_pipeline.sink.batch import Column, TableBatch
from cdc_pipeline.sink.ddl import ExistingColumn, add_column, create_table, plan_evolution
from cdc_pipeline.sink.errors import IncompatibleSchemaChange
from cdc_pipeline.sink.naming import TargetTable
from cdc_pipeline.sink.widening import TypeChange, normalize_type, type_change, widens

USERS = TargetTable("main", "users")
ID = Column("id", "BIGINT", nullable=False, key=True)
NAME = Column("name", "VARCHAR")


def changes(*columns: Column, schema: str = "public", table: str = "users") -> TableBatch:
    return TableBatch("t", schema, table, list(columns), [c.name for c in columns if c.key])


# -- type rules -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("integer", "INTEGER"),
        ("INT4", "INTEGER"),
        ("int8", "BIGINT"),
        ("FLOAT", "REAL"),
        ("float8", "DOUBLE"),
        ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"),
        ("TIME WITH TIME ZONE", "TIMETZ"),
        ("VARCHAR(20)", "VARCHAR"),
        ("text", "VARCHAR"),
        ("numeric(10, 2)", "DECIMAL(10,2)"),
        ("DECIMAL(7)", "DECIMAL(7,0)"),
        ("NUMERIC", "DECIMAL(18,3)"),
        ("int[]", "INTEGER[]"),
        ("TIMESTAMP WITH TIME ZONE[]", "TIMESTAMPTZ[]"),
        ("bytea", "BLOB"),
        ("JSON", "JSON"),
    ],
)
def test_normalize_type(text: str, normal: str) -> None:
    assert normalize_type(text) == normal


WIDENINGS = [
    ("SMALLINT", "INTEGER"),
    ("SMALLINT", "BIGINT"),
    ("INTEGER", "BIGINT"),
    ("REAL", "DOUBLE"),
    ("SMALLINT", "REAL"),
    ("SMALLINT", "DOUBLE"),
    ("INTEGER", "DOUBLE"),
    ("DECIMAL(10,2)", "DECIMAL(12,2)"),
    ("DECIMAL(10,2)", "DECIMAL(12,4)"),
    ("DECIMAL(38,0)", "DECIMAL(38,0)"),
    ("SMALLINT", "DECIMAL(5,0)"),
    ("INTEGER", "DECIMAL(12,2)"),
    ("BIGINT", "DECIMAL(19,0)"),
    ("BIGINT", "DECIMAL(38,10)"),
    ("INTEGER", "VARCHAR"),
    ("BIGINT", "VARCHAR"),
    ("BOOLEAN", "VARCHAR"),
    ("DECIMAL(38,10)", "VARCHAR"),
    ("JSON", "VARCHAR"),
    ("UUID", "VARCHAR"),
    ("INTEGER[]", "BIGINT[]"),
    ("DECIMAL(5,1)[]", "VARCHAR[]"),
    ("VARCHAR(10)", "VARCHAR(20)"),
]
NOT_WIDENINGS = [
    ("BIGINT", "INTEGER"),
    ("DOUBLE", "REAL"),
    ("BIGINT", "DOUBLE"),
    ("INTEGER", "REAL"),
    ("DECIMAL(12,2)", "DECIMAL(10,2)"),
    ("DECIMAL(10,2)", "DECIMAL(10,3)"),  # loses an integer digit
    ("DECIMAL(10,4)", "DECIMAL(12,2)"),  # loses fraction digits
    ("DECIMAL(12,2)", "INTEGER"),
    ("INTEGER", "DECIMAL(9,0)"),
    ("BIGINT", "DECIMAL(20,2)"),
    ("DOUBLE", "VARCHAR"),
    ("REAL", "DECIMAL(38,10)"),
    ("TIMESTAMP", "TIMESTAMPTZ"),
    ("TIMESTAMPTZ", "TIMESTAMP"),
    ("TIME", "TIMETZ"),
    ("DATE", "TIMESTAMP"),
    ("DATE", "VARCHAR"),
    ("TIMESTAMPTZ", "VARCHAR"),
    ("VARCHAR", "JSON"),
    ("VARCHAR", "UUID"),
    ("BLOB", "VARCHAR"),
    ("BIT", "VARCHAR"),
    ("INTEGER", "INTEGER[]"),
    ("INTEGER[]", "VARCHAR"),
    ("BIGINT[]", "INTEGER[]"),
]


@pytest.mark.parametrize(("old", "new"), WIDENINGS)
def test_widenings(old: str, new: str) -> None:
    assert widens(old, new)


@pytest.mark.parametrize(("old", "new"), NOT_WIDENINGS)
def test_not_widenings(old: str, new: str) -> None:
    assert not widens(old, new)


@pytest.mark.parametrize(
    ("current", "new", "change"),
    [
        ("INTEGER", "INTEGER", TypeChange.SAME),
        ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", TypeChange.SAME),
        ("FLOAT", "REAL", TypeChange.SAME),
        ("INTEGER", "BIGINT", TypeChange.ALTER),
        ("BIGINT", "INTEGER", TypeChange.KEEP),
        ("DECIMAL(14,4)", "DECIMAL(10,2)", TypeChange.KEEP),
        ("VARCHAR", "DECIMAL(40,2)", TypeChange.KEEP),
        ("DECIMAL(38,2)", "VARCHAR", TypeChange.ALTER),
        ("TIMESTAMP", "TIMESTAMPTZ", TypeChange.INCOMPATIBLE),
        ("VARCHAR", "DATE", TypeChange.INCOMPATIBLE),
        ("DOUBLE", "VARCHAR", TypeChange.INCOMPATIBLE),
    ],
)
def test_type_change(current: str, new: str, change: TypeChange) -> None:
    assert type_change(current, new) is change


# -- DDL ----------------------------------------------------------------------------------------------------


def test_create_table_has_no_primary_key_and_not_null_on_keys_only() -> None:
    sql = create_table(
        TargetTable("main", "My T"), [ID, NAME, Column("n", "INTEGER", nullable=False)], ["id"]
    )
    assert sql == 'CREATE TABLE "main"."My T" ("id" BIGINT NOT NULL, "name" VARCHAR, "n" INTEGER)'


def test_plan_for_a_new_table_in_another_schema_creates_the_schema() -> None:
    assert plan_evolution(changes(ID, NAME, schema='s"x', table="t"), []) == [
        'CREATE SCHEMA IF NOT EXISTS "s""x"',
        'CREATE TABLE "s""x"."t" ("id" BIGINT NOT NULL, "name" VARCHAR)',
    ]


def test_add_column_with_and_without_default() -> None:
    assert add_column(USERS, Column("score", "DECIMAL(5,2)", default_sql="1.50")) == (
        'ALTER TABLE "main"."users" ADD COLUMN "score" DECIMAL(5,2) DEFAULT 1.50'
    )
    assert (
        add_column(USERS, Column("Note", "VARCHAR")) == 'ALTER TABLE "main"."users" ADD COLUMN "Note" VARCHAR'
    )


def test_plan_adds_widens_keeps_dropped_and_relaxes_not_null() -> None:
    existing = [
        ExistingColumn("id", "INTEGER", nullable=False),
        ExistingColumn("old_key", "INTEGER", nullable=False),
        ExistingColumn("NAME", "VARCHAR"),
        ExistingColumn("gone", "VARCHAR"),
        ExistingColumn("wide", "BIGINT"),
    ]
    new = changes(ID, NAME, Column("wide", "INTEGER"), Column("added", "BOOLEAN", default_sql="true"))
    assert plan_evolution(new, existing) == [
        'ALTER TABLE "main"."users" ALTER COLUMN "id" SET DATA TYPE BIGINT',
        'ALTER TABLE "main"."users" ADD COLUMN "added" BOOLEAN DEFAULT true',
        'ALTER TABLE "main"."users" ALTER COLUMN "old_key" DROP NOT NULL',
    ]


def test_plan_with_nothing_changed_is_empty() -> None:
    existing = [ExistingColumn("id", "BIGINT", nullable=False), ExistingColumn("name", "VARCHAR")]
    assert plan_evolution(changes(ID, NAME), existing) == []


def test_incompatible_change_message_names_table_column_types_and_recovery() -> None:
    existing = [ExistingColumn("id", "BIGINT", nullable=False), ExistingColumn("name", "VARCHAR")]
    with pytest.raises(IncompatibleSchemaChange) as raised:
        plan_evolution(changes(ID, Column("name", "TIMESTAMP"), Column("later", "INTEGER")), existing)
    error = raised.value
    assert (error.source, error.column, error.old_type, error.new_type) == (
        "public.users",
        "name",
        "VARCHAR",
        "TIMESTAMP",
    )
    assert str(error).startswith(
        "table public.users: column 'name' changed type from VARCHAR to TIMESTAMP, which DuckDB column "
        '"main"."users"."name" cannot follow without losing values. The sink stops applying public.users '
        "(the other tables go on); to recover, re-snapshot it with `cdc tables resnapshot public.users`"
    )


# -- DML ----------------------------------------------------------------------------------------------------

SHAPE = dml.BatchShape(
    table=USERS,
    columns=[("id", "BIGINT"), ("doc", "JSON"), ("n", "INTEGER")],
    keys=["id"],
    masks={"doc": "__cdc_unavailable_1"},
    dropped=["gone"],
)


def test_truncate_is_a_delete_of_every_row() -> None:
    assert dml.truncate(USERS) == 'DELETE FROM "main"."users"'


def test_delete_by_key_joins_on_cast_keys() -> None:
    assert dml.delete_by_key(SHAPE, "s1") == (
        'DELETE FROM "main"."users" AS "__cdc_target" USING (SELECT CAST("id" AS BIGINT) AS "id" FROM "s1") '
        'AS "__cdc_batch" WHERE "__cdc_target"."id" = "__cdc_batch"."id"'
    )


def test_merge_keeps_masked_values_and_nulls_dropped_columns_of_new_rows() -> None:
    assert dml.merge_upserts(SHAPE, "s1") == (
        'MERGE INTO "main"."users" AS "__cdc_target" USING (SELECT CAST("id" AS BIGINT) AS "id", '
        'CAST("doc" AS JSON) AS "doc", CAST("n" AS INTEGER) AS "n", "__cdc_unavailable_1" FROM "s1") '
        'AS "__cdc_batch" ON "__cdc_target"."id" = "__cdc_batch"."id" WHEN MATCHED THEN UPDATE SET '
        '"doc" = CASE WHEN "__cdc_batch"."__cdc_unavailable_1" THEN "__cdc_target"."doc" '
        'ELSE "__cdc_batch"."doc" END, "n" = "__cdc_batch"."n" '
        'WHEN NOT MATCHED THEN INSERT ("id", "doc", "n", "gone") VALUES ("__cdc_batch"."id", '
        'CASE WHEN "__cdc_batch"."__cdc_unavailable_1" THEN NULL ELSE "__cdc_batch"."doc" END, '
        '"__cdc_batch"."n", NULL)'
    )


def test_merge_of_a_key_only_table_does_nothing_on_match() -> None:
    shape = dml.BatchShape(USERS, [("a", "INTEGER"), ("b", "INTEGER")], keys=["a", "b"])
    sql = dml.merge_upserts(shape, "s")
    assert 'ON "__cdc_target"."a" = "__cdc_batch"."a" AND "__cdc_target"."b" = "__cdc_batch"."b"' in sql
    assert "WHEN MATCHED THEN DO NOTHING" in sql


def test_keyless_append_names_every_column() -> None:
    shape = dml.BatchShape(USERS, [("a", "INTEGER"), ("b b", "VARCHAR")])
    assert dml.append_rows(shape, "s") == (
        'INSERT INTO "main"."users" ("a", "b b") SELECT "__cdc_batch"."a", "__cdc_batch"."b b" FROM '
        '(SELECT CAST("a" AS INTEGER) AS "a", CAST("b b" AS VARCHAR) AS "b b" FROM "s") AS "__cdc_batch"'
    )


def test_keyless_delete_matches_null_safely_and_counts_copies() -> None:
    shape = dml.BatchShape(USERS, [("a", "INTEGER"), ("b", "VARCHAR")])
    sql = dml.delete_multiset(shape, "s")
    assert '"__cdc_target"."a" IS NOT DISTINCT FROM "__cdc_batch"."a"' in sql
    assert 'count(*) AS "__cdc_copies" FROM "s" GROUP BY ALL' in sql
    assert sql.startswith('DELETE FROM "main"."users" WHERE rowid IN (')
    assert sql.endswith('WHERE "__cdc_copy" <= "__cdc_copies")')


def test_no_statement_uses_by_name_or_select_star_on_the_stream() -> None:
    for sql in (dml.merge_upserts(SHAPE, "s"), dml.delete_by_key(SHAPE, "s"), dml.append_rows(SHAPE, "s")):
        assert "BY NAME" not in sql and 'SELECT * FROM "s"' not in sql


# -- bookkeeping --------------------------------------------------------------------------------------------


def test_bookkeeping_tables_have_the_documented_columns() -> None:
    offsets, tables = bookkeeping.CREATE[1], bookkeeping.CREATE[2]
    assert offsets == (
        'CREATE TABLE IF NOT EXISTS "_cdc"."offsets" ("topic" VARCHAR, "partition" INTEGER, '
        '"next_offset" BIGINT, PRIMARY KEY ("topic", "partition"))'
    )
    for column in ("source_table", "target_table", "last_lsn", "last_source_ts", "last_applied_at"):
        assert f'"{column}"' in tables
    for column in ("rows_upserted", "rows_deleted", "state", "last_error"):
        assert f'"{column}"' in tables


def test_write_offsets_is_one_statement_for_all_partitions() -> None:
    sql = bookkeeping.write_offsets(3)
    assert sql.count("(?, ?, ?)") == 3
    assert 'ON CONFLICT ("topic", "partition") DO UPDATE SET "next_offset" = excluded."next_offset"' in sql
