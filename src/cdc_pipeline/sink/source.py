"""The sink's source of batches: the C++ ``_core.Source`` with the settings wired in. Its results are the
core's own types (:mod:`cdc_pipeline.sink.batch`: :class:`Batch`, :class:`BadRecord`, re-exported here).

Everything per row happens in C++ (poll, decode, coalesce, Arrow export); nothing is converted here. What
the core guarantees (see ``core/include/cdc/pipeline/source.hpp`` and ``batcher.hpp``):

- every partition of every ``<prefix>.<schema>.<table>`` topic is assigned explicitly at the offset DuckDB
  committed (or the beginning), new tables are found by themselves, and an offset that aged out of Kafka's
  retention is a loud error, never a silent jump;
- a batch ends at ``max_events``/``max_bytes``, ``max_wait_ms`` after its first event, as soon as the stream
  goes quiet, before a schema change, or before a bad record (policy ``stop``: :attr:`Batch.error`, repeated
  until the table is rewound) that policy ``dead-letter`` instead writes to the dead-letter topic;
- topic discovery and :meth:`Source.end_offsets` (consumer lag) use the consumer's own connections.

Read-ahead (``read_ahead``, setting ``SINK_READ_AHEAD``, on by default): as soon as a batch is handed out,
the next one is polled and decoded on a thread of its own (the core releases the GIL), so decoding batch
n+1 overlaps DuckDB applying batch n and the sink uses both cores. The read-ahead batch is exactly the
batch the next call would have read: it is taken only by the next :meth:`Source.next_batch`, and every
:meth:`Source.start` (any re-seek to DuckDB's offsets) first waits for it and throws it away, so nothing
read ahead is ever applied from a position DuckDB does not hold. The commit protocol restarts the source
whenever it holds a table back (:mod:`.protocol`), so a batch read ahead past a stopped table is dropped too.
One more batch (at most ``max_bytes`` of records) is in memory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING

from cdc_pipeline import _core, kafka_limits
from cdc_pipeline.sink.batch import BadRecord, Batch, DroppedEvents, Offset, batches_from_records
from cdc_pipeline.sink.policy import OnError, core_policy
from cdc_pipeline.sink.retry import (
    KAFKA,
    Backoff,
    Observer,
    RetryPolicy,
    Terminal,
    classify,
    ignore_retries,
)

if TYPE_CHECKING:
    from cdc_pipeline.config.settings import Settings

log = logging.getLogger("cdc_pipeline.sink.source")


def _positions(committed: Mapping[tuple[str, int], int] | Iterable[Offset]) -> list[Offset]:
    """DuckDB's offsets as ``(topic, partition, next_offset)``, from either shape the target returns."""
    if isinstance(committed, Mapping):
        return [(topic, partition, offset) for (topic, partition), offset in committed.items()]
    return [(topic, partition, offset) for topic, partition, offset in committed]


class Source:
    """Debezium table topics in, :class:`Batch` out; offsets owned by DuckDB (see the module docstring)."""

    def __init__(
        self,
        *,
        bootstrap_servers: str,
        topic_prefix: str,
        group_id: str,
        on_error: OnError,
        topic_refresh_ms: int,
        max_events: int,
        max_bytes: int,
        max_wait_ms: int,
        include_tables: Iterable[str] = (),
        exclude_tables: Iterable[str] = (),
        dead_letter_topic: str = "",
        kafka_config: Mapping[str, str] | None = None,
        read_ahead: bool = False,
        kafka_retry_s: float = 0.0,
        retry: RetryPolicy | None = None,
        observe: Observer | None = None,
        interrupted: Callable[[], bool] = lambda: False,
    ) -> None:
        # No defaults here: every value comes from the settings model (from_settings), validated there once.
        self.on_error = on_error
        self.topic_prefix = topic_prefix
        config = {"bootstrap.servers": bootstrap_servers, "group.id": group_id, "client.id": "cdc-sink"}
        config.update(kafka_config or {})
        self.max_events = max_events
        self.max_bytes = max_bytes
        self.max_wait_ms = max_wait_ms
        self.bootstrap_servers = bootstrap_servers
        self.kafka_backoff = Backoff(
            KAFKA,
            replace(retry or RetryPolicy(), bound_s=kafka_retry_s),
            label=f"Kafka at {bootstrap_servers}",
            setting="SINK_KAFKA_RETRY_S",
            fix="nothing after DuckDB's offsets was applied and nothing is lost: start Kafka (`cdc up`), "
            "then the sink resumes where DuckDB stands; raise SINK_KAFKA_RETRY_S to wait longer",
            observe=observe or ignore_retries,
            interrupted=interrupted,
        )
        self._core = _core.Source(
            config,
            topic_prefix,
            sorted(include_tables),
            core_policy(self.on_error),
            dead_letter_topic,
            topic_refresh_ms,
            sorted(exclude_tables),
        )
        self._reader = ThreadPoolExecutor(1, thread_name_prefix="cdc-read-ahead") if read_ahead else None
        self._ahead: Future[Batch] | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        observe: Observer | None = None,
        interrupted: Callable[[], bool] = lambda: False,
    ) -> Source:
        """Every table topic of the prefix (Debezium only writes captured tables), minus the signal table;
        ``observe`` hears the Kafka retries (for status and metrics), ``interrupted`` ends a retry's wait."""
        return cls(
            bootstrap_servers=settings.bootstrap_servers,
            topic_prefix=settings.topic_prefix,
            group_id=settings.sink_group_id,
            exclude_tables=[settings.signal_table],
            on_error=settings.sink_on_error,
            dead_letter_topic=settings.dead_letter_topic,
            topic_refresh_ms=settings.sink_topic_refresh_ms,
            max_events=settings.sink_max_events,
            max_bytes=settings.sink_max_bytes,
            max_wait_ms=settings.sink_max_wait_ms,
            kafka_retry_s=settings.sink_kafka_retry_s,
            retry=RetryPolicy(settings.sink_retry_base_s, settings.sink_retry_max_s),
            observe=observe,
            interrupted=interrupted,
            kafka_config=kafka_limits.consumer_config(settings),
            read_ahead=settings.sink_read_ahead,
        )

    def start(
        self,
        committed: Mapping[tuple[str, int], int] | Iterable[Offset],
        applied: Iterable[tuple[str, int, int]] = (),
        loaded: Mapping[str, str] | None = None,
    ) -> None:
        """Assign every table partition at DuckDB's next offset (the beginning where DuckDB has none).

        ``applied``: each table's highest applied source position ``(schema.table, commit LSN, LSN)`` from
        ``_cdc.tables``; a streaming event at or below it is a redelivered duplicate and is skipped.
        ``loaded``: the snapshot of each table loaded straight from PostgreSQL (``_cdc.tables``); a
        streaming event of a transaction it saw is already in DuckDB and is skipped.
        """
        log.info("consuming with librdkafka %s", _core.librdkafka_version())
        self._drop_ahead()
        self._core.start(_positions(committed), list(applied), dict(loaded or {}))

    def forget_loaded(self, table: str) -> None:
        """``table``'s load is settled (its applied position is past the load): stop filtering by it."""
        self._core.forget_loaded(table)

    def next_batch(self) -> Batch:
        """The next batch. Kafka trouble consumes nothing, so a transient error (broker down, transport,
        timed out: :func:`~cdc_pipeline.sink.retry.classify`) is retried with jittered backoff for
        ``kafka_retry_s``; past that :class:`~cdc_pipeline.sink.retry.GaveUpError` is raised (one line). A
        terminal KafkaError is raised as it is (the sink loop turns it into one line)."""
        while True:
            ahead, self._ahead = self._ahead, None
            try:
                batch = ahead.result() if ahead is not None else self._read()
            except _core.KafkaError as exc:
                if isinstance(classify(exc), Terminal):
                    raise
                self.kafka_backoff.wait(exc)
                continue
            self.kafka_backoff.succeeded()
            if self._reader is not None:
                self._ahead = self._reader.submit(self._read)
            return batch

    def _read(self) -> Batch:
        return self._core.next_batch(self.max_events, self.max_bytes, self.max_wait_ms)

    def _drop_ahead(self) -> None:
        """Wait for the batch being read ahead, then forget it (and any error it met: nothing was applied)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            with suppress(Exception):
                ahead.result()

    def commit(self, offsets: Iterable[Offset]) -> None:
        """Remember offsets DuckDB committed and mirror them to Kafka for lag tools (a failure only warns)."""
        try:
            self._core.commit(list(offsets))
        except _core.KafkaError as exc:
            log.warning("advisory Kafka commit failed (DuckDB holds the offsets; nothing is lost): %s", exc)

    def rewind(self, topics: Iterable[str]) -> None:
        """Stop reading these topics; they resume at DuckDB's offsets on the next :meth:`start`."""
        topics = sorted(set(topics))
        if topics:
            self._core.rewind(topics)

    def table_of_topic(self, topic: str) -> str:
        """``schema.table`` of a Debezium table topic ``<prefix>.<schema>.<table>``."""
        return topic.removeprefix(f"{self.topic_prefix}.")

    def end_offsets(self, topic: str, partitions: list[int], timeout_ms: int) -> list[int]:
        """End offsets of these partitions of ``topic``, asked on the consumer's own connections within
        ``timeout_ms``. Safe to call from another thread while :meth:`next_batch` runs (the lag poller
        does). Raises ``_core.KafkaError``."""
        return self._core.end_offsets(topic, partitions, timeout_ms)

    def assignment(self) -> list[Offset]:
        return self._core.assignment()

    def close(self) -> None:
        self._drop_ahead()
        if self._reader is not None:
            self._reader.shutdown()
        self._core.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


__all__ = [
    "BadRecord",
    "Batch",
    "DroppedEvents",
    "Offset",
    "Source",
    "batches_from_records",
]
