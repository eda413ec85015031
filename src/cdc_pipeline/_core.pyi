from collections.abc import Mapping, Sequence


class KafkaError(RuntimeError):
    pass

class DecodeError(ValueError):
    pass

OFFSET_BEGINNING: int = -2

OFFSET_END: int = -1

class Message:
    """One Kafka record; value None is a tombstone."""

    @property
    def topic(self) -> str: ...

    @property
    def partition(self) -> int: ...

    @property
    def offset(self) -> int: ...

    @property
    def key(self, /) -> bytes | None: ...

    @property
    def value(self, /) -> bytes | None: ...

    @property
    def timestamp_ms(self) -> int: ...

    @property
    def headers(self, /) -> list[tuple[str, bytes]]: ...

    def __repr__(self) -> str: ...

class Consumer:
    """Kafka consumer whose offsets are committed only on request."""

    def __init__(self, config: Mapping[str, str]) -> None: ...

    def subscribe(self, topics: Sequence[str]) -> None: ...

    def assign(self, partitions: Sequence[tuple[str, int, int]]) -> None: ...

    def poll_batch(self, max_messages: int, timeout_ms: int) -> list[Message]: ...

    def commit(self, offsets: Sequence[tuple[str, int, int]]) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Consumer: ...

    def __exit__(self, *args: object) -> None: ...

def cluster_metadata(bootstrap_servers: str, timeout_ms: int, config: Mapping[str, str] = {}) -> list[tuple[str, int]]:
    """
    Topics and partition counts of the cluster; raises KafkaError if no broker answers in time.
    """

class EnvelopeHeader:
    """The header of a Debezium change event."""

    @property
    def op(self) -> str:
        """One of 'c', 'u', 'd', 'r', 't', 'm'."""

    @property
    def schema(self) -> str: ...

    @property
    def table(self) -> str: ...

    @property
    def lsn(self) -> int | None: ...

    @property
    def source_ts_ms(self) -> int: ...

    def __repr__(self) -> str: ...

def decode_envelope_header(value: bytes) -> EnvelopeHeader:
    """
    Decode the header of a Debezium JSON envelope; raises DecodeError if malformed.
    """

def query_watermarks(bootstrap_servers: str, topic: str, partition: int, timeout_ms: int, config: Mapping[str, str] = {}) -> tuple[int, int]:
    """
    (low, high) offsets of one partition; high is the offset the next record gets. Raises KafkaError.
    """

class ArrowStream:
    """
    Rows exported by the core, readable through the Arrow PyCapsule stream interface.
    """

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """
        A PyCapsule 'arrow_array_stream' over the rows; requested_schema is ignored (the schema is fixed).
        """

    @property
    def num_rows(self) -> int: ...

    @property
    def num_chunks(self) -> int: ...

    @property
    def column_names(self, /) -> list[str]: ...

    def __repr__(self, /) -> str: ...

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

    def __repr__(self) -> str: ...

class BadRecord:
    """A record that could not be decoded or applied."""

    @property
    def topic(self) -> str: ...

    @property
    def partition(self) -> int: ...

    @property
    def offset(self) -> int: ...

    @property
    def table(self) -> str: ...

    @property
    def column(self) -> str: ...

    @property
    def reason(self) -> str: ...

    def describe(self) -> str: ...

    def __str__(self) -> str: ...

class TableBatch:
    """One table's coalesced changes in a batch."""

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
    def deletes(self, /) -> ArrowStream | None: ...

    @property
    def upserts(self, /) -> ArrowStream | None: ...

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
    def counts(self, /) -> dict[str, int]: ...

    def __repr__(self) -> str: ...

class Batch:
    """What one next_batch() call consumed, per table and partition."""

    @property
    def tables(self) -> list[TableBatch]: ...

    @property
    def offsets(self) -> list[tuple[str, int, int]]: ...

    @property
    def events(self) -> int: ...

    @property
    def bytes(self) -> int: ...

    @property
    def dead_lettered(self) -> int: ...

    @property
    def dropped(self) -> list[tuple[str, str, int, int]]: ...

    @property
    def error(self) -> BadRecord | None: ...

    def __repr__(self) -> str: ...

class Source:
    """Debezium table topics -> coalesced per-table Arrow batches."""

    def __init__(self, config: Mapping[str, str], topic_prefix: str, include_tables: Sequence[str], on_error: str, dead_letter_topic: str, topic_refresh_ms: int, exclude_tables: Sequence[str]) -> None: ...

    def start(self, committed: Sequence[tuple[str, int, int]], applied: Sequence[tuple[str, int, int]] = []) -> None: ...

    def next_batch(self, max_events: int, max_bytes: int, max_wait_ms: int) -> Batch: ...

    def commit(self, offsets: Sequence[tuple[str, int, int]]) -> None: ...

    def rewind(self, topics: Sequence[str]) -> None: ...

    def end_offsets(self, topic: str, partitions: Sequence[int], timeout_ms: int) -> list[int]:
        """
        End offsets of these partitions of a topic (same order), asked on the consumer's own connections within timeout_ms; callable from any thread beside next_batch(). Raises KafkaError.
        """

    def assignment(self) -> list[tuple[str, int, int]]: ...

    def close(self) -> None: ...

def batches_from_records(records: list[tuple[str, int, int, bytes | None, bytes | None]], max_events: int = 100000) -> list[Batch]:
    """
    Decode and batch (topic, partition, offset, key, value) records as Source.next_batch would, without Kafka.
    """

class BulkProducer:
    """Asynchronous Kafka producer for filling topics fast."""

    def __init__(self, config: Mapping[str, str]) -> None: ...

    def produce_many(self, topic: str, partition: int, records: list[tuple[bytes | None, bytes | None]]) -> None: ...

    def flush(self, timeout_ms: int = 60000) -> None: ...

    @property
    def delivered(self) -> int: ...
