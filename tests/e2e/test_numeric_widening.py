"""`numeric` without precision follows DESIGN: DECIMAL(38,18) while every value fits, exact text after.

On the real stack: a value with 22 fractional digits, 1e100 or NaN widens the DuckDB column to VARCHAR
instead of stopping the table (numeric[] is refused by the contract); the values already there stay
equal (DECIMAL(38,18)'s text: the same number with 18 fractional digits) and every value written from then
on is PostgreSQL's exact text (``n::text``), also when it would fit the old DECIMAL again.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from tests.e2e.conftest import pipeline_settings
from tests.e2e.replica import duck_connect, running_sink
from tests.e2e.type_zoo_cases import canonical_number

PG = psycopg.Connection[tuple[object, ...]]


def test_unconstrained_numeric_widens_to_exact_text_when_a_value_does_not_fit(
    stack_settings: Settings, pg: PG, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    table = f"numwide_{suffix}"
    settings = pipeline_settings(stack_settings, f"e2e_numwide_{suffix}", tmp_path)
    pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, n numeric)")
    pg.execute(f"INSERT INTO {table} VALUES (1, 3.14159), (2, -0.000000000000000001)")
    apply_connector(settings, [TableRef("public", table)])
    try:
        with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:

            def duck_types() -> list[tuple[Any, ...]]:
                return duck.execute(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?"
                    " AND column_name = 'n'",
                    [table],
                ).fetchall()

            def pg_text() -> dict[int, tuple[Any, ...]]:
                rows = pg.execute(f"SELECT id, n::text FROM {table}").fetchall()
                return {int(str(r[0])): (r[1],) for r in rows}

            def duck_text() -> dict[int, tuple[Any, ...]]:
                rows = duck.execute(f'SELECT id, CAST(n AS VARCHAR) FROM "{table}"').fetchall()
                return {r[0]: (r[1],) for r in rows}

            def wait_for(what: str, ok: Any) -> None:
                deadline = time.monotonic() + 90
                while not ok():
                    sink()
                    assert time.monotonic() < deadline, (
                        f"{what}: PG {pg_text()} DuckDB {duck_text()} {duck_types()}"
                    )
                    time.sleep(0.3)

            def same_numbers() -> bool:
                try:
                    actual = duck_text()
                except Exception:
                    return False

                def canon(row: tuple[Any, ...]) -> tuple[Any, ...]:
                    return (canonical_number(row[0]),)

                expected = pg_text()
                return {k: canon(v) for k, v in actual.items()} == {k: canon(v) for k, v in expected.items()}

            wait_for("the snapshot", same_numbers)
            assert duck_types() == [("n", "DECIMAL(38,18)")]

            pg.execute(
                f"INSERT INTO {table} VALUES (3, 0.0000000000000000000001),"
                f" (4, 1e100), (5, -123456789012345678901234567890.5), (7, 'NaN'), (8, '-Infinity')"
            )
            wait_for("values that do not fit DECIMAL(38,18)", same_numbers)
            assert duck_types() == [("n", "VARCHAR")], "widened to exact text"
            expected, actual = pg_text(), duck_text()
            for row_id in (3, 4, 5, 7, 8):
                assert actual[row_id] == expected[row_id], f"id {row_id}: PostgreSQL's exact text"
            assert actual[1] == ("3.141590000000000000",), "kept, the same number"

            pg.execute(f"INSERT INTO {table} VALUES (6, 2.50)")  # fits DECIMAL(38,18) again
            pg.execute(f"UPDATE {table} SET n = 1.10 WHERE id = 1")

            def exact(row_id: int) -> bool:
                """Debezium's VariableScaleDecimal drops trailing fractional zeros ('2.50' arrives as
                '2.5'): the same number as PostgreSQL's text, never DECIMAL(38,18)'s padding."""
                actual, expected = duck_text().get(row_id), pg_text()[row_id]
                return actual is not None and actual[0] in (expected[0], canonical_number(expected[0]))

            wait_for("values that fit again", lambda: exact(6) and exact(1))
            assert duck_types() == [("n", "VARCHAR")]
            stopped = duck.execute("SELECT count(*) FROM _cdc.tables WHERE state = 'stopped'").fetchone()
            assert stopped == (0,)
    finally:
        with ConnectClient(settings.connect_url) as client:
            client.delete(settings.connector_name)
