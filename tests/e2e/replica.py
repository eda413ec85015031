"""Test helpers: run the sink, and read a table from PostgreSQL and DuckDB in one comparable form.

Each column is normalized in SQL on both sides to the same Python value (timestamps as microseconds and dates
as days since 1970, so BC stays BC, or 'infinity'; intervals as (months, days, microseconds), REAL widened to
DOUBLE, JSON parsed, UUIDs as text), so a comparison means "the same value", not "the same driver
representation".
"""

from __future__ import annotations

import json
import math
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psycopg

import duckdb
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.observe.endpoint.client import endpoint_headers, endpoint_url
from cdc_pipeline.sink_process import StopFlag, run_sink
from tests.e2e.conftest import free_ports

Rows = dict[tuple[Any, ...], tuple[Any, ...]]
T = TypeVar("T")


class RunningSink:
    """The sink running in a thread: call it to raise the sink's error, if it failed.

    ``settings`` are the ones it runs with (its own ``sink_http_port``); ``url`` is its endpoint.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.failure: list[BaseException] = []

    @property
    def url(self) -> str:
        return endpoint_url(self.settings)

    def __call__(self) -> None:
        if self.failure:
            raise AssertionError(f"the sink failed: {self.failure[0]}") from self.failure[0]


@contextmanager
def running_sink(settings: Settings) -> Iterator[RunningSink]:
    """Run the sink in a thread of this process (so the test can read the same DuckDB file meanwhile)."""
    sink = RunningSink(settings.model_copy(update={"sink_http_port": free_ports(1)[0]}))  # its own endpoint
    stop = StopFlag()

    def target() -> None:
        try:
            run_sink(sink.settings, stop)
        except BaseException as exc:
            sink.failure.append(exc)

    thread = threading.Thread(target=target, name="sink", daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        stop.stopped = True
        thread.join(timeout=60)
        assert not thread.is_alive(), "the sink did not stop within 60 s"
    sink()


PG_TEXT_TYPES = {"json", "jsonb", "uuid", "bit", "varbit", "inet", "cidr", "macaddr", "xml", "ltree"}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_expr(column: str, udt: str) -> str:
    c = _quote(column)
    base = udt.lstrip("_")
    if udt.startswith("_"):
        return f"{c}::text[]" if base in PG_TEXT_TYPES | {"timestamptz", "timestamp", "interval"} else c
    # dates and timestamps as numbers (days, microseconds since 1970): to_char() drops BC, which would hide
    # a BC value landing as AD
    if udt in {"timestamptz", "timestamp"}:
        micros = f"(extract(epoch FROM {c}) * 1000000)::bigint"
        return f"CASE WHEN isfinite({c}) THEN {micros}::text ELSE {c}::text END"
    if udt == "date":
        return f"CASE WHEN isfinite({c}) THEN ({c} - DATE '1970-01-01')::text ELSE {c}::text END"
    if udt == "interval":
        return (
            f"CASE WHEN {c} IS NULL THEN NULL ELSE ARRAY["
            f"(extract(year from {c})*12 + extract(month from {c}))::bigint, extract(day from {c})::bigint,"
            f" (extract(hour from {c})*3600000000 + extract(minute from {c})*60000000"
            f" + extract(microseconds from {c}))::bigint] END"
        )
    if udt == "timetz":
        return f"({c} AT TIME ZONE 'UTC')::time::text"
    if udt == "float4":
        return f"{c}::float8"
    if udt == "money":  # its text follows lc_monetary ('$1,234.56'); DuckDB holds the number
        return f"{c}::numeric"
    if udt in {"inet", "cidr"}:  # their output form ('::1'), as Debezium sends it; ::text adds '/128'
        return f"CASE WHEN {c} IS NULL THEN NULL ELSE concat({c}) END"
    if base in PG_TEXT_TYPES:
        return f"{c}::text"
    return c


def _duck_expr(column: str, duck_type: str) -> str:
    c = _quote(column)
    t = duck_type.upper()
    if t.endswith("[]"):
        inner = t[:-2]
        if inner in {"JSON", "UUID", "BIT", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "INTERVAL"}:
            return f"CAST({c} AS VARCHAR[])"
        return c
    if t in {"TIMESTAMP WITH TIME ZONE", "TIMESTAMP"}:  # as _pg_expr: microseconds since 1970
        return f"CASE WHEN isfinite({c}) THEN CAST(epoch_us({c}) AS VARCHAR) ELSE CAST({c} AS VARCHAR) END"
    if t == "DATE":
        return (
            f"CASE WHEN isfinite({c}) THEN CAST({c} - DATE '1970-01-01' AS VARCHAR) "
            f"ELSE CAST({c} AS VARCHAR) END"
        )
    if t == "INTERVAL":
        return (
            f"CASE WHEN {c} IS NULL THEN NULL ELSE [datepart('year', {c})*12 + datepart('month', {c}),"
            f" datepart('day', {c}), datepart('hour', {c})*3600000000::BIGINT"
            f" + datepart('minute', {c})*60000000::BIGINT + datepart('microseconds', {c})] END"
        )
    if t == "TIME WITH TIME ZONE":
        return f"CAST(CAST({c} AS TIME) AS VARCHAR)"
    if t == "FLOAT":
        return f"CAST({c} AS DOUBLE)"
    if t in {"JSON", "UUID", "BIT"}:
        return f"CAST({c} AS VARCHAR)"
    return c


def _canonical_number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value.is_finite() else str(value)


def _norm(value: Any) -> Any:
    """Equal values get equal forms; numbers kept as exact text in DuckDB (VARCHAR) compare by value."""
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else value
    if isinstance(value, Decimal):
        return _canonical_number(value)
    if isinstance(value, str):
        try:
            return _canonical_number(Decimal(value))
        except ArithmeticError:
            return value
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, list | tuple):
        return tuple(_norm(v) for v in value)
    return value


def _norm_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def pg_rows(conn: psycopg.Connection[Any], table: str, key: list[str], schema: str = "public") -> Rows:
    columns = conn.execute(
        "SELECT column_name, udt_name FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        (schema, table),
    ).fetchall()
    exprs = ", ".join(_pg_expr(name, udt) for name, udt in columns)
    json_cols = {i for i, (_, udt) in enumerate(columns) if udt in {"json", "jsonb"}}
    rows = conn.execute(f"SELECT {exprs} FROM {_quote(schema)}.{_quote(table)}").fetchall()
    return _keyed([name for name, _ in columns], rows, key, json_cols)


def duck_rows(conn: duckdb.DuckDBPyConnection, table: str, key: list[str], schema: str = "main") -> Rows:
    columns = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    if not columns:
        return {}  # not created yet
    exprs = ", ".join(_duck_expr(name, dtype) for name, dtype in columns)
    json_cols = {i for i, (_, dtype) in enumerate(columns) if dtype.upper() == "JSON"}
    rows = conn.execute(f"SELECT {exprs} FROM {_quote(schema)}.{_quote(table)}").fetchall()
    return _keyed([name for name, _ in columns], rows, key, json_cols)


def _keyed(names: list[str], rows: list[tuple[Any, ...]], key: list[str], json_cols: set[int]) -> Rows:
    positions = [names.index(k) for k in key]
    out: Rows = {}
    for row in rows:
        values = tuple(_norm_json(v) if i in json_cols else _norm(v) for i, v in enumerate(row))
        out[tuple(values[p] for p in positions)] = tuple(zip(names, values, strict=True))
    return out


def wait_equal(
    read_pg: Callable[[], Rows],
    read_duck: Callable[[], Rows],
    check_sink: Callable[[], None],
    timeout_s: float = 60.0,
) -> Rows:
    """Wait until DuckDB holds exactly what PostgreSQL holds; on timeout show the first differences."""
    deadline = time.monotonic() + timeout_s
    expected: Rows = {}
    actual: Rows = {}
    while time.monotonic() < deadline:
        check_sink()
        expected = read_pg()
        try:
            actual = read_duck()
        except duckdb.CatalogException:
            actual = {}
        if actual == expected:
            return actual
        time.sleep(0.3)
    missing = [k for k in expected if k not in actual][:5]
    extra = [k for k in actual if k not in expected][:5]
    changed = [(expected[k], actual[k]) for k in expected if k in actual and expected[k] != actual[k]][:3]
    raise AssertionError(f"DuckDB != PostgreSQL: missing {missing}, extra {extra}, changed {changed}")


def sink_status(sink: RunningSink | Settings, timeout_s: float = 10.0) -> dict[str, Any]:
    """The ``GET /status`` of a running sink (or of the sink these settings name), with its token."""
    settings = sink.settings if isinstance(sink, RunningSink) else sink
    request = urllib.request.Request(f"{endpoint_url(settings)}/status", headers=endpoint_headers(settings))
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        status: dict[str, Any] = json.load(response)
        return status


def sink_metrics_text(sink: RunningSink) -> str:
    """The running sink's ``GET /metrics`` (Prometheus text), with its token."""
    headers = endpoint_headers(sink.settings)
    return httpx.get(f"{sink.url}/metrics", headers=headers, timeout=5).raise_for_status().text


def eventually(
    what: str,
    probe: Callable[[], T],
    timeout_s: float = 120.0,
    *,
    ready: Callable[[T], bool] = bool,
    check_sink: Callable[[], None] = lambda: None,
    every_s: float = 0.3,
) -> T:
    """The one polling helper of the e2e tests: call ``probe`` until ``ready(value)`` and return the value.

    A probe that raises AssertionError is not ready yet (its message is shown on timeout, with the last
    value); ``check_sink`` (a :class:`RunningSink`) raises the sink's own failure at once instead of
    waiting for the timeout.
    """
    deadline = time.monotonic() + timeout_s
    last: object = "nothing yet"
    while True:
        check_sink()
        try:
            value = probe()
        except AssertionError as exc:
            last = exc
        else:
            if ready(value):
                return value
            last = value
        assert time.monotonic() < deadline, (
            f"timed out after {timeout_s:.0f} s waiting until {what}; last: {last}"
        )
        time.sleep(every_s)


def duck_connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to the sink's file from the test's own process (shares the sink's database instance)."""
    return duckdb.connect(str(path))
