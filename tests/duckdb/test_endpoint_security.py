"""Hostile statements against the sink's live query endpoint: each refused, none with a side effect.

The server runs over a real DuckDB file locked down exactly as `cdc sink` locks it (observe/endpoint/
sandbox.py), while a writer keeps committing, as the sink does.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cdc_pipeline.observe.endpoint import sandbox
from cdc_pipeline.observe.endpoint.query_exec import QueryLimits
from cdc_pipeline.observe.endpoint.server import ObserveServer
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.stats import SinkStats
from tests.duckdb.auth import HEADERS, TOKEN

SECRET = "the-secret-file-content"
MEMORY_LIMIT = "256MiB"
FILE_READS = [
    "SELECT content FROM read_text('{f}')",
    "SELECT content FROM read_blob('{f}')",
    "SELECT * FROM glob('{d}/*')",
    "SELECT * FROM read_csv('{f}')",
    "SELECT * FROM read_csv_auto('{f}')",
    "SELECT * FROM read_json('{f}')",
    "SELECT * FROM read_json_auto('{f}')",
    "SELECT * FROM read_ndjson('{f}')",
    "SELECT * FROM read_parquet('{f}')",
    "SELECT * FROM parquet_metadata('{f}')",
    "SELECT * FROM parquet_schema('{f}')",
    "SELECT * FROM '{f}'",
    "SELECT * FROM sniff_csv('{f}')",
    "SELECT * FROM query('SELECT content FROM read_text(''{f}'')')",
    "SELECT * FROM query_table('{f}')",
    "SELECT * FROM read_text('http://127.0.0.1:1/x')",
]
WRITES = [
    "WITH x AS (DELETE FROM users RETURNING *) SELECT * FROM x",
    "WITH x AS (UPDATE users SET name = 'owned' RETURNING *) SELECT * FROM x",
    "WITH x AS (INSERT INTO users VALUES (99, 'owned') RETURNING *) SELECT * FROM x",
    "DELETE FROM users",
    "SELECT 1; DELETE FROM users",
    "COPY users TO '{d}/out.csv'",
    "ATTACH '{d}/other.duckdb' AS other",
    "INSTALL httpfs",
    "SET enable_external_access = true",
    "SET memory_limit = '64GB'",
    "RESET memory_limit",
    "SELECT * FROM users WHERE nextval('s') > 0",
    "SELECT checkpoint()",
    "EXPLAIN ANALYZE DELETE FROM users",
]


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[ObserveServer]:
    (tmp_path / "secret.txt").write_text(SECRET)
    target = DuckDBTarget(tmp_path / "replica.duckdb")
    with target.cursor() as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR)")
        conn.execute("INSERT INTO users SELECT i, 'u' || i FROM range(10) t(i)")
        conn.execute("CREATE SEQUENCE s")
        sandbox.lock_down(conn, MEMORY_LIMIT)
    limits = QueryLimits(timeout_s=60, max_rows=1000, max_bytes=1 << 20)
    with ObserveServer(target.cursor, SinkStats(), port=0, limits=limits, token=TOKEN) as server:
        yield server
    target.close()


def _post(server: ObserveServer, sql: str) -> httpx.Response:
    return httpx.post(f"{server.url}/query", json={"sql": sql}, headers=HEADERS, timeout=60)


def _users(server: ObserveServer) -> list[list[object]]:
    answer = _post(server, "SELECT id, name FROM users ORDER BY id")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["rows"])


@pytest.mark.parametrize("template", FILE_READS)
def test_no_statement_reads_a_file_or_url(served: ObserveServer, tmp_path: Path, template: str) -> None:
    sql = template.format(f=tmp_path / "secret.txt", d=tmp_path)
    answer = _post(served, sql)
    assert answer.status_code in {400, 403}, (sql, answer.status_code, answer.text)
    assert SECRET not in answer.text and "secret.txt" not in answer.json().get("rows", [])


@pytest.mark.parametrize("template", WRITES)
def test_no_statement_writes_or_reaches_out(served: ObserveServer, tmp_path: Path, template: str) -> None:
    before = _users(served)
    sql = template.format(d=tmp_path)
    answer = _post(served, sql)
    assert answer.status_code in {400, 403}, (sql, answer.status_code, answer.text)
    assert _users(served) == before, f"{sql} changed rows"
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()
    settings = _post(served, "SELECT value FROM duckdb_settings() WHERE name = 'enable_external_access'")
    assert settings.json()["rows"] == [["false"]]


def test_a_result_past_its_limit_is_cut_off(served: ObserveServer) -> None:
    answer = _post(served, "SELECT * FROM range(100000000)")
    assert answer.status_code == 413, answer.text
    assert "LIMIT" in answer.json()["error"] and "SINK_QUERY_MAX_ROWS" in answer.json()["error"]
    assert _post(served, "SELECT * FROM range(1000)").status_code == 200, "at the limit still answers"


def test_a_query_past_the_memory_limit_fails_and_the_writer_goes_on(served: ObserveServer) -> None:
    """DuckDB has no per-query limit: the instance's memory_limit (SINK_MEMORY_LIMIT) bounds every query, and
    a query cannot raise it. Past it the query fails with DuckDB's out-of-memory error, not the process."""
    limit = _post(served, "SELECT current_setting('memory_limit')")
    assert limit.json()["rows"] == [["256.0 MiB"]], limit.text
    hungry = "SELECT list(i::VARCHAR || repeat('x', 100)) FROM range(10000000) t(i)"  # ~1.3 GB in one list
    answer = _post(served, hungry)
    assert answer.status_code in {400, 500}, answer.text
    assert "memory" in answer.json()["error"].lower(), answer.text
    before = _users(served)
    writer = served.cursor()
    writer.execute("INSERT INTO users VALUES (100, 'after')")
    assert len(_users(served)) == len(before) + 1, "the writer commits after the failed query"


def test_a_query_whose_client_hangs_up_is_cancelled(
    served: ObserveServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A statement that would run for minutes stops within seconds of its client going away."""
    caplog.set_level(logging.INFO, logger="cdc_pipeline.observe")
    body = b'{"sql": "SELECT count(*) FROM range(1000000000000) a"}'
    head = "POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += f"Authorization: {HEADERS['Authorization']}\r\nContent-Length: {len(body)}"
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"\r\n\r\n" + body)
        time.sleep(0.5)  # the statement is running
    deadline = time.monotonic() + 20  # far below the 60 s timeout: only the hang-up can stop it
    while "went away" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "went away" in caplog.text, "the abandoned statement kept running"
    assert _post(served, "SELECT 1").status_code == 200


@pytest.mark.parametrize("path", ["/query", "/status", "/metrics", "/admin/tables"])
@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN.value}", TOKEN.value])
def test_without_the_token_nothing_but_health_answers(
    served: ObserveServer, path: str, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    if path in {"/query", "/admin/tables"}:
        answer = httpx.post(
            f"{served.url}{path}", json={"sql": "SELECT 1", "action": "list"}, headers=headers
        )
    else:
        answer = httpx.get(f"{served.url}{path}", headers=headers)
    assert answer.status_code == 401, answer.text
    assert answer.json()["kind"] == "unauthorized" and str(TOKEN.path) in answer.json()["error"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert httpx.get(f"{served.url}/health").status_code in {200, 503}, "health stays open for probes"


def test_a_refused_request_runs_nothing(served: ObserveServer) -> None:
    before = _users(served)
    sql = "SELECT count(*) FROM users"
    answer = httpx.post(f"{served.url}/query", json={"sql": sql}, headers={"Authorization": "Bearer x"})
    assert answer.status_code == 401 and "rows" not in answer.json()
    assert _users(served) == before
