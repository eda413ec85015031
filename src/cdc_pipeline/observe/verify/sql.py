"""SQL text of ``cdc verify``: one comparable text form per value, a 60-bit row hash, key buckets.

Both databases compute, for each row, the same text from the same value and hash it with ``md5``, which
both have; so counts, checksums and bucket sums are computed where the data is, and only aggregates (or the
keys of a few differing buckets) travel.

Comparable form per source type (the PostgreSQL type decides; the DuckDB side reads the column as the sink
stores it, see :mod:`cdc_pipeline.sink.batch`):

================================  ==================================================================
integers, boolean                 decimal digits, ``true``/``false``
real, double precision            the IEEE 754 bits as a signed integer (REAL's 32, DOUBLE's 64), one
                                  ``NaN``, one zero: exact, where the printed shortest digits differ
numeric, money                    exact digits without trailing fractional zeros (``DECIMAL(p,s)``,
                                  ``DECIMAL(38,18)`` and the VARCHAR of precision > 38 all agree)
date                              days since 1970-01-01, or ``infinity`` / ``-infinity``
timestamp, timestamptz            microseconds since the epoch (UTC), or ``infinity`` / ``-infinity``
time, timetz                      microseconds since midnight (timetz in UTC)
interval                          ``months,days,microseconds``
bytea                             lower-case hex
bit(1)                            ``true``/``false`` (Debezium sends it as a boolean)
arrays                            ``[`` elements encoded as below, comma-separated ``]``
everything else                   PostgreSQL's output text (json and jsonb as sent, uuid, enum, inet, ...)
================================  ==================================================================

A value is encoded as ``<byte length>:<text>`` and NULL as ``-``, so concatenating the columns (in name
order) is injective: no two different rows share a row text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cdc_pipeline.sink.naming import quote_ident

Dialect = Literal["pg", "duck"]

HASH_HEX = 15  # 60 bits: positive in a signed BIGINT on both sides, so sums never need unsigned types
BUCKET_HEX = 7  # 28 bits of a different part of the key's md5 choose the bucket

INT_TYPES = {"int2", "int4", "int8", "oid"}
FLOAT_TYPES = {"float4", "float8"}
NUMERIC_TYPES = {"numeric", "money"}
TIME_TYPES = {"time", "timetz"}


@dataclass(frozen=True)
class ColumnPair:
    """A source column and its DuckDB counterpart."""

    name: str
    pg_type: str  # information_schema udt_name: int4, numeric, _text (array of text), timestamptz, ...
    duck_type: str  # DuckDB data_type: INTEGER, DECIMAL(10,2), VARCHAR, INTEGER[], TIMESTAMP WITH TIME ZONE


def _strip_zeros(x: str) -> str:
    return f"CASE WHEN strpos({x}, '.') > 0 THEN rtrim(rtrim({x}, '0'), '.') ELSE {x} END"


def _float_bits(v: str, pg_type: str, duck_type: str, dialect: Dialect) -> str:
    """The IEEE 754 bits as a signed integer: exact, where printed digits are not (PostgreSQL's shortest
    form sometimes keeps a 17th digit that DuckDB's drops). REAL stays 32 bits unless DuckDB widened it."""
    single = duck_type.upper() in {"FLOAT", "REAL", "FLOAT4"}
    if dialect == "pg":
        value = v if single or pg_type == "float8" else f"CAST({v} AS float8)"
        send, bits, int_type = ("float4send", 32, "INTEGER") if single else ("float8send", 64, "BIGINT")
        pattern = (
            f"CAST(CAST(CAST('x' || encode({send}({value}), 'hex') AS bit({bits})) AS {int_type}) AS VARCHAR)"
        )
        nan = f"{v} = 'NaN'"
    else:
        int_type = "INTEGER" if single else "BIGINT"
        pattern = f"CAST(CAST(CAST({v} AS BIT) AS {int_type}) AS VARCHAR)"
        nan = f"isnan({v})"
    # one NaN and one zero: payload bits and the sign of zero are not values a user can see
    return f"(CASE WHEN {nan} THEN 'NaN' WHEN {v} = 0 THEN '0' ELSE {pattern} END)"


def _time_us(v: str, dialect: Dialect) -> str:
    if dialect == "pg":
        return f"CAST(CAST(extract(epoch FROM {v}) * 1000000 AS BIGINT) AS VARCHAR)"
    return (
        f"CAST(CAST(hour({v}) AS BIGINT) * 3600000000 + CAST(minute({v}) AS BIGINT) * 60000000"
        f" + microsecond({v}) AS VARCHAR)"
    )


def _finite(v: str, value: str) -> str:
    return f"(CASE WHEN isfinite({v}) THEN {value} ELSE CAST({v} AS VARCHAR) END)"


def _interval(v: str, dialect: Dialect) -> str:
    part = "extract({f} FROM {v})" if dialect == "pg" else "datepart('{f}', {v})"

    def p(field: str) -> str:
        return "CAST(" + part.format(f=field, v=v) + " AS BIGINT)"

    micros = f"{p('hour')} * 3600000000 + {p('minute')} * 60000000 + {p('microseconds')}"
    months = f"{p('year')} * 12 + {p('month')}"
    return (
        f"CAST({months} AS VARCHAR) || ',' || CAST({p('day')} AS VARCHAR) || ',' || CAST({micros} AS VARCHAR)"
    )


def scalar_text(v: str, pg_type: str, duck_type: str, dialect: Dialect) -> str:
    """The comparable text of one non-NULL scalar ``v`` (SQL expression) of source type ``pg_type``."""
    pg = dialect == "pg"
    out = f"format('%s', {v})" if pg else f"CAST({v} AS VARCHAR)"  # PostgreSQL's output function
    duck = duck_type.upper()
    if pg_type in INT_TYPES or pg_type == "bool":
        return f"CAST({v} AS VARCHAR)"
    if pg_type in FLOAT_TYPES:
        return _float_bits(v, pg_type, duck, dialect)
    if pg_type in NUMERIC_TYPES:
        return _strip_zeros(f"format('%s', CAST({v} AS NUMERIC))" if pg else out)
    if pg_type == "date":
        days = f"CAST(({v} - DATE '1970-01-01') AS VARCHAR)"
        return _finite(v, days)
    if pg_type in {"timestamp", "timestamptz"}:
        micros = f"CAST(CAST(extract(epoch FROM {v}) * 1000000 AS BIGINT) AS VARCHAR)" if pg else None
        return _finite(v, micros or f"CAST(epoch_us({v}) AS VARCHAR)")
    if pg_type == "time":
        return _time_us(v, dialect)
    if pg_type == "timetz":
        utc = f"(({v}) AT TIME ZONE 'UTC')::time" if pg else f"CAST({v} AS TIME)"
        return _time_us(utc, dialect)
    if pg_type == "interval":
        return _interval(v, dialect)
    if pg_type == "bytea":
        return f"encode({v}, 'hex')" if pg else f"lower(hex({v}))"
    if pg_type == "bit" and duck == "BOOLEAN":
        return f"(CASE WHEN {v} = B'1' THEN 'true' ELSE 'false' END)" if pg else f"CAST({v} AS VARCHAR)"
    return out


def _length(x: str, dialect: Dialect) -> str:
    return f"octet_length({x})" if dialect == "pg" else f"strlen({x})"


def encoded(v: str, text: str, dialect: Dialect) -> str:
    """``<bytes>:<text>``, or ``-`` for NULL (tested on the raw value: every text form keeps NULL)."""
    length = f"CAST({_length(text, dialect)} AS VARCHAR)"
    return f"(CASE WHEN {v} IS NULL THEN '-' ELSE {length} || ':' || {text} END)"


def column_text(column: ColumnPair, dialect: Dialect) -> str:
    """The comparable text of a column's value (NULL stays NULL), arrays element by element."""
    v = quote_ident(column.name)
    duck = column.duck_type.upper()
    if column.pg_type.startswith("_"):
        base = column.pg_type[1:]
        element_duck = duck[:-2] if duck.endswith("[]") else duck
        if dialect == "pg":
            item = encoded("__e", scalar_text("__e", base, element_duck, "pg"), "pg")
            return (
                f"(CASE WHEN {v} IS NULL THEN NULL ELSE '[' || coalesce((SELECT string_agg({item}, ',' "
                f"ORDER BY __o) FROM unnest({v}) WITH ORDINALITY AS __u(__e, __o)), '') || ']' END)"
            )
        if duck.endswith("[]"):
            item = encoded("__e", scalar_text("__e", base, element_duck, "duck"), "duck")
            return f"('[' || array_to_string(list_transform({v}, lambda __e: {item}), ',') || ']')"
        return f"CAST({v} AS VARCHAR)"
    return scalar_text(v, column.pg_type, duck, dialect)


def row_text(columns: Sequence[ColumnPair], dialect: Dialect) -> str:
    parts = [encoded(quote_ident(c.name), column_text(c, dialect), dialect) for c in columns]
    return " || ".join(parts) if parts else "''"


def _md5_bits(text: str, start: int, hex_digits: int, dialect: Dialect) -> str:
    piece = f"substr(md5({text}), {start}, {hex_digits})"
    if dialect == "pg":
        return f"CAST(CAST('x' || {piece} AS bit({hex_digits * 4})) AS BIGINT)"
    return f"CAST('0x' || {piece} AS BIGINT)"


def row_hash(columns: Sequence[ColumnPair], dialect: Dialect) -> str:
    """A 60-bit non-negative hash of the row's text."""
    return _md5_bits(row_text(columns, dialect), 1, HASH_HEX, dialect)


def key_text(columns: Sequence[ColumnPair], keys: Sequence[str], dialect: Dialect) -> str:
    """The key's text (the whole row's for a table without a primary key)."""
    key_columns = [c for c in columns if c.name in keys] if keys else list(columns)
    return row_text(key_columns, dialect)


def bucket_expr(columns: Sequence[ColumnPair], keys: Sequence[str], buckets: int, dialect: Dialect) -> str:
    return f"({_md5_bits(key_text(columns, keys, dialect), 17, BUCKET_HEX, dialect)} % {buckets})"


def bucket_sums(
    table: str, columns: Sequence[ColumnPair], keys: Sequence[str], buckets: int, dialect: Dialect
) -> str:
    """Per bucket: row count and the sum of row hashes (as text: numeric / HUGEINT print alike)."""
    return (
        "SELECT __b, count(*), CAST(sum(__h) AS VARCHAR) FROM (SELECT "
        f"{bucket_expr(columns, keys, buckets, dialect)} AS __b, {row_hash(columns, dialect)} AS __h "
        f"FROM {table}) AS __rows GROUP BY __b"
    )


def rows_in_buckets(
    table: str,
    *,
    columns: Sequence[ColumnPair],
    keys: Sequence[str],
    buckets: int,
    chosen: Sequence[int],
    dialect: Dialect,
) -> str:
    """Key texts and row hash of the rows in the ``chosen`` buckets (to find which keys differ)."""
    key_columns = [c for c in columns if c.name in keys]
    shown = [column_text(c, dialect) for c in key_columns] or [row_text(columns, dialect)]
    selected = ", ".join(f"{expr} AS __k{i}" for i, expr in enumerate(shown))
    in_list = ", ".join(str(int(b)) for b in chosen)
    return (
        f"SELECT * FROM (SELECT {selected}, {bucket_expr(columns, keys, buckets, dialect)} AS __b, "
        f"{row_hash(columns, dialect)} AS __h FROM {table}) AS __rows WHERE __b IN ({in_list})"
    )
