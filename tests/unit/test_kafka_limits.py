"""Every Kafka size limit follows the one setting max_row_bytes: broker, Connect producer, sink consumer."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdc_pipeline import kafka_limits
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.stack import connect, kafka


@pytest.mark.parametrize("row_mib", [1, 64, 300])
def test_broker_producer_and_consumer_limits_come_from_max_row_bytes(row_mib: int) -> None:
    settings = Settings(max_row_bytes=row_mib << 20)
    size = kafka_limits.message_bytes(settings)
    assert size >= settings.max_row_bytes * 4 // 3 + (1 << 20)  # bytea's base64, and the envelope
    broker = kafka.server_properties(settings, Path("/data"))
    worker = connect.worker_properties(settings, Path("/plugins"), "service_load")
    consumer = kafka_limits.consumer_config(settings)
    assert int(broker["message.max.bytes"]) == int(broker["replica.fetch.max.bytes"]) == size
    assert int(broker["socket.request.max.bytes"]) > size
    assert int(worker["producer.max.request.size"]) == size
    assert int(worker["producer.buffer.memory"]) >= size
    assert int(consumer["fetch.message.max.bytes"]) == int(consumer["message.max.bytes"]) == size
    assert int(consumer["fetch.max.bytes"]) >= size
    assert int(consumer["receive.message.max.bytes"]) > int(consumer["fetch.max.bytes"])  # librdkafka's rule


def test_the_default_carries_a_64_mib_row_with_headroom() -> None:
    assert Settings().max_row_bytes == 64 << 20
    assert kafka_limits.message_bytes(Settings()) == (64 << 20) * 4 // 3 + (16 << 20)  # a 64 MiB bytea


def test_max_row_bytes_is_bounded() -> None:
    Settings(max_row_bytes=512 << 20)
    with pytest.raises(ValueError, match="less than or equal to 536870912"):
        Settings(max_row_bytes=(512 << 20) + 1)


@pytest.mark.parametrize("row_mib", [1, 300])
def test_connector_queue_in_bytes_holds_the_largest_record(row_mib: int) -> None:
    """Debezium's queue is bounded in bytes too (81,920 records of a large row would not fit Connect's heap),
    and the bound always admits two of the largest records."""
    settings = Settings(max_row_bytes=row_mib << 20)
    properties = kafka_limits.connector_throughput_properties(settings)
    assert int(properties["max.queue.size.in.bytes"]) >= 2 * kafka_limits.message_bytes(settings)
    assert int(properties["max.queue.size"]) > int(properties["max.batch.size"])  # Debezium's rule
