"""DuckDBTarget against an embedded DuckDB file: schema evolution, transactions and bookkeeping, and every
type of the contract."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from pyarrow import MonthDayNano

from cdc_pipeline.sink.batch import Column, TableBatch
from cdc_pipeline.sink.duckdb_target import AppliedCounts, DuckDBTarget
from cdc_pipeline.sink.errors import ApplyError, IncompatibleSchemaChange
from cdc_pipeline.sink.naming import target_table
from tests.duckdb.target_helpers import (
    INFINITY_US,
    USERS,
    UUID_TEXT,
    OneShot,
    apply,
    rows,
    stream,
    users,
)

# -- schema evolution --------------------------------------------------------------------------------------


def test_added_column_with_default_fills_existing_rows(target: DuckDBTarget) -> None:
    apply(target, users({"id": [1], "name": ["a"]}))
    columns = [*USERS, Column("score", "INTEGER", default_sql="7")]
    target.begin()
    ddl = target.evolve(users(columns=columns))
    target.commit()
    assert ddl == ['ALTER TABLE "main"."users" ADD COLUMN "score" INTEGER DEFAULT 7']
    apply(target, users({"id": [2], "name": ["b"], "score": [None]}, columns=columns))
    assert rows(target, "SELECT * FROM users ORDER BY id") == [(1, "a", 7), (2, "b", None)]


def test_dropped_column_is_kept_null_for_new_rows_kept_for_updated(target: DuckDBTarget) -> None:
    wide = [*USERS, Column("extra", "VARCHAR", default_sql="'d'")]
    apply(target, users({"id": [1, 2], "name": ["a", "b"], "extra": ["x", "y"]}, columns=wide))
    assert target.evolve(users()) == []
    apply(target, users({"id": [2, 3], "name": ["B", "c"]}))
    assert rows(target, "SELECT * FROM users ORDER BY id") == [(1, "a", "x"), (2, "B", "y"), (3, "c", None)]


def test_widening_alters_the_column_and_narrowing_keeps_it(target: DuckDBTarget) -> None:
    money = [Column("id", "INTEGER", key=True), Column("amount", "DECIMAL(10,2)")]
    apply(target, users({"id": [1]}, columns=money[:1], table="m"))
    data = {"id": [2**31 - 1], "amount": [None]}
    apply(target, users(data, columns=money, table="m"))
    wider = [Column("id", "BIGINT", key=True), Column("amount", "DECIMAL(14,4)")]
    target.begin()
    ddl = target.evolve(users(columns=wider, table="m"))
    target.commit()
    assert ddl == [
        'ALTER TABLE "main"."m" ALTER COLUMN "id" SET DATA TYPE BIGINT',
        'ALTER TABLE "main"."m" ALTER COLUMN "amount" SET DATA TYPE DECIMAL(14,4)',
    ]
    apply(target, users({"id": [2**40]}, columns=wider[:1], table="m"))
    assert target.evolve(users(columns=money, table="m")) == []  # narrower again: kept wide
    apply(target, users({"id": [5], "amount": [None]}, columns=money, table="m"))
    types = rows(
        target, "SELECT data_type FROM duckdb_columns() WHERE table_name = 'm' ORDER BY column_index"
    )
    assert types == [("BIGINT",), ("DECIMAL(14,4)",)]
    assert rows(target, "SELECT id FROM m ORDER BY id") == [(1,), (5,), (2**31 - 1,), (2**40,)]


@pytest.mark.parametrize(
    "case",
    [
        ("SMALLINT", pa.int16(), -5, "DECIMAL(7,2)", "-5.00"),
        ("REAL", pa.float32(), 0.5, "DOUBLE", "0.5"),
        ("DECIMAL(10,2)", pa.decimal128(10, 2), Decimal("1.50"), "DECIMAL(12,4)", "1.5000"),
        ("DECIMAL(38,2)", pa.decimal128(38, 2), Decimal("-1.50"), "VARCHAR", "-1.50"),
        ("BIGINT", pa.int64(), -(2**63), "VARCHAR", "-9223372036854775808"),
        ("BOOLEAN", pa.bool_(), True, "VARCHAR", "true"),
        ("UUID", pa.utf8(), UUID_TEXT.upper(), "VARCHAR", UUID_TEXT),
        ("INTEGER[]", pa.list_(pa.int32()), [1, None], "BIGINT[]", "[1, NULL]"),
    ],
)
def test_each_widening_keeps_existing_values(target: DuckDBTarget, case: tuple[Any, ...]) -> None:
    old, arrow, value, new, text = case
    before = [Column("id", "INTEGER", key=True), Column("v", old)]
    data = {"id": pa.array([1], pa.int32()), "v": pa.array([value], arrow)}
    apply(target, TableBatch("t", "public", "w", before, ["id"], upserts=OneShot(pa.table(data))))
    after = users(columns=[before[0], Column("v", new)], table="w")
    assert len(target.evolve(after)) == 1
    assert rows(target, "SELECT CAST(v AS VARCHAR) FROM w") == [(text,)]


def test_incompatible_change_raises_naming_table_column_types_and_recovery(target: DuckDBTarget) -> None:
    apply(target, users({"id": [1], "name": ["a"]}))
    changed = [USERS[0], Column("name", "DATE"), Column("new", "INTEGER")]
    with pytest.raises(IncompatibleSchemaChange) as raised:
        target.evolve(users(columns=changed))
    message = str(raised.value)
    for part in ("public.users", "'name'", "from VARCHAR to DATE", "re-snapshot"):
        assert part in message
    assert [c.name for c in target.existing_columns(target_table("public", "users"))] == ["id", "name"]


def test_two_batches_of_one_table_with_a_schema_change_in_one_transaction(target: DuckDBTarget) -> None:
    columns = [*USERS, Column("age", "SMALLINT")]
    target.begin()
    for changes in (
        users({"id": [1], "name": ["a"]}),
        users({"id": [1], "name": ["b"], "age": [3]}, columns=columns),
    ):
        target.evolve(changes)
        target.apply(changes)
    target.commit()
    assert rows(target, "SELECT * FROM users") == [(1, "b", 3)]


# -- transactions and bookkeeping --------------------------------------------------------------------------


def test_rollback_leaves_nothing_applied(target: DuckDBTarget) -> None:
    changes = users({"id": [1], "name": ["a"]})
    target.begin()
    target.evolve(changes)
    counts = target.apply(changes)
    target.write_offsets([("dbserver1.public.users", 0, 10)])
    target.record_table(changes, counts)
    target.rollback()
    assert rows(target, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'users'") == [(0,)]
    assert target.read_offsets() == {}
    assert rows(target, 'SELECT count(*) FROM "_cdc"."tables"') == [(0,)]


def test_leaving_the_context_on_an_error_rolls_back_and_closes(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="crash"), DuckDBTarget(tmp_path / "f.duckdb") as target:
        target.begin()
        target.write_offsets([("t", 0, 1)])
        raise RuntimeError("crash")
    with DuckDBTarget(tmp_path / "f.duckdb") as reopened:
        assert reopened.read_offsets() == {}


def test_offsets_round_trip_and_overwrite(target: DuckDBTarget) -> None:
    target.begin()
    target.write_offsets([("t.a", 0, 5), ("t.a", 1, 7), ("t.b", 0, 1)])
    target.commit()
    target.write_offsets([("t.a", 1, 9)])
    target.write_offsets([])
    assert target.read_offsets() == {("t.a", 0): 5, ("t.a", 1): 9, ("t.b", 0): 1}


def test_offsets_survive_close_and_reopen(tmp_path: Path) -> None:
    with DuckDBTarget(tmp_path / "f.duckdb") as first:
        first.write_offsets([("t", 0, 42)])
    with DuckDBTarget(tmp_path / "f.duckdb") as second:
        assert second.read_offsets() == {("t", 0): 42}


def test_record_table_accumulates_and_keeps_last_position(target: DuckDBTarget) -> None:
    first = users({"id": [1, 2], "name": ["a", "b"]})
    target.record_table(first, apply(target, first))
    second = TableBatch("t", "public", "users", USERS, ["id"], deletes=stream({"id": [1]}))
    target.record_table(second, apply(target, second))
    got = rows(
        target,
        "SELECT source_table, target_table, last_lsn, epoch_ms(last_source_ts), rows_upserted, rows_deleted, "
        'state, last_applied_at IS NOT NULL FROM "_cdc"."tables"',
    )
    assert got == [("public.users", '"main"."users"', 100, 1_700_000_000_123, 2, 1, "running", True)]


def test_stopped_tables_round_trip(target: DuckDBTarget) -> None:
    target.record_table(users(), AppliedCounts(0, 0))
    target.mark_table_stopped("public.users", "column 'name' changed type")
    target.mark_table_stopped("sales.orders", "boom")
    assert target.stopped_tables() == {"public.users": "column 'name' changed type", "sales.orders": "boom"}
    target.record_table(users(), AppliedCounts(1, 0))
    target.resume_table("sales.orders")
    assert target.stopped_tables() == {"public.users": "column 'name' changed type"}


def test_duckdb_errors_name_the_table(target: DuckDBTarget) -> None:
    columns = [Column("id", "INTEGER", key=True), Column("j", "JSON")]
    target.begin()
    with pytest.raises(ApplyError, match=r"table public\.bad: DuckDB failed to upsert rows"):
        changes = users({"id": [1], "j": ["{not json"]}, columns=columns, table="bad")
        target.evolve(changes)
        target.apply(changes)
    target.rollback()


# -- every type of the contract, from its Arrow type -------------------------------------------------------

NEG38 = Decimal("-9999999999999999999999999999.9999999999")
# (DuckDB type, Arrow type, first value, its text in DuckDB, value upserted over it, its text), plus NULLs.
TYPES: list[tuple[str, pa.DataType, Any, str, Any, str]] = [
    ("SMALLINT", pa.int16(), -32768, "-32768", 32767, "32767"),
    ("INTEGER", pa.int32(), -(2**31), "-2147483648", 2**31 - 1, "2147483647"),
    ("BIGINT", pa.int64(), -(2**63), "-9223372036854775808", 2**63 - 1, "9223372036854775807"),
    ("REAL", pa.float32(), 1.5, "1.5", float("inf"), "inf"),
    ("DOUBLE", pa.float64(), float("-inf"), "-inf", float("nan"), "nan"),
    ("BOOLEAN", pa.bool_(), True, "true", False, "false"),
    ("DECIMAL(38,10)", pa.decimal128(38, 10), NEG38, str(NEG38), Decimal("0.0000000001"), "0.0000000001"),
    ("DECIMAL(10,2)", pa.decimal128(10, 2), Decimal("12345678.90"), "12345678.90", Decimal("-0.01"), "-0.01"),
    ("VARCHAR", pa.utf8(), "", "", "naïve 'quote' \"dq\" 日本", "naïve 'quote' \"dq\" 日本"),
    ("JSON", pa.utf8(), '{"a": [1, null]}', '{"a": [1, null]}', "[]", "[]"),
    ("UUID", pa.utf8(), UUID_TEXT, UUID_TEXT, UUID_TEXT.upper(), UUID_TEXT),
    ("TIMETZ", pa.utf8(), "12:34:56.789+05:30", "12:34:56.789+05:30", "00:00:00-08", "00:00:00-08"),
    ("BIT", pa.utf8(), "0101", "0101", "1", "1"),
    ("BLOB", pa.binary(), b"\x00\xff", "\\x00\\xFF", b"", ""),
    ("DATE", pa.date32(), date(1, 1, 1), "0001-01-01", date(9999, 12, 31), "9999-12-31"),
    ("TIME", pa.time64("us"), time(23, 59, 59, 999999), "23:59:59.999999", time(0), "00:00:00"),
    ("TIMESTAMP", pa.timestamp("us"), INFINITY_US, "infinity", -INFINITY_US, "-infinity"),
    ("TIMESTAMP", pa.timestamp("us"), 1, "1970-01-01 00:00:00.000001", 0, "1970-01-01 00:00:00"),
    ("TIMESTAMPTZ", pa.timestamp("us", tz="UTC"), -INFINITY_US, "-infinity", INFINITY_US, "infinity"),
    (
        "TIMESTAMPTZ",
        pa.timestamp("us", tz="UTC"),
        1_700_000_000_000_001,
        "2023-11-14 22:13:20.000001+00",
        0,
        "1970-01-01 00:00:00+00",
    ),
    (
        "INTERVAL",
        pa.month_day_nano_interval(),
        MonthDayNano([14, -3, 3_000_001_000]),
        "1 year 2 months -3 days 00:00:03.000001",
        MonthDayNano([0, 0, 0]),
        "00:00:00",
    ),
    ("INTEGER[]", pa.list_(pa.int32()), [1, None, 3], "[1, NULL, 3]", [], "[]"),
    ("VARCHAR[]", pa.list_(pa.utf8()), ["a b", None], "[a b, NULL]", [], "[]"),
    ("UUID[]", pa.list_(pa.utf8()), [UUID_TEXT], f"[{UUID_TEXT}]", [None], "[NULL]"),
    ("DECIMAL(38,0)[]", pa.list_(pa.decimal128(38, 0)), [Decimal(-(10**37))], f"[-{10**37}]", [], "[]"),
    ("TIMESTAMPTZ[]", pa.list_(pa.timestamp("us", tz="UTC")), [INFINITY_US], "[infinity]", [], "[]"),
]


@pytest.mark.parametrize("step", ["insert", "update"])
def test_every_contract_type_round_trips_from_arrow(target: DuckDBTarget, step: str) -> None:
    columns = [Column("id", "INTEGER", key=True)] + [Column(f"c{i}", t[0]) for i, t in enumerate(TYPES)]
    schema = {"id": pa.int32(), **{f"c{i}": t[1] for i, t in enumerate(TYPES)}}
    first = {"id": [1, 2]} | {f"c{i}": [t[2], None] for i, t in enumerate(TYPES)}
    target.begin()
    target.evolve(users(columns=columns, table="types"))
    target.apply(TableBatch("t", "public", "types", columns, ["id"], upserts=stream(first, schema)))
    if step == "update":
        second = {"id": [1]} | {f"c{i}": [t[4]] for i, t in enumerate(TYPES)}
        target.apply(TableBatch("t", "public", "types", columns, ["id"], upserts=stream(second, schema)))
    target.commit()
    reader = target.cursor()
    reader.execute("SET TimeZone = 'UTC'")
    texts = ", ".join(f"CAST(c{i} AS VARCHAR)" for i in range(len(TYPES)))
    got = reader.execute(f"SELECT {texts} FROM types ORDER BY id").fetchall()
    expected = tuple(t[3] if step == "insert" else t[5] for t in TYPES)
    assert dict(enumerate(got[0])) == dict(enumerate(expected))
    assert got[1] == (None,) * len(TYPES)
    declared = reader.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = 'types'").fetchall()
    assert len(declared) == len(TYPES) + 1
