"""Dead-lettered records: what they are, which ones a command selects, and how one is replayed (pure).

With ``SINK_ON_ERROR=dead-letter`` the C++ core copies a record it cannot decode or convert to the dead-letter
topic, key and value unchanged, with headers ``cdc.error.reason``, ``cdc.source.topic``,
``cdc.source.partition`` and ``cdc.source.offset`` (core/src/pipeline/source.cpp).

The replay rule: a dead-lettered record is never applied as it is. It is an old change; applying its values
could overwrite a newer one that streamed after it. Replay instead takes the row's CURRENT value from
PostgreSQL by the record's key, which is always correct whatever happened since:

- the row exists: Debezium is asked (an incremental ``execute-snapshot`` signal filtered to those keys) to
  send it again; it arrives through the normal stream, converted by the core like any change, and Debezium's
  snapshot window orders it correctly against concurrent changes of the same key;
- the row does not exist any more: the key is deleted from DuckDB, only while the sink has applied the table
  strictly below the WAL position read before PostgreSQL's check (so every change DuckDB holds is older than
  the check, and a newer insert of the key is still on its way and wins); otherwise the check is repeated;
- a table without a key (no Kafka key), or a key column whose type cannot be written as a plain SQL literal,
  cannot be replayed by key: the command says so and names `cdc tables resnapshot <table>` instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cdc_pipeline.connectors.model import TableRef

REASON = "cdc.error.reason"
SOURCE_TOPIC = "cdc.source.topic"
SOURCE_PARTITION = "cdc.source.partition"
SOURCE_OFFSET = "cdc.source.offset"

# Key field types written as SQL literals exactly (no Debezium logical type, or one whose text is the value).
_PLAIN_TYPES = {"int8", "int16", "int32", "int64", "string", "boolean"}
_PLAIN_NAMES = {None, "io.debezium.data.Uuid", "io.debezium.data.Enum"}


@dataclass(frozen=True)
class DeadLetter:
    """One record of the dead-letter topic: where it is, where it came from, why, and its row key."""

    topic: str
    partition: int
    offset: int
    source_topic: str | None
    source_partition: int | None
    source_offset: int | None
    table: str | None  # schema.table from the event's source block (or the source topic's name)
    reason: str
    time_ms: int
    key: dict[str, Any] | None = None  # column -> value; None: no usable key (see key_problem)
    key_problem: str | None = None

    @property
    def where(self) -> str:
        return f"topic {self.topic} partition {self.partition} offset {self.offset}"


def parse(  # noqa: PLR0917 (one Kafka record's fields, as the consumer gives them)
    topic: str,
    partition: int,
    offset: int,
    time_ms: int,
    key: bytes | None,
    value: bytes | None,
    headers: Sequence[tuple[str, bytes]],
    topic_prefix: str,
) -> DeadLetter:
    named = {name: raw.decode("utf-8", "replace") for name, raw in headers}
    source_topic = named.get(SOURCE_TOPIC)
    row_key, problem = key_columns(key)
    return DeadLetter(
        topic=topic,
        partition=partition,
        offset=offset,
        source_topic=source_topic,
        source_partition=_int(named.get(SOURCE_PARTITION)),
        source_offset=_int(named.get(SOURCE_OFFSET)),
        table=_table(value, source_topic, topic_prefix),
        reason=named.get(REASON, "(no reason header: not written by this sink)"),
        time_ms=time_ms,
        key=row_key,
        key_problem=problem,
    )


def _int(text: str | None) -> int | None:
    try:
        return None if text is None else int(text)
    except ValueError:
        return None


def _table(value: bytes | None, source_topic: str | None, topic_prefix: str) -> str | None:
    try:
        source = json.loads(value or b"null")["payload"]["source"]
        return f"{source['schema']}.{source['table']}"
    except (ValueError, KeyError, TypeError):
        pass
    if source_topic and source_topic.startswith(f"{topic_prefix}."):
        return source_topic[len(topic_prefix) + 1 :]
    return None


def key_columns(key: bytes | None) -> tuple[dict[str, Any] | None, str | None]:
    """The row key from a JsonConverter key (schemas enabled), or why there is none usable."""
    if key is None:
        return None, "the record has no key (a table without a primary key)"
    try:
        document = json.loads(key)
        fields = document["schema"]["fields"]
        payload = document["payload"]
    except (ValueError, KeyError, TypeError):
        return None, "its key is not a JsonConverter struct with a schema"
    values: dict[str, Any] = {}
    for f in fields:
        name = f.get("field")
        if f.get("type") not in _PLAIN_TYPES or f.get("name") not in _PLAIN_NAMES:
            return None, f"key column {name} has type {f.get('name') or f.get('type')}, not a plain literal"
        values[str(name)] = payload.get(name)
    if not values:
        return None, "its key has no columns"
    return values, None


@dataclass(frozen=True)
class Selection:
    """``--table`` and/or one ``--topic/--partition/--offset`` (of the dead-letter topic); none: all."""

    table: str | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None

    def matches(self, record: DeadLetter) -> bool:
        if self.table is not None and record.table != self.table:
            return False
        if self.offset is not None:
            return (record.partition, record.offset) == (self.partition or 0, self.offset) and (
                self.topic is None or self.topic in {record.topic, record.source_topic}
            )
        return self.topic is None or self.topic in {record.topic, record.source_topic}


@dataclass(frozen=True)
class ReplayPlan:
    """Per table, the distinct keys to re-read from PostgreSQL; the records that cannot be replayed by key."""

    keys: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unkeyed: list[DeadLetter] = field(default_factory=list)


def plan(records: Sequence[DeadLetter]) -> ReplayPlan:
    keys: dict[str, list[dict[str, Any]]] = {}
    unkeyed = []
    for record in records:
        if record.key is None or record.table is None:
            unkeyed.append(record)
            continue
        table_keys = keys.setdefault(record.table, [])
        if record.key not in table_keys:
            table_keys.append(record.key)
    return ReplayPlan(keys, unkeyed)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A key value as a PostgreSQL literal (only plain types reach here, see :func:`key_columns`)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def key_filter(keys: Sequence[dict[str, Any]]) -> str:
    """A SQL condition matching exactly these keys, e.g. ``("id" = 2) OR ("id" = 5)``."""
    return " OR ".join(
        "(" + " AND ".join(f"{quote_ident(c)} = {literal(v)}" for c, v in key.items()) + ")" for key in keys
    )


def describe_key(key: dict[str, Any] | None) -> str:
    return "no key" if key is None else ", ".join(f"{c}={v!r}" for c, v in key.items())


_SIGNAL_DATA_MAX = 2000  # the signal table's data column is VARCHAR(2048)


def _payload(table: TableRef, keys: list[dict[str, Any]], keyless: bool) -> str:
    condition = {"data-collection": table.pattern, "filter": key_filter(keys)}
    data: dict[str, Any] = {
        "data-collections": [table.pattern],
        "type": "incremental",
        "additional-conditions": [condition],
    }
    if keyless:  # keyed by key_columns, no primary key: Debezium snapshots it by those columns
        data["surrogate-key"] = ",".join(keys[0])
    return json.dumps(data)


def signal_payloads(
    present: dict[str, list[dict[str, Any]]], keyless: frozenset[str] = frozenset()
) -> list[str]:
    """Incremental snapshots of exactly these keys (``additional-conditions``), one table per signal, keys
    split so that each signal's data fits the signal table's column."""
    payloads: list[str] = []
    for name, keys in present.items():
        table = TableRef.parse(name)
        chunk: list[dict[str, Any]] = []
        for key in keys:
            if chunk and len(_payload(table, [*chunk, key], name in keyless)) > _SIGNAL_DATA_MAX:
                payloads.append(_payload(table, chunk, name in keyless))
                chunk = []
            chunk.append(key)
        if chunk:
            payloads.append(_payload(table, chunk, name in keyless))
    return payloads
