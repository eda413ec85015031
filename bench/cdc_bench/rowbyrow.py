"""The baseline: the original demo's sink, one ``INSERT ... ON CONFLICT`` (or ``DELETE``) per event with
auto-commit, values decoded in Python with :func:`json.loads`. Kafka is read through the core's consumer (the
demo used kafka-python, which is slower still), so what is measured is the per-event apply."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import duckdb
from cdc_bench.measure import Span
from cdc_pipeline import _core

_TYPES = {"int16": "BIGINT", "int32": "BIGINT", "int64": "BIGINT", "float": "DOUBLE", "double": "DOUBLE"}
_TYPES["boolean"] = "BOOLEAN"


class RowByRowSink:
    """Creates each table on its first event (key ``id``, columns typed from the field schema)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn
        self.upsert_sql: dict[str, str] = {}

    def _create(self, table: str, fields: list[dict[str, Any]]) -> None:
        names = [f["field"] for f in fields]
        columns = ", ".join(
            f'"{f["field"]}" {_TYPES.get(f["type"], "VARCHAR")}{" PRIMARY KEY" if f["field"] == "id" else ""}'
            for f in fields
        )
        self.conn.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({columns})')
        updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n != "id")
        marks = ", ".join("?" for _ in names)
        self.upsert_sql[table] = (
            f'INSERT INTO "{table}" VALUES ({marks}) ON CONFLICT ("id") DO UPDATE SET {updates}'
        )

    def apply(self, value: bytes) -> None:
        event = json.loads(value)
        payload = event["payload"]
        table = payload["source"]["table"]
        if table not in self.upsert_sql:
            self._create(table, event["schema"]["fields"][1]["fields"])
        if payload["op"] == "d":
            self.conn.execute(f'DELETE FROM "{table}" WHERE "id" = ?', [payload["before"]["id"]])
            return
        row = [json.dumps(v) if isinstance(v, dict | list) else v for v in payload["after"].values()]
        self.conn.execute(self.upsert_sql[table], row)


def run_rowbyrow(spec: dict[str, Any]) -> dict[str, Any]:
    """Apply events until ``limit_events`` or ``limit_s``, whichever comes first (a subset: it is slow)."""
    consumer = _core.Consumer(
        {"bootstrap.servers": spec["bootstrap"], "group.id": f"rbr-{uuid.uuid4().hex[:8]}"}
    )
    consumer.assign([(topic, 0, 0) for topic in spec["end_offsets"]])
    conn = duckdb.connect(spec["duckdb"])
    sink = RowByRowSink(conn)
    limit, limit_s = spec.get("limit_events", 20_000), spec.get("limit_s", 60.0)
    span = Span()
    events = 0
    deadline = time.monotonic() + limit_s
    remaining = sum(spec["end_offsets"].values())
    while events < limit and time.monotonic() < deadline and remaining > 0:
        for message in consumer.poll_batch(500, 200):
            remaining -= 1
            if message.value is not None:
                sink.apply(message.value)
                events += 1
                if events >= limit:
                    break
    usage = span.stop()
    consumer.close()
    conn.close()
    return {"events": events, "wall_s": usage.wall_s, "cpu_s": usage.cpu_s, "peak_rss_mb": usage.peak_rss_mb}
