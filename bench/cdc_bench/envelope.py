"""Debezium change events as JsonConverter writes them (``schemas.enable=true``), built from text templates.

The envelope and ``source`` schemas are Debezium 3.7's for PostgreSQL, byte for byte (key order included:
JsonConverter's output is compact JSON in schema order); the row values come from :mod:`.rows`. A generated
event and one captured from the real connector parse to the same structure, which the bench tests check.
"""

from __future__ import annotations

import json
from typing import Any

from cdc_bench.tables import ColumnSpec, TableSpec

DEBEZIUM_VERSION = "3.7.0.Final"
_FIELD_ORDER = ("type", "fields", "items", "optional", "name", "version", "doc", "parameters", "default")

SOURCE_SCHEMA: dict[str, Any] = {
    "type": "struct",
    "fields": [
        {"type": "string", "optional": False, "field": "version"},
        {"type": "string", "optional": False, "field": "connector"},
        {"type": "string", "optional": False, "field": "name"},
        {"type": "int64", "optional": False, "field": "ts_ms"},
        {
            "type": "string",
            "optional": True,
            "name": "io.debezium.data.Enum",
            "version": 1,
            "parameters": {
                "allowed": "true,first,first_in_data_collection,last_in_data_collection,"
                "last,false,incremental"
            },
            "default": "false",
            "field": "snapshot",
        },
        {"type": "string", "optional": False, "field": "db"},
        {"type": "string", "optional": True, "field": "sequence"},
        {"type": "int64", "optional": True, "field": "ts_us"},
        {"type": "int64", "optional": True, "field": "ts_ns"},
        {"type": "string", "optional": False, "field": "schema"},
        {"type": "string", "optional": False, "field": "table"},
        {"type": "int64", "optional": True, "field": "txId"},
        {"type": "int64", "optional": True, "field": "lsn"},
        {"type": "int64", "optional": True, "field": "xmin"},
        {"type": "string", "optional": True, "field": "origin"},
        {"type": "int64", "optional": True, "field": "origin_lsn"},
    ],
    "optional": False,
    "name": "io.debezium.connector.postgresql.Source",
    "version": 1,
    "field": "source",
}

TRANSACTION_SCHEMA: dict[str, Any] = {
    "type": "struct",
    "fields": [
        {"type": "string", "optional": False, "field": "id"},
        {"type": "int64", "optional": False, "field": "total_order"},
        {"type": "int64", "optional": False, "field": "data_collection_order"},
    ],
    "optional": True,
    "name": "event.block",
    "version": 1,
    "field": "transaction",
}


def compact(value: Any) -> str:
    """JSON as JsonConverter (Jackson) writes it: no spaces, keys in insertion order."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def field_schema(column: ColumnSpec) -> dict[str, Any]:
    """A column's field schema with its keys in JsonConverter's order."""
    merged = {**column.schema, "optional": column.optional}
    ordered = {k: merged[k] for k in _FIELD_ORDER if k in merged}
    ordered["field"] = column.name
    return ordered


def row_schema(spec: TableSpec, topic: str, field: str) -> dict[str, Any]:
    return {
        "type": "struct",
        "fields": [field_schema(c) for c in spec.columns],
        "optional": True,
        "name": f"{topic}.Value",
        "field": field,
    }


def value_schema(spec: TableSpec, topic: str) -> dict[str, Any]:
    return {
        "type": "struct",
        "fields": [
            row_schema(spec, topic, "before"),
            row_schema(spec, topic, "after"),
            SOURCE_SCHEMA,
            TRANSACTION_SCHEMA,
            {"type": "string", "optional": False, "field": "op"},
            {"type": "int64", "optional": True, "field": "ts_ms"},
            {"type": "int64", "optional": True, "field": "ts_us"},
            {"type": "int64", "optional": True, "field": "ts_ns"},
        ],
        "optional": False,
        "name": f"{topic}.Envelope",
        "version": 2,
    }


def key_schema(spec: TableSpec, topic: str) -> dict[str, Any]:
    return {
        "type": "struct",
        "fields": [field_schema(spec.key)],
        "optional": False,
        "name": f"{topic}.Key",
    }


class TableCodec:
    """Encodes one table's events for topic ``<prefix>.<schema>.<table>``: keys and values as bytes."""

    def __init__(self, spec: TableSpec, prefix: str, db: str = "app", schema: str = "public") -> None:
        self.spec = spec
        self.topic = f"{prefix}.{schema}.{spec.name}"
        key_name = spec.key.name
        self._key_head = f'{{"schema":{compact(key_schema(spec, self.topic))},"payload":{{"{key_name}":'
        self._value_head = f'{{"schema":{compact(value_schema(spec, self.topic))},"payload":{{"before":'
        self._source_head = (
            f'"source":{{"version":"{DEBEZIUM_VERSION}","connector":"postgresql","name":"{prefix}",'
        )
        self._source_where = f'"schema":"{schema}","table":"{spec.name}",'
        self._db = db

    def key(self, key: int) -> bytes:
        return f"{self._key_head}{key}}}}}".encode()

    def value(self, op: str, before: str, after: str, *, lsn: int, tx: int, ts_us: int) -> bytes:
        """One change event; ``before``/``after`` are JSON objects (or ``null``) from :mod:`.rows`."""
        ms = ts_us // 1000
        sent_us = ts_us + 150_000  # Debezium's own ts: when the connector handled the event
        return (
            f"{self._value_head}{before},"
            f'"after":{after},{self._source_head}"ts_ms":{ms},"snapshot":null,"db":"{self._db}",'
            f'"sequence":"[\\"{lsn}\\",\\"{lsn}\\"]","ts_us":{ts_us},"ts_ns":{ts_us * 1000},'
            f'{self._source_where}"txId":{tx},"lsn":{lsn},"xmin":null,"origin":null,"origin_lsn":null}},'
            f'"transaction":{{"id":"{tx}:{lsn}","total_order":1,"data_collection_order":1}},'
            f'"op":"{op}","ts_ms":{sent_us // 1000},"ts_us":{sent_us},"ts_ns":{sent_us * 1000}}}}}'
        ).encode()
