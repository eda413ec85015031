"""The type contract on the real stack: PostgreSQL's catalog in, one outcome per column out.

Every refused type of the contract is a column of one table; the preflight (the real catalog query) must name
each of them with its reason, and must accept the same table once those columns are excluded.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest

from cdc_pipeline.config import Settings
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.connectors.preflight import PreflightError, check

pytestmark = pytest.mark.e2e

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
