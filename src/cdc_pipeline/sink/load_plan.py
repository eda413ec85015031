"""How one table is loaded straight from PostgreSQL (the fast load of :mod:`.bulk_load`): which columns, in
which DuckDB types, through which text. Pure.

The DuckDB table must be exactly the one streaming would build, so that the events after the load apply to
it unchanged: the same columns (``exclude_columns`` and generated columns left out, as Debezium leaves them
out), the same DuckDB types (``batch.py``'s table, the core's type map), the same key and nullability.
PostgreSQL's COPY writes each value as text; per type a SELECT expression makes that text exact and a DuckDB
expression reads it back:

- integers, floats (``extra_float_digits = 3``: every digit), booleans, ``numeric(p,s)`` with p <= 38, text,
  ``uuid``, ``json``/``jsonb``, ``time``: PostgreSQL's text, cast by DuckDB; ``money`` as numeric;
  ``interval`` as its months, days and microseconds;
- ``bytea``: its hex text (``\\x...``), unhexed;
- ``date``: days since 1970-01-01, ``timestamp``/``timestamptz``: microseconds since 1970-01-01 (UTC), so
  BC values stay BC (DuckDB's text cast would read ``... BC`` as AD); ±infinity as text.

A table with a column of any other type, without a key, or with a key override is not loaded this way: the
reason says why, and the caller uses Debezium's incremental snapshot instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdc_pipeline.sink.batch import Column
from cdc_pipeline.sink.naming import quote_ident

_INFINITE = "('infinity', '-infinity')"


@dataclass(frozen=True)
class SourceColumn:
    """One captured column as PostgreSQL's catalog describes it (a domain already resolved)."""

    name: str
    typname: str  # pg_type.typname of the (base) type
    typmod: int  # atttypmod (the domain's typtypmod); -1 when none
    not_null: bool
    array: bool = False


@dataclass(frozen=True)
class LoadColumn:
    column: Column  # as streaming would declare it
    select_sql: str  # PostgreSQL expression whose text output COPY writes
    read_sql: str  # DuckDB expression over the text column "v{i}" giving the DuckDB value


@dataclass(frozen=True)
class LoadPlan:
    schema: str
    table: str
    columns: tuple[LoadColumn, ...]

    @property
    def key_columns(self) -> list[str]:
        return [c.column.name for c in self.columns if c.column.key]


# typname -> DuckDB type, for the types whose PostgreSQL text DuckDB casts exactly.
_CAST = {
    "int2": "SMALLINT",
    "int4": "INTEGER",
    "int8": "BIGINT",
    "float4": "REAL",
    "float8": "DOUBLE",
    "bool": "BOOLEAN",
    "text": "VARCHAR",
    "varchar": "VARCHAR",
    "bpchar": "VARCHAR",
    "uuid": "UUID",
    "json": "JSON",
    "jsonb": "JSON",
    "time": "TIME",
}


def _numeric_type(typmod: int) -> str | None:
    """DECIMAL(p,s) of numeric(p,s) when DuckDB holds it exactly; None otherwise (unconstrained numeric
    streams as DECIMAL(38,18) or VARCHAR by its values, which a load cannot know ahead)."""
    if typmod < 4:
        return None
    precision, scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
    if precision > 38 or scale > precision:
        return None
    return f"DECIMAL({precision},{scale})"


def _column(source: SourceColumn, index: int, key: bool) -> LoadColumn | str:
    name = quote_ident(source.name)
    text = f'"v{index}"'
    nullable = not source.not_null
    if source.array:
        return f"column {source.name!r}: arrays are not loaded this way"
    duck: str | None = _CAST.get(source.typname)
    select, read = name, f"CAST({text} AS {duck})"
    if source.typname == "numeric":
        duck = _numeric_type(source.typmod)
        read = f"CAST({text} AS {duck})"
    elif source.typname == "bytea":
        duck, read = "BLOB", f"unhex(substr({text}, 3))"
    elif source.typname == "date":
        duck = "DATE"
        select = f"CASE WHEN isfinite({name}) THEN ({name} - DATE '1970-01-01')::text ELSE {name}::text END"
        read = (
            f"CASE WHEN {text} IN {_INFINITE} THEN CAST({text} AS DATE) "
            f"ELSE DATE '1970-01-01' + CAST({text} AS INTEGER) END"
        )
    elif source.typname in {"timestamp", "timestamptz"}:
        duck = "TIMESTAMP" if source.typname == "timestamp" else "TIMESTAMPTZ"
        make = "make_timestamp" if source.typname == "timestamp" else "make_timestamptz"
        select = (
            f"CASE WHEN isfinite({name}) THEN (extract(epoch FROM {name}) * 1000000)::bigint::text "
            f"ELSE {name}::text END"
        )
        read = (
            f"CASE WHEN {text} IN {_INFINITE} THEN CAST({text} AS {duck}) "
            f"ELSE {make}(CAST({text} AS BIGINT)) END"
        )
    elif source.typname == "money":  # its text follows lc_monetary ('$1,234.56'): read it as numeric
        duck, select = "DECIMAL(38,2)", f"{name}::numeric"
        read = f"CAST({text} AS DECIMAL(38,2))"
    elif source.typname == "interval":  # months/days/microseconds, as PostgreSQL stores it
        duck = "INTERVAL"
        select = (
            f"CASE WHEN {name} IS NOT NULL THEN concat_ws('/', "
            f"(extract(year FROM {name}) * 12 + extract(month FROM {name}))::bigint, "
            f"extract(day FROM {name})::bigint, (extract(hour FROM {name}) * 3600000000 + "
            f"extract(minute FROM {name}) * 60000000 + extract(microseconds FROM {name}))::bigint) END"
        )
        part = "CAST(split_part({text}, '/', {n}) AS BIGINT)".replace("{text}", text)
        read = (
            f"to_months(CAST({part.format(n=1)} AS INTEGER)) + to_days(CAST({part.format(n=2)} AS INTEGER)) "
            f"+ to_microseconds({part.format(n=3)})"
        )
    if duck is None:
        return f"column {source.name!r}: type {source.typname} is not loaded this way"
    return LoadColumn(Column(source.name, duck, nullable=nullable and not key, key=key), select, read)


def plan(schema: str, table: str, columns: Sequence[SourceColumn], key: Sequence[str]) -> LoadPlan | str:
    """The plan for ``schema.table`` (``key``: its primary key columns), or why it cannot be loaded so."""
    if not key:
        return f"table {schema}.{table} has no primary key (its snapshot goes through Debezium)"
    planned: list[LoadColumn] = []
    for index, source in enumerate(columns):
        column = _column(source, index, source.name in key)
        if isinstance(column, str):
            return f"table {schema}.{table}: {column} (its snapshot goes through Debezium)"
        planned.append(column)
    return LoadPlan(schema, table, tuple(planned))
