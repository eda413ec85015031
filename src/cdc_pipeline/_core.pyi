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
    def headers(self) -> list[tuple[str, bytes]]:
        """(name, value) in record order; set on the dead-letter topic's records."""
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

def query_watermarks(
    bootstrap_servers: str, topic: str, partition: int, timeout_ms: int, config: Mapping[str, str] = ...
) -> tuple[int, int]:
    """``(low, high)`` offsets of one partition (high: the offset the next record gets); raises KafkaError
    naming the topic and partition when the broker does not answer in time or does not know them."""

# -- pipeline: Source, batches, Arrow export (core/include/cdc/pipeline, core/include/cdc/arrow) ------------

class ArrowStream:
    """Rows exported by the core, read by DuckDB or pyarrow through the Arrow PyCapsule stream interface.

    Every ``__arrow_c_stream__`` call exports a new stream over the same immutable data (no copy), so the
    object can be read more than once.
    """

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """A PyCapsule named ``arrow_array_stream``; ``requested_schema`` is ignored (the schema is fixed)."""

    @property
    def num_rows(self) -> int: ...
    @property
    def num_chunks(self) -> int: ...
    @property
    def column_names(self) -> list[str]: ...

class Column:
    """One source column as the batch's schema describes it."""

    @property
    def name(self) -> str: ...
    @property
    def duck_type(self) -> str: ...
    @property
    def nullable(self) -> bool: ...
    @property
    def default_sql(self) -> str | None: ...
    @property
    def key(self) -> bool: ...

class BadRecord:
    """A record that could not be decoded or converted: where it is and why."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def table(self) -> str:
        """``schema.table`` when known, else empty."""
    @property
    def column(self) -> str:
        """The column whose value is wrong, when the problem is one value, else empty."""
    @property
    def reason(self) -> str: ...
    def describe(self) -> str: ...

class TableBatch:
    """One table's coalesced changes in a batch (see ``sink/changes.py``: TableChanges)."""

    @property
    def topic(self) -> str: ...
    @property
    def source_schema(self) -> str: ...
    @property
    def source_table(self) -> str: ...
    @property
    def columns(self) -> list[Column]: ...
    @property
    def key_columns(self) -> list[str]: ...
    @property
    def truncate(self) -> bool: ...
    @property
    def snapshot_started(self) -> bool: ...
    @property
    def deletes(self) -> ArrowStream | None:
        """Key columns (keyed tables) or full before-images (keyless); None when nothing is deleted."""
    @property
    def upserts(self) -> ArrowStream | None:
        """Every column, then ``__cdc_unavailable_<i>`` booleans for the columns in ``unavailable``."""
    @property
    def unavailable(self) -> list[str]: ...
    @property
    def last_lsn(self) -> int | None: ...
    @property
    def last_source_ts_ms(self) -> int | None: ...
    @property
    def last_commit_lsn(self) -> int | None: ...
    @property
    def last_event_lsn(self) -> int | None: ...
    @property
    def last_tx_id(self) -> int | None: ...
    @property
    def counts(self) -> dict[str, int]:
        """Events added per op: ``c``, ``u``, ``d``, ``r``, ``t``; dropped: ``dup``, ``unapplied``."""

class Batch:
    """What one ``next_batch`` consumed."""

    @property
    def tables(self) -> list[TableBatch]: ...
    @property
    def offsets(self) -> list[tuple[str, int, int]]:
        """``(topic, partition, next_offset)`` of every partition a record came from (incl. tombstones)."""
    @property
    def events(self) -> int: ...
    @property
    def bytes(self) -> int: ...
    @property
    def dead_lettered(self) -> int: ...
    @property
    def dropped(self) -> list[tuple[str, str, int, int]]:
        """``(schema.table, topic, duplicates, unapplied)`` of each table with events consumed but dropped."""
    @property
    def error(self) -> BadRecord | None:
        """Policy ``stop``: the batch ends before this record, and every later call repeats it."""

class Source:
    """Debezium table topics -> coalesced per-table Arrow batches; offsets owned by the caller (DuckDB).

    Partitions are assigned explicitly (no group subscription) and ``auto.offset.reset`` is forced to
    ``error``. Calls from several threads are serialised (except ``end_offsets``); the GIL is released
    while polling and decoding.
    """

    def __init__(
        self,
        config: Mapping[str, str],
        topic_prefix: str,
        include_tables: Sequence[str],
        on_error: Literal["stop", "dead_letter"] = "stop",
        dead_letter_topic: str = "",
        topic_refresh_ms: int = 10000,
        exclude_tables: Sequence[str] = ...,
    ) -> None:
        """Raises KafkaError on a bad setting, ValueError on a bad ``on_error``."""

    def start(
        self, committed: Sequence[tuple[str, int, int]], applied: Sequence[tuple[str, int, int]] = ...
    ) -> None:
        """Assign every table partition at these next offsets, or the beginning where none is given;
        ``applied`` = (schema.table, commit LSN, LSN) positions below which streaming events are skipped."""

    def next_batch(self, max_events: int, max_bytes: int, max_wait_ms: int) -> Batch:
        """Raises KafkaError on Kafka trouble (nothing consumed then); bad records are in ``Batch.error``."""

    def commit(self, offsets: Sequence[tuple[str, int, int]]) -> None:
        """Remember these as committed; mirror them to Kafka (advisory) when ``group.id`` is set."""

    def rewind(self, topics: Sequence[str]) -> None:
        """Stop reading these topics; they resume at the committed offsets on the next ``start``."""

    def end_offsets(self, topic: str, partitions: Sequence[int], timeout_ms: int) -> list[int]:
        """End offsets of these partitions of ``topic`` (same order), asked on the consumer's own
        connections within ``timeout_ms``; callable from any thread beside ``next_batch`` (not serialised
        with it). Raises KafkaError."""

    def assignment(self) -> list[tuple[str, int, int]]: ...
    def close(self) -> None: ...

def batches_from_records(
    records: list[tuple[str, int, int, bytes | None, bytes | None]], max_events: int = 100000
) -> list[Batch]:
    """Decode and batch ``(topic, partition, offset, key, value)`` records as ``Source.next_batch`` would."""

# -- benchmarks (core/src/bindings/bench_bindings.cpp) ----------------------------------------------------

class BulkProducer:
    """Asynchronous Kafka producer for filling topics fast (the benchmarks); records keep their order."""

    def __init__(self, config: Mapping[str, str]) -> None:
        """Raises KafkaError naming the key and value of an unknown or invalid librdkafka property."""

    def produce_many(
        self, topic: str, partition: int, records: list[tuple[bytes | None, bytes | None]]
    ) -> None:
        """Queue ``(key, value)`` records (copied); raises KafkaError when a delivery already failed."""

    def flush(self, timeout_ms: int = 60000) -> None:
        """Wait until every queued record is acknowledged; raises KafkaError on a failure or timeout."""

    @property
    def delivered(self) -> int: ...
