"""Writing records into Kafka topics for the benchmarks and the tests: confluent-kafka's producer, with every
delivery checked (a record that was not written is an error, never a silently shorter workload)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from confluent_kafka import KafkaError, Message, Producer

Record = tuple[bytes | None, bytes | None]  # key, value (None: a tombstone)


class ProduceError(RuntimeError):
    """Some records were not delivered."""


class TopicWriter:
    """Asynchronous, in order per partition (idempotent when the config says so); :meth:`flush` checks."""

    def __init__(self, config: Mapping[str, str]) -> None:
        self._producer = Producer(dict(config))
        self.delivered = 0
        self.failures: list[str] = []

    def _on_delivery(self, error: KafkaError | None, message: Message) -> None:
        if error is None:
            self.delivered += 1
        elif len(self.failures) < 10:
            self.failures.append(f"topic {message.topic()!r} partition {message.partition()}: {error}")

    def write(self, topic: str, partition: int, records: Iterable[Record]) -> None:
        for key, value in records:
            while True:
                try:
                    self._producer.produce(
                        topic, value=value, key=key, partition=partition, on_delivery=self._on_delivery
                    )
                    break
                except BufferError:  # the local queue is full: let deliveries drain it
                    self._producer.poll(0.1)
        self._producer.poll(0)

    def flush(self, timeout_s: float = 60.0) -> None:
        """Wait for every record; raises :class:`ProduceError` naming what was not delivered."""
        remaining = self._producer.flush(timeout_s)
        if remaining or self.failures:
            raise ProduceError(
                f"{remaining} records still queued after {timeout_s:.0f}s and {len(self.failures)}+ failed: "
                + "; ".join(self.failures or ["(no delivery report yet)"])
            )


def write_records(bootstrap: str, topic: str, partition: int, records: Iterable[Record]) -> None:
    """Write a few records and wait until each is delivered (tests)."""
    writer = TopicWriter({"bootstrap.servers": bootstrap, "enable.idempotence": "true"})
    writer.write(topic, partition, records)
    writer.flush()
