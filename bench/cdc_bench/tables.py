"""The four benchmark tables: their PostgreSQL DDL and, per column, how Debezium describes and encodes it.

The field schemas are exactly what Debezium 3.7 with JsonConverter (``schemas.enable=true``) and the
connector settings this project generates (``decimal.handling.mode=string`` with the numeric source type
propagated,
``time.precision.mode=adaptive``,
``interval.handling.mode=string``, ``binary.handling.mode=bytes``) sends; ``tests/e2e/test_bench_smoke.py``
checks them against events captured from the real connector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ColumnSpec:
    """One column: its PostgreSQL type and the Debezium field schema (without ``field``/``optional``)."""

    name: str
    pg_type: str
    schema: dict[str, Any]
    optional: bool = True
    key: bool = False


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: list[ColumnSpec]
    share: float  # fraction of the workload's events
    key_field_default: Any = 0  # Debezium's "default" on a non-optional integer key field
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> ColumnSpec:
        return next(c for c in self.columns if c.key)

    def ddl(self, schema: str = "public") -> str:
        cols = [f'"{c.name}" {c.pg_type}{_constraint(c)}' for c in self.columns]
        return f'CREATE TABLE IF NOT EXISTS {schema}."{self.name}" ({", ".join(cols)})'


def _constraint(column: ColumnSpec) -> str:
    if column.key:
        return " PRIMARY KEY"
    return "" if column.optional else " NOT NULL"


def _int(kind: str) -> dict[str, Any]:
    return {"type": kind}


def _named(kind: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "name": name, "version": 1, **extra}


def _decimal(precision: int, scale: int, column: str) -> dict[str, Any]:
    """numeric(p,s) in decimal.handling.mode=string: exact text, the source type in the parameters."""
    return {
        "type": "string",
        "parameters": {
            "__debezium.source.column.type": "NUMERIC",
            "__debezium.source.column.length": str(precision),
            "__debezium.source.column.scale": str(scale),
            "__debezium.source.column.name": column,
        },
    }


def _variable_decimal(column: str) -> dict[str, Any]:
    """numeric without precision in decimal.handling.mode=string, as streamed (length 131089, scale 0; the
    snapshot says length 0 without a scale)."""
    return _decimal(131089, 0, column)


ACCOUNTS = TableSpec(
    "bench_accounts",
    [
        ColumnSpec("id", "bigint", _int("int64"), optional=False, key=True),
        ColumnSpec("owner", "text", _int("string"), optional=False),
        ColumnSpec("balance", "numeric(12,2)", _decimal(12, 2, "balance"), optional=False),
        ColumnSpec("status", "varchar(16)", _int("string")),
        ColumnSpec("updated_at", "timestamptz", _named("string", "io.debezium.time.ZonedTimestamp")),
    ],
    share=0.30,
)

ORDERS = TableSpec(
    "bench_orders",
    [
        ColumnSpec("id", "bigint", _int("int64"), optional=False, key=True),
        ColumnSpec("account_id", "bigint", _int("int64"), optional=False),
        ColumnSpec("amount", "numeric(10,2)", _decimal(10, 2, "amount")),
        ColumnSpec("qty", "integer", _int("int32")),
        ColumnSpec("note", "text", _int("string")),
        ColumnSpec("created_at", "timestamp", _named("int64", "io.debezium.time.MicroTimestamp")),
    ],
    share=0.35,
)

EVENTS = TableSpec(
    "bench_events",
    [
        ColumnSpec("id", "bigint", _int("int64"), optional=False, key=True),
        ColumnSpec("kind", "text", _int("string")),
        ColumnSpec("payload", "jsonb", _named("string", "io.debezium.data.Json")),
        ColumnSpec("at", "timestamptz", _named("string", "io.debezium.time.ZonedTimestamp")),
    ],
    share=0.20,
)

WIDE = TableSpec(
    "bench_wide",
    [
        ColumnSpec("id", "integer", _int("int32"), optional=False, key=True),
        ColumnSpec("c_smallint", "smallint", _int("int16")),
        ColumnSpec("c_bigint", "bigint", _int("int64")),
        ColumnSpec("c_real", "real", _int("float")),
        ColumnSpec("c_double", "double precision", _int("double")),
        ColumnSpec("c_bool", "boolean", _int("boolean")),
        ColumnSpec("c_text", "text", _int("string")),
        ColumnSpec("c_varchar", "varchar(40)", _int("string")),
        ColumnSpec("c_numeric", "numeric(10,2)", _decimal(10, 2, "c_numeric")),
        ColumnSpec("c_numeric_var", "numeric", _variable_decimal("c_numeric_var")),
        ColumnSpec("c_date", "date", _named("int32", "io.debezium.time.Date")),
        ColumnSpec("c_time", "time", _named("int64", "io.debezium.time.MicroTime")),
        ColumnSpec("c_ts", "timestamp", _named("int64", "io.debezium.time.MicroTimestamp")),
        ColumnSpec("c_tstz", "timestamptz", _named("string", "io.debezium.time.ZonedTimestamp")),
        ColumnSpec("c_interval", "interval", _named("string", "io.debezium.time.Interval")),
        ColumnSpec("c_json", "json", _named("string", "io.debezium.data.Json")),
        ColumnSpec("c_jsonb", "jsonb", _named("string", "io.debezium.data.Json")),
        ColumnSpec("c_uuid", "uuid", _named("string", "io.debezium.data.Uuid")),
        ColumnSpec("c_bytea", "bytea", _int("bytes")),
        ColumnSpec("c_int_arr", "integer[]", {"type": "array", "items": {"type": "int32", "optional": True}}),
        ColumnSpec("c_text_arr", "text[]", {"type": "array", "items": {"type": "string", "optional": True}}),
        ColumnSpec("c_inet", "inet", _int("string")),
    ],
    share=0.15,
)

TABLES: list[TableSpec] = [ACCOUNTS, ORDERS, EVENTS, WIDE]
