"""DuckDBTarget against an embedded DuckDB file: every apply rule, schema evolution, bookkeeping, types.

Streams are wrapped in :class:`OneShot`, which refuses a second export: the core's streams are one-shot.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from pyarrow import MonthDayNano

from cdc_pipeline.sink.batch import Column, TableBatch, unavailable_mask_name
from cdc_pipeline.sink.duckdb_target import AppliedCounts, DuckDBTarget
from cdc_pipeline.sink.errors import ApplyError, IncompatibleSchemaChange
from cdc_pipeline.sink.naming import target_table

INFINITY_US = 2**63 - 1
UUID_TEXT = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"


class OneShot:
    """An Arrow stream that can be exported once, like the core's batches."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table
        self.exports = 0

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        self.exports += 1
        if self.exports > 1:
            raise RuntimeError("stream exported twice")
        return self._table.__arrow_c_stream__(requested_schema)


USERS = [Column("id", "BIGINT", nullable=False, key=True), Column("name", "VARCHAR")]


def stream(data: dict[str, Any], schema: dict[str, pa.DataType] | None = None) -> OneShot:
    types = schema or {}
    return OneShot(pa.table({name: pa.array(values, types.get(name)) for name, values in data.items()}))


def users(
    upserts: dict[str, Any] | None = None,
    deletes: dict[str, Any] | None = None,
    *,
    columns: Sequence[Column] = USERS,
    truncate: bool = False,
    schema: str = "public",
    table: str = "users",
    unavailable: Sequence[str] = (),
) -> TableBatch:
    keys = [c.name for c in columns if c.key]
    return TableBatch(
        topic=f"dbserver1.{schema}.{table}",
        source_schema=schema,
        source_table=table,
        columns=list(columns),
        key_columns=keys,
        truncate=truncate,
        deletes=stream(deletes) if deletes is not None else None,
        upserts=stream(upserts) if upserts is not None else None,
        unavailable=list(unavailable),
        last_lsn=100,
        last_source_ts_ms=1_700_000_000_123,
    )


@pytest.fixture
def target(tmp_path: Path) -> Iterator[DuckDBTarget]:
    with DuckDBTarget(tmp_path / "replica.duckdb") as opened:
        yield opened


def apply(target: DuckDBTarget, changes: TableBatch) -> AppliedCounts:
    """One batch in one transaction, as the sink loop does it."""
    target.begin()
    target.evolve(changes)
    counts = target.apply(changes)
    target.commit()
    return counts


def rows(target: DuckDBTarget, sql: str) -> list[tuple[Any, ...]]:
    return target.cursor().execute(sql).fetchall()


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
