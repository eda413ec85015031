"""The sink loop survives a DuckDB file that cannot be written for a moment, and stops in one line if not.

Real Debezium envelopes go through the C++ decode path (``batches_from_records``) into a real DuckDB file.
Only two edges are doubles: Kafka is a list of records read from the offsets ``start`` is given (as the core
seeks to DuckDB's offsets), and the target's COMMIT raises DuckDB's own ``IOException`` a given number of
times.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import duckdb
from cdc_pipeline.errors import CdcError
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.loop import run
from cdc_pipeline.sink.retry import DUCKDB, Backoff, GaveUpError, RetryPolicy
from cdc_pipeline.sink.stats import SinkStats
from tests.duckdb.log_source import TOPIC, LogSource, user
from tests.prometheus_text import parse, sample

WAL_FULL = 'IO Error: Could not write file "{path}.wal": No space left on device'


class FailingCommit(DuckDBTarget):
    """COMMIT fails with DuckDB's IOException ``failures`` times, from the ``fail_from``-th commit on.

    ``ended``: DuckDB ended the transaction itself, so the sink's ROLLBACK is refused ("no transaction is
    active"), as in the sink.log of issue 12.
    """

    def __init__(self, path: Path, failures: int, fail_from: int = 2, ended: bool = False) -> None:
        super().__init__(path)
        self.failures = failures
        self.fail_from = fail_from
        self.ended = ended
        self.commits = 0

    def commit(self) -> None:
        self.commits += 1
        if self.commits >= self.fail_from and self.failures > 0:
            self.failures -= 1
            if self.ended:
                super().rollback()
            raise duckdb.IOException(WAL_FULL.format(path=self.path))
        super().commit()


def duckdb_retries(stats: SinkStats, bound_s: float, seen: list[dict[str, Any]]) -> Backoff:
    """No real sleeping: each wait records what /status said at that moment and advances a fake clock."""
    clock = [0.0]

    def sleep(seconds: float) -> None:
        seen.append(stats.snapshot())
        clock[0] += seconds

    return Backoff(
        DUCKDB,
        RetryPolicy(base_s=1.0, max_s=4.0, bound_s=bound_s),
        label="writing DuckDB file x",
        setting="SINK_DUCKDB_RETRY_S",
        fix="free space",
        observe=stats.record_retry,
        clock=lambda: clock[0],
        sleep=sleep,
        rand=lambda: 1.0,
        slice_s=math.inf,  # one sleep per wait: the test looks at each
    )


def run_until_drained(source: LogSource, target: DuckDBTarget, stats: SinkStats, backoff: Backoff) -> None:
    turns = [0]

    def drained() -> bool:  # or 50 turns: a loop that loses the batch fails the test instead of hanging
        turns[0] += 1
        done = source.position >= len(source.records) and stats.snapshot()["events"] == len(source.records)
        return done or turns[0] > 50

    run(
        source,  # type: ignore[arg-type]
        target,
        drained,
        lambda outcome: stats.record_batch(outcome.events, outcome.apply_s, outcome.table_stats),
        backoffs={DUCKDB: backoff},
    )


@pytest.fixture(params=[False, True], ids=["rollback-works", "rollback-refused"])
def ended(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_a_transient_commit_failure_is_retried_and_the_batch_applied_exactly_once(
    tmp_path: Path, ended: bool
) -> None:
    records = [user(i) for i in range(6)]
    source = LogSource(records, per_batch=3)
    stats, seen = SinkStats(), []
    with FailingCommit(tmp_path / "sink.duckdb", failures=2, ended=ended) as target:
        run_until_drained(source, target, stats, duckdb_retries(stats, bound_s=60.0, seen=seen))

        cursor = target.cursor()
        assert cursor.execute("SELECT count(*), count(DISTINCT id) FROM users").fetchone() == (6, 6)
        upserted = cursor.execute(
            "SELECT rows_upserted FROM _cdc.tables WHERE source_table = 'public.users'"
        ).fetchone()
        assert upserted == (6,), "the second batch's rows were counted once: applied exactly once"
        assert target.read_offsets() == {(TOPIC, 0): 6}
    assert source.starts == [0, 3, 3], "after each failure the source re-reads from DuckDB's offset 3"
    assert [s["retrying"][0]["attempt"] for s in seen] == [1, 2]
    assert {s["retrying"][0]["what"] for s in seen} == {"duckdb"}
    assert "No space left on device" in seen[-1]["retrying"][0]["error"]
    assert stats.snapshot()["retrying"] == [], "recovered: nothing is retrying any more"
    metrics = parse(stats.metrics_text().decode())
    assert sample(metrics, "cdc_sink_retries_total", what="duckdb") == 2
    assert sample(metrics, "cdc_sink_retrying", what="duckdb") == 0


def test_a_commit_that_keeps_failing_stops_the_sink_with_one_line(tmp_path: Path) -> None:
    source = LogSource([user(i) for i in range(6)], per_batch=3)
    stats, seen = SinkStats(), []
    with FailingCommit(tmp_path / "sink.duckdb", failures=1_000, ended=True) as target:
        with pytest.raises(GaveUpError) as raised:
            run_until_drained(source, target, stats, duckdb_retries(stats, bound_s=10.0, seen=seen))
        assert target.read_offsets() == {(TOPIC, 0): 3}, "the first batch stays, nothing of the second"
        assert target.cursor().execute("SELECT count(*) FROM users").fetchone() == (3,)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("writing DuckDB file x kept failing for 7 s (4 attempts; the bound is ")
    assert "SINK_DUCKDB_RETRY_S=10 s" in message and "No space left on device" in message
    assert message.endswith("free space.")
    assert len(seen) == 3


def test_a_terminal_duckdb_error_stops_at_once_naming_the_file(tmp_path: Path) -> None:
    class Invalidated(DuckDBTarget):
        def commit(self) -> None:
            raise duckdb.FatalException("FATAL Error: database has been invalidated")

    source = LogSource([user(0)], per_batch=3)
    stats, seen = SinkStats(), []
    path = tmp_path / "sink.duckdb"
    with Invalidated(path) as target, pytest.raises(CdcError) as raised:
        run_until_drained(source, target, stats, duckdb_retries(stats, bound_s=60.0, seen=seen))
    assert seen == [], "not retried"
    message = str(raised.value)
    assert message.startswith(f"DuckDB file {path} failed: FATAL Error: database has been invalidated.")
    assert "`cdc up`" in message and "\n" not in message


def test_without_a_duckdb_backoff_a_transient_error_is_not_retried(tmp_path: Path) -> None:
    source = LogSource([user(0)], per_batch=3)
    refused = r"^DuckDB file .* failed: IO Error: Could not write file"
    with (
        FailingCommit(tmp_path / "sink.duckdb", failures=1, fail_from=1) as target,
        pytest.raises(CdcError, match=refused),
    ):
        run(source, target, lambda: False)  # type: ignore[arg-type]
