"""Reading the DuckDB replica from another process: through the sink's endpoint, or the file read-only.

DuckDB lets one process hold a file read-write, and then no other process may open it at all. So while the
sink runs, reads go through its HTTP endpoint (:mod:`.server`); when it does not, the file is opened
read-only. Either way the same read-only check applies and results arrive as Arrow.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx

import duckdb
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.endpoint import query_exec, sandbox
from cdc_pipeline.observe.endpoint.query_exec import QueryLimits, QueryResult
from cdc_pipeline.observe.endpoint.readonly import InvalidSqlError, WriteRefusedError
from cdc_pipeline.observe.endpoint.token import auth_headers


class QueryError(CdcError):
    """A query failed: refused as a write, invalid SQL, a SQL error, or no replica to read."""

    def __init__(self, message: str, hint: str = "", kind: str = "sql_error") -> None:
        super().__init__(message, hint)
        self.kind = kind


def http_port(settings: Settings) -> int:
    """The sink endpoint's port (setting ``sink_http_port``; 0 turns the endpoint off)."""
    return settings.sink_http_port


def query_limits(settings: Settings) -> QueryLimits:
    """What one statement may take: ``sink_query_timeout_s``, ``sink_query_max_rows``/``_max_bytes``."""
    return QueryLimits(
        settings.sink_query_timeout_s, settings.sink_query_max_rows, settings.sink_query_max_bytes
    )


def endpoint_url(settings: Settings) -> str:
    """Where this machine reaches the sink's endpoint (``sink_http_host``; loopback when it binds all)."""
    host = settings.sink_http_host
    host = "127.0.0.1" if host in {"0.0.0.0", "", "::"} else host
    return f"http://{host}:{http_port(settings)}"


def endpoint_headers(settings: Settings) -> dict[str, str]:
    """The ``Authorization`` header for the sink of these settings (its token file in the state dir)."""
    return auth_headers(settings.state_dir)


class Replica(Protocol):
    """Where the replica's SQL runs; ``via`` says which way, for messages."""

    via: str

    def query(self, sql: str) -> QueryResult: ...


def fetch(replica: Replica, sql: str) -> list[list[Any]]:
    """The rows of ``sql`` as Python values."""
    return query_exec.rows(replica.query(sql))


class HttpReplica:
    """The running sink's ``POST /query`` (Arrow IPC responses keep DuckDB's types)."""

    def __init__(self, url: str, timeout_s: float, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.via = f"the sink's endpoint {url}"
        self._client = httpx.Client(
            base_url=url, timeout=httpx.Timeout(timeout_s + 10, connect=2.0), headers=headers or {}
        )

    def query(self, sql: str) -> QueryResult:
        try:
            response = self._client.post("/query", json={"sql": sql, "format": "arrow"})
        except httpx.HTTPError as exc:
            raise QueryError(
                f"the sink's endpoint {self.url} failed: {exc}", "is the sink still running?"
            ) from exc
        if response.status_code == 200:
            return query_exec.from_arrow_stream(response.content)
        try:
            body = response.json()
            message, kind = str(body["error"]), str(body.get("kind", "sql_error"))
        except (ValueError, KeyError, TypeError):
            message, kind = response.text.strip() or f"HTTP {response.status_code}", "sql_error"
        raise QueryError(message, kind=kind)

    def close(self) -> None:
        self._client.close()


class LocalReplica:
    """A DuckDB connection: the file opened read-only, or a connection of this process (tests)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, via: str, limits: QueryLimits) -> None:
        self.conn = conn
        self.via = via
        self.limits = limits

    def query(self, sql: str) -> QueryResult:
        cursor = self.conn.cursor()
        try:
            return query_exec.run_read_only(cursor, sql, self.limits)
        except query_exec.QueryTimeoutError as exc:
            raise QueryError(str(exc), kind="timeout") from exc
        except query_exec.ResultTooLargeError as exc:
            raise QueryError(str(exc), kind="too_large") from exc
        except WriteRefusedError as exc:
            raise QueryError(str(exc), kind="refused") from exc
        except (duckdb.Error, InvalidSqlError) as exc:
            raise QueryError(str(exc), kind="sql_error") from exc
        finally:
            cursor.close()


def sink_endpoint_answers(url: str, timeout_s: float = 1.0) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=timeout_s).status_code in (200, 503)
    except httpx.HTTPError:
        return False


def open_read_only(path: Path, limits: QueryLimits) -> LocalReplica:
    if not path.is_file():
        raise QueryError(
            f"no DuckDB file at {path} and no sink endpoint answers",
            "start the sink (`cdc sink`), or set duckdb_path to the replica's file",
            kind="no_replica",
        )
    try:
        conn = sandbox.open_read_only(path)
    except duckdb.IOException as exc:
        raise QueryError(
            f"cannot open {path} read-only: {exc}",
            "another process holds it read-write; query through that process's endpoint (sink_http_port)",
            kind="no_replica",
        ) from exc
    return LocalReplica(conn, f"the file {path} (read-only)", limits)


@contextmanager
def open_replica(settings: Settings) -> Iterator[Replica]:
    """The sink's endpoint when it answers, else the DuckDB file read-only."""
    url, limits = endpoint_url(settings), query_limits(settings)
    if http_port(settings) and sink_endpoint_answers(url):
        http = HttpReplica(url, limits.timeout_s, endpoint_headers(settings))
        try:
            yield http
        finally:
            http.close()
        return
    local = open_read_only(settings.duckdb_file, limits)
    try:
        yield local
    finally:
        local.conn.close()


def sql_literal(value: str) -> str:
    """A SQL string literal (the endpoint takes no parameters)."""
    return "'" + value.replace("'", "''") + "'"


def in_list(values: Sequence[str]) -> str:
    return ", ".join(sql_literal(v) for v in values)
