"""Type stub for ``cdc_pipeline._core``, the C++ data path (nanobind; source in ``core/src/bindings/``)."""

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Final, Literal

OFFSET_BEGINNING: Final[int]
"""Logical offset for :meth:`Consumer.assign`: the oldest record still in the partition."""
OFFSET_END: Final[int]
"""Logical offset for :meth:`Consumer.assign`: only records produced after the assignment."""

class KafkaError(RuntimeError):
    """librdkafka reported an error, or a Kafka setting or argument was invalid."""

class DecodeError(ValueError):
    """A Kafka record is not the Debezium JSON envelope expected (the message names the field)."""

class Message:
    """One Kafka record; ``value is None`` is a tombstone."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def timestamp_ms(self) -> int:
        """Broker or producer timestamp, -1 when absent."""

class Consumer:
    """Kafka consumer whose offsets are committed only on request.

    ``enable.auto.commit`` and ``enable.auto.offset.store`` are forced to false: the sink's offsets live
    in DuckDB. Calls from several threads are serialised; the GIL is released while librdkafka blocks.
    """

    def __init__(self, config: Mapping[str, str]) -> None:
        """Raises KafkaError naming the key and value of an unknown or invalid librdkafka property."""

    def subscribe(self, topics: Sequence[str]) -> None:
        """Join the group (needs ``group.id``) for these topics; ``"^regex"`` entries match by pattern."""

    def assign(self, partitions: Sequence[tuple[str, int, int]]) -> None:
        """Read exactly these ``(topic, partition, offset)`` positions, without group management."""

    def poll_batch(self, max_messages: int, timeout_ms: int) -> list[Message]:
        """Up to ``max_messages`` records, waiting at most ``timeout_ms`` in total (possibly none).

        Raises KafkaError on a fatal or permanent error; records consumed before it are returned first.
        """

    def commit(self, offsets: Sequence[tuple[str, int, int]]) -> None:
        """Synchronously commit ``(topic, partition, next_offset)``, next_offset = last applied + 1."""

    def close(self) -> None:
        """Leave the group and release the client; closing twice is allowed."""

    def __enter__(self) -> Consumer: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

class EnvelopeHeader:
    """What a Debezium change event did, to which table, and when in the source."""

    @property
    def op(self) -> Literal["c", "u", "d", "r", "t", "m"]: ...
    @property
    def schema(self) -> str: ...
    @property
    def table(self) -> str: ...
    @property
    def lsn(self) -> int | None: ...
    @property
    def source_ts_ms(self) -> int: ...

def decode_envelope_header(value: bytes) -> EnvelopeHeader:
    """Decode the header of a JsonConverter (schemas.enable=true) envelope; raises DecodeError."""

def cluster_metadata(
    bootstrap_servers: str, timeout_ms: int, config: Mapping[str, str] = ...
) -> list[tuple[str, int]]:
    """``(topic, partition_count)`` for every topic; raises KafkaError if no broker answers in time."""
