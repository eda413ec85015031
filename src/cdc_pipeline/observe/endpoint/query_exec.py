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
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
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


@dataclass(frozen=True)
class QueryResult:
    """Column names, DuckDB type names and the rows as an Arrow table."""

    columns: list[str]
    types: list[str]
    table: pa.Table


def run_read_only(cursor: duckdb.DuckDBPyConnection, sql: str, timeout_s: float) -> QueryResult:
    """Check, then run ``sql`` in a rolled-back transaction.

    Raises WriteRefusedError, InvalidSqlError, QueryTimeoutError, or duckdb.Error (e.g. an unknown table).
    """
    statement = check_read_only(sql)
    timer = threading.Timer(timeout_s, cursor.interrupt)
    timer.daemon = True
    cursor.begin()
    timer.start()
    try:
        relation = cursor.sql(statement)
        if relation is None:
            return QueryResult([], [], pa.table({}))
        table = relation.to_arrow_table()
        return QueryResult(list(relation.columns), [str(t) for t in relation.types], table)
    except duckdb.InterruptException as exc:
        raise QueryTimeoutError(f"the statement ran longer than {timeout_s:g} s and was interrupted") from exc
    finally:
        timer.cancel()
        with suppress(duckdb.Error):
            cursor.rollback()


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
