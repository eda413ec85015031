"""Pre-fill Kafka topics with the workload's records fast (confluent-kafka's producer, in order)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from cdc_bench.produce import Record, TopicWriter
from cdc_bench.workload import Workload

_CHUNK = 5_000


@dataclass(frozen=True)
class FillReport:
    prefix: str
    events: int
    records: int
    bytes: int
    by_op: dict[str, int]
    seconds: float
    expected_rows: dict[str, int]
    expected_key_sums: dict[str, int]
    topics: list[str]


def producer_config(bootstrap: str) -> dict[str, str]:
    """Idempotent (so a retry cannot reorder or duplicate), batched, uncompressed like Connect's producer."""
    return {
        "bootstrap.servers": bootstrap,
        "enable.idempotence": "true",
        "linger.ms": "20",
        "batch.size": "900000",
        "queue.buffering.max.kbytes": "1048576",
        "compression.type": "none",
    }


def fill(bootstrap: str, prefix: str, events: int, seed: int = 42) -> FillReport:
    """Write ``events`` change events (plus tombstones) to ``<prefix>.public.bench_*``, partition 0."""
    started = time.monotonic()
    workload = Workload(prefix, seed)
    producer = TopicWriter(producer_config(bootstrap))
    pending: list[list[Record]] = [[] for _ in workload.codecs]
    for index, record in workload.events(events):
        chunk = pending[index]
        chunk.append(record)
        if len(chunk) >= _CHUNK:
            producer.write(workload.codecs[index].topic, 0, chunk)
            chunk.clear()
    for index, chunk in enumerate(pending):
        if chunk:
            producer.write(workload.codecs[index].topic, 0, chunk)
    producer.flush(600.0)
    return FillReport(
        prefix=prefix,
        events=workload.counts.events,
        records=workload.counts.records,
        bytes=workload.counts.bytes,
        by_op=dict(workload.counts.by_op),
        seconds=time.monotonic() - started,
        expected_rows=workload.expected_rows(),
        expected_key_sums=workload.expected_key_sums(),
        topics=[c.topic for c in workload.codecs],
    )
