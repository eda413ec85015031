"""Every Kafka size limit, derived from the one setting ``max_row_bytes`` so that broker, topics,
Connect's producer and the sink's consumer always agree.

A change event is one Kafka record holding one row as Debezium's JSON (plus its schema and source block).
Kafka's defaults stop at about 1 MB: the broker's ``message.max.bytes``, Connect's producer
``max.request.size`` and the consumer's fetch sizes. Raised together from :func:`message_bytes`, a row of
``max_row_bytes`` replicates; a larger one stops the connector task with ``RecordTooLargeException`` naming
``max.request.size``.

Memory: limits, not reservations. A large row costs a few copies of its event while it passes Connect's JVM
(row, Struct, JSON bytes, producer buffer) and the sink (fetch buffer, decoded Arrow value, DuckDB's copy),
so a 64 MiB row briefly takes a few hundred MB in each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cdc_pipeline.config.settings import Settings

# librdkafka's receive buffer must hold a whole fetch response plus its protocol overhead.
_PROTOCOL_OVERHEAD = 1 << 20


def message_bytes(settings: Settings) -> int:
    """The largest Kafka record anywhere in the pipeline: a row of ``max_row_bytes`` of ``bytea``, which
    Debezium's JSON carries as base64 (4/3 of its size), plus a quarter of headroom for the envelope (schema,
    source block, ``before``) and at least 1 MiB. Text needs no more than its size, so text and bytea both
    replicate up to ``max_row_bytes``."""
    return settings.max_row_bytes * 4 // 3 + max(1 << 20, settings.max_row_bytes // 4)


def broker_properties(settings: Settings) -> dict[str, str]:
    """server.properties: accept and replicate records of :func:`message_bytes`; a produce request can carry
    one such record plus others (``socket.request.max.bytes`` keeps Kafka's 100 MiB when that is larger).

    Topics get no ``max.message.bytes`` of their own: they inherit ``message.max.bytes``, so raising
    ``max_row_bytes`` and restarting the broker raises it for existing topics too."""
    size = message_bytes(settings)
    return {
        "message.max.bytes": str(size),
        "replica.fetch.max.bytes": str(size),
        "socket.request.max.bytes": str(max(100 << 20, 2 * size)),
    }


def connect_producer_properties(settings: Settings) -> dict[str, str]:
    """Worker properties: the source connectors' producer (``producer.*``) sends records of
    :func:`message_bytes`; ``buffer.memory`` must hold at least one (Kafka's 32 MiB default when larger)."""
    size = message_bytes(settings)
    return {
        "producer.max.request.size": str(size),
        "producer.buffer.memory": str(max(32 << 20, 2 * size)),
    }


def connector_throughput_properties(settings: Settings) -> dict[str, str]:
    """The generated connector's batching, chosen by ``cdc bench insert`` (bench/RESULTS.md): Debezium's
    defaults (2,048 records per 500 ms poll) and Kafka's producer defaults (16 KiB batches, 5 ms linger, no
    compression) leave
    the stack idle most of the time. Debezium's queue is bounded in bytes as well as records, since a record
    can be as large as :func:`message_bytes`; the producer settings are per connector
    (``producer.override.*``, allowed by Connect's default override policy ``All``)."""
    return {
        "max.batch.size": "20480",
        "max.queue.size": "81920",
        "max.queue.size.in.bytes": str(max(128 << 20, 2 * message_bytes(settings))),
        "poll.interval.ms": "100",
        "producer.override.linger.ms": "20",
        "producer.override.batch.size": str(1 << 20),
        # Debezium's JSON with schemas compresses ~10x: less for the broker to write and the sink to fetch
        "producer.override.compression.type": "lz4",
    }


def consumer_config(settings: Settings) -> dict[str, str]:
    """librdkafka settings of the sink's consumer (and its dead-letter producer): fetch and accept one
    record of :func:`message_bytes`; ``receive.message.max.bytes`` must exceed ``fetch.max.bytes``."""
    size = message_bytes(settings)
    fetch = max(size, 50 << 20)
    return {
        "fetch.message.max.bytes": str(size),
        "fetch.max.bytes": str(fetch),
        "receive.message.max.bytes": str(fetch + _PROTOCOL_OVERHEAD),
        "message.max.bytes": str(size),
    }
