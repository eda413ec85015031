"""The fast load's plan (sink/load_plan.py): the DuckDB types streaming would create, per the type contract;
every other table goes through Debezium, with the reason."""

from __future__ import annotations

import pytest

import duckdb
from cdc_pipeline.observe.status.tables import load_text
from cdc_pipeline.sink.load_plan import LoadPlan, SourceColumn, plan
from cdc_pipeline.type_contract import BY_TYPNAME

SIMPLE = ["int2", "int4", "int8", "float4", "float8", "bool", "text", "varchar", "bpchar", "uuid", "json",
          "jsonb", "bytea", "date", "timestamp", "timestamptz", "time", "interval", "money"]  # fmt: skip


def numeric(precision: int, scale: int) -> int:
    return ((precision << 16) | scale) + 4  # atttypmod of numeric(p,s)


def planned(*columns: SourceColumn, key: tuple[str, ...] = ("id",)) -> LoadPlan:
    result = plan("public", "t", [SourceColumn("id", "int4", -1, True), *columns], list(key))
    assert isinstance(result, LoadPlan), result
    return result


@pytest.mark.parametrize("typname", SIMPLE)
def test_each_loaded_type_lands_as_the_type_contract_says(typname: str) -> None:
    [_, column] = planned(SourceColumn("c", typname, -1, False)).columns
    assert column.column.duck_type == BY_TYPNAME[typname].duckdb
    assert column.column.nullable and not column.column.key


def test_numeric_with_precision_is_its_decimal_and_the_key_is_not_null() -> None:
    [key, column] = planned(SourceColumn("n", "numeric", numeric(12, 3), True)).columns
    assert column.column.duck_type == "DECIMAL(12,3)" and not column.column.nullable
    assert key.column.key and not key.column.nullable


@pytest.mark.parametrize(
    ("column", "why"),
    [
        (
            SourceColumn("n", "numeric", -1, False),
            "type numeric",
        ),  # unconstrained: DECIMAL or VARCHAR by value
        (SourceColumn("n", "numeric", numeric(39, 2), False), "type numeric"),
        (SourceColumn("i", "tsrange", -1, False), "type tsrange"),
        (SourceColumn("a", "_int4", -1, False, array=True), "arrays"),
    ],
)
def test_other_types_go_through_debezium_naming_the_column(column: SourceColumn, why: str) -> None:
    reason = plan("public", "t", [SourceColumn("id", "int4", -1, True), column], ["id"])
    assert isinstance(reason, str) and why in reason and repr(column.name) in reason
    assert "goes through Debezium" in reason


def test_a_table_without_a_primary_key_goes_through_debezium() -> None:
    reason = plan("public", "log", [SourceColumn("n", "int4", -1, False)], [])
    assert reason == "table public.log has no primary key (its snapshot goes through Debezium)"


@pytest.mark.parametrize(
    ("typname", "pg_text", "expected"),
    [
        ("date", "-2440588", "4714-11-24 (BC)"),  # days since 1970: BC stays BC
        ("date", "infinity", "infinity"),
        ("timestamp", "-62135596800000001", "0001-12-31 (BC) 23:59:59.999999"),
        ("timestamptz", "1704103200123456", "2024-01-01 10:00:00.123456+00"),
        ("timestamptz", "-infinity", "-infinity"),
        ("bytea", "\\x00ff", "\\x00\\xFF"),
        ("float8", "-0", "-0.0"),
        ("float4", "NaN", "nan"),
        ("bool", "t", "true"),
        ("time", "24:00:00", "24:00:00"),
        ("money", "-1234567.89", "-1234567.89"),
        ("interval", "-14/3/-3600000001", "-1 year -2 months 3 days -01:00:00.000001"),
    ],
)
def test_duckdb_reads_the_text_back_exactly(typname: str, pg_text: str, expected: str) -> None:
    [_, column] = planned(SourceColumn("c", typname, -1, False)).columns
    conn = duckdb.connect()
    conn.execute("SET TimeZone = 'UTC'")
    read = column.read_sql.replace('"v1"', "v")
    [(value,)] = conn.execute(
        f"SELECT CAST({read} AS VARCHAR) FROM (SELECT ?::VARCHAR AS v)", [pg_text]
    ).fetchall()
    assert value == expected


def test_status_shows_a_load_with_rows_rate_and_eta() -> None:
    loading = {"table": "public.t", "state": "loading", "rows": 1500, "estimated_rows": 3000,
               "rows_per_second": 500.0, "eta_seconds": 3.0, "error": None}  # fmt: skip
    assert load_text(loading) == "loading public.t from PostgreSQL: 1,500/3,000 rows, 500 rows/s, ETA 3 s"
    failed = {**loading, "state": "failed", "eta_seconds": None, "error": "CheckViolation: x"}
    assert load_text(failed) == "failed public.t from PostgreSQL: 1,500 rows, 500 rows/s; CheckViolation: x"
