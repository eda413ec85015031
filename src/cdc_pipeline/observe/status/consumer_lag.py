"""Kafka consumer lag of the running sink: each partition's end offset minus DuckDB's ``next_offset``.

A background thread reads ``_cdc.offsets`` (the sink's truth, on its own cursor) and the partitions' high
watermarks every ``interval_s`` and sets :meth:`SinkStats.set_consumer_lag`. The watermarks come from a
callable, in the sink the source's :meth:`~cdc_pipeline.sink.source.Source.watermarks` (a request on the
consumer's own connections, safe beside the sink loop), so no Kafka client is created per round. A Kafka error
is counted and logged once per kind, and the next round tries again; lag is advisory and never stops the sink.
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

# (topic, partition, timeout_ms) -> (low, high) offsets; raises _core.KafkaError (a RuntimeError).
Watermarks = Callable[[str, int, int], tuple[int, int]]


class ConsumerLagPoller:
    """``start()`` / ``stop()``; one round every ``interval_s`` seconds."""

    def __init__(
        self, cursor: CursorFactory, stats: SinkStats, watermarks: Watermarks, interval_s: float = 5.0
    ) -> None:
        self.cursor = cursor
        self.stats = stats
        self.watermarks = watermarks
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
        for topic, partition, next_offset in offsets:
            if self._stop.is_set():  # a round against a down broker waits TIMEOUT_MS per partition
                return
            try:
                _low, high = self.watermarks(topic, int(partition), TIMEOUT_MS)
            except RuntimeError as exc:  # _core.KafkaError
                if str(exc) != self._last_error:
                    log.warning("consumer lag of %s[%d]: %s", topic, partition, exc)
                    self._last_error = str(exc)
                self.stats.m_errors.labels("consumer_lag").inc()
                continue
            self.stats.set_consumer_lag(topic, int(partition), max(0, high - int(next_offset)))
