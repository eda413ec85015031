"""The lag poller: DuckDB's next offsets against the watermarks a callable gives (in the sink, the source's
consumer handle), one Kafka error never stopping a round."""

from __future__ import annotations

from typing import cast

import pytest

from cdc_pipeline.observe.endpoint.server import CursorFactory
from cdc_pipeline.observe.status.consumer_lag import TIMEOUT_MS, ConsumerLagPoller
from cdc_pipeline.sink.stats import SinkStats
from tests.prometheus_text import parse, sample

pytestmark = pytest.mark.unit

OFFSETS = [("p.public.a", 0, 10), ("p.public.a", 1, 4), ("p.public.b", 0, 7)]


class _Cursor:
    def execute(self, _sql: str) -> _Cursor:
        return self

    def fetchall(self) -> list[tuple[str, int, int]]:
        return OFFSETS

    def close(self) -> None:
        pass


def _cursor() -> CursorFactory:
    return cast(CursorFactory, _Cursor)


class _KafkaError(RuntimeError):  # the core's KafkaError is a RuntimeError
    pass


def test_lag_is_the_end_offset_minus_duckdbs_next_offset() -> None:
    asked: list[tuple[str, int, int]] = []

    def watermarks(topic: str, partition: int, timeout_ms: int) -> tuple[int, int]:
        asked.append((topic, partition, timeout_ms))
        return 0, {("p.public.a", 0): 15, ("p.public.a", 1): 4, ("p.public.b", 0): 3}[(topic, partition)]

    stats = SinkStats()
    ConsumerLagPoller(_cursor(), stats, watermarks).poll_once()
    assert asked == [(t, p, TIMEOUT_MS) for t, p, _ in OFFSETS]
    lag = {(e["topic"], e["partition"]): e["lag"] for e in stats.snapshot()["consumer_lag"]}
    assert lag == {("p.public.a", 0): 5, ("p.public.a", 1): 0, ("p.public.b", 0): 0}  # never negative


def test_a_kafka_error_is_counted_and_the_round_goes_on() -> None:
    def watermarks(topic: str, partition: int, _timeout_ms: int) -> tuple[int, int]:
        if partition == 1:
            raise _KafkaError("watermarks of topic 'p.public.a' partition 1: Local: Timed out (_TIMED_OUT)")
        return 0, 20

    stats = SinkStats()
    poller = ConsumerLagPoller(_cursor(), stats, watermarks)
    poller.poll_once()
    poller.poll_once()
    lag = {(e["topic"], e["partition"]): e["lag"] for e in stats.snapshot()["consumer_lag"]}
    assert lag == {("p.public.a", 0): 10, ("p.public.b", 0): 13}
    assert sample(parse(stats.metrics_text().decode()), "cdc_errors_total", kind="consumer_lag") == 2
