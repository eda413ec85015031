"""Kafka consumer lag of the running sink: each partition's end offset minus DuckDB's ``next_offset``.

A background thread reads ``_cdc.offsets`` (the sink's truth, on its own cursor) every ``interval_s`` and
asks the end offsets of those partitions, one call per topic, and sets :meth:`SinkStats.set_consumer_lag`.
The end offsets come from a callable, in the sink the source's
:meth:`~cdc_pipeline.sink.source.Source.end_offsets` (a request on the consumer's own connections, safe
beside the sink loop and bounded by ``TIMEOUT_MS`` even while Kafka is down), so no Kafka client is created
per round. A Kafka error is counted and logged once per kind, and the next round tries again; lag is advisory
and never stops the sink.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import closing

from cdc_pipeline.observe.endpoint.server import CursorFactory
from cdc_pipeline.sink.bookkeeping import READ_OFFSETS
from cdc_pipeline.sink.stats import SinkStats

log = logging.getLogger("cdc_pipeline.observe")
TIMEOUT_MS = 2000

# (topic, partitions, timeout_ms) -> the partitions' end offsets, in order; raises _core.KafkaError (a
# RuntimeError).
EndOffsets = Callable[[str, list[int], int], list[int]]


class ConsumerLagPoller:
    """``start()`` / ``stop()``; one round every ``interval_s`` seconds."""

    def __init__(
        self, cursor: CursorFactory, stats: SinkStats, end_offsets: EndOffsets, interval_s: float = 5.0
    ) -> None:
        self.cursor = cursor
        self.stats = stats
        self.end_offsets = end_offsets
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cdc-consumer-lag", daemon=True)
        self._last_error = ""

    def start(self) -> ConsumerLagPoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=TIMEOUT_MS / 1000 + 5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.poll_once()

    def poll_once(self) -> None:
        with closing(self.cursor()) as cursor:
            offsets = cursor.execute(READ_OFFSETS).fetchall()
        applied: dict[str, dict[int, int]] = {}
        for topic, partition, next_offset in offsets:
            applied.setdefault(topic, {})[int(partition)] = int(next_offset)
        for topic, positions in applied.items():  # one topic's trouble (deleted, no leader) is its own
            if self._stop.is_set():  # against a down broker each topic waits TIMEOUT_MS
                return
            partitions = sorted(positions)
            try:
                ends = self.end_offsets(topic, partitions, TIMEOUT_MS)
            except RuntimeError as exc:  # _core.KafkaError
                if str(exc) != self._last_error:
                    log.warning("consumer lag of %s: %s", topic, exc)
                    self._last_error = str(exc)
                self.stats.m.errors.labels("consumer_lag").inc()
                continue
            for partition, end in zip(partitions, ends, strict=True):
                self.stats.set_consumer_lag(topic, partition, max(0, end - positions[partition]))
