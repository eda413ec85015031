"""Kafka as a list of real Debezium envelopes, for loop tests in the duckdb tier (no broker)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cdc_pipeline.sink.source import Batch, batches_from_records

ENVELOPES = Path(__file__).resolve().parents[2] / "core" / "tests" / "data" / "envelopes"
TOPIC = "dbserver1.public.users"
Record = tuple[str, int, int, bytes, bytes]


def user(offset: int) -> Record:
    """An insert of users row ``id = offset + 1``, each at a higher source position than the one before."""
    envelope = json.loads((ENVELOPES / "create.json").read_text())
    lsn = 24_023_928 + 100 * offset
    envelope["payload"]["after"]["id"] = offset + 1
    envelope["payload"]["source"].update(
        lsn=lsn, sequence=json.dumps([str(lsn), str(lsn)]), txId=742 + offset
    )
    key = json.dumps({"schema": {"type": "struct", "fields": []}, "payload": {"id": offset + 1}}).encode()
    return (TOPIC, 0, offset, key, json.dumps(envelope).encode())


class LogSource:
    """Kafka as a list: each ``next_batch`` hands out up to ``per_batch`` records from the read position;
    ``start`` seeks to the offsets it is given, as the core does with DuckDB's."""

    def __init__(self, records: list[Record], per_batch: int) -> None:
        self.records = records
        self.per_batch = per_batch
        self.position = 0
        self.starts: list[int] = []
        self.bootstrap_servers = "127.0.0.1:19092"

    def start(self, committed: dict[tuple[str, int], int], applied: Any = (), loaded: Any = None) -> None:
        self.position = committed.get((TOPIC, 0), 0)
        self.starts.append(self.position)

    def next_batch(self) -> Batch:
        chunk = self.records[self.position : self.position + self.per_batch]
        if not chunk:
            return Batch(0, 0, [], [])
        self.position += len(chunk)
        (batch,) = batches_from_records(chunk)
        return batch

    def rewind(self, topics: Any) -> None:
        return None

    def commit(self, offsets: Any) -> None:
        return None

    def table_of_topic(self, topic: str) -> str:
        return topic.removeprefix("dbserver1.")
