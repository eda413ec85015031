from collections.abc import Mapping, Sequence

import cdc_pipeline.arrow_stream


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

def librdkafka_version() -> str:
    """
    The librdkafka this extension runs with, e.g. '2.16.0' (the confluent-kafka wheel's by default).
    """

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

    def __init__(self, name: str, duck_type: str, nullable: bool = True, default_sql: str | None = None, key: bool = False) -> None: ...

    @property
    def name(self) -> str:
        """exact source spelling; always quoted in SQL"""

    @property
    def duck_type(self) -> str:
        """DuckDB type text: 'DECIMAL(10,2)', 'INTEGER[]', ..."""

    @property
    def nullable(self) -> bool: ...

    @property
    def default_sql(self) -> str | None:
        """SQL literal of a constant source DEFAULT, for ADD COLUMN ... DEFAULT"""

    @property
    def key(self) -> bool: ...

    def __eq__(self, other: object, /) -> bool: ...

    def __hash__(self) -> int: ...

    def __repr__(self) -> str: ...

class BadRecord:
    """A record that could not be decoded or applied."""

    def __init__(self, topic: str, partition: int, offset: int, table: str, column: str, reason: str) -> None: ...

    @property
    def topic(self) -> str: ...

    @property
    def partition(self) -> int: ...

    @property
    def offset(self) -> int: ...

    @property
    def table(self) -> str:
        r"""schema.table when known, else \'\'"""

    @property
    def column(self) -> str:
        r"""when the problem is one column's value, else \'\'"""

    @property
    def reason(self) -> str: ...

    def describe(self) -> str: ...

    def __str__(self) -> str: ...

class DroppedEvents:
    """
    Events of one table a batch consumed but dropped (see pipeline/position_filter.hpp).
    """

    def __init__(self, table: str, topic: str, duplicates: int, unapplied: int) -> None: ...

    @property
    def table(self) -> str:
        """schema.table"""

    @property
    def topic(self) -> str: ...

    @property
    def duplicates(self) -> int:
        """redelivered events at or below the table's applied position"""

    @property
    def unapplied(self) -> int:
        """
        updates/deletes of a keyless table without a before-image (not REPLICA IDENTITY FULL)
        """

class TableBatch:
    """
    The coalesced final state of one source table's changes in one batch. Apply truncate (every row goes), then deletes (by key), then upserts (replace the row with that key, or insert it); see cdc_pipeline.sink.batch.
    """

    def __init__(self, topic: str, source_schema: str, source_table: str, columns: list[Column], key_columns: list[str], *, truncate: bool = False, snapshot_started: bool = False, deletes: cdc_pipeline.arrow_stream.ArrowStreamLike | None = None, upserts: cdc_pipeline.arrow_stream.ArrowStreamLike | None = None, unavailable: list[str] = [], last_lsn: int | None = None, last_source_ts_ms: int | None = None, last_commit_lsn: int | None = None, last_event_lsn: int | None = None, last_tx_id: int | None = None, counts: dict[str, int] = {}) -> None: ...

    @property
    def topic(self) -> str: ...

    @property
    def source_schema(self) -> str: ...

    @property
    def source_table(self) -> str: ...

    @property
    def columns(self) -> list[Column]: ...

    @property
    def key_columns(self) -> list[str]:
        """empty for a table without a key"""

    @property
    def schema_fingerprint(self) -> int:
        """
        hash of columns and key_columns: equal means the same DDL/DML plan (0: no schema)
        """

    @property
    def truncate(self) -> bool: ...

    @property
    def snapshot_started(self) -> bool:
        """the table's snapshot (re)started in this batch: it replaces the table"""

    @property
    def deletes(self, /) -> cdc_pipeline.arrow_stream.ArrowStreamLike | None:
        """
        key columns (keyed tables) or full before-images (keyless); None when nothing is deleted
        """

    @property
    def upserts(self, /) -> cdc_pipeline.arrow_stream.ArrowStreamLike | None:
        """
        every column, then a boolean unavailable_mask_name(i) per column named in unavailable
        """

    @property
    def unavailable(self) -> list[str]:
        """
        columns holding the unchanged-TOAST placeholder in some row (the DuckDB value is kept)
        """

    @property
    def last_lsn(self) -> int | None: ...

    @property
    def last_source_ts_ms(self) -> int | None: ...

    @property
    def last_commit_lsn(self) -> int | None:
        """
        highest source position (commit LSN) among the streaming events; None for snapshot reads
        """

    @property
    def last_event_lsn(self) -> int | None: ...

    @property
    def last_tx_id(self) -> int | None: ...

    @property
    def counts(self) -> dict[str, int]:
        """
        events per op: c, u, d, r, t; dup = redelivered duplicates skipped; unapplied = keyless updates/deletes without a before-image
        """

    def __repr__(self) -> str: ...

class Batch:
    """
    One batch: the changes per table (first-seen order) and the next offset of every partition read.
    """

    def __init__(self, events: int, bytes: int, tables: Sequence[TableBatch], offsets: Sequence[tuple[str, int, int]], error: BadRecord | None = None, dead_letters: Sequence[BadRecord] = [], dropped: Sequence[DroppedEvents] = []) -> None: ...

    @property
    def events(self) -> int:
        """records consumed: changes, tombstones, skips, dead-lettered"""

    @property
    def bytes(self) -> int:
        """their key + value bytes"""

    @property
    def tables(self) -> list[TableBatch]:
        """in the order their first event arrived"""

    @property
    def offsets(self) -> list[tuple[str, int, int]]:
        """(topic, partition, next offset) of every partition read"""

    @property
    def error(self) -> BadRecord | None:
        """policy stop: the batch ends before this record"""

    @property
    def dead_letters(self) -> list[BadRecord]:
        """records sent to the dead-letter topic, with their reasons"""

    @property
    def dropped(self) -> list[DroppedEvents]:
        """tables with dropped events, first-seen order"""

    def __repr__(self) -> str: ...

def unavailable_mask_name(index: int) -> str:
    """
    Name of the boolean column that marks rows whose column `index` held Debezium's unchanged-TOAST placeholder.
    """

class Source:
    """Debezium table topics -> coalesced per-table Arrow batches."""

    def __init__(self, config: Mapping[str, str], topic_prefix: str, include_tables: Sequence[str], on_error: str, dead_letter_topic: str, topic_refresh_ms: int, exclude_tables: Sequence[str]) -> None: ...

    def start(self, committed: Sequence[tuple[str, int, int]], applied: Sequence[tuple[str, int, int]] = [], loaded: Mapping[str, str] = {}) -> None:
        """
        Assign every partition at `committed`; `applied`: (schema.table, commit LSN, LSN) per table; `loaded`: schema.table -> pg_current_snapshot() text of a table loaded straight from PostgreSQL (its streaming events of transactions that snapshot saw are dropped as duplicates).
        """

    def forget_loaded(self, table: str) -> None:
        """
        Stop dropping the loaded snapshot's transactions of `table` (schema.table).
        """

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
