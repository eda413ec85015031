"""One measured run in its own process, so CPU seconds and peak RSS are that run's alone.

``python -m cdc_bench.worker MODE SPEC_JSON`` prints one JSON object (the result) on its last line.
Modes: ``sink`` (the real commit protocol into DuckDB), ``decode`` (consume, decode, coalesce and export to
Arrow, no apply), ``bulk`` (load given final rows into a new DuckDB from Arrow), ``rowbyrow`` (the original
demo's way: one ``INSERT ... ON CONFLICT`` per event, auto-commit).
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb
from cdc_bench.measure import RssSampler, Span
from cdc_bench.rowbyrow import run_rowbyrow
from cdc_pipeline import kafka_limits
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.protocol import commit_batch
from cdc_pipeline.sink.source import Offset, Source

Spec = dict[str, Any]


class TrackingSource(Source):
    """The sink's source, remembering the offsets DuckDB committed (to know when the backlog is applied)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.positions: dict[tuple[str, int], int] = {}

    def __enter__(self) -> TrackingSource:
        return self

    def commit(self, offsets: Iterable[Offset]) -> None:
        offsets = list(offsets)
        for topic, partition, offset in offsets:
            self.positions[(topic, partition)] = offset
        super().commit(offsets)


def _source(spec: Spec) -> TrackingSource:
    defaults = Settings()  # the sink's defaults, from the one place they are declared
    return TrackingSource(
        bootstrap_servers=spec["bootstrap"],
        topic_prefix=spec["prefix"],
        group_id=f"bench-{uuid.uuid4().hex[:8]}",
        on_error=defaults.sink_on_error,
        topic_refresh_ms=defaults.sink_topic_refresh_ms,
        max_events=spec.get("max_events", defaults.sink_max_events),
        max_bytes=spec.get("max_bytes", defaults.sink_max_bytes),
        max_wait_ms=spec.get("max_wait_ms", defaults.sink_max_wait_ms),
        # the sink's own consumer settings (fetch sizes from max_row_bytes), then the experiment's
        kafka_config={**kafka_limits.consumer_config(defaults), **spec.get("kafka", {})},
        read_ahead=spec.get("read_ahead", False),
    )


def _reached(positions: dict[tuple[str, int], int], end: dict[str, int]) -> bool:
    return all(positions.get((topic, 0), 0) >= offset for topic, offset in end.items())


def _loop(spec: Spec, step: Callable[[], int], positions: dict[tuple[str, int], int]) -> dict[str, Any]:
    """Run ``step`` (one batch; returns its events) until every topic is read to its end offset."""
    sampler = RssSampler().start() if spec.get("sample_rss") else None
    span = Span()
    events = batches = 0
    deadline = time.monotonic() + spec.get("timeout_s", 3600)
    while not _reached(positions, spec["end_offsets"]):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not done after {spec.get('timeout_s')} s: {positions}")
        events += step()
        batches += 1
    usage = span.stop()
    return {
        "events": events,
        "batches": batches,
        "wall_s": usage.wall_s,
        "cpu_s": usage.cpu_s,
        "peak_rss_mb": usage.peak_rss_mb,
        "rss_samples": sampler.stop() if sampler else [],
    }


def run_sink(spec: Spec) -> dict[str, Any]:
    spec = {"read_ahead": Settings().sink_read_ahead, **spec}  # the sink as configured by default
    with DuckDBTarget(Path(spec["duckdb"])) as target, _source(spec) as source:
        for name, value in spec.get("duckdb_settings", {}).items():  # e.g. memory_limit, for experiments
            target.cursor().execute(f"SET {name} = '{value}'")
        stopped: dict[str, str] = {}
        source.start(target.read_offsets())

        def step() -> int:
            outcome = commit_batch(source, target, stopped)
            if outcome is not None and (outcome.bad_record or outcome.stopped):
                raise RuntimeError(f"bad input: {outcome.bad_record or outcome.stopped}")
            return 0 if outcome is None else outcome.events

        result = _loop(spec, step, source.positions)
        started = time.monotonic()
    result["close_checkpoint_s"] = time.monotonic() - started
    return result


def run_decode(spec: Spec) -> dict[str, Any]:
    with _source(spec) as source:
        source.start({})

        def step() -> int:
            batch = source.next_batch()
            if batch.error is not None:
                raise RuntimeError(batch.error.describe())
            for topic, partition, offset in batch.offsets:
                source.positions[(topic, partition)] = offset
            return batch.events

        return _loop(spec, step, source.positions)


def run_bulk(spec: Spec) -> dict[str, Any]:
    """Copy the final tables of a sink run into Arrow (not timed), then time loading them into a new file."""
    with duckdb.connect(spec["from_duckdb"], read_only=True) as source:
        arrow = {name: source.execute(f'SELECT * FROM "{name}"').to_arrow_table() for name in spec["tables"]}
    rows = sum(t.num_rows for t in arrow.values() if t is not None)
    span = Span()
    with duckdb.connect(spec["duckdb"]) as conn:
        conn.begin()
        for name, table in arrow.items():
            conn.register("__bulk", table)
            conn.execute(f'CREATE TABLE "{name}" AS SELECT * FROM __bulk')
            conn.unregister("__bulk")
        conn.commit()
        conn.execute("CHECKPOINT")
    usage = span.stop()
    return {"rows": rows, "wall_s": usage.wall_s, "cpu_s": usage.cpu_s, "peak_rss_mb": usage.peak_rss_mb}


def main(argv: list[str]) -> None:
    mode, spec = argv[1], json.loads(argv[2])
    modes = {"sink": run_sink, "decode": run_decode, "bulk": run_bulk, "rowbyrow": run_rowbyrow}
    result = modes[mode](spec)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv)
