"""Scenario ``insert``: one large transaction, PostgreSQL commit -> every row visible in DuckDB, on the
running stack (`cdc up`), for the connector as the project generates it and with Debezium's and Kafka's
defaults, side by side in one run.

0. A warm-up transaction of a third of the rows, not counted (a JVM just started runs its first load
   cold: twice as slow here).
1. ``public.bench_latency`` joins the pipeline's own connector (as in scenario ``latency``), with the
   properties of the configuration under test, and a first row must become visible (or the bench stops,
   saying why).
2. One ``INSERT ... SELECT generate_series`` of ``rows`` rows commits; the sink's ``/query`` endpoint is
   polled for ``max(id)`` every 20 ms until it reaches the last id. Time = visible - COMMIT returned.
3. CPU cores of PostgreSQL, Kafka, Connect and the sink over that span (from /proc), to name the component
   that limits the stack.

At the end the connector gets back the config it had before the bench.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg

from cdc_bench import latency
from cdc_bench.report import print_table
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.endpoint.client import endpoint_headers, endpoint_url
from cdc_pipeline.sample import postgres_dsn

# What the generated connector sets for throughput, put back to Debezium's and Kafka 4's own defaults: the
# connector as the project generated it before issue 11.
DEFAULTS = {
    "max.batch.size": "2048",
    "max.queue.size": "8192",
    "max.queue.size.in.bytes": "0",
    "poll.interval.ms": "500",
    "producer.override.linger.ms": "5",
    "producer.override.batch.size": "16384",
    "producer.override.compression.type": "none",
}
CONFIGS: dict[str, dict[str, str]] = {
    "generated": {},
    "debezium-defaults": DEFAULTS,
    "generated-uncompressed": {"producer.override.compression.type": "none"},  # what lz4 contributes
}
VISIBLE_TIMEOUT_S = 600.0


def _insert(settings: Settings, rows: int) -> tuple[int, float]:
    """Commit ``rows`` new rows in one transaction; (last id, commit time)."""
    with psycopg.connect(postgres_dsn(settings), autocommit=True) as pg:
        first = latency.next_id(pg)
        last = first + rows - 1
        pg.execute(
            f"INSERT INTO public.{latency.TABLE} SELECT g, 'bulk row ' || g, now() "
            "FROM generate_series(%s::bigint, %s::bigint) g",
            (first, last),
        )
        return last, time.time()


def measure(settings: Settings, name: str, rows: int) -> dict[str, Any]:
    pids = latency.component_pids(settings)
    poller = latency.Poller(f"{endpoint_url(settings)}/query", endpoint_headers(settings))
    cpu_before, started = latency.component_cpu(pids), time.monotonic()
    last, committed = _insert(settings, rows)
    thread = poller.start()
    deadline = time.monotonic() + VISIBLE_TIMEOUT_S
    try:
        while time.monotonic() < deadline and not (poller.seen and poller.seen[-1][1] >= last):
            time.sleep(0.05)
    finally:
        poller.stop()
        thread.join()
    wall = time.monotonic() - started
    cpu_after = latency.component_cpu(latency.component_pids(settings))
    seen = [t for t, m in poller.seen if m >= last]
    if not seen:
        highest = poller.seen[-1][1] if poller.seen else "none"
        raise CdcError(
            f"config {name}: {rows} rows committed to public.{latency.TABLE} were not all visible in DuckDB "
            f"after {VISIBLE_TIMEOUT_S:.0f} s (highest id seen {highest}, wanted {last})",
            "check `cdc status` (connector and sink running) and run the bench again",
        )
    seconds = seen[0] - committed
    return {
        "config": name,
        "rows": rows,
        "visible_s": seconds,
        "rows_per_s": rows / seconds,
        "cpu_cores": {k: (cpu_after[k] - cpu_before[k]) / wall for k in latency.COMPONENTS},
    }


def run(settings: Settings, rows: int, repeat: int = 1) -> dict[str, Any]:
    """Each configuration ``repeat`` times, alternating; the median counts."""
    results: list[dict[str, Any]] = []
    before = latency.prepare(settings, {})
    try:
        latency.await_capture(settings)
        measure(settings, "warm-up", max(1, rows // 3))  # a JVM just started runs its first load cold
        for _ in range(repeat):
            for name, overrides in CONFIGS.items():
                latency.prepare(settings, overrides)
                latency.await_capture(settings)
                results.append(measure(settings, name, rows))
    finally:
        latency.restore(settings, before)
    medians = {name: _median([r for r in results if r["config"] == name]) for name in CONFIGS}
    print_table(
        f"one {rows:,}-row transaction, PostgreSQL commit -> all visible in DuckDB (median of {repeat})",
        ["config", "seconds", "rows/s", *[f"{c} cores" for c in latency.COMPONENTS]],
        [
            [name, m["visible_s"], m["rows_per_s"], *[m["cpu_cores"][c] for c in latency.COMPONENTS]]
            for name, m in medians.items()
        ],
    )
    ratio = medians["debezium-defaults"]["visible_s"] / medians["generated"]["visible_s"]
    print(f"generated config: {ratio:.1f}x faster than Debezium's defaults")
    return {"rows": rows, "repeat": repeat, "results": results, "medians": medians, "speedup": ratio}


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return sorted(runs, key=lambda r: r["visible_s"])[len(runs) // 2]
