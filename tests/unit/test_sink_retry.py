"""The sink's failure model (sink/retry.py): which edge errors are transient; the bounded jittered backoff."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import duckdb
from cdc_pipeline import _core
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.sink.errors import ApplyError
from cdc_pipeline.sink.retry import (
    DUCKDB,
    KAFKA,
    Backoff,
    GaveUpError,
    Retrying,
    RetryInterrupted,
    RetryPolicy,
    Terminal,
    Transient,
    classify,
    stop_error,
)


@pytest.mark.parametrize(
    "message",
    [
        "Kafka brokers at '127.0.0.1:19092' did not answer a metadata request within 5000 ms: "
        "Local: Broker transport failure (_TRANSPORT)",
        "Kafka brokers at 'x' did not answer a metadata request within 5000 ms: Local: Timed out "
        "(_TIMED_OUT)",
        "assigning Kafka partitions: Local: All broker connections are down (_ALL_BROKERS_DOWN)",
        "writing records to 'dlq': Local: Message timed out (_MSG_TIMED_OUT)",
        "Kafka consumer error on topic 't', partition 0: leader moved (NOT_LEADER_OR_FOLLOWER)",
    ],
)
def test_broker_down_transport_and_timeouts_are_transient(message: str) -> None:
    assert classify(_core.KafkaError(message)) == Transient(KAFKA, message)


@pytest.mark.parametrize(
    "message",
    [
        "Kafka consumer error on topic 'dbserver1.public.users': Broker: Topic authorization failed "
        "(TOPIC_AUTHORIZATION_FAILED)",
        "Kafka consumer error: Broker: Group authorization failed (GROUP_AUTHORIZATION_FAILED)",
        "Kafka consumer error: Local: Authentication failure (_AUTHENTICATION)",
        "Kafka consumer error on topic 't', partition 0, offset 5: Broker: Offset out of range "
        "(OFFSET_OUT_OF_RANGE)",
        "Kafka consumer error: fatal: producer fenced (_FATAL)",
        "unknown Kafka setting 'no.such.setting'",  # invalid arguments carry no librdkafka name
        "Source.next_batch() called before start()",
    ],
)
def test_authorization_retention_and_misuse_are_terminal(message: str) -> None:
    assert classify(_core.KafkaError(message)) == Terminal(KAFKA, message)


def test_a_duckdb_file_that_cannot_be_written_is_transient() -> None:
    wal = duckdb.IOException('IO Error: Could not write file "/s/cdc.duckdb.wal": No space left on device')
    assert classify(wal) == Transient(DUCKDB, str(wal))
    assert isinstance(classify(duckdb.IOException("IO Error: No space left on device")), Transient)
    wrapped = ApplyError("public.users", "upsert rows", wal, table_level=False)
    wrapped.__cause__ = wal
    assert classify(wrapped) == Transient(DUCKDB, str(wal)), "the cause under the table's ApplyError counts"


def test_other_duckdb_errors_are_terminal() -> None:
    lock = duckdb.IOException('IO Error: Could not set lock on file "/s/cdc.duckdb"')
    assert classify(lock) == Terminal(DUCKDB, str(lock))
    assert isinstance(classify(duckdb.FatalException("database has been invalidated")), Terminal)
    refused = duckdb.ConstraintException("CHECK constraint failed")
    table_level = ApplyError("public.orders", "upsert rows", refused)
    table_level.__cause__ = refused
    assert isinstance(classify(table_level), Terminal), "a table's own trouble goes to table isolation"
    assert classify(ValueError("a bug")) == Terminal("", "a bug")


def test_the_step_doubles_from_the_base_up_to_the_cap() -> None:
    policy = RetryPolicy(base_s=0.5, max_s=4.0, bound_s=100.0)
    assert [policy.step(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert policy.step(10_000) == 4.0, "no overflow for a long outage"


@pytest.mark.parametrize("rand", [0.0, 0.3, 0.999999])
def test_full_jitter_stays_between_zero_and_the_step(rand: float) -> None:
    policy = RetryPolicy(base_s=1.0, max_s=8.0, bound_s=100.0)
    for attempt in range(1, 8):
        delay = policy.delay(attempt, rand)
        assert 0.0 <= delay <= policy.step(attempt)
        assert delay == pytest.approx(rand * policy.step(attempt))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def backoff(clock: FakeClock, bound_s: float, seen: list[Retrying | None], rand: float = 1.0) -> Backoff:
    return Backoff(
        KAFKA,
        RetryPolicy(base_s=1.0, max_s=4.0, bound_s=bound_s),
        label="Kafka at 127.0.0.1:19092",
        setting="SINK_KAFKA_RETRY_S",
        fix="start Kafka (`cdc up`)",
        observe=lambda _what, state: seen.append(state),
        clock=clock,
        wall=lambda: 1_700_000_000.0,
        sleep=clock.sleep,
        rand=lambda: rand,
        slice_s=math.inf,  # one sleep per wait, so the waits can be compared
    )


def test_the_bound_is_honoured_and_giving_up_is_one_line() -> None:
    clock, seen = FakeClock(), []
    retries = backoff(clock, bound_s=10.0, seen=seen)
    error = _core.KafkaError("metadata: Local: Broker transport failure (_TRANSPORT)")
    with pytest.raises(GaveUpError) as raised:
        for _ in range(100):
            retries.wait(error)
    assert clock.slept == [1.0, 2.0, 4.0], "the next wait (4 s) would pass 10 s: it gives up instead"
    assert sum(clock.slept) <= 10.0
    message = str(raised.value)
    assert "\n" not in message
    assert "Kafka at 127.0.0.1:19092" in message and "SINK_KAFKA_RETRY_S=10 s" in message
    assert "(_TRANSPORT)" in message and "start Kafka (`cdc up`)" in message
    assert raised.value.__cause__ is error
    assert seen[-1] is None, "the observer hears that the retrying ended"


def test_attempts_are_observed_and_success_ends_the_episode() -> None:
    clock, seen = FakeClock(), []
    retries = backoff(clock, bound_s=60.0, seen=seen, rand=0.5)
    for _ in range(3):
        retries.wait(_core.KafkaError("x (_TRANSPORT)"))
    states = [s for s in seen if s is not None]
    assert [s.attempt for s in states] == [1, 2, 3]
    assert {s.since for s in states} == {1_700_000_000.0}, "since the first failure of the episode"
    assert clock.slept == [0.5, 1.0, 2.0]
    retries.succeeded()
    assert seen[-1] is None and retries.state is None
    retries.wait(_core.KafkaError("y (_TRANSPORT)"))
    assert seen[-1] is not None and seen[-1].attempt == 1, "a new episode starts at attempt 1"
    assert clock.slept[-1] == 0.5


def test_a_stop_during_a_wait_ends_it_within_a_slice() -> None:
    clock, stop_at = FakeClock(), 1002.5
    retries = Backoff(
        KAFKA,
        RetryPolicy(base_s=8.0, max_s=8.0, bound_s=120.0),
        label="Kafka at 127.0.0.1:19092",
        setting="SINK_KAFKA_RETRY_S",
        fix="",
        clock=clock,
        sleep=clock.sleep,
        rand=lambda: 1.0,
        interrupted=lambda: clock.now >= stop_at,
    )
    with pytest.raises(RetryInterrupted):
        retries.wait(_core.KafkaError("x (_TRANSPORT)"))
    assert clock.now == pytest.approx(stop_at, abs=0.21), "not the whole 8 s wait"
    assert max(clock.slept) <= 0.2


def test_a_zero_bound_never_retries() -> None:
    clock, seen = FakeClock(), []
    with pytest.raises(GaveUpError):
        backoff(clock, bound_s=0.0, seen=seen).wait(_core.KafkaError("x (_TRANSPORT)"))
    assert clock.slept == []


def test_terminal_lines_name_what_failed_and_the_fix() -> None:
    kafka = str(
        stop_error(Terminal(KAFKA, "denied (TOPIC_AUTHORIZATION_FAILED)"), Path("/s/c.duckdb"), "h:1")
    )
    assert kafka.startswith("Kafka at h:1 refused the sink: denied (TOPIC_AUTHORIZATION_FAILED).")
    assert "`cdc up`" in kafka and "\n" not in kafka
    duck = str(stop_error(Terminal(DUCKDB, "FATAL Error: invalidated"), Path("/s/c.duckdb"), "h:1"))
    assert duck.startswith("DuckDB file /s/c.duckdb failed: FATAL Error: invalidated.")
    assert "permissions of /s" in duck


def test_the_retry_settings_have_defaults_and_refuse_nonsense() -> None:
    settings = Settings()
    assert (settings.sink_retry_base_s, settings.sink_retry_max_s) == (0.5, 10.0)
    assert settings.sink_duckdb_retry_s == 60.0 and settings.sink_kafka_retry_s == 120.0
    with pytest.raises(ValueError, match="sink_retry_base_s"):
        Settings(sink_retry_base_s=0)
    with pytest.raises(ValueError, match="sink_duckdb_retry_s"):
        Settings(sink_duckdb_retry_s=-1)
