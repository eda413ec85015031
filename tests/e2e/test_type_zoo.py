"""The type contract on the real stack: PostgreSQL's catalog in, one outcome per column out.

Every refused type of the contract is a column of one table; the preflight (the real catalog query) must name
each of them with its reason, and must accept the same table once those columns are excluded. BC dates:
the preflight warns when PostgreSQL's statistics show them, and its fix re-streams them exactly.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.connectors.preflight import PreflightError, check
from tests.e2e.conftest import pipeline_settings
from tests.e2e.replica import duck_connect, eventually, running_sink

# (column, declared type, expected reason) for each refusal the contract makes.
REFUSED = [
    ("c_name", "name", "name: streamed changes carry NULL for name columns"),
    ("c_varbit", "varbit(8)", "bit varying(n): Debezium drops leading zero bits"),
    ("c_tsquery", "tsquery", "tsquery: Debezium 3.7 drops the column"),
    ("c_jsonpath", "jsonpath", "jsonpath: Debezium 3.7 drops the column"),
    ("c_mrange", "int4multirange", "int4multirange: Debezium 3.7 drops the column"),
    ("c_regclass", "regclass", "regclass: Debezium 3.7 drops the column"),
    ("c_lsn", "pg_lsn", "pg_lsn: Debezium 3.7 drops the column"),
    ("c_snap", "pg_snapshot", "pg_snapshot: Debezium 3.7 drops the column"),
    ("c_txsnap", "txid_snapshot", "txid_snapshot: Debezium 3.7 drops the column"),
    ("c_tid", "tid", "tid: Debezium 3.7 drops the column"),
    ("c_comp", "{comp}", "composite type comp_"),
    ("c_int2d", "integer[][]", "2-dimensional array"),
    ("c_text2d", "text[][]", "2-dimensional array"),
    ("c_money_a", "money[]", "array of money"),
    ("c_interval_a", "interval[]", "array of interval"),
    ("c_bit_a", "bit(3)[]", "array of bit"),
    ("c_dom_a", "{dom}[]", "array of domain dom_"),
    ("c_enum_a", "{mood}[]", "array of enum mood_"),
    ("c_tsvector_a", "tsvector[]", "array of tsvector"),
    ("c_numeric_a", "numeric[]", "array of numeric: Debezium 3.7 sends NULL for a whole numeric[]"),
    ("c_date_a", "date[]", "array of date: Debezium 3.7 sends BC elements"),
    ("c_time_a", "time[]", "array of time: Debezium 3.7 sends time[] elements in ms"),
    ("c_ts_a", "timestamp[]", "array of timestamp: Debezium 3.7 shifts"),
    ("c_tstz_a", "timestamptz[]", "array of timestamptz: Debezium 3.7 sends"),
]
# Columns the contract lets land (natively or as text): never named by the preflight.
ACCEPTED = [
    ("c_dom", "{dom}"),
    ("c_int_a", "integer[]"),
    ("c_tsvector", "tsvector"),
    ("c_circle", "circle"),
    ("c_range", "int4range"),
    ("c_oid", "oid"),
]


def test_preflight_refuses_every_refused_type_naming_table_column_and_reason(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]]
) -> None:
    suffix = uuid.uuid4().hex[:8]
    table = f"zoo_refused_{suffix}"
    names = {"{comp}": f"comp_{suffix}", "{dom}": f"dom_{suffix}", "{mood}": f"mood_{suffix}"}

    def resolve(declared: str) -> str:
        for placeholder, name in names.items():
            declared = declared.replace(placeholder, name)
        return declared

    pg.execute(
        f"CREATE TYPE comp_{suffix} AS (a int, b text); CREATE DOMAIN dom_{suffix} AS integer;"
        f"CREATE TYPE mood_{suffix} AS ENUM ('sad', 'happy')"
    )
    columns = ", ".join(f"{c} {resolve(t)}" for c, t, *_ in [*REFUSED, *ACCEPTED])
    pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, {columns})")
    settings = stack_settings.model_copy(update={"connector_name": f"e2e_{table}", "topic_prefix": table})
    ref = TableRef("public", table)

    with pytest.raises(PreflightError) as refused:
        check(settings, [ref])
    lines = [p.line() for p in refused.value.problems if p.check == "column_type"]
    for column, _, reason in REFUSED:
        line = next((x for x in lines if x.startswith(f"column public.{table}.{column} ")), None)
        assert line is not None, f"{column} was not refused; refusals: {lines}"
        assert reason in line, line
        assert f"add public.{table}.{column} to exclude_columns" in line, line
    assert len(lines) == len(REFUSED), lines

    excluded = settings.model_copy(
        update={"exclude_columns": [f"public.{table}.{column}" for column, *_ in REFUSED]}
    )
    assert check(excluded, [ref]).ok


def test_bc_dates_warn_at_preflight_land_as_ad_from_the_snapshot_and_the_fix_restreams_them_exact(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]], tmp_path: Path
) -> None:
    """What holds for BC dates: the snapshot gets them wrong (Debezium), the preflight says so when the
    statistics show them, and the command it gives makes the rows stream again with their exact values."""
    suffix = uuid.uuid4().hex[:8]
    table = f"zoo_bc_{suffix}"
    pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, d date)")
    pg.execute(
        f"INSERT INTO {table} SELECT i, CASE WHEN i % 2 = 0 THEN date '4713-01-01 BC' + i"
        f" ELSE date '2024-01-01' + i END FROM generate_series(1, 200) i"
    )
    pg.execute(f"ANALYZE {table}")
    settings = pipeline_settings(stack_settings, f"e2e_{table}", tmp_path)
    ref = TableRef("public", table)
    [warning] = [p for p in check(settings, [ref]).problems if p.check == "bc_values"]
    assert not warning.blocking and f"public.{table}.d holds values before year 1 AD" in warning.line()
    fix = warning.fix.split("`")[1]

    def days(rows: list[tuple[object, ...]]) -> dict[int, int]:
        return {int(str(r[0])): int(str(r[1])) for r in rows}

    pg_days = f"SELECT id, d - date '1970-01-01' FROM {table}"
    duck_days = f"SELECT id, date_diff('day', DATE '1970-01-01', d) FROM \"{table}\""
    apply_connector(settings, [ref])
    try:
        with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
            expected = days(pg.execute(pg_days).fetchall())
            eventually("the snapshot landed", lambda: sink() or _count(duck, table) == 200)
            actual = days(duck.execute(duck_days).fetchall())
            wrong = {k for k in expected if actual[k] != expected[k]}
            assert wrong == {k for k in expected if k % 2 == 0}, "the snapshot sends every BC date as AD"

            pg.execute(fix)
            eventually(
                "the re-streamed rows are exact",
                lambda: sink() or days(duck.execute(duck_days).fetchall()) == expected,
            )
    finally:
        with ConnectClient(settings.connect_url) as client:
            client.delete(settings.connector_name)


def _count(duck: Any, table: str) -> int:
    try:
        return int(duck.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    except Exception:
        return 0


def test_timestamps_debezium_would_send_as_infinity_are_refused_at_preflight(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]], tmp_path: Path
) -> None:
    """'294276-12-31 23:59:59' arrives as Long.MAX, the same as 'infinity' (seen on the real stack): the
    preflight refuses the column when PostgreSQL's statistics show such a year."""
    table = f"zoo_far_{uuid.uuid4().hex[:8]}"
    pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, at timestamp, fine timestamp)")
    pg.execute(
        f"INSERT INTO {table} SELECT i, CASE WHEN i % 2 = 0 THEN timestamp '294276-12-31 23:59:59'"
        f" ELSE 'infinity' END, 'infinity' FROM generate_series(1, 200) i"
    )
    pg.execute(f"ANALYZE {table}")
    settings = pipeline_settings(stack_settings, f"e2e_{table}", tmp_path)
    with pytest.raises(PreflightError) as refused:
        check(settings, [TableRef("public", table)])
    lines = [p.line() for p in refused.value.problems]
    assert len(lines) == 1 and f"public.{table}.at holds timestamps from year 294247 on" in lines[0], lines
