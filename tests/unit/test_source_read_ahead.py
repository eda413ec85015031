"""The sink's Source reads the next batch ahead on its own thread, and a re-seek never lets a batch read ahead
through: the next batch after start() is always one read after it. Its start names the librdkafka in use."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from cdc_pipeline import _core
from cdc_pipeline.sink.source import Source


class FakeCore:
    """Stands in for _core.Source: each batch says which start() generation read it, and on which thread."""

    def __init__(self) -> None:
        self.generation = 0
        self.reads: list[tuple[int, str]] = []
        self.release = threading.Event()
        self.release.set()

    def start(self, committed: Any, applied: Any, loaded: Any = None) -> None:
        self.generation += 1

    def next_batch(self, max_events: int, max_bytes: int, max_wait_ms: int) -> tuple[int, int]:
        if threading.current_thread().name.startswith("cdc-read-ahead"):
            self.release.wait(5)  # a read ahead polls until released
        self.reads.append((self.generation, threading.current_thread().name))
        return self.generation, len(self.reads)

    def close(self) -> None:
        pass


def source(read_ahead: bool) -> tuple[Source, FakeCore]:
    src = Source(
        bootstrap_servers="127.0.0.1:1",
        topic_prefix="dbserver1",
        group_id="g",
        on_error="stop-table",
        topic_refresh_ms=10_000,
        max_events=10,
        max_bytes=1 << 20,
        max_wait_ms=10,
        read_ahead=read_ahead,
    )
    core = FakeCore()
    src._core = core  # type: ignore[assignment]
    return src, core


def test_the_next_batch_is_read_on_another_thread_while_this_one_is_applied() -> None:
    src, core = source(read_ahead=True)
    src.start({})
    assert src.next_batch() == (1, 1)  # read by the caller (nothing was ahead yet)
    assert src.next_batch() == (1, 2)  # the one read ahead ...
    assert core.reads[1][1].startswith("cdc-read-ahead")  # ... on the read-ahead thread
    src.close()


def test_start_drops_the_batch_read_ahead() -> None:
    src, core = source(read_ahead=True)
    src.start({})
    core.release.clear()
    assert src.next_batch() == (1, 1)
    threading.Timer(0.2, core.release.set).start()  # the read-ahead is still polling when start() comes
    src.start({})  # waits for it, then throws its batch away
    assert len(core.reads) == 2 and core.reads[-1][0] == 1, "the read-ahead finished before the re-seek"
    generation, _ = src.next_batch()
    assert generation == 2, "the batch handed out after start() was read after it"
    src.close()


def test_without_read_ahead_every_batch_is_read_by_the_caller() -> None:
    src, core = source(read_ahead=False)
    src.start({})
    src.next_batch()
    src.next_batch()
    assert [thread for _, thread in core.reads] == [threading.current_thread().name] * 2
    src.close()


def test_start_logs_the_librdkafka_in_use(caplog: pytest.LogCaptureFixture) -> None:
    src, _ = source(read_ahead=False)
    with caplog.at_level(logging.INFO, logger="cdc_pipeline.sink.source"):
        src.start({})
    assert f"consuming with librdkafka {_core.librdkafka_version()}" in caplog.text
    src.close()
