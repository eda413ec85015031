"""The type zoo through the sink: every type the contract lets land, value by value, on the real stack.

One table per type (so one failure cannot hide another): values inserted before the connector (the initial
snapshot), every special value inserted while streaming, updated (each row takes another row's value, one
becomes NULL, arrays reversed) and deleted. After each phase every table is compared row by row and value by
value with the expectation its :class:`~tests.e2e.type_zoo_cases.Case` derives from the contract, and every
difference of every table is reported at once. A separate table proves that untouched TOASTed columns (text,
bytea, jsonb, text[], numeric) under ``REPLICA IDENTITY DEFAULT`` keep their value through updates and that
a deleted TOASTed row goes.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

import duckdb
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.sink.widening import normalize_type
from cdc_pipeline.type_contract import BY_TYPNAME, CONTRACT, Outcome
from tests.e2e.conftest import pipeline_settings
from tests.e2e.replica import RunningSink, duck_connect, running_sink
from tests.e2e.type_zoo_cases import CASES, Case

PG = psycopg.Connection[tuple[object, ...]]
STREAM_ID = 100  # streamed rows get ids from here; snapshot rows 1..
PLACEHOLDER_TEXT = "'__debezium_unavailable_value'"


def table_of(case: Case, suffix: str) -> str:
    return f"zoo_{case.name}_{suffix}"


def decl_of(case: Case, suffix: str) -> str:
    return case.decl.replace("{enum}", f"zoo_mood_{suffix}").replace("{domain}", f"zoo_dom_{suffix}")


def array_literal(case: Case, suffix: str, values: list[str]) -> str:
    decl = decl_of(case, suffix)
    return f"ARRAY[{', '.join(f'({v})::{decl}' for v in values)}]::{decl}[]"


def insert(pg: PG, case: Case, suffix: str, rows: list[tuple[int, str, str]]) -> None:
    table = table_of(case, suffix)
    for row_id, value, array in rows:
        columns = "id, v, va" if case.array else "id, v"
        values = f"{row_id}, {value}" + (f", {array}" if case.array else "")
        pg.execute(f"INSERT INTO {table} ({columns}) VALUES ({values})")


def create(pg: PG, case: Case, suffix: str) -> None:
    decl = decl_of(case, suffix)
    array = f", va {decl}[]" if case.array else ""
    pg.execute(f"CREATE TABLE {table_of(case, suffix)} (id integer PRIMARY KEY, v {decl}{array})")
    rows = [(i + 1, v, array_literal(case, suffix, [v, "NULL", v])) for i, v in enumerate(case.snapshot)]
    insert(pg, case, suffix, rows)


def stream_rows(case: Case, suffix: str) -> list[tuple[int, str, str]]:
    every = array_literal(case, suffix, [*case.stream, "NULL"])
    rows = [(STREAM_ID + i, v, every) for i, v in enumerate(case.stream)]
    empty = f"'{{}}'::{decl_of(case, suffix)}[]"
    return [*rows, (STREAM_ID + len(rows), "NULL", empty), (STREAM_ID + len(rows) + 1, "NULL", "NULL")]


def pg_array(case: Case) -> str:
    element = case.pg.replace("{c}", "x")
    return (
        f"CASE WHEN va IS NULL THEN NULL ELSE"
        f" ARRAY(SELECT {element} FROM unnest(va) WITH ORDINALITY u(x, o) ORDER BY o) END"
    )


def duck_array(case: Case) -> str:
    return f"list_transform(va, lambda x: {case.duck.replace('{c}', 'x')})"


def normalized(case: Case, row: tuple[Any, ...], py: Any) -> tuple[Any, ...]:
    out = [row[0], py(row[1])]
    if case.array:
        out.append(None if row[2] is None else [py(x) for x in row[2]])
    return tuple(out)


def pg_values(pg: PG, case: Case, suffix: str) -> list[tuple[Any, ...]]:
    exprs = ", ".join(["id", case.pg.replace("{c}", "v"), *([pg_array(case)] if case.array else [])])
    rows = pg.execute(f"SELECT {exprs} FROM {table_of(case, suffix)} ORDER BY id").fetchall()
    return [normalized(case, row, case.pg_py) for row in rows]


def duck_values(duck: duckdb.DuckDBPyConnection, case: Case, suffix: str) -> list[tuple[Any, ...]] | str:
    exprs = ", ".join(["id", case.duck.replace("{c}", "v"), *([duck_array(case)] if case.array else [])])
    try:
        rows = duck.execute(f'SELECT {exprs} FROM "{table_of(case, suffix)}" ORDER BY id').fetchall()
    except duckdb.CatalogException:
        return "table missing in DuckDB"
    except duckdb.Error as exc:
        return f"DuckDB could not read it: {exc}"
    return [normalized(case, row, case.duck_py) for row in rows]


def differences(pg: PG, duck: duckdb.DuckDBPyConnection, suffix: str) -> dict[str, str]:
    out: dict[str, str] = {}
    stopped = dict(
        duck.execute("SELECT source_table, last_error FROM _cdc.tables WHERE state = 'stopped'").fetchall()
    )
    for case in CASES:
        table = table_of(case, suffix)
        if f"public.{table}" in stopped:
            out[case.name] = f"stopped: {stopped[f'public.{table}']}"
            continue
        expected = pg_values(pg, case, suffix)
        actual = duck_values(duck, case, suffix)
        if actual != expected:
            if isinstance(actual, str):
                out[case.name] = actual
                continue
            by_id = {r[0]: r for r in actual}
            wrong = [(e, by_id.get(e[0])) for e in expected if by_id.get(e[0]) != e]
            extra = [r[0] for r in actual if r[0] not in {e[0] for e in expected}]
            out[case.name] = f"expected vs DuckDB {wrong[:4]}; extra ids {extra}"
    return out


def wait_all_equal(
    pg: PG,
    duck: duckdb.DuckDBPyConnection,
    sink: RunningSink,
    suffix: str,
    *,
    phase: str,
    timeout_s: float = 120,
) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        sink()
        try:
            diff = differences(pg, duck, suffix)
        except duckdb.CatalogException:
            diff = {"*": "no _cdc.tables yet"}
        if not diff:
            return
        if time.monotonic() > deadline:
            lines = "\n".join(f"  {name}: {why}" for name, why in sorted(diff.items()))
            raise AssertionError(f"after {phase}, {len(diff)} of {len(CASES)} types differ:\n{lines}")
        time.sleep(1.0)


# The contract's numeric row in DuckDB types: numeric(p,s) is DECIMAL(p,s) (exact text when p > 38), numeric
# DECIMAL(38,18); a value that does not fit (NaN, 1e100) has widened the column to VARCHAR.
NUMERIC_TYPES = {
    "num10_2": "DECIMAL(10,2)",
    "num38_0": "DECIMAL(38,0)",
    "num38_38": "DECIMAL(38,38)",
    "num2_5": "DECIMAL(5,5)",
    "num10_2_nan": "VARCHAR",
    "num50_5": "VARCHAR",
    "numfree": "DECIMAL(38,18)",
    "numfree_special": "VARCHAR",
    "money": "DECIMAL(38,2)",
}


def contract_duck_type(case: Case) -> str | None:
    """The DuckDB type the contract names for the case's type, when it names exactly one."""
    if case.name in NUMERIC_TYPES:
        return NUMERIC_TYPES[case.name]
    row = BY_TYPNAME.get(case.typname)
    if row is None or not row.duckdb.replace(" ", "").isalpha():
        return None
    return normalize_type(row.duckdb)


def test_the_zoo_covers_every_type_the_contract_lets_land() -> None:
    landing = {row.typname for row in CONTRACT if row.outcome is not Outcome.REFUSED}
    assert landing <= {case.typname for case in CASES}
    arrays = {row.typname for row in CONTRACT if row.outcome is not Outcome.REFUSED and row.array}
    assert arrays <= {case.typname for case in CASES if case.array}


def test_every_landing_type_replicates_exact_through_snapshot_inserts_updates_and_deletes(
    stack_settings: Settings, pg: PG, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    settings = pipeline_settings(stack_settings, f"e2e_zoo_{suffix}", tmp_path)
    pg.execute(
        f"CREATE TYPE zoo_mood_{suffix} AS ENUM ('sad', 'ok', 'happy', 'with space');"
        f"CREATE DOMAIN zoo_dom_{suffix} AS integer CHECK (VALUE > -10)"
    )
    for case in CASES:
        create(pg, case, suffix)
    apply_connector(settings, [TableRef("public", table_of(case, suffix)) for case in CASES])
    try:
        with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
            wait_all_equal(pg, duck, sink, suffix, phase="the initial snapshot", timeout_s=240)

            for case in CASES:
                insert(pg, case, suffix, stream_rows(case, suffix))
            wait_all_equal(pg, duck, sink, suffix, phase="streamed inserts")
            types = dict(
                duck.execute(
                    "SELECT table_name, data_type FROM information_schema.columns WHERE column_name = 'v'"
                ).fetchall()
            )
            wrong_types = {
                case.name: (types.get(table_of(case, suffix)), contract_duck_type(case))
                for case in CASES
                if contract_duck_type(case) is not None
                and normalize_type(types.get(table_of(case, suffix), "")) != contract_duck_type(case)
            }
            assert not wrong_types, f"DuckDB column type differs from the contract: {wrong_types}"

            for case in CASES:
                table = table_of(case, suffix)
                n = len(case.stream)
                for i in range(n):  # each streamed row takes the next row's value; arrays reversed
                    array = f", va = {array_literal(case, suffix, ['NULL', *reversed(case.stream)])}"
                    value = case.stream[(i + 1) % n]
                    if (
                        value == PLACEHOLDER_TEXT
                    ):  # an UPDATE writing it is taken for unchanged TOAST (contract)
                        value = case.stream[0]
                    pg.execute(
                        f"UPDATE {table} SET v = {value}"
                        f"{array if case.array else ''} WHERE id = {STREAM_ID + i}"
                    )
                pg.execute(f"UPDATE {table} SET v = NULL WHERE id = 1")
                pg.execute(f"UPDATE {table} SET v = {case.stream[0]} WHERE id = {STREAM_ID + n}")
            wait_all_equal(pg, duck, sink, suffix, phase="updates")

            for case in CASES:
                pg.execute(f"DELETE FROM {table_of(case, suffix)} WHERE id % 2 = 1")
            wait_all_equal(pg, duck, sink, suffix, phase="deletes")
    finally:
        with ConnectClient(settings.connect_url) as client:
            client.delete(settings.connector_name)


TOAST_COLUMNS = {  # column: (declared type, a > 2 kB value that compresses poorly, PG digest, DuckDB digest)
    "t": (
        "text",
        "(SELECT string_agg(md5(i::text || {seed}), '') FROM generate_series(1, 300) i)",
        "md5(t)",
        "md5(t)",
    ),
    "b": (
        "bytea",
        "(SELECT decode(string_agg(md5(i::text || {seed}), ''), 'hex') FROM generate_series(1, 300) i)",
        "md5(b)",
        "md5(b)",
    ),
    "j": (
        "jsonb",
        "(SELECT jsonb_object_agg(md5(i::text || {seed}), i) FROM generate_series(1, 300) i)",
        "md5(j::text)",
        "md5(CAST(j AS VARCHAR))",
    ),
    "ta": (
        "text[]",
        "(SELECT array_agg(md5(i::text || {seed})) FROM generate_series(1, 300) i)",
        "md5(array_to_string(ta, ','))",
        "md5(array_to_string(ta, ','))",
    ),
    "nf": (
        "numeric",
        "(SELECT string_agg(lpad(((i * 7919 + {seed}) % 1000)::text, 3, '0'), '')"
        " FROM generate_series(1, 6) i)::numeric",
        "trim_scale(nf)::text",
        "CAST(CAST(nf AS DECIMAL(38,0)) AS VARCHAR)",
    ),
}


def toast_digests(conn: Any, table: str, duck: bool) -> list[tuple[Any, ...]]:
    digests = ", ".join(spec[3 if duck else 2] for spec in TOAST_COLUMNS.values())
    lengths = "length(t)"
    quoted = f'"{table}"' if duck else table
    return [
        tuple(r)
        for r in conn.execute(f"SELECT id, n, {lengths}, {digests} FROM {quoted} ORDER BY id").fetchall()
    ]


def test_untouched_toast_columns_keep_their_value_through_updates_and_deletes(
    stack_settings: Settings, pg: PG, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    table = f"zoo_toast_{suffix}"
    settings = pipeline_settings(stack_settings, f"e2e_toast_{suffix}", tmp_path)
    columns = ", ".join(f"{name} {spec[0]}" for name, spec in TOAST_COLUMNS.items())
    pg.execute(
        f"CREATE TABLE {table} (id integer PRIMARY KEY, n integer, {columns})"
    )  # REPLICA IDENTITY DEFAULT

    def add(row_id: int) -> None:
        values = ", ".join(spec[1].replace("{seed}", str(row_id)) for spec in TOAST_COLUMNS.values())
        pg.execute(f"INSERT INTO {table} VALUES ({row_id}, 0, {values})")

    add(1)  # in the snapshot
    stored = pg.execute(
        f"SELECT pg_column_size(t), pg_column_size(b), pg_column_size(j), pg_column_size(ta) FROM {table}"
    ).fetchone()
    assert stored is not None and all(int(str(size)) > 2048 for size in stored), stored
    apply_connector(settings, [TableRef("public", table)])
    try:
        with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:

            def same(phase: str) -> None:
                deadline = time.monotonic() + 90
                while True:
                    sink()
                    try:
                        actual = toast_digests(duck, table, duck=True)
                    except duckdb.CatalogException:
                        actual = []
                    expected = toast_digests(pg, table, duck=False)
                    if actual == expected:
                        return
                    assert time.monotonic() < deadline, f"after {phase}: PG {expected} != DuckDB {actual}"
                    time.sleep(0.5)

            same("the snapshot")
            add(2)  # streamed
            add(3)
            same("streamed inserts")
            pg.execute(f"UPDATE {table} SET n = n + 1")  # every TOASTed column untouched: placeholders
            same("an update touching no TOASTed column")
            pg.execute(f"UPDATE {table} SET n = n + 1, t = 'short' WHERE id = 2")  # the others untouched
            pg.execute(f"UPDATE {table} SET n = n + 1 WHERE id = 2")  # twice in one batch, maybe
            same("an update touching one TOASTed column")
            pg.execute(f"DELETE FROM {table} WHERE id = 3")
            pg.execute(f"UPDATE {table} SET n = n + 1 WHERE id = 1")
            same("a delete")
    finally:
        with ConnectClient(settings.connect_url) as client:
            client.delete(settings.connector_name)
