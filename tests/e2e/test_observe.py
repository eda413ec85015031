"""`cdc verify` and `cdc query` on the real stack.

The replica is written here straight from PostgreSQL's rows in the sink's DuckDB types (so these tests do not
depend on the sink), then damaged directly in DuckDB: verify must pass on the faithful copy and find a
changed row, a missing row and an extra row by key. The last test runs the real sink when it is available
and checks verify's consistent-point wait end to end.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

import duckdb
from cdc_pipeline.cli.app import app
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.observe.endpoint.client import LocalReplica
from cdc_pipeline.observe.endpoint.query_exec import QueryLimits
from cdc_pipeline.observe.verify.run import VerifyOptions, VerifyReport, verify_with
from tests.e2e.conftest import settings_env

LIMITS = QueryLimits(timeout_s=60, max_rows=10_000_000, max_bytes=1 << 30)


PG_DDL = """
CREATE TABLE {t} (
  id int PRIMARY KEY, name text, amount numeric(12, 2), free numeric, score float8, ratio real,
  ts timestamptz, d date, span interval, tags text[], doc jsonb, blob bytea, flag boolean, code char(4)
);
INSERT INTO {t}
SELECT i, 'name ' || i, i * 1.25, round(i / 7.0, 12), i * 0.1 + 1e-9, i / 3.0,
       '2024-01-01 00:00:00+02'::timestamptz + i * interval '1 minute',
       date '2000-02-28' + i, make_interval(months => i % 13, days => i % 5, secs => i * 0.000001),
       ARRAY['a' || i, NULL, 'x,y'], jsonb_build_object('i', i, 'nested', jsonb_build_array(i, 'z')),
       decode(lpad(to_hex(i), 4, '0'), 'hex'), i % 2 = 0, 'c' || (i % 10)
FROM generate_series(1, 300) AS i;
INSERT INTO {t} (id) VALUES (1000);
INSERT INTO {t} (id, score, ts, d) VALUES (1001, 'NaN', 'infinity', '-infinity');
"""

DUCK_TYPES = {
    "id": "INTEGER",
    "name": "VARCHAR",
    "amount": "DECIMAL(12,2)",
    "free": "DECIMAL(38,18)",
    "score": "DOUBLE",
    "ratio": "FLOAT",
    "ts": "TIMESTAMPTZ",
    "d": "DATE",
    "span": "INTERVAL",
    "tags": "VARCHAR[]",
    "doc": "JSON",
    "blob": "BLOB",
    "flag": "BOOLEAN",
    "code": "VARCHAR",
}
# PostgreSQL text that DuckDB casts to the sink's type with the same value
PG_AS_TEXT = {
    "ts": "CASE WHEN isfinite(ts) THEN (ts AT TIME ZONE 'UTC')::text || '+00' ELSE ts::text END",
    "span": "CASE WHEN span IS NOT NULL THEN format('%s months %s days %s microseconds', "
    "extract(year FROM span) * 12 + extract(month FROM span), extract(day FROM span), "
    "(extract(epoch FROM span - date_trunc('day', span)) * 1000000)::bigint) END",
    "tags": "to_json(tags)::text",
    "blob": "encode(blob, 'hex')",
    "code": "CASE WHEN code IS NOT NULL THEN format('%s', code) END",
}
DUCK_FROM_TEXT = {"tags": "from_json(?, '[\"VARCHAR\"]')", "blob": "unhex(?)"}


def copy_to_duckdb(pg: psycopg.Connection[Any], conn: duckdb.DuckDBPyConnection, table: str) -> None:
    columns = list(DUCK_TYPES)
    conn.execute(f"CREATE TABLE {table} ({', '.join(f'{c} {t}' for c, t in DUCK_TYPES.items())})")
    exprs = ", ".join(PG_AS_TEXT.get(c, f"{c}::text") for c in columns)
    rows = pg.execute(f"SELECT {exprs} FROM {table}").fetchall()
    values = ", ".join(DUCK_FROM_TEXT.get(c, f"CAST(? AS {DUCK_TYPES[c]})") for c in columns)
    conn.executemany(f"INSERT INTO {table} VALUES ({values})", rows)


@pytest.fixture()
def replica(pg: psycopg.Connection[Any], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    table = f"obs_{uuid.uuid4().hex[:8]}"
    pg.execute(PG_DDL.format(t=table))
    path = tmp_path / "replica.duckdb"
    with duckdb.connect(str(path)) as conn:
        copy_to_duckdb(pg, conn, table)
    yield table, path
    pg.execute(f"DROP TABLE {table}")


def run_verify(pg: psycopg.Connection[Any], path: Path, settings: Settings, table: str) -> VerifyReport:
    with duckdb.connect(str(path)) as conn:
        replica = LocalReplica(conn, "test", LIMITS)
        return verify_with(pg, replica, settings, VerifyOptions(tables=[table], wait=False, sample=5))


def test_verify_passes_on_a_faithful_replica(
    pg: psycopg.Connection[Any], stack_settings: Settings, replica: tuple[str, Path]
) -> None:
    table, path = replica
    report = run_verify(pg, path, stack_settings, table)
    assert report.verdict == "equal", report.to_json()
    assert report.exit_code == 0
    differences = report.tables[0].differences
    assert differences is not None and differences.rows_pg == differences.rows_duck == 302


def test_verify_finds_changed_missing_and_extra_rows(
    pg: psycopg.Connection[Any], stack_settings: Settings, replica: tuple[str, Path]
) -> None:
    table, path = replica
    with duckdb.connect(str(path)) as conn:
        conn.execute(f"UPDATE {table} SET amount = amount + 0.01 WHERE id = 17")
        conn.execute(f"DELETE FROM {table} WHERE id = 42")
        conn.execute(f"INSERT INTO {table} (id, name) VALUES (5000, 'only in duckdb')")
    report = run_verify(pg, path, stack_settings, table)
    assert report.verdict == "different" and report.exit_code == 1
    d = report.tables[0].differences
    assert d is not None
    assert d.changed == [{"id": "17"}]
    assert d.missing == [{"id": "42"}]
    assert d.extra == [{"id": "5000"}]
    assert (d.rows_pg, d.rows_duck) == (302, 302)


def test_a_change_in_one_typed_value_is_seen(
    pg: psycopg.Connection[Any], stack_settings: Settings, replica: tuple[str, Path]
) -> None:
    table, path = replica
    changes = {
        "ts": "ts + INTERVAL 1 MICROSECOND",
        "span": "span + INTERVAL 1 MONTH",
        "ratio": "ratio * 2",
        "doc": "'{\"i\": 1}'",
        "tags": "['a3', NULL, 'x;y']",
    }
    for column, expr in changes.items():
        with duckdb.connect(str(path)) as conn:
            conn.execute(f"CREATE OR REPLACE TABLE backup AS SELECT * FROM {table}")
            conn.execute(f"UPDATE {table} SET {column} = {expr} WHERE id = 3")
        report = run_verify(pg, path, stack_settings, table)
        d = report.tables[0].differences
        assert d is not None and d.changed == [{"id": "3"}], column
        with duckdb.connect(str(path)) as conn:
            conn.execute(f"DELETE FROM {table}")
            conn.execute(f"INSERT INTO {table} SELECT * FROM backup")


def test_cdc_verify_and_query_commands(
    stack_settings: Settings, replica: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    table, path = replica
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        unused = str(s.getsockname()[1])  # no sink serves this replica: the file is read directly
    env = {**settings_env(stack_settings), "CDC_DUCKDB_PATH": str(path), "CDC_SINK_HTTP_PORT": unused}
    runner = CliRunner()
    result = runner.invoke(app, ["verify", table, "--no-wait", "--json"], env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    with duckdb.connect(str(path)) as conn:
        conn.execute(f"DELETE FROM {table} WHERE id = 7")
    result = runner.invoke(app, ["verify", table, "--no-wait"], env=env)
    assert result.exit_code == 1
    assert "missing in DuckDB: id=7" in result.stdout
    result = runner.invoke(app, ["query", f"DELETE FROM {table}"], env=env)
    assert result.exit_code == 1 and "refused" in result.stderr


def _sink_available() -> str:
    """Why the sink-based test cannot run yet ("" when it can)."""
    try:
        from tests.e2e.replica import running_sink  # noqa: F401, PLC0415
    except ImportError as exc:
        return f"the sink is not complete yet ({exc})"
    from cdc_pipeline import _core  # noqa: PLC0415

    return "" if hasattr(_core, "query_watermarks") else "cdc_pipeline._core lacks query_watermarks (rebuild)"


@pytest.mark.skipif(bool(_sink_available()), reason=_sink_available() or "available")
def test_verify_waits_for_the_running_sink_then_finds_a_damaged_row(
    stack_settings: Settings, pg: psycopg.Connection[Any], tmp_path: Path
) -> None:
    from cdc_pipeline.connectors.apply import apply_connector  # noqa: PLC0415
    from cdc_pipeline.connectors.connect_client import ConnectClient  # noqa: PLC0415
    from cdc_pipeline.connectors.model import TableRef  # noqa: PLC0415
    from tests.e2e.replica import duck_connect, running_sink  # noqa: PLC0415

    table = f"obs_live_{uuid.uuid4().hex[:8]}"
    settings = stack_settings.model_copy(
        update={
            "connector_name": f"e2e_{table}",
            "topic_prefix": f"e2e_{table}",
            "duckdb_path": tmp_path / "live.duckdb",
            "sink_max_wait_ms": 200,
        }
    )
    pg.execute(PG_DDL.format(t=table))
    apply_connector(settings, [TableRef("public", table)])
    try:
        with running_sink(settings) as check, duck_connect(settings.duckdb_file) as duck:
            replica = LocalReplica(duck, "the sink's database", LIMITS)
            # changes committed just before verify starts must be waited for, not reported
            pg.execute(f"UPDATE {table} SET name = 'late' WHERE id <= 50")
            pg.execute(f"DELETE FROM {table} WHERE id = 300")
            options = VerifyOptions(tables=[table], timeout_s=120, sample=5)
            report = verify_with(pg, replica, settings, options)
            check()
            assert report.verdict == "equal", report.to_json()
            assert report.consistent_lsn is not None
            duck.execute(f"UPDATE {table} SET flag = NOT flag WHERE id = 8")
            report = verify_with(pg, replica, settings, options)
            d = report.tables[0].differences
            assert report.exit_code == 1 and d is not None and d.changed == [{"id": "8"}]
    finally:
        with ConnectClient(settings.connect_url) as client:
            client.delete(settings.connector_name)
