"""Run one read-only statement on a DuckDB cursor, and write its result as JSON, CSV or an Arrow IPC stream.

The server and the read-only file fallback of ``cdc query`` share this code, so both refuse the same
statements and produce the same bytes. The statement runs in a transaction that is always rolled back
(:mod:`.readonly`'s third layer): it reads one committed snapshot and never holds the sink's writes back
(DuckDB's MVCC; a reader's cursor has its own transaction). A timer interrupts a statement that runs too long.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import monotonic
from typing import Any
from uuid import UUID

import pyarrow as pa  # type: ignore[import-untyped]

import duckdb
from cdc_pipeline.observe.endpoint.readonly import check_read_only

FORMATS = ("json", "csv", "arrow")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "arrow": "application/vnd.apache.arrow.stream",
}


class QueryTimeoutError(RuntimeError):
    """The statement ran longer than the endpoint allows."""


class ResultTooLargeError(RuntimeError):
    """The result has more rows or bytes than the endpoint returns; the statement was stopped."""


class ClientGoneError(RuntimeError):
    """The client closed its connection; its statement was interrupted."""


@dataclass(frozen=True)
class QueryLimits:
    """Per statement: wall time, and the result's rows and Arrow bytes (which bound the sink's memory)."""

    timeout_s: float
    max_rows: int
    max_bytes: int


@dataclass(frozen=True)
class QueryResult:
    """Column names, DuckDB type names and the rows as an Arrow table."""

    columns: list[str]
    types: list[str]
    table: pa.Table


_BATCH_ROWS = 16_384


def run_read_only(
    cursor: duckdb.DuckDBPyConnection,
    sql: str,
    limits: QueryLimits,
    client_gone: Callable[[], bool] = lambda: False,
) -> QueryResult:
    """Check, then run ``sql`` in a rolled-back transaction, streaming its result within ``limits``.

    Raises WriteRefusedError, InvalidSqlError, QueryTimeoutError, ResultTooLargeError, ClientGoneError, or
    duckdb.Error (e.g. an unknown table).
    """
    statement = check_read_only(sql)
    watchdog = _Watchdog(cursor, limits.timeout_s, client_gone)
    cursor.begin()
    watchdog.start()
    try:
        relation = cursor.sql(statement)
        if relation is None:
            return QueryResult([], [], pa.table({}))
        table = _bounded(relation.to_arrow_reader(_BATCH_ROWS), limits)
        return QueryResult(list(relation.columns), [str(t) for t in relation.types], table)
    except duckdb.InterruptException as exc:
        if watchdog.reason == "gone":
            raise ClientGoneError("the client went away; its statement was interrupted") from exc
        raise QueryTimeoutError(
            f"the statement ran longer than {limits.timeout_s:g} s and was interrupted"
        ) from exc
    finally:
        watchdog.stop()
        with suppress(duckdb.Error):
            cursor.rollback()


def _bounded(reader: pa.RecordBatchReader, limits: QueryLimits) -> pa.Table:
    batches: list[pa.RecordBatch] = []
    rows = size = 0
    for batch in reader:
        rows, size = rows + batch.num_rows, size + batch.nbytes
        if rows > limits.max_rows or size > limits.max_bytes:
            raise ResultTooLargeError(
                f"the result is over the endpoint's limit of {limits.max_rows:,} rows or "
                f"{limits.max_bytes:,} bytes and was stopped; add a LIMIT or a WHERE, or raise "
                "SINK_QUERY_MAX_ROWS / SINK_QUERY_MAX_BYTES in .env"
            )
        batches.append(batch)
    return pa.Table.from_batches(batches, schema=reader.schema)


class _Watchdog:
    """Interrupts the cursor's statement once it runs too long or its client has gone."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, timeout_s: float, gone: Callable[[], bool]):
        self._cursor, self._timeout_s, self._gone = cursor, timeout_s, gone
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="cdc-query-watchdog", daemon=True)
        self.reason: str | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        deadline = monotonic() + self._timeout_s
        while not self._done.wait(0.1):
            if monotonic() >= deadline:
                self.reason = "timeout"
            elif self._gone():
                self.reason = "gone"
            else:
                continue
            self._cursor.interrupt()
            return


def json_value(value: Any) -> Any:
    """One JSON-ready value: exact numbers as text when JSON numbers would lose them, times in ISO 8601."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return str(value)


def rows(result: QueryResult) -> list[list[Any]]:
    """The rows as Python values (DuckDB's own conversion through Arrow)."""
    columns = [result.table.column(i).to_pylist() for i in range(result.table.num_columns)]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def to_json(result: QueryResult) -> bytes:
    """``{"columns": [{"name", "type"}], "rows": [[...]], "row_count": n}``."""
    body = {
        "columns": [{"name": n, "type": t} for n, t in zip(result.columns, result.types, strict=True)],
        "rows": [[json_value(v) for v in row] for row in rows(result)],
        "row_count": result.table.num_rows,
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(json_value(value), ensure_ascii=False)
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    return str(json_value(value))


def to_csv(result: QueryResult) -> bytes:
    """RFC 4180 CSV with a header line; NULL is an empty field, lists and structs are JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    for row in rows(result):
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def to_arrow_stream(result: QueryResult) -> bytes:
    """The Arrow IPC stream format; DuckDB's type names travel in the schema metadata."""
    schema = result.table.schema.with_metadata({b"duckdb_types": json.dumps(result.types).encode()})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_table(result.table.replace_schema_metadata(schema.metadata))
    return bytes(sink.getvalue().to_pybytes())


def from_arrow_stream(data: bytes) -> QueryResult:
    table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    metadata = table.schema.metadata or {}
    types = json.loads(metadata.get(b"duckdb_types", b"[]")) or [str(t) for t in table.schema.types]
    return QueryResult(list(table.column_names), list(types), table)


def encode(result: QueryResult, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(result)
    if fmt == "arrow":
        return to_arrow_stream(result)
    return to_json(result)
