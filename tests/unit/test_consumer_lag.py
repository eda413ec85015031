"""The lag poller: DuckDB's next offsets against the end offsets a callable gives (in the sink, the source's
consumer handle), one call per topic, one topic's Kafka error never stopping the round."""

from __future__ import annotations

from typing import cast

import pytest

from cdc_pipeline.observe.endpoint.server import CursorFactory
from cdc_pipeline.observe.status.consumer_lag import TIMEOUT_MS, ConsumerLagPoller
from cdc_pipeline.sink.stats import SinkStats
from tests.prometheus_text import parse, sample

pytestmark = pytest.mark.unit

OFFSETS = [("p.public.a", 1, 4), ("p.public.a", 0, 10), ("p.public.b", 0, 7)]  # DuckDB's next offsets


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


def _lags(stats: SinkStats) -> dict[tuple[str, int], int]:
    return {(e["topic"], e["partition"]): e["lag"] for e in stats.snapshot()["consumer_lag"]}


def test_lag_is_the_end_offset_minus_duckdbs_next_offset_asked_once_per_topic() -> None:
    ends = {"p.public.a": {0: 15, 1: 4}, "p.public.b": {0: 3}}
    asked: list[tuple[str, list[int], int]] = []

    def end_offsets(topic: str, partitions: list[int], timeout_ms: int) -> list[int]:
        asked.append((topic, partitions, timeout_ms))
        return [ends[topic][p] for p in partitions]

    stats = SinkStats()
    ConsumerLagPoller(_cursor(), stats, end_offsets).poll_once()
    assert asked == [("p.public.a", [0, 1], TIMEOUT_MS), ("p.public.b", [0], TIMEOUT_MS)]
    assert _lags(stats) == {("p.public.a", 0): 5, ("p.public.a", 1): 0, ("p.public.b", 0): 0}  # never < 0


def test_a_kafka_error_is_counted_and_the_other_topics_go_on() -> None:
    def end_offsets(topic: str, partitions: list[int], _timeout_ms: int) -> list[int]:
        if topic == "p.public.a":
            raise _KafkaError("end offsets of topic 'p.public.a': Local: Timed out (_TIMED_OUT)")
        return [20 for _ in partitions]

    stats = SinkStats()
    poller = ConsumerLagPoller(_cursor(), stats, end_offsets)
    poller.poll_once()
    poller.poll_once()
    assert _lags(stats) == {("p.public.b", 0): 13}
    assert sample(parse(stats.metrics_text().decode()), "cdc_errors_total", kind="consumer_lag") == 2
